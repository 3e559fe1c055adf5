#include "allot_bench/report.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>

namespace allot::bench {
namespace {

namespace json = boost::json;

constexpr std::size_t kFailuresShown = 20;

std::uint64_t ReserveCount(const ThreadStats& stats) {
  std::uint64_t total = 0;
  for (const Outcome& outcome : stats.outcomes) {
    if (outcome.op == Op::kReserve) total += outcome.count;
  }
  return total;
}

double PerSecond(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

std::string OutcomeName(const Outcome& outcome) {
  std::string name(ToString(outcome.op));
  name += ' ';
  name += outcome.status == 0 ? std::string("no-answer") : std::to_string(outcome.status);
  if (!outcome.code.empty()) name += " " + outcome.code;
  return name;
}

std::string UtcNow() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

}  // namespace

void PrintReport(const RunResult& r) {
  const ThreadStats& stats = r.stats;
  std::uint64_t requests = stats.requests.load();
  std::string urls;
  for (const Endpoint& endpoint : r.options.endpoints) {
    urls += (urls.empty() ? "" : ",") + endpoint.Url();
  }
  std::printf("allot-bench %s against %s: %d connections on %d threads\n",
              std::string(ToString(r.options.scenario)).c_str(), urls.c_str(), r.connections_opened,
              r.options.threads);
  std::printf("  requests     %llu in %.2f s = %.0f req/s (reservations %.0f/s)\n",
              static_cast<unsigned long long>(requests), r.load.elapsed_s,
              PerSecond(requests, r.load.elapsed_s),
              PerSecond(ReserveCount(stats), r.load.elapsed_s));
  const LatencyHistogram& h = stats.latency;
  std::printf("  latency ms   p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.2f\n",
              h.PercentileUs(0.50) / 1e3, h.PercentileUs(0.90) / 1e3, h.PercentileUs(0.99) / 1e3,
              h.PercentileUs(0.999) / 1e3, h.max_us() / 1e3, h.mean_us() / 1e3);
  std::vector<Outcome> outcomes = stats.outcomes;
  std::sort(outcomes.begin(), outcomes.end(),
            [](const Outcome& a, const Outcome& b) { return a.count > b.count; });
  for (const Outcome& outcome : outcomes) {
    std::printf("  outcome      %-36s %llu\n", OutcomeName(outcome).c_str(),
                static_cast<unsigned long long>(outcome.count));
  }
  if (r.server_memory) {
    std::printf("  server       peak RSS %.1f MiB, now %.1f MiB (pid %d)\n",
                r.server_memory->peak_rss_kib / 1024.0, r.server_memory->current_rss_kib / 1024.0,
                *r.options.server_pid);
  }
  if (!r.options.check) {
    std::printf("  checks       skipped (--no-check)\n");
    return;
  }
  std::printf("  checks       %d passed, %zu failed\n", r.checks.passed, r.checks.failures.size());
  if (r.checks.failures.empty()) return;
  std::fflush(stdout);
  std::fprintf(stderr, "\n!!!!!!!! allot-bench: INVARIANTS VIOLATED (%zu) !!!!!!!!\n",
               r.checks.failures.size());
  for (std::size_t i = 0; i < std::min(kFailuresShown, r.checks.failures.size()); ++i) {
    std::fprintf(stderr, "  FAIL %s\n", r.checks.failures[i].c_str());
  }
  if (r.checks.failures.size() > kFailuresShown) {
    std::fprintf(stderr, "  ... and %zu more\n", r.checks.failures.size() - kFailuresShown);
  }
}

json::object ResultJson(const RunResult& r) {
  const ThreadStats& stats = r.stats;
  const LatencyHistogram& h = stats.latency;
  std::uint64_t requests = stats.requests.load();
  json::object out;
  out["tool"] = "allot-bench";
  out["date"] = UtcNow();
  out["scenario"] = ToString(r.options.scenario);
  out["url"] = r.options.endpoints.front().Url();
  json::array urls;
  for (const Endpoint& endpoint : r.options.endpoints) urls.push_back(json::string(endpoint.Url()));
  out["urls"] = std::move(urls);
  out["connections"] = r.connections_opened;
  out["threads"] = r.options.threads;
  out["durationLimitS"] = r.options.duration_s;
  if (r.options.requests) out["requestsLimit"] = *r.options.requests;
  out["elapsedS"] = r.load.elapsed_s;
  out["requests"] = requests;
  out["requestsPerSecond"] = PerSecond(requests, r.load.elapsed_s);
  out["reservationsPerSecond"] = PerSecond(ReserveCount(stats), r.load.elapsed_s);
  json::object latency;
  latency["p50"] = h.PercentileUs(0.50);
  latency["p90"] = h.PercentileUs(0.90);
  latency["p99"] = h.PercentileUs(0.99);
  latency["p999"] = h.PercentileUs(0.999);
  latency["max"] = h.max_us();
  latency["min"] = h.min_us();
  latency["mean"] = h.mean_us();
  out["latencyUs"] = std::move(latency);
  json::array outcomes;
  for (const Outcome& outcome : stats.outcomes) {
    json::object entry;
    entry["op"] = ToString(outcome.op);
    entry["status"] = outcome.status;
    entry["code"] = outcome.code;
    entry["count"] = outcome.count;
    outcomes.push_back(std::move(entry));
  }
  out["outcomes"] = std::move(outcomes);
  out["scenarioFacts"] = r.scenario_facts;
  if (r.server_memory) {
    out["serverPid"] = *r.options.server_pid;
    out["serverPeakRssKiB"] = r.server_memory->peak_rss_kib;
    out["serverRssKiB"] = r.server_memory->current_rss_kib;
  }
  json::object checks;
  checks["performed"] = r.options.check;
  checks["passed"] = r.checks.passed;
  json::array failures;
  for (const auto& failure : r.checks.failures) failures.push_back(json::string(failure));
  checks["failures"] = std::move(failures);
  out["checks"] = std::move(checks);
  out["ok"] = r.checks.failures.empty();
  return out;
}

std::string WriteJsonFile(const std::string& path, const json::object& json) {
  std::ofstream file(path, std::ios::trunc);
  if (!file) return "cannot open " + path + " for writing";
  file << json::serialize(json) << "\n";
  file.close();
  if (!file) return "cannot write " + path;
  return "";
}

}  // namespace allot::bench
