#include "http/serve_options.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

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

// A postgres:// or postgresql:// URL selects PostgreSQL (see main.cc).
Status ApplyDb(std::string_view value, ServeOptions& options) {
  if (value.empty()) return Bad("--db needs a file path or a postgres:// URL.");
  options.db = std::string(value);
  return {};
}

}  // namespace

bool IsLoopback(std::string_view host) {
  if (host == "localhost") return true;
  std::string text(host);
  unsigned char bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    static constexpr unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                     0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, kLoopback6, 16) == 0) return true;
    return std::memcmp(bytes, kMappedPrefix, 12) == 0 && bytes[12] == 127;
  }
  return false;
}

Expected<ServeOptions> ParseListen(std::string_view text, ServeOptions options) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return Bad("--listen must be HOST:PORT, not '" + std::string(text) + "'.");
  std::string_view host = text.substr(0, colon);
  auto port = ParseInt(text.substr(colon + 1), 0, 65535);
  if (!port) return Bad("The port in --listen must be 0..65535, not '" + std::string(text) + "'.");
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Bad("Write an IPv6 listen address in brackets: [::1]:8080.");
  }
  std::string host_text(host);
  unsigned char bytes[16];
  bool is_ip = inet_pton(AF_INET, host_text.c_str(), bytes) == 1 ||
               inet_pton(AF_INET6, host_text.c_str(), bytes) == 1;
  if (host != "localhost" && !is_ip) {
    return Bad("The host in --listen must be an IP address or localhost, not '" + host_text + "'.");
  }
  if (!IsLoopback(host)) {
    return Bad("Refusing to listen on " + host_text +
               ": without --tokens the service is open and listens on a loopback address only "
               "(127.0.0.1, ::1 or localhost).");
  }
  options.host = host_text;
  options.port = static_cast<std::uint16_t>(*port);
  return options;
}

std::string ListenUrl(std::string_view host, std::uint16_t port) {
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return "http://" + h + ":" + std::to_string(port);
}

Expected<CommandLine> ParseCommandLine(const std::vector<std::string_view>& args,
                                       const EnvLookup& env) {
  CommandLine out;
  if (args.empty()) return Bad("Missing command.");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out.help = true;
    return out;
  }
  if (args[0] != "serve") return Bad("Unknown command '" + std::string(args[0]) + "'.");

  ServeOptions& options = out.serve;
  std::optional<std::string> listen, db;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      return out;
    }
    std::string_view name = arg, value;
    bool has_value = false;
    if (std::size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    static constexpr std::string_view kFlags[] = {"--listen", "--db",      "--batch-max",
                                                  "--sync",   "--threads", "--queue-max"};
    bool known = false;
    for (std::string_view flag : kFlags) known = known || flag == name;
    if (!known) return Bad("Unknown option '" + std::string(arg) + "'.");
    if (!has_value) {
      if (i + 1 >= args.size()) return Bad(std::string(name) + " needs a value.");
      value = args[++i];
    }
    if (name == "--listen") {
      listen = std::string(value);
    } else if (name == "--db") {
      db = std::string(value);
    } else if (name == "--batch-max") {
      auto n = ParseInt(value, 1, 1'000'000);
      if (!n) return Bad("--batch-max must be an integer from 1 to 1000000.");
      options.batch_max = static_cast<std::size_t>(*n);
    } else if (name == "--sync") {
      if (value == "full") {
        options.sync = SyncMode::kFull;
      } else if (value == "normal") {
        options.sync = SyncMode::kNormal;
      } else {
        return Bad("--sync must be 'full' or 'normal'.");
      }
    } else if (name == "--threads") {
      auto n = ParseInt(value, 1, 256);
      if (!n) return Bad("--threads must be an integer from 1 to 256.");
      options.threads = static_cast<int>(*n);
    } else if (name == "--queue-max") {
      auto n = ParseInt(value, 1, 100'000'000);
      if (!n) return Bad("--queue-max must be an integer from 1 to 100000000.");
      options.queue_max = static_cast<std::size_t>(*n);
    }
  }
  if (!listen && env) {
    if (const char* from_env = env("ALLOT_LISTEN"); from_env != nullptr && *from_env != '\0') {
      listen = from_env;
    }
  }
  if (!db && env) {
    if (const char* from_env = env("ALLOT_DB"); from_env != nullptr && *from_env != '\0')
      db = from_env;
  }
  if (listen) {
    auto parsed = ParseListen(*listen, options);
    if (!parsed) return Fail(parsed.error());
    options = std::move(*parsed);
  }
  if (db) {
    if (auto applied = ApplyDb(*db, options); !applied) return Fail(applied.error());
  }
  return out;
}

std::string Usage() {
  return "usage: allot serve [--listen HOST:PORT] [--db PATH|URL] [--batch-max N]\n"
         "                   [--sync full|normal] [--threads N] [--queue-max N]\n"
         "       allot --help\n"
         "\n"
         "  --listen HOST:PORT  loopback address to serve on (default 127.0.0.1:8080;\n"
         "                      port 0 picks a free port; env ALLOT_LISTEN)\n"
         "  --db PATH           SQLite database file (default allot.db; env ALLOT_DB)\n"
         "  --db postgres://USER@HOST:PORT/DB\n"
         "                      PostgreSQL, shared by any number of allot processes\n"
         "  --batch-max N       writes per transaction, 1..1000000 (default 10000)\n"
         "  --sync full|normal  SQLite durability: fsync every commit, or at checkpoints\n"
         "                      (default full)\n"
         "  --threads N         HTTP I/O threads (default 2)\n"
         "  --queue-max N       writes waiting before 503 overloaded (default 100000)\n";
}

}  // namespace allot::http
