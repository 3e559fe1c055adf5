// The command line of the server binary:
//   allot serve [--listen HOST:PORT] [--db PATH|postgres://URL] [--batch-max N]
//               [--sync full|normal] [--threads N] [--queue-max N]
//   allot --help
// Flags take their value as the next argument or after '='. ALLOT_LISTEN and
// ALLOT_DB stand in for --listen and --db when those are not given.
//
// Refusals (exit status 2 in main): unknown command or flag, bad value, and
// a listen address that is not loopback (no tokens exist yet, and the open
// service listens on loopback only).
#ifndef ALLOT_HTTP_SERVE_OPTIONS_H_
#define ALLOT_HTTP_SERVE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/sqlite_store.h"

namespace allot::http {

struct ServeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string db = "allot.db";
  std::size_t batch_max = 10'000;
  SyncMode sync = SyncMode::kFull;
  int threads = 2;
  std::size_t queue_max = 100'000;
};

struct CommandLine {
  bool help = false;  // print Usage() and exit 0
  ServeOptions serve;
};

// Reads an environment variable; nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

// `args` excludes the program name. Errors are kInvalidRequest with a message
// fit for the terminal.
Expected<CommandLine> ParseCommandLine(const std::vector<std::string_view>& args,
                                       const EnvLookup& env);

// "HOST:PORT", with an IPv6 host in brackets ("[::1]:8080").
Expected<ServeOptions> ParseListen(std::string_view text, ServeOptions options);

// 127.0.0.0/8, ::1, ::ffff:127.x.x.x or "localhost".
bool IsLoopback(std::string_view host);

// "http://127.0.0.1:8080", brackets around an IPv6 host.
std::string ListenUrl(std::string_view host, std::uint16_t port);

std::string Usage();

}  // namespace allot::http

#endif  // ALLOT_HTTP_SERVE_OPTIONS_H_
