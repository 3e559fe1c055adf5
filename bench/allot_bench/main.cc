// allot-bench: drives an allot server with one of the scenarios, prints
// throughput, latency and outcomes, then checks the invariants through the
// API. Exit status: 0 all checks passed, 1 an invariant or answer was wrong,
// 2 bad usage or the server could not be used.
#include <sys/resource.h>

#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include "allot_bench/options.h"
#include "allot_bench/report.h"
#include "allot_bench/runner.h"
#include "allot_bench/scenario.h"
#include "allot_bench/server_memory.h"

namespace allot::bench {
namespace {

// Each connection is a descriptor; 10,000 of them exceed the usual soft limit.
void RaiseFileLimit(int connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  rlim_t wanted = static_cast<rlim_t>(connections) + 256;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
}

bool IsWrite(Op op) { return op != Op::kRead; }

int Run(const BenchOptions& options) {
  RaiseFileLimit(options.connections);
  Runner runner(options.endpoints, options.threads, options.timeout_s);
  auto scenario = MakeScenario(options);
  if (options.check) {
    if (std::string failure = scenario->Setup(runner); !failure.empty()) {
      std::fprintf(stderr, "allot-bench: setup failed: %s\n", failure.c_str());
      return 2;
    }
  }
  int opened = runner.Open(options.connections);
  if (opened < options.connections) {
    std::fprintf(stderr, "allot-bench: only %d of %d connections opened\n", opened,
                 options.connections);
    return 2;
  }

  LoadControl control(options.duration_s,
                      options.requests ? options.requests : scenario->DefaultOperations());
  PhaseResult load = runner.Run(
      options.connections,
      [&](Client& client, int connection) { return scenario->Drive(client, connection, control); },
      true, options.progress);
  auto stats = runner.MergedStats();

  RunResult result{.options = options, .connections_opened = opened, .load = load, .stats = *stats};
  if (options.check) {
    LoadFacts facts{.stats = *stats, .time_ran_out = control.time_ran_out()};
    for (const Outcome& outcome : stats->outcomes) {
      if (outcome.status == 0 && IsWrite(outcome.op)) facts.unanswered_writes += outcome.count;
      result.checks.Expect(
          scenario->Allowed(outcome),
          std::to_string(outcome.count) +
              " unexpected answers: " + std::string(ToString(outcome.op)) + " " +
              (outcome.status == 0 ? "no answer (refused, reset or timed out)"
                                   : std::to_string(outcome.status) + " " + outcome.code));
    }
    scenario->Check(runner, facts, result.checks);
  }
  result.scenario_facts = scenario->Facts();
  if (options.server_pid) result.server_memory = ReadServerMemory(*options.server_pid);

  PrintReport(result);
  if (!options.json_path.empty()) {
    if (std::string error = WriteJsonFile(options.json_path, ResultJson(result)); !error.empty()) {
      std::fprintf(stderr, "allot-bench: %s\n", error.c_str());
      return 2;
    }
  }
  return result.checks.failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace allot::bench

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::string_view arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::fputs(allot::bench::Usage().c_str(), stdout);
      return 0;
    }
  }
  auto options = allot::bench::ParseOptions(args);
  if (!options) {
    std::fprintf(stderr, "allot-bench: %s\n", options.error().c_str());
    return 2;
  }
  try {
    return allot::bench::Run(*options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "allot-bench: %s\n", e.what());
    return 2;
  }
}
