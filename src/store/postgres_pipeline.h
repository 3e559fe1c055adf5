// Several statements in one round trip, with libpq's pipeline mode: every
// statement is sent, then one Sync, then the results are read in order. The
// server runs them one after another exactly as if they had been sent one
// by one (inside the caller's open transaction); only the waiting between
// them is saved. After a statement fails the server skips the rest up to
// the Sync, so Run reports the first failure.
//
// Not thread-safe; one pipeline at a time per connection.
#ifndef ALLOT_STORE_POSTGRES_PIPELINE_H_
#define ALLOT_STORE_POSTGRES_PIPELINE_H_

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "store/postgres_connection.h"

namespace allot::pg {

// What came back for a pipeline, statement by statement.
struct PipelineAnswers {
  // One per statement answered, in order. Fewer than the statements when
  // the connection broke (or could not send): the rest got no answer. A
  // statement the server skipped after an earlier failure is answered
  // PGRES_PIPELINE_ABORTED.
  std::vector<Result> results;
  // The first failure: a statement's error, or the connection's.
  std::optional<Error> failure;
};

class Pipeline {
 public:
  // Adds a statement: the name of a statement prepared on the connection,
  // or SQL text when !prepared. `what` names it in errors. Returns its index
  // in Run's results.
  std::size_t Add(std::string_view statement, Params params, std::string what,
                  bool prepared = true);
  // Puts SQL text without parameters (e.g. BEGIN) before every statement
  // added so far; Run's results then start with its result.
  void Lead(std::string_view sql, std::string what);
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

  // Sends everything and waits for all results (one per statement, in
  // order). Fails with the first statement's error, or with a connection
  // error; the connection is left out of pipeline mode either way.
  Expected<std::vector<Result>> Run(PGconn* conn);
  // The same, always in pipeline mode, keeping every answer that came, for
  // a caller that must tell which statements ran (a pipeline that ends with
  // COMMIT: see postgres_commit.h).
  PipelineAnswers RunAll(PGconn* conn);

 private:
  struct Entry {
    std::string statement;
    Params params;
    std::string what;
    bool prepared = true;
  };
  // Reads the results of every entry and the Sync; the first error wins.
  void Collect(PGconn* conn, PipelineAnswers& answers);

  std::vector<Entry> entries_;
};

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_PIPELINE_H_
