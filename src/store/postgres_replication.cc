#include "store/postgres_replication.h"

#include <string>

#include "store/postgres_connection.h"

namespace allot {
namespace pg {

Expected<ReplicationState> ReadReplicationState(PGconn* conn) {
  // pg_stat_replication shows a row per connected standby to every role,
  // but its sync_state only to superusers and pg_read_all_stats.
  auto result = Run(conn, R"sql(
SELECT current_setting('synchronous_standby_names'), current_setting('synchronous_commit'),
       (SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')),
       (SELECT count(*) FROM pg_stat_replication WHERE sync_state IS NULL)
)sql",
                    Params(), "Reading the replication settings", /*prepared=*/false);
  if (!result) return Fail(std::move(result.error()));
  return ReplicationState{.synchronous_standby_names = result->Text(0, 0),
                          .synchronous_commit = result->Text(0, 1),
                          .sync_standbys = static_cast<int>(result->Int(0, 2)),
                          .hidden_standbys = static_cast<int>(result->Int(0, 3))};
}

}  // namespace pg

std::string ReplicationWarning(const ReplicationState& state) {
  if (state.synchronous_standby_names.empty()) {
    return "synchronous_standby_names is empty: a commit waits for this server's disk only, so "
           "losing the server loses acknowledged writes (see docs/operations.md)";
  }
  if (state.synchronous_commit == "off" || state.synchronous_commit == "local") {
    return "synchronous_commit is " + state.synchronous_commit +
           ": commits do not wait for the synchronous standby, so losing the server loses "
           "acknowledged writes";
  }
  if (state.sync_standbys == 0 && state.hidden_standbys > 0) {
    return "this role cannot see whether a standby is in sync (grant it pg_read_all_stats)";
  }
  if (state.sync_standbys == 0) {
    return "no standby is connected in sync: commits wait until one is (writes stall)";
  }
  return "";
}

}  // namespace allot
