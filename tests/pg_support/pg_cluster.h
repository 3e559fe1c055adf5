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
  static std::unique_ptr<PgCluster> Create(std::string* error);
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // Stops the server (fast shutdown: sessions are cut) / starts it again on
  // the same port and data. False (with the output) on failure.
  bool Stop(std::string* error = nullptr);
  bool Start(std::string* error = nullptr);

  int port() const { return port_; }
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
