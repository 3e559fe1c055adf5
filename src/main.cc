// The allot server binary: `allot serve ...`, `allot version`, `allot help`
// (see http/serve_options.h).
//
// Opens the database (SQLite, or PostgreSQL for a postgres:// --db), starts
// the engine, serves HTTP until SIGTERM or SIGINT, then stops the server
// (in-flight requests are answered, within --shutdown-grace-ms), stops the
// engine (queued writes are committed) and exits 0. Exit 2: bad command
// line; exit 1: the database, the tokens file or the listen address could
// not be opened.
//
// From the moment the command line is understood, everything the server says
// is a JSON line on stdout (core/log.h; format in docs/operations.md): the
// effective configuration (secrets masked), migrations, the listening line,
// one line per request (the access log), storage errors, shutdown. Only a bad
// command line is reported on stderr as plain text, with the usage.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "allot/clock.h"
#include "allot/engine.h"
#include "allot/postgres_store.h"
#include "allot/sqlite_store.h"
#include "api/change_feed.h"
#include "api/service.h"
#include "audit/audit_command.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/redact.h"
#include "http/access_log.h"
#include "http/auth.h"
#include "http/handler.h"
#include "http/metrics.h"
#include "http/serve_options.h"
#include "http/change_json.h"
#include "http/server.h"
#include "webhooks/deliverer.h"
#include "webhooks/postgres_leases.h"

#ifndef ALLOT_VERSION
#error "ALLOT_VERSION must be defined by the build (CMake's project VERSION)"
#endif

namespace {

// How much the server logs.
struct LogOptions {
  allot::log::Level level = allot::log::Level::kInfo;
  bool access_log = true;  // off for benchmarks
};

// --log-level and --access-log (serve_options has checked the level's name).
LogOptions LogOptionsFrom(const allot::http::ServeOptions& options) {
  return LogOptions{
      .level = allot::log::ParseLevel(options.log_level).value_or(allot::log::Level::kInfo),
      .access_log = options.access_log};
}

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
  const allot::http::ServerOptions& server = options.server;
  allot::log::Info("starting", {{"listen", server.host + ":" + std::to_string(server.port)},
                                {"db", db},
                                {"store", postgres ? "postgres" : "sqlite"},
                                {"sync", postgres ? "n/a" : SyncName(options.sync)},
                                {"batchMax", options.batch_max},
                                {"queueMax", options.queue_max},
                                {"threads", server.threads},
                                {"maxConnections", server.max_connections},
                                {"maxBodyBytes", server.body_limit_bytes},
                                {"idleTimeoutMs", server.idle_timeout.count()},
                                {"readTimeoutMs", server.read_timeout.count()},
                                {"shutdownGraceMs", server.shutdown_grace.count()},
                                // The file's name only: never a token.
                                {"tokens", options.tokens_path.value_or("none (open, loopback)")},
                                {"config", options.config_path.value_or("none")},
                                {"logLevel", allot::log::LevelName(log_options.level)},
                                {"accessLog", log_options.access_log},
                                {"webhookRetryHours", options.webhook_retry_hours},
                                {"webhookAllowHosts", options.webhook_allow_hosts},
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
    auto db = allot::OpenPostgres(
        {.conninfo = options.db, .progress_on_stderr = allot::IsTerminal(STDERR_FILENO)});
    if (!db) return std::unexpected(db.error());
    // Without a synchronous standby, "acknowledged" means "on one machine".
    if (std::string why = allot::ReplicationWarning(db->replication); !why.empty()) {
      allot::log::Warn("no synchronous standby",
                       {{"reason", why},
                        {"synchronousStandbyNames", db->replication.synchronous_standby_names},
                        {"synchronousCommit", db->replication.synchronous_commit},
                        {"syncStandbys", db->replication.sync_standbys}});
    }
    return Database{std::move(db->writer), std::move(db->reader), std::move(*clock)};
  }
  allot::SqliteOptions sqlite;
  sqlite.path = options.db;
  sqlite.sync = options.sync;
  sqlite.progress_on_stderr = allot::IsTerminal(STDERR_FILENO);
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
    allot::log::Warn(
        "the open-file limit is below --max-connections plus spare; connections past it "
        "wait until others close",
        {{"openFileLimit", static_cast<std::int64_t>(limit.rlim_cur)},
         {"maxConnections", max_connections}});
  }
}

