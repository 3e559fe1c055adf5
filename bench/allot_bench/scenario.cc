#include "allot_bench/scenario.h"

#include <charconv>

namespace allot::bench {

std::unique_ptr<ScenarioRun> MakeHoldScenario(const BenchOptions& options);
std::unique_ptr<ScenarioRun> MakeLifecycleScenario(const BenchOptions& options);
std::unique_ptr<ScenarioRun> MakeSelloutScenario(const BenchOptions& options);

std::unique_ptr<ScenarioRun> MakeScenario(const BenchOptions& options) {
  switch (options.scenario) {
    case Scenario::kHotItem:
    case Scenario::kSpread:
      return MakeHoldScenario(options);
    case Scenario::kLifecycle:
      return MakeLifecycleScenario(options);
    case Scenario::kSellout:
      return MakeSelloutScenario(options);
  }
  return nullptr;
}

void BuildReserveBody(std::string& out, int connection, std::uint64_t seq, std::string_view item_id,
                      std::int64_t ttl_seconds) {
  char digits[24];
  auto append_number = [&](auto value) {
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, end);
  };
  out.clear();
  out.append(R"({"userId":"u)");
  append_number(connection);
  out.push_back('-');
  append_number(seq);
  out.append(R"(","itemId":")").append(item_id).append(R"(","qty":1,"ttlSeconds":)");
  append_number(ttl_seconds);
  out.push_back('}');
}

}  // namespace allot::bench
