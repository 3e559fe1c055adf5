#include "store/postgres_pipeline.h"

#include <optional>
#include <utility>

namespace allot::pg {

std::size_t Pipeline::Add(std::string_view statement, Params params, std::string what,
                          bool prepared) {
  entries_.push_back(Entry{std::string(statement), std::move(params), std::move(what), prepared});
  return entries_.size() - 1;
}

void Pipeline::Lead(std::string_view sql, std::string what) {
  entries_.insert(entries_.begin(), Entry{std::string(sql), Params(), std::move(what), false});
}

Expected<std::vector<Result>> Pipeline::Run(PGconn* conn) {
  if (entries_.size() == 1) {  // nothing to save: plain request and response
    const Entry& only = entries_.front();
    auto result = pg::Run(conn, only.statement, only.params, only.what, only.prepared);
    if (!result) return Fail(std::move(result.error()));
    std::vector<Result> results;
    results.push_back(std::move(*result));
    return results;
  }
  PipelineAnswers answers = RunAll(conn);
  if (answers.failure) return Fail(std::move(*answers.failure));
  return std::move(answers.results);
}

PipelineAnswers Pipeline::RunAll(PGconn* conn) {
  PipelineAnswers answers;
  if (PQenterPipelineMode(conn) != 1) {
    answers.failure = ErrorOf(nullptr, conn, "Entering pipeline mode");
    return answers;
  }
  for (const Entry& entry : entries_) {
    const std::vector<const char*> values = entry.params.Pointers();
    const int sent = entry.prepared
                         ? PQsendQueryPrepared(conn, entry.statement.c_str(), entry.params.size(),
                                               values.data(), nullptr, nullptr, 0)
                         : PQsendQueryParams(conn, entry.statement.c_str(), entry.params.size(),
                                             nullptr, values.data(), nullptr, nullptr, 0);
    if (sent != 1) {
      answers.failure = ErrorOf(nullptr, conn, entry.what);
      // Nothing can be read back reliably: the caller treats the connection
      // as lost (it checks PQstatus) or rolls back.
      PQexitPipelineMode(conn);
      return answers;
    }
  }
  if (PQpipelineSync(conn) != 1) {
    answers.failure = ErrorOf(nullptr, conn, "Sending a pipeline");
    PQexitPipelineMode(conn);
    return answers;
  }
  Collect(conn, answers);
  PQexitPipelineMode(conn);
  return answers;
}

void Pipeline::Collect(PGconn* conn, PipelineAnswers& answers) {
  answers.results.reserve(entries_.size());
  for (const Entry& entry : entries_) {
    Result result(PQgetResult(conn));
    if (!result) {  // the connection broke: no more results will come
      if (!answers.failure) answers.failure = ErrorOf(nullptr, conn, entry.what);
      return;
    }
    const ExecStatusType status = PQresultStatus(result.get());
    if (!answers.failure && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      answers.failure = ErrorOf(result.get(), conn, entry.what);
    }
    // Each statement's results end with a null result.
    while (PGresult* extra = PQgetResult(conn)) PQclear(extra);
    answers.results.push_back(std::move(result));
  }
  // The Sync's own result (nothing follows it); null if the connection broke.
  Result sync(PQgetResult(conn));
  if (!sync && !answers.failure) answers.failure = ErrorOf(nullptr, conn, "Finishing a pipeline");
}

}  // namespace allot::pg
