// A scenario: what it creates first, what each load connection does, and
// which invariants must hold afterwards (checked through the API).
#ifndef ALLOT_BENCH_SCENARIO_H_
#define ALLOT_BENCH_SCENARIO_H_

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "allot_bench/client.h"
#include "allot_bench/load_stats.h"
#include "allot_bench/options.h"
#include "allot_bench/runner.h"

namespace allot::bench {

// The verdicts of the checks; any failure makes allot-bench exit 1.
struct CheckReport {
  void Expect(bool ok, const std::string& what) {
    if (ok) {
      ++passed;
    } else {
      failures.push_back(what);
    }
  }
  int passed = 0;
  std::vector<std::string> failures;
};

// What the load phase saw, for the checks.
struct LoadFacts {
  const ThreadStats& stats;
  bool time_ran_out = false;
  // Writes that got no answer: each may or may not have taken effect, so
  // expected counters widen by this much.
  std::uint64_t unanswered_writes = 0;
};

class ScenarioRun {
 public:
  virtual ~ScenarioRun() = default;
  // Creates the scenario's items. Returns "" or why the server cannot be used.
  virtual std::string Setup(Runner& runner) = 0;
  // The body of load connection `connection`: operations until `control` says stop.
  virtual boost::asio::awaitable<void> Drive(Client& client, int connection,
                                             LoadControl& control) = 0;
  // Checks the invariants after the load.
  virtual void Check(Runner& runner, const LoadFacts& facts, CheckReport& report) = 0;
  // Scenario facts for the report (item count, stock, ...).
  virtual boost::json::object Facts() const = 0;
  // Outcomes that are a legitimate answer in this scenario; others fail the run.
  virtual bool Allowed(const Outcome& outcome) const = 0;
  // The operations cap the scenario needs when --requests is not given.
  virtual std::optional<std::int64_t> DefaultOperations() const { return std::nullopt; }
};

std::unique_ptr<ScenarioRun> MakeScenario(const BenchOptions& options);

// Builds {"userId":"u<connection>-<seq>","itemId":...,"qty":1,"ttlSeconds":...}
// into `out`, reusing its capacity.
void BuildReserveBody(std::string& out, int connection, std::uint64_t seq, std::string_view item_id,
                      std::int64_t ttl_seconds);

}  // namespace allot::bench

#endif  // ALLOT_BENCH_SCENARIO_H_
