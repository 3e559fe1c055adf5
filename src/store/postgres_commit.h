// What the answer to a COMMIT says about the transaction. Only three things
// can be true: it committed; it certainly did not (the server answered
// ROLLBACK, or refused the commit with an ERROR and the session lives on);
// or nobody can tell from here, because the answer never came or the
// session died with it (FATAL: a server that is shut down or killed while
// it waits for its synchronous standby has already committed locally, and
// the standby may have the commit too). The last is never acknowledged and
// never retried: the client resolves it by sending its write again with
// the same Idempotency-Key, once a primary answers.
#ifndef ALLOT_STORE_POSTGRES_COMMIT_H_
#define ALLOT_STORE_POSTGRES_COMMIT_H_

#include <libpq-fe.h>

#include <cstddef>

#include "allot/error.h"
#include "store/postgres_connection.h"
#include "store/postgres_pipeline.h"

namespace allot::pg {

// Success when `result` (the answer to COMMIT on `conn`) says committed;
// kUnavailable when it certainly did not (retryable if the server says a
// fresh attempt can succeed, as for a serialization failure at commit);
// kOutcomeUnknown otherwise.
Status CommitOutcome(PGconn* conn, const Result& result);

// The same for a pipeline that sends a batch's writes and then its COMMIT
// (at `commit_index`), as Pipeline::RunAll answered it. The server runs the
// statements in order and, after one fails, skips everything up to the
// Sync, COMMIT included. So: the server answered a statement before COMMIT
// with an error: it never ran the COMMIT, nothing was committed, and that
// error is the answer (retryable if its SQLSTATE says so); COMMIT was
// answered: CommitOutcome; no answer came for COMMIT, nor a server error
// before it (the connection broke, perhaps after the server committed):
// kOutcomeUnknown.
Status PipelinedCommitOutcome(PGconn* conn, const PipelineAnswers& answers,
                              std::size_t commit_index);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_COMMIT_H_
