#include "pg_cluster.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "pg_commands.h"

namespace allot::testing {

using pg_commands::AsPostgres;
using pg_commands::IsRoot;
using pg_commands::Program;
using pg_commands::RunCommand;

namespace {

std::string PgCtl() { return Program("pg_ctl"); }

}  // namespace

std::unique_ptr<PgCluster> PgCluster::Create(std::string* error, std::string extra_server_options) {
  std::unique_ptr<PgCluster> cluster(new PgCluster());
  cluster->extra_server_options_ = std::move(extra_server_options);
  cluster->dir_ = pg_commands::MakeClusterDir(error);
  if (cluster->dir_.empty()) return nullptr;
  cluster->StartWatchdog();
  cluster->port_ = pg_commands::FreePort();
  if (!cluster->InitDb(error) || !cluster->Start(error)) return nullptr;
  return cluster;
}

bool PgCluster::InitDb(std::string* error) {
  std::string output;
  const int status =
      RunCommand(AsPostgres({Program("initdb"), "-D", dir_ + "/data", "-U", "postgres",
                             "--auth=trust", "-E", "UTF8", "--no-locale"}),
                 &output);
  if (status != 0) {
    if (error != nullptr) *error = "initdb failed (" + std::to_string(status) + "): " + output;
    return false;
  }
  return true;
}

bool PgCluster::Start(std::string* error) {
  // Loopback only, socket inside the temporary directory, durable commits.
  const std::string options = "-c listen_addresses=127.0.0.1 -c port=" + std::to_string(port_) +
                              " -c unix_socket_directories=" + dir_ +
                              " -c fsync=on -c max_connections=300 " + extra_server_options_;
  std::string output;
  const int status =
      RunCommand(AsPostgres({PgCtl(), "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t",
                             "60", "-o", options, "start"}),
                 &output);
  running_ = status == 0;
  if (!running_ && error != nullptr) *error = "pg_ctl start failed: " + output;
  return running_;
}

bool PgCluster::Stop(std::string* error) {
  std::string output;
  const int status =
      RunCommand(AsPostgres({PgCtl(), "-D", dir_ + "/data", "-m", "fast", "-w", "stop"}), &output);
  if (status == 0) running_ = false;
  if (status != 0 && error != nullptr) *error = "pg_ctl stop failed: " + output;
  return status == 0;
}

// A shell that outlives a crashed test process: once this process is gone
// it stops the server and removes the directory.
void PgCluster::StartWatchdog() {
  const std::string script = "while kill -0 " + std::to_string(getpid()) +
                             " 2>/dev/null; do sleep 1; done; " +
                             (IsRoot() ? "runuser -u postgres -- " : "") + PgCtl() + " -D " + dir_ +
                             "/data -m immediate stop; rm -rf " + dir_;
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    setsid();  // not in the test's process group: survives its kill
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  watchdog_pid_ = pid;
}

PgCluster::~PgCluster() {
  if (watchdog_pid_ > 0) {
    kill(watchdog_pid_, SIGKILL);
    waitpid(watchdog_pid_, nullptr, 0);
  }
  if (running_) {
    RunCommand(AsPostgres({PgCtl(), "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}),
               nullptr);
  }
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

int PgCluster::UnusedPort() { return pg_commands::FreePort(); }

std::string PgCluster::Url(std::string_view dbname) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + std::string(dbname);
}

std::string PgCluster::NewDatabase() {
  static std::atomic<int> next{1};
  const std::string name = "t_" + std::to_string(next.fetch_add(1));
  std::string error;
  if (!Query("postgres", "CREATE DATABASE " + name, &error)) {
    ADD_FAILURE() << "CREATE DATABASE " << name << ": " << error;
    return "";
  }
  return name;
}

std::optional<std::string> PgCluster::Query(std::string_view dbname, std::string_view sql,
                                            std::string* error) const {
  const std::string url = Url(dbname);
  PGconn* conn = PQconnectdb(url.c_str());
  std::optional<std::string> value;
  if (PQstatus(conn) != CONNECTION_OK) {
    if (error != nullptr) *error = PQerrorMessage(conn);
    PQfinish(conn);
    return std::nullopt;
  }
  PGresult* result = PQexec(conn, std::string(sql).c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    value = PQntuples(result) > 0 && PQnfields(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  } else if (error != nullptr) {
    *error = PQerrorMessage(conn);
  }
  PQclear(result);
  PQfinish(conn);
  return value;
}

namespace {

std::mutex shared_mu;
std::unique_ptr<PgCluster> shared_cluster;
bool shared_failed = false;

// Stops the shared cluster after the last test.
class PgClusterEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    std::lock_guard lock(shared_mu);
    shared_cluster.reset();
  }
};

[[maybe_unused]] const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PgClusterEnvironment);

}  // namespace

PgCluster* SharedPgCluster() {
  std::lock_guard lock(shared_mu);
  if (shared_cluster == nullptr && !shared_failed) {
    std::string error;
    shared_cluster = PgCluster::Create(&error);
    if (shared_cluster == nullptr) {
      shared_failed = true;
      ADD_FAILURE() << "Cannot start a PostgreSQL cluster: " << error;
    }
  } else if (shared_cluster == nullptr) {
    ADD_FAILURE() << "The PostgreSQL cluster failed to start earlier.";
  }
  return shared_cluster.get();
}

bool PgCluster::RunSqlFile(std::string_view dbname, const std::string& path,
                           std::string* error) const {
  std::string output;
  const int status =
      RunCommand({Program("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                  std::to_string(port_), "-U", "postgres", "-d", std::string(dbname), "-f", path},
                 &output);
  if (status != 0 && error != nullptr) *error = output;
  return status == 0;
}

}  // namespace allot::testing
