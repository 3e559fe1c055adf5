// The allot server binary: `allot serve ...`, `allot version`, `allot help`
// (see http/serve_options.h).
//
// Opens the database (SQLite, or PostgreSQL for a postgres:// --db), starts
// the engine, serves HTTP until SIGTERM or SIGINT, then stops the server
// (in-flight requests are answered, within --shutdown-grace-ms), stops the
// engine (queued writes are committed) and exits 0. Exit 2: bad command
// line; exit 1: the database or the listen address could not be opened.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string_view>
#include <vector>

#include "allot/clock.h"
#include "allot/engine.h"
#include "allot/postgres_store.h"
#include "allot/sqlite_store.h"
#include "api/service.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/serve_options.h"
#include "http/server.h"

#ifndef ALLOT_VERSION
#error "ALLOT_VERSION must be defined by the build (CMake's project VERSION)"
#endif

namespace {

// The store --db names and the clock that goes with it.
struct Database {
  std::unique_ptr<allot::Store> writer;
  std::unique_ptr<allot::StoreReader> reader;
  std::unique_ptr<allot::Clock> clock;
};

// A postgres:// URL: PostgreSQL, shared with other allot processes, which
// must all expire holds by one clock (the database's). Else a SQLite file.
allot::Expected<Database> OpenDatabase(const allot::http::ServeOptions& options) {
  if (allot::IsPostgresUrl(options.db)) {
    auto clock = allot::PostgresClock::Start(options.db);
    if (!clock) return std::unexpected(clock.error());
    auto db = allot::OpenPostgres({.conninfo = options.db});
    if (!db) return std::unexpected(db.error());
    return Database{std::move(db->writer), std::move(db->reader), std::move(*clock)};
  }
  allot::SqliteOptions sqlite;
  sqlite.path = options.db;
  sqlite.sync = options.sync;
  auto db = allot::OpenSqlite(sqlite);
  if (!db) return std::unexpected(db.error());
  return Database{std::move(db->writer), std::move(db->reader),
                  std::make_unique<allot::SystemClock>()};
}

// Each connection holds a descriptor: use all the hard limit allows (the
// soft limit is often a timid 1024). Failure leaves the limit as it was.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &raised);
}

// Connections beyond the descriptor limit are not refused with 503 but wait
// in the listen backlog (the accept loop pauses): say so at startup.
void WarnIfFewDescriptors(std::size_t max_connections) {
  constexpr rlim_t kSpareDescriptors = 64;  // database files, WAL, pipes, the listener
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  if (limit.rlim_cur < max_connections + kSpareDescriptors) {
    std::cerr << "allot: the open-file limit (" << limit.rlim_cur
              << ") is below --max-connections (" << max_connections
              << ") plus spare; connections past it wait until others close\n";
  }
}

int Serve(const allot::http::ServeOptions& options) {
  if (options.tokens_path) {
    // --tokens lets --listen leave loopback; until the tokens file is loaded
    // and enforced here, that would serve an open API on a public address.
    std::cerr << "allot: --tokens is not enforced by this build yet; refusing to start\n";
    return 2;
  }
  RaiseOpenFileLimit();
  auto database = OpenDatabase(options);
  if (!database) {
    std::cerr << "allot: cannot open " << options.db << ": " << database.error().message << "\n";
    return 1;
  }

  const allot::Clock& clock = *database->clock;
  allot::http::Metrics metrics;
  allot::EngineOptions engine_options;
  engine_options.batch_max = options.batch_max;
  engine_options.queue_capacity = options.queue_max;
  engine_options.clock = &clock;
  engine_options.on_batch = [&metrics](std::size_t commands, std::int64_t commit_us) {
    metrics.RecordBatch(commands, commit_us);
  };
  auto engine = allot::Engine::Start(std::move(database->writer), std::move(engine_options));
  if (!engine) {
    std::cerr << "allot: cannot start the engine: " << engine.error().message << "\n";
    return 1;
  }

  allot::api::Service service(**engine, *database->reader, clock);
  allot::http::Handler handler(service, metrics);
  allot::http::ServerOptions server_options = options.server;
  server_options.handle_signals = true;
  WarnIfFewDescriptors(server_options.max_connections);
  auto server = allot::http::Server::Open(handler, server_options);
  if (!server) {
    std::cerr << "allot: " << server.error().message << "\n";
    (*engine)->Stop();
    return 1;
  }

  std::cout << "allot: listening on "
            << allot::http::ListenUrl((*server)->host(), (*server)->port()) << " (db " << options.db
            << ")" << std::endl;
  (*server)->Run();
  // Every answered request is already committed; this commits what is still
  // queued and runs the completions of requests whose connections are gone,
  // while the server (the target of those completions) still exists.
  (*engine)->Stop();
  std::cout << "allot: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  // Subcommands with their own options are dispatched here, before `serve`'s.
  auto command_line =
      allot::http::ParseCommandLine(args, [](const char* name) { return std::getenv(name); });
  if (!command_line) {
    std::cerr << "allot: " << command_line.error().message
              << "\n(`allot --help` lists the commands and options)\n";
    return 2;
  }
  switch (command_line->action) {
    case allot::http::Action::kHelp:
      std::cout << allot::http::Usage();
      return 0;
    case allot::http::Action::kVersion:
      std::cout << "allot " << ALLOT_VERSION << "\n";
      return 0;
    case allot::http::Action::kServe:
      break;
  }
  return Serve(command_line->serve);
}
