#include "pg_bouncer.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pg_commands.h"

namespace allot::testing {
namespace {

constexpr const char* kPgBouncer = "/usr/sbin/pgbouncer";

// Reads the pid pgbouncer wrote once it is up; 0 if it did not within 10 s.
int WaitForPid(const std::string& pid_file) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream file(pid_file);
    int pid = 0;
    if (file >> pid && pid > 1) return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

}  // namespace

std::unique_ptr<PgBouncer> PgBouncer::Start(int server_port, std::string_view pool_mode,
                                            std::string* error) {
  std::unique_ptr<PgBouncer> bouncer(new PgBouncer());
  bouncer->dir_ = pg_commands::MakeClusterDir(error);
  if (bouncer->dir_.empty()) return nullptr;
  const std::string& dir = bouncer->dir_;
  bouncer->port_ = pg_commands::FreePort();
  {
    std::ofstream config(dir + "/pgbouncer.ini");
    config << "[databases]\n* = host=127.0.0.1 port=" << server_port << "\n"
           << "[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = " << bouncer->port_ << "\n"
           << "unix_socket_dir =\nauth_type = trust\nauth_file = " << dir << "/users.txt\n"
           << "pool_mode = " << pool_mode << "\nmax_client_conn = 200\ndefault_pool_size = 20\n"
           << "logfile = " << dir << "/pgbouncer.log\npidfile = " << dir << "/pgbouncer.pid\n";
    std::ofstream users(dir + "/users.txt");
    users << "\"postgres\" \"\"\n";
  }
  if (pg_commands::IsRoot()) {
    pg_commands::RunCommand({"chown", "-R", "postgres", dir}, nullptr);
  }
  // The watchdog first: it outlives a crashed test and stops pgbouncer.
  const std::string script = "while kill -0 " + std::to_string(getpid()) +
                             " 2>/dev/null; do sleep 1; done; kill $(cat " + dir +
                             "/pgbouncer.pid) 2>/dev/null; rm -rf " + dir;
  const pid_t watchdog = fork();
  if (watchdog == 0) {
    const int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, STDIN_FILENO);
    dup2(null_fd, STDOUT_FILENO);
    dup2(null_fd, STDERR_FILENO);
    setsid();
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  bouncer->watchdog_pid_ = watchdog;
  std::string output;
  const int status = pg_commands::RunCommand(
      pg_commands::AsPostgres({kPgBouncer, "-d", dir + "/pgbouncer.ini"}), &output);
  bouncer->pid_ = status == 0 ? WaitForPid(dir + "/pgbouncer.pid") : 0;
  if (bouncer->pid_ == 0) {
    std::ifstream log(dir + "/pgbouncer.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    *error = "pgbouncer did not start (" + std::to_string(status) + "): " + output + text;
    return nullptr;
  }
  return bouncer;
}

PgBouncer::~PgBouncer() {
  if (watchdog_pid_ > 0) {
    kill(watchdog_pid_, SIGKILL);
    waitpid(watchdog_pid_, nullptr, 0);
  }
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100 && kill(pid_, 0) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
  }
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::string PgBouncer::Url(std::string_view dbname) const {
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + std::string(dbname);
}

}  // namespace allot::testing
