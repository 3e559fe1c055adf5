// Transfers and events read back from PostgreSQL rows (postgres_records.h).
#include "store/postgres_records.h"

namespace allot::pg {

Expected<Transfer> TransferAt(const Result& result, int row) {
  Transfer t;
  t.id = result.Text(row, 0);
  t.from_id = result.Text(row, 1);
  t.to_id = result.Text(row, 2);
  t.amount = result.Int(row, 3);
  const std::string status = result.Text(row, 4);
  const auto parsed = ParseTransferStatus(status);
  if (!parsed) {
    return Fail(
        Unavailable("Stored transfer '" + t.id + "' has an unknown status '" + status + "'."));
  }
  t.status = *parsed;
  t.owner = result.Text(row, 5);
  t.created_at_ms = result.Int(row, 6);
  t.expires_at_ms = result.OptionalInt(row, 7);
  t.posted_at_ms = result.OptionalInt(row, 8);
  t.released_at_ms = result.OptionalInt(row, 9);
  return t;
}

Event EventAt(const Result& result, int row) {
  return Event{result.Text(row, 0), result.OptionalText(row, 1), result.Int(row, 2),
               result.Text(row, 3)};
}

}  // namespace allot::pg