int Serve(const allot::http::ServeOptions& options, const LogOptions& log_options) {
  allot::log::Logger& logger = allot::log::Global();
  LogStartup(options, log_options);
  const std::string db = allot::RedactUrl(options.db);
  RaiseOpenFileLimit();

  std::optional<allot::http::TokenTable> tokens;
  if (options.tokens_path) {
    auto loaded = allot::http::TokenTable::Load(*options.tokens_path);
    if (!loaded) {
      allot::log::Error("cannot load the tokens", {{"error", loaded.error().message}});
      return 1;
    }
    tokens = std::move(*loaded);
    allot::log::Info("access control on", {{"tokens", tokens->size()}});
  }

  auto database = OpenDatabase(options);
  if (!database) {
    allot::log::Error(
        "cannot open the database",
        {{"db", db}, {"error", allot::RedactSecretsOf(options.db, database.error().message)}});
    return 1;
  }

  const allot::Clock& clock = *database->clock;
  allot::http::Metrics metrics;
  allot::api::ChangeFeed changes(
      *database->reader,
      {.retention_ms = static_cast<std::int64_t>(options.changes_retention_days) * 86'400'000});
  allot::EngineOptions engine_options;
  engine_options.batch_max = options.batch_max;
  engine_options.queue_capacity = options.queue_max;
  engine_options.clock = &clock;
  metrics.ObserveEngine(engine_options);

  // Webhooks: delivered by this process (SQLite), or by whichever process
  // holds each one's lease (PostgreSQL, webhooks/postgres_leases.h).
  namespace wh = allot::webhooks;
  const bool postgres = allot::IsPostgresUrl(options.db);
  const wh::UrlPolicy webhook_policy(wh::SplitHostList(options.webhook_allow_hosts));
  wh::WebhookMetrics webhook_metrics;
  metrics.AddSection([&webhook_metrics](std::string& out) { webhook_metrics.Render(out); });
  std::unique_ptr<wh::Leases> leases;
  if (postgres) {
    leases = std::make_unique<wh::PostgresLeases>(options.db);
  } else {
    leases = std::make_unique<wh::LocalLeases>();
  }
  allot::api::Service* webhook_commands = nullptr;  // set once the service exists
  wh::Deliverer deliverer(
      {.reader = database->reader.get(),
       .leases = leases.get(),
       .policy = &webhook_policy,
       .clock = &clock,
       .metrics = &webhook_metrics,
       .encode = [](const allot::Change& change) { return allot::http::EncodeChange(change); },
       .senders = [] { return std::make_unique<wh::CurlSender>(); },
       .submit =
           [&webhook_commands](allot::Command command, allot::Completion done) {
             webhook_commands->Submit(std::move(command), std::move(done));
           }},
      {.retry_window = std::chrono::hours(options.webhook_retry_hours),
       // Other processes' commits are seen by reading the head.
       .idle_poll = std::chrono::milliseconds(postgres ? 100 : 1000)});
  // A commit wakes the change feed's waiters and the caught-up deliveries.
  engine_options.on_changes = [&changes, &deliverer](std::int64_t, std::int64_t last_seq) {
    changes.Poke(last_seq);
    deliverer.Poke();
  };
  auto engine = allot::Engine::Start(std::move(database->writer), std::move(engine_options));
  if (!engine) {
    allot::log::Error("cannot start the engine", {{"error", engine.error().message}});
    return 1;
  }

  allot::api::Service service(**engine, *database->reader, clock, &webhook_policy);
  webhook_commands = &service;
  deliverer.Start();
  const allot::http::AccessLog access_log(logger, log_options.access_log);
  allot::http::Handler handler(service, metrics,
                               {.tokens = tokens ? &*tokens : nullptr,
                                .access_log = &access_log,
                                .changes = &changes});
  allot::http::ServerOptions server_options = options.server;
  server_options.handle_signals = true;
  WarnIfFewDescriptors(server_options.max_connections);
  auto server = allot::http::Server::Open(handler, server_options);
  if (!server) {
    allot::log::Error("cannot listen",
                      {{"listen", server_options.host + ":" + std::to_string(server_options.port)},
                       {"error", server.error().message}});
    deliverer.Stop();
    (*engine)->Stop();
    return 1;
  }

  // Tests and scripts wait for "listening on http://HOST:PORT" followed by a
  // space; the contract promises that text on stdout.
  const std::string url = allot::http::ListenUrl((*server)->host(), (*server)->port());
  logger.LogAlways(allot::log::Level::kInfo, "listening on " + url + " (db " + db + ")",
                   {{"url", url}});
  (*server)->Run();
  allot::log::Info("stopping", {{"queued", (*engine)->QueueDepth()}});
  // Long polls still waiting are answered (empty) while the server exists.
  changes.Stop();
  // Its last progress reports go through the engine.
  deliverer.Stop();
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
  // Subcommands with their own options are dispatched here, before `serve`'s:
  // `allot audit --db ...` (audit/audit_command.h).
  if (!args.empty() && args[0] == "audit") {
    return allot::audit::RunAuditCommand(std::span(args).subspan(1), std::cout, std::cerr,
                                         {.is_terminal = allot::IsTerminal(STDERR_FILENO)});
  }
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
  const LogOptions log_options = LogOptionsFrom(command_line->serve);
  allot::log::Logger& logger = allot::log::Global();
  logger.SetWriter(allot::log::FdWriter(STDOUT_FILENO));
  logger.SetLevel(log_options.level);
  logger.StartFlushThread(kLogFlushInterval);
  const int status = Serve(command_line->serve, log_options);
  logger.StopFlushThread();  // writes out what is buffered
  return status;
}
