// The queries that read every record for the audit, the same SQL on both
// stores (their schemas have the same tables and columns), and the decoding
// of their rows.
#include <optional>
#include <utility>

#include "allot/postgres_store.h"
#include "audit/audit_source.h"
#include "audit/progress_snapshot.h"
#include "journal/change_codec.h"

namespace allot::audit {
namespace {

constexpr std::string_view kItems =
    "SELECT id, on_hand, held, sold, max_per_user, created_on_hand FROM items ORDER BY id";
constexpr std::string_view kEvents = "SELECT id, seat_count FROM events ORDER BY id";
// One row per line, a record's lines together and in line order.
constexpr std::string_view kReservations = R"sql(
SELECT r.id, r.user_id, r.status, r.expires_at_ms, l.line_no, l.item_id, l.qty
FROM reservations r LEFT JOIN reservation_lines l ON l.reservation_id = r.id
ORDER BY r.id, l.line_no
)sql";
constexpr std::string_view kOrders = R"sql(
SELECT o.id, o.user_id, o.status, l.line_no, l.item_id, l.qty
FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
ORDER BY o.id, l.line_no
)sql";
constexpr std::string_view kHolds =
    "SELECT reservation_id, line_no, item_id, qty, expires_at_ms FROM holds";
constexpr std::string_view kUsage = "SELECT user_id, item_id, held, bought FROM user_usage";
constexpr std::string_view kTransfers =
    "SELECT id, from_id, to_id, amount, status, expires_at_ms FROM transfers";
constexpr std::string_view kJournal = "SELECT seq, count, at_ms, body FROM journal ORDER BY seq";

Error Unreadable(const std::string& what, const std::string& value) {
  return Unavailable("Stored " + what + " is not one this build knows: '" + value + "'.");
}

// Parses a status column or fails naming the record.
template <typename Enum>
Expected<Enum> StatusOf(const Row& row, int column, const std::string& record,
                        std::optional<Enum> (*parse)(std::string_view)) {
  const std::string text = row.Text(column);
  auto status = parse(text);
  if (!status) return Fail(Unreadable("status of " + record, text));
  return *status;
}

// Collects the rows of one record (a reservation or an order: header
// columns, then line_no, item_id, qty) and hands each finished record on.
template <typename Record>
class LineCollector {
 public:
  explicit LineCollector(std::function<void(const Record&)> done) : done_(std::move(done)) {}

  bool Continues(const Row& row) const { return current_ && current_->id == row.Text(0); }
  void Start(Record record) {
    Flush();
    current_ = std::move(record);
  }
  // Adds the line columns starting at `first` (all NULL: no lines).
  Status AddLine(const Row& row, int first) {
    if (row.IsNull(first)) return {};
    if (row.Int(first) != static_cast<std::int64_t>(current_->lines.size())) {
      return Fail(Unavailable("Stored lines of '" + current_->id +
                              "' are not numbered 0, 1, 2, ... as allot writes them."));
    }
    current_->lines.push_back(Line{row.Text(first + 1), row.Int(first + 2)});
    return {};
  }
  void Flush() {
    if (current_) done_(*current_);
    current_.reset();
  }

 private:
  std::function<void(const Record&)> done_;
  std::optional<Record> current_;
};

Status ReadReservations(Snapshot& snapshot, Auditor& auditor) {
  LineCollector<Reservation> collector([&](const Reservation& r) { auditor.AddReservation(r); });
  auto read = snapshot.ForEachRow(kReservations, "Reading reservations", [&](const Row& row) {
    if (!collector.Continues(row)) {
      const std::string id = row.Text(0);
      auto status = StatusOf(row, 2, "reservation " + id, ParseReservationStatus);
      if (!status) return Status(Fail(std::move(status.error())));
      collector.Start(Reservation{
          .id = id, .user_id = row.Text(1), .status = *status, .expires_at_ms = row.Int(3)});
    }
    return collector.AddLine(row, 4);
  });
  if (read) collector.Flush();
  return read;
}

