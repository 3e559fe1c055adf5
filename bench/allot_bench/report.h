// The end of a run: the human summary on stdout and the JSON results file.
#ifndef ALLOT_BENCH_REPORT_H_
#define ALLOT_BENCH_REPORT_H_

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "allot_bench/load_stats.h"
#include "allot_bench/options.h"
#include "allot_bench/runner.h"
#include "allot_bench/scenario.h"
#include "allot_bench/server_memory.h"

namespace allot::bench {

struct RunResult {
  const BenchOptions& options;
  int connections_opened = 0;
  PhaseResult load;
  const ThreadStats& stats;
  boost::json::object scenario_facts;
  std::optional<ServerMemory> server_memory;
  CheckReport checks;
};

void PrintReport(const RunResult& result);
boost::json::object ResultJson(const RunResult& result);

// Writes `json` to `path`; returns "" or why not.
std::string WriteJsonFile(const std::string& path, const boost::json::object& json);

}  // namespace allot::bench

#endif  // ALLOT_BENCH_REPORT_H_
