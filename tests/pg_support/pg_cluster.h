// A throwaway PostgreSQL 15 cluster for tests: initdb in a fresh temporary
// directory, a free loopback port, the unix socket inside that directory,
// fsync on, trust authentication for the `postgres` role. The server runs as
// the `postgres` OS user when the tests run as root (CI), else as the caller.
// Destroying the cluster stops the server and removes the directory; if the
// test process dies first, a small watchdog process does both.
//
// One cluster per test binary (SharedPgCluster), one database per test
// (NewDatabase) for isolation. Not thread-safe except where noted.
#ifndef ALLOT_TESTS_PG_SUPPORT_PG_CLUSTER_H_
#define ALLOT_TESTS_PG_SUPPORT_PG_CLUSTER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace allot::testing {

class PgCluster {
 public:
  // initdb + start; nullptr on failure, with the reason in *error.
  // `extra_server_options` are more `-c name=value` settings for the server
  // (e.g. "-c synchronous_standby_names=*"), kept across Stop/Start.
  static std::unique_ptr<PgCluster> Create(std::string* error,
                                           std::string extra_server_options = "");
  // A streaming standby of `primary` (pg_basebackup -R -X stream, so it
  // follows the primary's WAL from then on) in its own directory, started
  // on its own port with `extra_server_options`. It does not inherit the
  // primary's extra options. nullptr on failure, with the reason.
  static std::unique_ptr<PgCluster> CreateStandby(const PgCluster& primary, std::string* error,
                                                  std::string extra_server_options = "");
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // Stops the server (fast shutdown: sessions are cut) / starts it again on
  // the same port and data. False (with the output) on failure.
  bool Stop(std::string* error = nullptr);
  bool Start(std::string* error = nullptr);
  // SIGKILL to every process of the server at once (the postmaster and
  // its children), as losing its machine would stop it: no shutdown
  // checkpoint, no goodbye to clients or standbys.
  bool KillNine(std::string* error = nullptr);
  // pg_ctl promote -w: a standby becomes a primary that takes writes.
  bool Promote(std::string* error = nullptr);

  int port() const { return port_; }
  // A loopback port nobody listens on now (for "a host that is down").
  static int UnusedPort();
  const std::string& dir() const { return dir_; }
  // A libpq URL: postgres://postgres@127.0.0.1:PORT/DBNAME
  std::string Url(std::string_view dbname) const;

  // CREATE DATABASE t_<n> with a new n; returns its name ("" on failure,
  // with a gtest failure added). Thread-safe.
  std::string NewDatabase();
  // Runs the SQL file at `path` on `dbname` with psql (a pg_dump, say),
  // stopping at the first error. False (with psql's output) on failure.
  bool RunSqlFile(std::string_view dbname, const std::string& path,
                  std::string* error = nullptr) const;
  // Runs `sql` on `dbname`; the first column of the first row, "" when
  // there is none, nullopt on error (the message in *error).
  std::optional<std::string> Query(std::string_view dbname, std::string_view sql,
                                   std::string* error = nullptr) const;

 private:
  PgCluster() = default;
  bool InitDb(std::string* error);
  void StartWatchdog();

  std::string dir_;
  std::string extra_server_options_;
  int port_ = 0;
  bool running_ = false;
  int watchdog_pid_ = -1;
};

// The binary's cluster, started on first use and stopped when the tests end
// (a gtest environment). Adds a gtest failure and returns nullptr if it
// cannot start. Thread-safe.
PgCluster* SharedPgCluster();

}  // namespace allot::testing

#endif  // ALLOT_TESTS_PG_SUPPORT_PG_CLUSTER_H_