Status ReadOrders(Snapshot& snapshot, Auditor& auditor) {
  LineCollector<Order> collector([&](const Order& o) { auditor.AddOrder(o); });
  auto read = snapshot.ForEachRow(kOrders, "Reading orders", [&](const Row& row) {
    if (!collector.Continues(row)) {
      const std::string id = row.Text(0);
      auto status = StatusOf(row, 2, "order " + id, ParseOrderStatus);
      if (!status) return Status(Fail(std::move(status.error())));
      collector.Start(Order{.id = id, .user_id = row.Text(1), .status = *status});
    }
    return collector.AddLine(row, 3);
  });
  if (read) collector.Flush();
  return read;
}

// The journal in seq order: every change's movements are the ledger.
Status ReadJournal(Snapshot& snapshot, Auditor& auditor) {
  return snapshot.ForEachRow(kJournal, "Reading the journal", [&](const Row& row) -> Status {
    const std::int64_t first_seq = row.Int(0);
    const std::int64_t count = row.Int(1);
    auto body = row.Bytes(3);
    if (!body) return Fail(std::move(body.error()));
    auto changes = journal::DecodeBlock(*body, first_seq, count, row.Int(2));
    if (!changes) return Fail(std::move(changes.error()));
    auditor.AddJournalBlock(first_seq, count);
    for (const Change& change : *changes) auditor.AddChange(change);
    return {};
  });
}

}  // namespace

Status ReadRecords(Snapshot& snapshot, Auditor& auditor) {
  // Items first: lines on missing items are told as they arrive.
  Status read = snapshot.ForEachRow(kItems, "Reading items", [&](const Row& row) -> Status {
    auditor.AddItem(Item{.id = row.Text(0),
                         .on_hand = row.Int(1),
                         .held = row.Int(2),
                         .sold = row.Int(3),
                         .max_per_user = row.OptionalInt(4),
                         .created_on_hand = row.Int(5)});
    return {};
  });
  if (read) {
    read = snapshot.ForEachRow(kEvents, "Reading events", [&](const Row& row) -> Status {
      auditor.AddEvent(Event{.id = row.Text(0), .seat_count = row.Int(1)});
      return {};
    });
  }
  if (read) read = ReadReservations(snapshot, auditor);
  if (read) read = ReadOrders(snapshot, auditor);
  if (read) {
    read = snapshot.ForEachRow(kHolds, "Reading live holds", [&](const Row& row) -> Status {
      auditor.AddHold(HoldRow{row.Text(0), row.Int(1), row.Text(2), row.Int(3), row.Int(4)});
      return {};
    });
  }
  if (read) {
    read = snapshot.ForEachRow(kUsage, "Reading per-user usage", [&](const Row& row) -> Status {
      auditor.AddUsage(UserUsage{row.Text(0), row.Text(1), row.Int(2), row.Int(3)});
      return {};
    });
  }
  if (read) {
    read = snapshot.ForEachRow(kTransfers, "Reading transfers", [&](const Row& row) -> Status {
      const std::string id = row.Text(0);
      auto status = StatusOf(row, 4, "transfer " + id, ParseTransferStatus);
      if (!status) return Fail(std::move(status.error()));
      auditor.AddTransfer(Transfer{.id = id,
                                   .from_id = row.Text(1),
                                   .to_id = row.Text(2),
                                   .amount = row.Int(3),
                                   .status = *status,
                                   .expires_at_ms = row.OptionalInt(5)});
      return {};
    });
  }
  if (read) read = ReadJournal(snapshot, auditor);
  return read;
}

Expected<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string& db) {
  return IsPostgresUrl(db) ? OpenPostgresSnapshot(db) : OpenSqliteSnapshot(db);
}

Expected<AuditReport> AuditDatabase(const std::string& db, Progress* progress) {
  auto snapshot = OpenSnapshot(db);
  if (!snapshot) return Fail(std::move(snapshot.error()));
  Auditor auditor;
  std::optional<ProgressSnapshot> counted;
  if (progress != nullptr) counted.emplace(**snapshot, *progress);
  Snapshot& source = counted ? static_cast<Snapshot&>(*counted) : **snapshot;
  if (auto read = ReadRecords(source, auditor); !read) return Fail(std::move(read.error()));
  if (auto ended = (*snapshot)->End(); !ended) return Fail(std::move(ended.error()));
  return auditor.Finish();
}

}  // namespace allot::audit
