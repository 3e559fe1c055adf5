// Writes one BatchWrites with set-based statements: each table's rows go as
// one statement whose parameters are whole columns (text-format arrays
// expanded by unnest), and all the statements go in one pipeline. A batch
// of 10,000 reservations is thus about ten statements and one round trip.
//
// Statement order: items, new reservations (lines, live holds), new orders
// (lines), updated reservations (dropping holds of those no longer held),
// updated orders, usage, transfers, events, idempotency records, the
// purge, and last the journal (store/postgres_journal.h). Rows are written
// before the rows that name them, as the schema's foreign keys wanted
// before version 4 (postgres_schema.cc) dropped those of the hot path.
// Rows that other processes may insert concurrently (new items, idempotency
// keys) are inserted sorted by key, so two batches never wait on each other
// in opposite orders; a unique violation is reported retryable. An update
// of a reservation, order or transfer that is not stored fails its
// statement (checked in the server: the COMMIT may follow in the same
// pipeline).
#ifndef ALLOT_STORE_POSTGRES_BATCH_WRITER_H_
#define ALLOT_STORE_POSTGRES_BATCH_WRITER_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/store.h"
#include "store/postgres_pipeline.h"
#include "store/postgres_session.h"

namespace allot::pg {

class BatchWriter {
 public:
  // The statements Add() uses, to prepare on the writer's connection.
  static StatementSpecs Statements();

  // Adds the statements for `writes` to `pipeline`. `item_is_new(id)`: the
  // item was found absent in this batch, so it is inserted (and fails if
  // another process inserted it meanwhile) rather than upserted.
  void Add(const BatchWrites& writes, const std::function<bool(std::string_view)>& item_is_new,
           Pipeline& pipeline) const;

 private:
  // Transfers (new and updated) and new events.
  void AddMoneyAndSeats(const BatchWrites& writes, Pipeline& pipeline) const;
};

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_BATCH_WRITER_H_
