#include "http/serve_options.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <type_traits>

namespace allot::http {
namespace {

std::unexpected<Error> Bad(std::string message) {
  return Fail(ErrorCode::kInvalidRequest, std::move(message));
}

std::optional<std::int64_t> ParseInt(std::string_view text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return std::nullopt;
  }
  return value;
}

std::int64_t AsNumber(std::chrono::milliseconds duration) { return duration.count(); }
template <typename T>
std::int64_t AsNumber(T number) {
  return static_cast<std::int64_t>(number);
}

// An integer option. `field` is a generic lambda returning the member, so
// it serves both apply (non-const) and show (const).
template <typename Field>
OptionSpec Integer(std::string_view name, std::string_view hint, std::string_view help,
                   std::int64_t min, std::int64_t max, Field field) {
  return OptionSpec{
      .name = name,
      .value_hint = hint,
      .help = help,
      .apply = [=](std::string_view value, ServeOptions& options) -> Status {
        auto n = ParseInt(value, min, max);
        if (!n) {
          return Bad("must be an integer from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not '" + std::string(value) + "'.");
        }
        auto& target = field(options);
        target = static_cast<std::remove_reference_t<decltype(target)>>(*n);
        return {};
      },
      .show = [=](const ServeOptions& options) { return std::to_string(AsNumber(field(options))); },
  };
}

// A duration option in milliseconds.
template <typename Field>
OptionSpec Millis(std::string_view name, std::string_view help, std::int64_t min, std::int64_t max,
                  Field field) {
  return Integer(name, "MS", help, min, max, field);
}

// One of a fixed set of words.
OptionSpec Choice(std::string_view name, std::string_view hint, std::string_view help,
                  std::vector<std::string_view> words,
                  std::function<void(std::string_view, ServeOptions&)> set,
                  std::function<std::string(const ServeOptions&)> show) {
  return OptionSpec{
      .name = name,
      .value_hint = hint,
      .help = help,
      .apply = [=](std::string_view value, ServeOptions& options) -> Status {
        for (std::string_view word : words) {
          if (value == word) {
            set(value, options);
            return {};
          }
        }
        return Bad("must be one of " + std::string(hint) + ", not '" + std::string(value) + "'.");
      },
      .show = std::move(show),
  };
}

// Text that must not be empty (a path, a URL).
OptionSpec Text(std::string_view name, std::string_view hint, std::string_view help,
                std::function<void(std::string_view, ServeOptions&)> set,
                std::function<std::string(const ServeOptions&)> show, bool in_config_file = true) {
  return OptionSpec{
      .name = name,
      .value_hint = hint,
      .help = help,
      .apply = [=](std::string_view value, ServeOptions& options) -> Status {
        if (value.empty()) return Bad("must not be empty.");
        set(value, options);
        return {};
      },
      .show = std::move(show),
      .in_config_file = in_config_file,
  };
}

constexpr std::int64_t kMaxMillis = 24LL * 3600 * 1000;  // a day: anything longer is a typo

std::vector<OptionSpec> MakeSpecs() {
  std::vector<OptionSpec> specs;
  specs.push_back(OptionSpec{
      .name = "listen",
      .value_hint = "HOST:PORT",
      .help = "address to serve on (port 0 picks a free one); only loopback without --tokens",
      .apply = [](std::string_view value,
                  ServeOptions& options) { return ParseListen(value, options); },
      .show =
          [](const ServeOptions& options) {
            std::string url = ListenUrl(options.server.host, options.server.port);
            return url.substr(url.find("//") + 2);
          },
  });
  specs.push_back(Text(
      "db", "PATH|URL",
      "SQLite file, or postgres://USER@HOST:PORT[,HOST:PORT...]/DB shared by many processes",
      [](std::string_view v, ServeOptions& o) { o.db = std::string(v); },
      [](const ServeOptions& o) { return o.db; }));
  specs.push_back(Integer(
      "batch-max", "N", "writes per transaction (1: one per request)", 1, 1'000'000,
      [](auto& o) -> auto& { return o.batch_max; }));
  specs.push_back(Choice(
      "sync", "full|normal",
      "SQLite durability: fsync every commit (full) or survive a crash only (normal)",
      {"full", "normal"},
      [](std::string_view v, ServeOptions& o) {
        o.sync = v == "full" ? SyncMode::kFull : SyncMode::kNormal;
      },
      [](const ServeOptions& o) { return o.sync == SyncMode::kFull ? "full" : "normal"; }));
  specs.push_back(Integer(
      "threads", "N", "HTTP I/O threads", 1, 256,
      [](auto& o) -> auto& { return o.server.threads; }));
  specs.push_back(Integer(
      "queue-max", "N", "writes waiting to be sequenced; beyond: 503 overloaded", 1, 100'000'000,
      [](auto& o) -> auto& { return o.queue_max; }));
  specs.push_back(Integer(
      "changes-retention-days", "N",
      "days a change stays in GET /changes (0: forever; history and audit keep all)", 0, 36'500,
      [](auto& o) -> auto& { return o.changes_retention_days; }));
  specs.push_back(Integer(
      "max-connections", "N", "open connections; a new one beyond: 503 overloaded, closed", 1,
      1'000'000, [](auto& o) -> auto& { return o.server.max_connections; }));
  specs.push_back(Integer(
      "max-body-bytes", "N", "request body (POST /events may be larger); beyond: 413", 1,
      256LL << 20, [](auto& o) -> auto& { return o.server.body_limit_bytes; }));
  specs.push_back(Integer(
      "max-header-bytes", "N",
      "request line, and header fields, each; beyond: 431 (414 for the line)", 1024, 1 << 20,
      [](auto& o) -> auto& { return o.server.header_limit_bytes; }));
  specs.push_back(Integer(
      "max-headers", "N", "header fields per request; beyond: 431", 1, 10'000,
      [](auto& o) -> auto& { return o.server.max_header_count; }));
  specs.push_back(Integer(
      "max-uri-bytes", "N", "request target (path and query); beyond: 414", 64, 1 << 20,
      [](auto& o) -> auto& { return o.server.max_target_bytes; }));
  specs.push_back(Millis(
      "idle-timeout-ms", "silence allowed between requests on a connection", 1, kMaxMillis,
      [](auto& o) -> auto& { return o.server.idle_timeout; }));
  specs.push_back(Millis(
      "read-timeout-ms", "time to send a request's header and body", 1, kMaxMillis,
      [](auto& o) -> auto& { return o.server.read_timeout; }));
  specs.push_back(Millis(
      "write-timeout-ms", "time for a client to take a response", 1, kMaxMillis,
      [](auto& o) -> auto& { return o.server.write_timeout; }));
  specs.push_back(Millis(
      "shutdown-grace-ms", "on SIGTERM, time for requests in flight before connections are dropped",
      0, kMaxMillis, [](auto& o) -> auto& { return o.server.shutdown_grace; }));
  specs.push_back(Text(
      "tokens", "PATH", "file of `role principal token` lines; allows a non-loopback --listen",
      [](std::string_view v, ServeOptions& o) { o.tokens_path = std::string(v); },
      [](const ServeOptions& o) { return o.tokens_path.value_or(""); }));
  specs.push_back(Choice(
      "log-level", "debug|info|warn|error", "least severe log lines written",
      {"debug", "info", "warn", "error"},
      [](std::string_view v, ServeOptions& o) { o.log_level = std::string(v); },
      [](const ServeOptions& o) { return o.log_level; }));
  specs.push_back(Choice(
      "access-log", "on|off", "one log line per request", {"on", "off"},
      [](std::string_view v, ServeOptions& o) { o.access_log = v == "on"; },
      [](const ServeOptions& o) { return o.access_log ? "on" : "off"; }));
  specs.push_back(Integer(
      "webhook-retry-hours", "N",
      "a webhook failing this long is disabled (0: at its first failure)", 0, 8760,
      [](auto& o) -> auto& { return o.webhook_retry_hours; }));
  specs.push_back(Text(
      "webhook-allow-hosts", "HOST,HOST", "hosts webhooks may deliver to besides loopback",
      [](std::string_view v, ServeOptions& o) { o.webhook_allow_hosts = std::string(v); },
      [](const ServeOptions& o) { return o.webhook_allow_hosts; }));
  specs.push_back(Text(
      "config", "PATH", "file of `name = value` lines, names as these flags without --",
      [](std::string_view v, ServeOptions& o) { o.config_path = std::string(v); },
      [](const ServeOptions& o) { return o.config_path.value_or(""); },
      /*in_config_file=*/false));
  return specs;
}

const OptionSpec* FindSpec(std::string_view name) {
  for (const OptionSpec& spec : ServeOptionSpecs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

Expected<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Bad("Cannot read the config file '" + path + "': " + std::strerror(errno) + ".");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of `name` in the environment, if set and not empty.
std::optional<std::string> FromEnv(const EnvLookup& env, std::string_view name) {
  if (!env) return std::nullopt;
  const char* value = env(EnvName(name).c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// Applies every option from its strongest source: flag, environment, file.
Status ApplySources(const std::map<std::string, std::string, std::less<>>& flags,
                    const EnvLookup& env,
                    const std::vector<std::pair<std::string, ConfigEntry>>& file,
                    const std::string& file_name, ServeOptions& options) {
  for (const OptionSpec& spec : ServeOptionSpecs()) {
    std::string where, value;
    if (auto flag = flags.find(spec.name); flag != flags.end()) {
      where = "--" + std::string(spec.name);
      value = flag->second;
    } else if (auto from_env = FromEnv(env, spec.name)) {
      where = EnvName(spec.name);
      value = *from_env;
    } else {
      auto entry = std::find_if(file.begin(), file.end(),
                                [&](const auto& e) { return e.first == spec.name; });
      if (entry == file.end()) continue;
      where =
          file_name + " line " + std::to_string(entry->second.line) + ": " + std::string(spec.name);
      value = entry->second.value;
    }
    if (auto applied = spec.apply(value, options); !applied) {
      return Bad(where + " " + applied.error().message);
    }
  }
  return {};
}

}  // namespace

std::span<const OptionSpec> ServeOptionSpecs() {
  static const std::vector<OptionSpec> specs = MakeSpecs();
  return specs;
}

std::string EnvName(std::string_view option_name) {
  std::string name = "ALLOT_";
  for (char c : option_name) {
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

Status ParseListen(std::string_view text, ServeOptions& options) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Bad("must be HOST:PORT, not '" + std::string(text) + "'.");
  }
  std::string_view host = text.substr(0, colon);
  auto port = ParseInt(text.substr(colon + 1), 0, 65535);
  if (!port) return Bad("must end in a port 0..65535, not '" + std::string(text) + "'.");
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Bad("must write an IPv6 address in brackets: [::1]:8080.");
  }
  std::string host_text(host);
  unsigned char bytes[16];
  bool is_ip = inet_pton(AF_INET, host_text.c_str(), bytes) == 1 ||
               inet_pton(AF_INET6, host_text.c_str(), bytes) == 1;
  if (host != "localhost" && !is_ip) {
    return Bad("must name an IP address or localhost, not '" + host_text + "'.");
  }
  options.server.host = host_text;
  options.server.port = static_cast<std::uint16_t>(*port);
  return {};
}

std::string ListenUrl(std::string_view host, std::uint16_t port) {
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return "http://" + h + ":" + std::to_string(port);
}

Expected<std::vector<std::pair<std::string, ConfigEntry>>> ParseConfigText(
    std::string_view text, std::string_view source) {
  std::vector<std::pair<std::string, ConfigEntry>> entries;
  int number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = Trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    const std::string at = std::string(source) + " line " + std::to_string(number) + ": ";
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Bad(at + "expected `name = value`, not '" + std::string(line) + "'.");
    }
    std::string name(Trim(line.substr(0, eq)));
    const OptionSpec* spec = FindSpec(name);
    if (spec == nullptr || !spec->in_config_file) {
      return Bad(at + "unknown option '" + name + "'.");
    }
    for (const auto& [seen, entry] : entries) {
      if (seen == name) {
        return Bad(at + name + " is already set on line " + std::to_string(entry.line) + ".");
      }
    }
    entries.emplace_back(std::move(name),
                         ConfigEntry{std::string(Trim(line.substr(eq + 1))), number});
  }
  return entries;
}

Expected<CommandLine> ParseCommandLine(const std::vector<std::string_view>& args,
                                       const EnvLookup& env) {
  CommandLine out;
  if (args.empty()) return Bad("Missing command.");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out.action = Action::kHelp;
    return out;
  }
  if (args[0] == "--version" || args[0] == "version") {
    out.action = Action::kVersion;
    return out;
  }
  if (args[0] != "serve") return Bad("Unknown command '" + std::string(args[0]) + "'.");

