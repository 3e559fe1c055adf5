#include "failover_load.h"

#include <gtest/gtest.h>

#include "api.h"
#include "crash_writes.h"
#include "http_client.h"

namespace allot::testing {
namespace {

// A refused write is tried again soon, not at once: a server without a
// database answers in microseconds, and spinning would only load the
// machine the failover has to run on.
constexpr auto kPauseAfterRefusal = std::chrono::milliseconds(20);

bool Unknown(const Response& response) {
  return !response.ok() || (response.status == 500 && ErrorCode(response) == "outcome_unknown");
}

}  // namespace

void FailoverLoad::Start(const std::vector<int>& ports, int threads_per_server,
                         std::uint64_t seed) {
  int thread = 0;
  for (int server = 0; server < static_cast<int>(ports.size()); ++server) {
    for (int t = 0; t < threads_per_server; ++t, ++thread) {
      threads_.emplace_back([this, port = ports[server], server, thread, seed] {
        Run(port, server, thread, seed + static_cast<std::uint64_t>(thread));
      });
    }
  }
}

FailoverLoadReport FailoverLoad::Stop(std::chrono::milliseconds settle_deadline) {
  if (threads_.empty()) return report_;
  settle_until_ = std::chrono::steady_clock::now() + settle_deadline;
  stopping_ = true;
  threads_.clear();  // joins
  std::lock_guard lock(mu_);
  return report_;
}

void FailoverLoad::Record(int server, int status, std::string code) {
  std::lock_guard lock(mu_);
  timeline_.push_back({std::chrono::steady_clock::now(), server, status, std::move(code)});
  ++report_.sent;
}

void FailoverLoad::Run(int port, int server, int thread, std::uint64_t seed) {
  WriteMaker maker(thread, seed, model_, keys_);
  HttpClient client(port, std::chrono::seconds(10));
  while (!stopping_) {
    const WriteRequest request = maker.Next();
    Response response = Send(client, request);
    Record(server, response.status, response.status / 100 == 2 ? "" : ErrorCode(response));
    if (!Unknown(response)) {
      model_.Apply(request, response);
      if (response.status == 503) std::this_thread::sleep_for(kPauseAfterRefusal);
      continue;
    }
    // Done or not: the same request with the same key until an answer says.
    // A 503 meanwhile settles nothing (that attempt did nothing, the first
    // may still have been done).
    {
      std::lock_guard lock(mu_);
      ++report_.unknown;
    }
    model_.Apply(request, response);
    bool settled = false;
    while (!settled && (!stopping_ || std::chrono::steady_clock::now() < settle_until_)) {
      std::this_thread::sleep_for(kPauseAfterRefusal);
      response = Send(client, request);
      Record(server, response.status, response.status / 100 == 2 ? "" : ErrorCode(response));
      settled = !Unknown(response) && response.status != 503;
      model_.Apply(request, response);
    }
    std::lock_guard lock(mu_);
    if (!settled) {
      ++report_.unsettled;
      ADD_FAILURE() << "the outcome of " << request.path << " (key " << request.key
                    << ") was still unknown when the load stopped";
      return;
    }
    ++(response.Header("Idempotent-Replayed") == "true" ? report_.settled_done
                                                        : report_.settled_ran);
  }
}

std::vector<TimedAnswer> FailoverLoad::timeline() const {
  std::lock_guard lock(mu_);
  return timeline_;
}

std::optional<SteadyTime> FailoverLoad::FirstSuccessSince(int server, SteadyTime since) const {
  std::lock_guard lock(mu_);
  for (const TimedAnswer& answer : timeline_) {
    if (answer.server == server && answer.at >= since && answer.status / 100 == 2) {
      return answer.at;
    }
  }
  return std::nullopt;
}

}  // namespace allot::testing
