#include "store/postgres_commit.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace allot::pg {

Status CommitOutcome(PGconn* conn, const Result& result) {
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK) {
    if (std::strcmp(PQcmdStatus(result.get()), "COMMIT") == 0) return {};
    // COMMIT of a transaction that had already failed answers ROLLBACK.
    return Fail(Unavailable("The batch's transaction had failed and was rolled back."));
  }
  // An ERROR (not FATAL or PANIC) on a session that lives on: the commit
  // was refused and the transaction rolled back (a deferred check, a
  // serialization failure found at commit).
  const char* severity =
      result ? PQresultErrorField(result.get(), PG_DIAG_SEVERITY_NONLOCALIZED) : nullptr;
  if (severity != nullptr && std::string_view(severity) == "ERROR" && Usable(conn)) {
    return Fail(ErrorOf(result.get(), conn, "Committing a batch"));
  }
  // ErrorOf's message says what happened (a reset, a FATAL from the
  // server); it is kept, the code and the promise change.
  Error error = ErrorOf(result.get(), conn, "Committing a batch");
  error.code = ErrorCode::kOutcomeUnknown;
  error.message +=
      " The commit got no answer: the batch may or may not have been committed, and it was not "
      "acknowledged.";
  // Never retried: the same writes could then be committed twice.
  std::erase_if(error.details, [](const auto& detail) { return detail.first == kRetryableDetail; });
  return Fail(std::move(error));
}

Status PipelinedCommitOutcome(PGconn* conn, const PipelineAnswers& answers,
                              std::size_t commit_index) {
  const std::size_t answered = std::min(answers.results.size(), commit_index);
  for (std::size_t i = 0; i < answered; ++i) {
    const Result& result = answers.results[i];
    const ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) continue;
    // Sent by the server (libpq's own errors, a broken connection, carry no
    // severity): it stopped at this statement.
    if (PQresultErrorField(result.get(), PG_DIAG_SEVERITY_NONLOCALIZED) != nullptr) {
      return Fail(answers.failure.value_or(ErrorOf(result.get(), conn, "Writing a batch")));
    }
    break;
  }
  if (answers.results.size() > commit_index) {
    return CommitOutcome(conn, answers.results[commit_index]);
  }
  return CommitOutcome(conn, Result());
}

}  // namespace allot::pg
