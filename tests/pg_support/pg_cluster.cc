#include "pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <vector>

namespace allot::testing {
namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

bool IsRoot() { return geteuid() == 0; }

// argv prefixed with `runuser -u postgres --` when running as root: the
// server refuses to run as root.
std::vector<std::string> AsPostgres(std::vector<std::string> argv) {
  if (!IsRoot()) return argv;
  std::vector<std::string> wrapped = {"runuser", "-u", "postgres", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

// Runs argv to completion; returns its exit status (-1 if it did not exit
// normally) and appends its stdout and stderr to *output.
int RunCommand(const std::vector<std::string>& argv, std::string* output) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) {
    if (output != nullptr) output->append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A port nobody listens on right now (the kernel's pick for port 0).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string PgCtl() { return std::string(kBinDir) + "/pg_ctl"; }

}  // namespace

std::unique_ptr<PgCluster> PgCluster::Create(std::string* error) {
  std::unique_ptr<PgCluster> cluster(new PgCluster());
  std::string pattern = "/tmp/allot-pg-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    *error = "mkdtemp failed";
    return nullptr;
  }
  cluster->dir_ = pattern;
  if (IsRoot()) {
    const passwd* postgres = getpwnam("postgres");
    if (postgres == nullptr || chown(pattern.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
      *error = "no `postgres` OS user to own " + pattern + " (install postgresql-15)";
      return nullptr;
    }
  }
  chmod(pattern.c_str(), 0700);
  cluster->StartWatchdog();
  cluster->port_ = FreePort();
  if (!cluster->InitDb(error) || !cluster->Start(error)) return nullptr;
  return cluster;
}

bool PgCluster::InitDb(std::string* error) {
  std::string output;
  const int status =
      RunCommand(AsPostgres({std::string(kBinDir) + "/initdb", "-D", dir_ + "/data", "-U",
                             "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"}),
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
                              " -c fsync=on -c max_connections=300";
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
  const int status = RunCommand({std::string(kBinDir) + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                 "-h", "127.0.0.1", "-p", std::to_string(port_), "-U", "postgres",
                                 "-d", std::string(dbname), "-f", path},
                                &output);
  if (status != 0 && error != nullptr) *error = output;
  return status == 0;
}

}  // namespace allot::testing
