// The allot server binary: `allot serve ...` (see http/serve_options.h).
//
// Opens the database (SQLite, or PostgreSQL for a postgres:// --db), starts
// the engine, serves HTTP until SIGTERM or SIGINT, then stops the server
// (in-flight requests are answered), stops the engine (queued writes are
// committed) and exits 0. Exit 2: bad command line; exit 1: the database or
// the listen address could not be opened.
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
#include "audit/audit_command.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/serve_options.h"
#include "http/server.h"

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

int Serve(const allot::http::ServeOptions& options) {
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
  allot::http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.threads = options.threads;
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
  // `allot audit --db ...` is a command of its own (audit/audit_command.h).
  if (!args.empty() && args[0] == "audit") {
    return allot::audit::RunAuditCommand(std::span(args).subspan(1), std::cout, std::cerr);
  }
  auto command_line =
      allot::http::ParseCommandLine(args, [](const char* name) { return std::getenv(name); });
  if (!command_line) {
    std::cerr << "allot: " << command_line.error().message << "\n\n" << allot::http::Usage();
    return 2;
  }
  if (command_line->help) {
    std::cout << allot::http::Usage();
    return 0;
  }
  return Serve(command_line->serve);
}