  std::map<std::string, std::string, std::less<>> flags;  // the last of a repeated flag wins
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out.action = Action::kHelp;
      return out;
    }
    if (!arg.starts_with("--")) return Bad("Unexpected argument '" + std::string(arg) + "'.");
    std::string_view name = arg.substr(2), value;
    bool has_value = false;
    if (std::size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (FindSpec(name) == nullptr) return Bad("Unknown option '" + std::string(arg) + "'.");
    if (!has_value) {
      if (i + 1 >= args.size()) return Bad("--" + std::string(name) + " needs a value.");
      value = args[++i];
    }
    flags[std::string(name)] = std::string(value);
  }

  ServeOptions& options = out.serve;
  std::vector<std::pair<std::string, ConfigEntry>> file;
  std::optional<std::string> config_path;
  if (auto flag = flags.find("config"); flag != flags.end()) {
    config_path = flag->second;
  } else {
    config_path = FromEnv(env, "config");
  }
  if (config_path) {
    if (config_path->empty()) return Bad("--config must not be empty.");
    auto text = ReadFile(*config_path);
    if (!text) return Fail(text.error());
    auto parsed = ParseConfigText(*text, *config_path);
    if (!parsed) return Fail(parsed.error());
    file = std::move(*parsed);
  }
  if (auto applied = ApplySources(flags, env, file, config_path.value_or(""), options); !applied) {
    return Fail(applied.error());
  }
  if (!options.tokens_path && !IsLoopback(options.server.host)) {
    return Bad("Refusing to listen on " + options.server.host +
               ": without --tokens the service is open and listens on a loopback address only "
               "(127.0.0.1, ::1 or localhost).");
  }
  return out;
}

std::string Usage() {
  std::string text =
      "usage: allot serve [--OPTION VALUE]...   serve the HTTP API\n"
      "       allot version | --version          print the version\n"
      "       allot help | --help                print this help\n"
      "\n"
      "Options of serve. Each may also be set by the environment variable shown,\n"
      "or by a line `name = value` in the --config file (name: the flag without --).\n"
      "A flag beats the environment, which beats the file.\n";
  const ServeOptions defaults;
  for (const OptionSpec& spec : ServeOptionSpecs()) {
    std::string shown = spec.show(defaults);
    text += "\n  --" + std::string(spec.name) + " " + std::string(spec.value_hint) + "\n      " +
            std::string(spec.help) + "\n      default " + (shown.empty() ? "none" : shown) +
            "; env " + EnvName(spec.name) + "\n";
  }
  return text;
}

}  // namespace allot::http
