// PgCluster's replication side: a standby made with pg_basebackup, the loss
// of a server (kill -9 of all its processes) and promotion.
#include <signal.h>

#include <fstream>
#include <string>

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

bool PgCluster::KillNine(std::string* error) {
  // The first line of postmaster.pid is the postmaster's pid; pg_ctl starts
  // it in a session of its own, so its process group is the whole server.
  std::ifstream pid_file(dir_ + "/data/postmaster.pid");
  int pid = 0;
  if (!(pid_file >> pid) || pid <= 1) {
    if (error != nullptr) *error = "no postmaster.pid in " + dir_ + "/data";
    return false;
  }
  if (kill(-pid, SIGKILL) != 0 && kill(pid, SIGKILL) != 0) {
    if (error != nullptr) *error = "kill -9 " + std::to_string(pid) + " failed";
    return false;
  }
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
