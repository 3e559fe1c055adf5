// PgCluster's replication side: a standby made with pg_basebackup, the loss
// of a server (kill -9 of all its processes) and promotion.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pg_cluster.h"
#include "pg_commands.h"

namespace allot::testing {

using pg_commands::AsPostgres;
using pg_commands::Program;
using pg_commands::RunCommand;

std::unique_ptr<PgCluster> PgCluster::CreateStandby(const PgCluster& primary, std::string* error,
                                                    std::string extra_server_options) {
  std::unique_ptr<PgCluster> standby(new PgCluster());
  standby->extra_server_options_ = std::move(extra_server_options);
  standby->dir_ = pg_commands::MakeClusterDir(error);
  if (standby->dir_.empty()) return nullptr;
  standby->StartWatchdog();
  standby->port_ = pg_commands::FreePort();
  // -R writes standby.signal and primary_conninfo; -X stream copies the WAL
  // written during the copy; -c fast checkpoints at once instead of waiting
  // for the next one.
  std::string output;
  const int status =
      RunCommand(AsPostgres({Program("pg_basebackup"), "-h", "127.0.0.1", "-p",
                             std::to_string(primary.port()), "-U", "postgres", "-D",
                             standby->dir_ + "/data", "-R", "-X", "stream", "-c", "fast"}),
                 &output);
  if (status != 0) {
    *error = "pg_basebackup failed (" + std::to_string(status) + "): " + output;
    return nullptr;
  }
  if (!standby->Start(error)) return nullptr;
  return standby;
}

namespace {

// The processes whose parent is `parent` (from /proc/<pid>/stat).
std::vector<int> ChildrenOf(int parent) {
  std::vector<int> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": the command may hold spaces and ')'.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    int ppid = 0;
    if (rest >> state >> ppid && ppid == parent) children.push_back(std::stoi(name));
  }
  return children;
}

}  // namespace

bool PgCluster::KillNine(std::string* error) {
  // The first line of postmaster.pid is the postmaster's pid. Every server
  // process is its child (each in a session of its own, so not one process
  // group): they are found first, then all are killed at once.
  std::ifstream pid_file(dir_ + "/data/postmaster.pid");
  int pid = 0;
  if (!(pid_file >> pid) || pid <= 1) {
    if (error != nullptr) *error = "no postmaster.pid in " + dir_ + "/data";
    return false;
  }
  const std::vector<int> children = ChildrenOf(pid);
  if (kill(pid, SIGKILL) != 0) {
    if (error != nullptr) *error = "kill -9 " + std::to_string(pid) + " failed";
    return false;
  }
  for (int child : children) kill(child, SIGKILL);
  running_ = false;
  return true;
}

bool PgCluster::Promote(std::string* error) {
  std::string output;
  const int status = RunCommand(
      AsPostgres({Program("pg_ctl"), "-D", dir_ + "/data", "-w", "-t", "60", "promote"}), &output);
  if (status != 0 && error != nullptr) *error = "pg_ctl promote failed: " + output;
  return status == 0;
}

}  // namespace allot::testing
