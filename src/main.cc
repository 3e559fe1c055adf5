// The allot server binary: `allot serve ...` (see http/serve_options.h).
//
// Opens the database (SQLite, or PostgreSQL for a postgres:// --db), starts
// the engine, serves HTTP until SIGTERM or SIGINT, then stops the server
// (in-flight requests are answered), stops the engine (queued writes are
// committed) and exits 0. Exit 2: bad command line; exit 1: the database or
// the listen address could not be opened.
//
// From the moment the command line is understood, everything the server says
// is a JSON line on stdout (core/log.h; format in docs/operations.md): the
// effective configuration (secrets masked), migrations, the listening line,
// one line per request (the access log), storage errors, shutdown. Only a bad
// command line is reported on stderr as plain text, with the usage.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "allot/clock.h"
#include "allot/engine.h"
#include "allot/postgres_store.h"
#include "allot/sqlite_store.h"
#include "api/service.h"
#include "audit/audit_command.h"
#include "core/log.h"
#include "core/redact.h"
#include "http/access_log.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/serve_options.h"
#include "http/server.h"

namespace {

// How much the server logs.
struct LogOptions {
  allot::log::Level level = allot::log::Level::kInfo;
  bool access_log = true;  // off for benchmarks
};

// >>> SERVE OPTIONS: fill LogOptions here once serve_options parses
// `--log-level debug|info|warn|error` and `--access-log on|off` (and their
// ALLOT_* variables). Until then the defaults above apply.
LogOptions LogOptionsFrom(const allot::http::ServeOptions& /*options*/) { return LogOptions{}; }

// How long a buffered access-log line may wait before it is written.
constexpr auto kLogFlushInterval = std::chrono::milliseconds(200);

std::string_view SyncName(allot::SyncMode sync) {
  return sync == allot::SyncMode::kFull ? "full" : "normal";
}

// The effective configuration, without secrets: a password in a postgres://
// --db is masked.
void LogStartup(const allot::http::ServeOptions& options, const LogOptions& log_options) {
  const bool postgres = allot::IsPostgresUrl(options.db);
  const std::string db = allot::RedactUrl(options.db);
  allot::log::Info("starting", {{"listen", options.host + ":" + std::to_string(options.port)},
                                {"db", db},
                                {"store", postgres ? "postgres" : "sqlite"},
                                {"sync", postgres ? "n/a" : SyncName(options.sync)},
                                {"batchMax", options.batch_max},
                                {"queueMax", options.queue_max},
                                {"threads", options.threads},
                                {"logLevel", allot::log::LevelName(log_options.level)},
                                {"accessLog", log_options.access_log},
                                {"pid", static_cast<std::int64_t>(getpid())}});
}

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

int Serve(const allot::http::ServeOptions& options, const LogOptions& log_options) {
  allot::log::Logger& logger = allot::log::Global();
  LogStartup(options, log_options);
  const std::string db = allot::RedactUrl(options.db);

  auto database = OpenDatabase(options);
  if (!database) {
    allot::log::Error(
        "cannot open the database",
        {{"db", db}, {"error", allot::RedactSecretsOf(options.db, database.error().message)}});
    return 1;
  }

  const allot::Clock& clock = *database->clock;
  allot::http::Metrics metrics;
  allot::EngineOptions engine_options;
  engine_options.batch_max = options.batch_max;
  engine_options.queue_capacity = options.queue_max;
  engine_options.clock = &clock;
  metrics.ObserveEngine(engine_options);
  auto engine = allot::Engine::Start(std::move(database->writer), std::move(engine_options));
  if (!engine) {
    allot::log::Error("cannot start the engine", {{"error", engine.error().message}});
    return 1;
  }

  allot::api::Service service(**engine, *database->reader, clock);
  const allot::http::AccessLog access_log(logger, log_options.access_log);
  allot::http::Handler handler(service, metrics, {.tokens = nullptr, .access_log = &access_log});
  allot::http::ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.threads = options.threads;
  auto server = allot::http::Server::Open(handler, server_options);
  if (!server) {
    allot::log::Error("cannot listen",
                      {{"listen", options.host + ":" + std::to_string(options.port)},
                       {"error", server.error().message}});
    (*engine)->Stop();
    return 1;
  }

  // Tests and scripts wait for "listening on http://HOST:PORT" followed by a
  // space; the contract promises that text on stdout.
  const std::string url = allot::http::ListenUrl((*server)->host(), (*server)->port());
  allot::log::Info("listening on " + url + " (db " + db + ")", {{"url", url}});
  (*server)->Run();
  allot::log::Info("stopping", {{"queued", (*engine)->QueueDepth()}});
  // Every answered request is already committed; this commits what is still
  // queued and runs the completions of requests whose connections are gone,
  // while the server (the target of those completions) still exists.
  (*engine)->Stop();
  allot::log::Info("stopped");
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
  const LogOptions log_options = LogOptionsFrom(command_line->serve);
  allot::log::Logger& logger = allot::log::Global();
  logger.SetWriter(allot::log::FdWriter(STDOUT_FILENO));
  logger.SetLevel(log_options.level);
  logger.StartFlushThread(kLogFlushInterval);
  const int status = Serve(command_line->serve, log_options);
  logger.StopFlushThread();  // writes out what is buffered
  return status;
}
