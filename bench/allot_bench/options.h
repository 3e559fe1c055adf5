// The command line of allot-bench. See Usage() for the flags.
#ifndef ALLOT_BENCH_OPTIONS_H_
#define ALLOT_BENCH_OPTIONS_H_

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allot::bench {

enum class Scenario { kHotItem, kSpread, kLifecycle, kSellout };
std::string_view ToString(Scenario scenario);

// One server to send requests to.
struct Endpoint {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string Url() const { return "http://" + host + ":" + port; }
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct BenchOptions {
  // Load connection i talks to endpoints[i % size]: several instances of
  // one service (on one database) share the load. Default: 127.0.0.1:8080.
  std::vector<Endpoint> endpoints;
  Scenario scenario = Scenario::kHotItem;
  int connections = 256;
  double duration_s = 10;                // wall-clock cap of the load phase
  std::optional<std::int64_t> requests;  // cap on operations started (reservation attempts)
  int threads = 2;
  int items = 0;                    // 0: the scenario's default
  std::int64_t stock = 0;           // 0: the scenario's default
  std::int64_t ttl_seconds = 3600;  // holds that should outlive the run
  std::string json_path;            // empty: no results file
  bool progress = true;
  bool check = true;              // false: no setup, no invariant checks (bare ceiling)
  std::optional<int> server_pid;  // report its peak RSS
  double timeout_s = 30;          // one request's limit before its connection is dropped
  // hot-item: reserve on this existing item instead of creating one (so
  // several runs, or several instances, can share one hot row).
  std::string item_id;
};

// `args` excludes the program name. Errors are one line for the terminal.
std::expected<BenchOptions, std::string> ParseOptions(const std::vector<std::string_view>& args);

std::string Usage();

}  // namespace allot::bench

#endif  // ALLOT_BENCH_OPTIONS_H_
