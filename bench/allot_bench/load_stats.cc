#include "allot_bench/load_stats.h"

namespace allot::bench {

std::string_view ToString(Op op) {
  switch (op) {
    case Op::kCreateItem:
      return "create-item";
    case Op::kReserve:
      return "reserve";
    case Op::kConfirm:
      return "confirm";
    case Op::kCancel:
      return "cancel";
    case Op::kRead:
      return "read";
  }
  return "?";
}

void ThreadStats::Record(Op op, int status, std::string_view code, std::int64_t latency_us) {
  requests.store(requests.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (status != 0) latency.Record(latency_us);
  for (Outcome& outcome : outcomes) {
    if (outcome.op == op && outcome.status == status && outcome.code == code) {
      ++outcome.count;
      return;
    }
  }
  outcomes.push_back(Outcome{op, status, std::string(code), 1});
}

void ThreadStats::Merge(const ThreadStats& other) {
  latency.Merge(other.latency);
  requests.fetch_add(other.requests.load());
  for (const Outcome& theirs : other.outcomes) {
    bool found = false;
    for (Outcome& mine : outcomes) {
      if (mine.op == theirs.op && mine.status == theirs.status && mine.code == theirs.code) {
        mine.count += theirs.count;
        found = true;
        break;
      }
    }
    if (!found) outcomes.push_back(theirs);
  }
}

std::uint64_t ThreadStats::Count(Op op, int status, const char* code) const {
  std::uint64_t total = 0;
  for (const Outcome& outcome : outcomes) {
    if (outcome.op == op && outcome.status == status && (code == nullptr || outcome.code == code))
      total += outcome.count;
  }
  return total;
}

}  // namespace allot::bench
