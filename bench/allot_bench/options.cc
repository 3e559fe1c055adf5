#include "allot_bench/options.h"

#include <charconv>
#include <cstdlib>

namespace allot::bench {
namespace {

using Failure = std::unexpected<std::string>;

template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "http://HOST:PORT" (a trailing slash is allowed); no TLS, no path.
bool ParseUrl(std::string_view url, Endpoint& endpoint) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return false;
  url.remove_prefix(kScheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == url.size()) return false;
  std::string_view host = url.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  if (!ParseNumber<std::uint16_t>(url.substr(colon + 1))) return false;
  endpoint.host = std::string(host);
  endpoint.port = std::string(url.substr(colon + 1));
  return true;
}

// "URL[,URL...]", each as ParseUrl takes it.
bool ParseUrls(std::string_view text, std::vector<Endpoint>& endpoints) {
  while (true) {
    const std::size_t comma = text.find(',');
    Endpoint endpoint;
    if (!ParseUrl(text.substr(0, comma), endpoint)) return false;
    endpoints.push_back(std::move(endpoint));
    if (comma == std::string_view::npos) return true;
    text.remove_prefix(comma + 1);
  }
}

// The contract's ids: 1..128 of [A-Za-z0-9._:-] (docs/api.md).
bool IsItemId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<Scenario> ParseScenario(std::string_view text) {
  if (text == "hot-item") return Scenario::kHotItem;
  if (text == "spread") return Scenario::kSpread;
  if (text == "lifecycle") return Scenario::kLifecycle;
  if (text == "sellout") return Scenario::kSellout;
  return std::nullopt;
}

}  // namespace

std::string_view ToString(Scenario scenario) {
  switch (scenario) {
    case Scenario::kHotItem:
      return "hot-item";
    case Scenario::kSpread:
      return "spread";
    case Scenario::kLifecycle:
      return "lifecycle";
    case Scenario::kSellout:
      return "sellout";
  }
  return "?";
}

std::expected<BenchOptions, std::string> ParseOptions(const std::vector<std::string_view>& args) {
  BenchOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    std::string_view value;
    bool has_value = false;
    if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    auto take = [&]() -> std::optional<std::string_view> {
      if (has_value) return value;
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    auto bad = [&](std::string_view why) {
      return Failure(std::string(flag) + ": " + std::string(why));
    };
    auto positive = [&]<typename T>(T& out, T max) -> std::optional<std::string> {
      auto text = take();
      if (!text) return "needs a value";
      auto number = ParseNumber<T>(*text);
      if (!number || *number < 1 || *number > max)
        return "must be an integer 1.." + std::to_string(max);
      out = *number;
      return std::nullopt;
    };

    if (flag == "--no-progress") {
      options.progress = false;
    } else if (flag == "--no-check") {
      options.check = false;
    } else if (flag == "--url") {
      auto text = take();
      if (!text || !ParseUrls(*text, options.endpoints)) {
        return bad("expects http://HOST:PORT[,http://HOST:PORT...]");
      }
    } else if (flag == "--item") {
      auto text = take();
      if (!text || !IsItemId(*text)) return bad("expects an item id ([A-Za-z0-9._:-], 1..128)");
      options.item_id = std::string(*text);
    } else if (flag == "--scenario") {
      auto text = take();
      auto scenario = text ? ParseScenario(*text) : std::nullopt;
      if (!scenario) return bad("one of hot-item, spread, lifecycle, sellout");
      options.scenario = *scenario;
    } else if (flag == "--duration" || flag == "--timeout") {
      auto text = take();
      double seconds = text ? std::strtod(std::string(*text).c_str(), nullptr) : 0;
      if (!(seconds > 0 && seconds <= 86400)) return bad("seconds, more than 0");
      (flag == "--duration" ? options.duration_s : options.timeout_s) = seconds;
    } else if (flag == "--requests") {
      std::int64_t n = 0;
      if (auto error = positive(n, std::int64_t{1'000'000'000'000})) return bad(*error);
      options.requests = n;
    } else if (flag == "--connections") {
      if (auto error = positive(options.connections, 100'000)) return bad(*error);
    } else if (flag == "--threads") {
      if (auto error = positive(options.threads, 256)) return bad(*error);
    } else if (flag == "--items") {
      if (auto error = positive(options.items, 100'000)) return bad(*error);
    } else if (flag == "--stock") {
      if (auto error = positive(options.stock, std::int64_t{1'000'000'000})) return bad(*error);
    } else if (flag == "--ttl") {
      if (auto error = positive(options.ttl_seconds, std::int64_t{604'800})) return bad(*error);
    } else if (flag == "--server-pid") {
      int pid = 0;
      if (auto error = positive(pid, 1 << 30)) return bad(*error);
      options.server_pid = pid;
    } else if (flag == "--json") {
      auto text = take();
      if (!text || text->empty()) return bad("needs a path");
      options.json_path = std::string(*text);
    } else {
      return Failure("unknown flag " + std::string(args[i]) + " (see --help)");
    }
  }
  if (options.endpoints.empty()) options.endpoints.push_back(Endpoint{});
  if (!options.item_id.empty() && options.scenario != Scenario::kHotItem) {
    return Failure("--item: only the hot-item scenario takes an existing item");
  }
  return options;
}

std::string Usage() {
  return R"(allot-bench: load generator and invariant checker for the allot HTTP API.

  allot-bench --url http://127.0.0.1:8080 [--scenario hot-item|spread|lifecycle|sellout]
              [--connections N] [--duration S | --requests N] [--threads N]
              [--items N] [--stock N] [--ttl S] [--json PATH] [--no-progress]
              [--server-pid PID] [--timeout S] [--no-check] [--item ID]

Several instances of one service (on one PostgreSQL database): give --url
more than once, or URLs separated by commas; connection i talks to URL
i mod n, so the load is spread evenly.

Scenarios (each creates its own uniquely named items first):
  hot-item   every connection reserves qty 1 of one item with huge stock;
             --item ID reserves on an existing item instead (its counters
             before the run are the baseline of the checks, so nothing else
             may change it during the run)
  spread     reservations spread uniformly over --items items (default 1000)
  lifecycle  reserve, then confirm, cancel or let expire (ttl 1 s), in turn
             (--items, default 8)
  sellout    --stock units (default 100), 10x as many distinct buyers unless
             --requests says otherwise: exactly --stock must win

Load: --connections keep-alive connections (default 256) on --threads
threads (default 2), each sending requests back to back, for --duration
seconds (default 10) or until --requests operations (reservation attempts;
a lifecycle's confirm or cancel belongs to its reservation) have started,
whichever comes first. A request unanswered after --timeout seconds
(default 30) is dropped and counted as "no-answer". After the load it checks the invariants through the API and
exits 1 if any disagrees (2: bad usage or the server could not be used).
--no-check skips item creation and checks (for a server that is not allot).
)";
}

}  // namespace allot::bench
