// Reading how the database protects a commit against losing its server
// (synchronous replication), for the warning allot logs at startup.
#ifndef ALLOT_STORE_POSTGRES_REPLICATION_H_
#define ALLOT_STORE_POSTGRES_REPLICATION_H_

#include <libpq-fe.h>

#include "allot/error.h"
#include "allot/postgres_store.h"

namespace allot::pg {

// synchronous_standby_names and synchronous_commit as this session sees
// them, and the standbys pg_stat_replication shows in sync (or quorum)
// state now.
Expected<ReplicationState> ReadReplicationState(PGconn* conn);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_REPLICATION_H_
