// The command line of the server binary:
//   allot serve [--OPTION VALUE]...
//   allot help | --help        allot version | --version
//
// Every option of `allot serve` is one row of a table (ServeOptionSpecs()),
// from which parsing, the environment names and the help text all come. An
// option can be given as a flag (`--batch-max 10` or `--batch-max=10`), as
// the environment variable ALLOT_<NAME> (ALLOT_BATCH_MAX=10; empty means
// unset) or as a line `batch-max = 10` in the file named by --config or
// ALLOT_CONFIG (`#` starts a comment line). A flag beats the environment,
// which beats the file, which beats the default.
//
// Refusals (exit status 2 in main): unknown command, flag or file key, bad
// value, unreadable config file, and a non-loopback listen address without
// --tokens (the open service listens on loopback only).
#ifndef ALLOT_HTTP_SERVE_OPTIONS_H_
#define ALLOT_HTTP_SERVE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/sqlite_store.h"
#include "core/loopback.h"
#include "http/server.h"

namespace allot::http {

struct ServeOptions {
  std::string db = "allot.db";  // a SQLite file, or a postgres:// URL
  std::size_t batch_max = 10'000;
  SyncMode sync = SyncMode::kFull;
  std::size_t queue_max = 100'000;
  // Changes older than this many days leave GET /api/v1/changes (0: kept
  // forever). History and the audit keep every movement regardless.
  std::size_t changes_retention_days = 0;
  // Listen address, I/O threads, connection limits, timeouts and the
  // shutdown grace, handed to the Server as they are.
  ServerOptions server;
  std::optional<std::string> tokens_path;  // bearer tokens; allows a non-loopback listen
  std::string log_level = "info";          // debug, info, warn or error
  bool access_log = true;                  // one log line per request
  std::optional<std::string> config_path;  // the file the options were read from, if any
  // A webhook failing this long is disabled (0: at its first failure).
  std::int64_t webhook_retry_hours = 72;
  // Hosts webhooks may deliver to besides loopback: "host,host".
  std::string webhook_allow_hosts;
};

// kVersion: print "allot <version>" (main has the version from the build).
enum class Action { kServe, kHelp, kVersion };

struct CommandLine {
  Action action = Action::kServe;
  ServeOptions serve;  // for kServe
};

// Reads an environment variable; nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

// One option of `allot serve`.
struct OptionSpec {
  std::string_view name;        // the flag without "--", and the config file key
  std::string_view value_hint;  // "N", "MS", "HOST:PORT", ...
  std::string_view help;        // one line, lower case, no period
  // Sets the option from text. The error message completes a sentence that
  // starts with where the value came from ("--batch-max must be ...").
  std::function<Status(std::string_view value, ServeOptions& options)> apply;
  // The value as `options` has it ("" for none): the help's default.
  std::function<std::string(const ServeOptions& options)> show;
  bool in_config_file = true;  // false for --config itself
};

// Every option, in the order of the help text.
std::span<const OptionSpec> ServeOptionSpecs();

// "batch-max" -> "ALLOT_BATCH_MAX".
std::string EnvName(std::string_view option_name);

// `args` excludes the program name. Errors are kInvalidRequest with a message
// fit for the terminal. A config file is read from disk when named.
Expected<CommandLine> ParseCommandLine(const std::vector<std::string_view>& args,
                                       const EnvLookup& env);

// The `name = value` lines of a config file's `text`; `source` (its path)
// names it in errors, with the line number. Unknown names, repeated names
// and lines of another shape are errors.
struct ConfigEntry {
  std::string value;
  int line = 0;
};
Expected<std::vector<std::pair<std::string, ConfigEntry>>> ParseConfigText(std::string_view text,
                                                                           std::string_view source);

// "HOST:PORT", with an IPv6 host in brackets ("[::1]:8080"); the host must
// be an IP address or localhost. Sets options.server.host and .port.
Status ParseListen(std::string_view text, ServeOptions& options);

// "http://127.0.0.1:8080", brackets around an IPv6 host.
std::string ListenUrl(std::string_view host, std::uint16_t port);

// The help text, listing every option with its environment name and default.
std::string Usage();

}  // namespace allot::http

#endif  // ALLOT_HTTP_SERVE_OPTIONS_H_
