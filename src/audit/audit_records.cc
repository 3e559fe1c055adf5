// The queries that read every record for the audit, the same SQL on both
// stores (their schemas have the same tables and columns), and the decoding
// of their rows.
#include <optional>
#include <map>
#include <set>
#include <utility>

#include "allot/clock.h"
#include "allot/postgres_store.h"
#include "audit/audit_source.h"
#include "audit/audit_tallies.h"
#include "audit/progress_snapshot.h"
#include "journal/change_codec.h"
#include "journal/record_key.h"

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
// Lines whose record is not stored: the queries above, led by the records,
// never see them (no foreign key refuses them since PostgreSQL schema
// version 4).
constexpr std::string_view kOrphanLines = R"sql(
SELECT 'reservation', l.reservation_id, l.line_no, l.item_id, l.qty FROM reservation_lines l
WHERE NOT EXISTS (SELECT 1 FROM reservations r WHERE r.id = l.reservation_id)
UNION ALL
SELECT 'order', l.order_id, l.line_no, l.item_id, l.qty FROM order_lines l
WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = l.order_id)
ORDER BY 1, 2, 3
)sql";
constexpr std::string_view kUsage = "SELECT user_id, item_id, held, bought FROM user_usage";
constexpr std::string_view kTransfers =
    "SELECT id, from_id, to_id, amount, status, expires_at_ms FROM transfers";
constexpr std::string_view kJournal = "SELECT seq, count, at_ms, body FROM journal ORDER BY seq";
constexpr std::string_view kRecordHeads = "SELECT record, block FROM record_heads";
constexpr std::string_view kLegacyRecords = "SELECT id, block FROM legacy_records";

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

// Every reservation, order and transfer as its latest change in the journal
// says, and the block that change is in.
struct JournalRecords {
  std::map<std::string, Reservation> reservations;
  std::map<std::string, Order> orders;
  std::map<std::string, Transfer> transfers;
  std::map<std::string, std::int64_t> latest_block;  // by record id
};

// The journal in seq order: every change's movements are the ledger, and
// its record replaces what earlier changes said of it.
Status ReadJournal(Snapshot& snapshot, Auditor& auditor, JournalRecords& records) {
  return snapshot.ForEachRow(kJournal, "Reading the journal", [&](const Row& row) -> Status {
    const std::int64_t first_seq = row.Int(0);
    const std::int64_t count = row.Int(1);
    auto body = row.Bytes(3);
    if (!body) return Fail(std::move(body.error()));
    auto changes = journal::DecodeBlock(*body, first_seq, count, row.Int(2));
    if (!changes) return Fail(std::move(changes.error()));
    auditor.AddJournalBlock(first_seq, count);
    for (Change& change : *changes) {
      auditor.AddChange(change);
      if (auto* r = std::get_if<Reservation>(&change.data)) {
        records.latest_block[r->id] = first_seq;
        records.reservations.insert_or_assign(r->id, std::move(*r));
      } else if (auto* o = std::get_if<Order>(&change.data)) {
        records.latest_block[o->id] = first_seq;
        records.orders.insert_or_assign(o->id, std::move(*o));
      } else if (auto* t = std::get_if<Transfer>(&change.data)) {
        records.latest_block[t->id] = first_seq;
        records.transfers.insert_or_assign(t->id, std::move(*t));
      }
    }
    return {};
  });
}

// The records as the journal has them, into the auditor; a held
// transfer's hold is a reservation to it.
void FeedRecords(const JournalRecords& records, Auditor& auditor) {
  for (const auto& [id, r] : records.reservations) auditor.AddReservation(r);
  for (const auto& [id, o] : records.orders) auditor.AddOrder(o);
  for (const auto& [id, t] : records.transfers) {
    auditor.AddTransfer(t);
    if (auto hold = HoldOfTransfer(t)) auditor.AddReservation(*hold);
  }
}

std::string DescribeLines(const std::vector<Line>& lines) {
  std::string out;
  for (const Line& line : lines) {
    out += (out.empty() ? "" : ", ") + line.item_id + " x" + std::to_string(line.qty);
  }
  return "[" + out + "]";
}

std::string Describe(const Reservation& r) {
  return std::string(ToString(r.status)) + " " + DescribeLines(r.lines) + " until " +
         std::to_string(r.expires_at_ms);
}
std::string Describe(const Order& o) {
  return std::string(ToString(o.status)) + " " + DescribeLines(o.lines);
}
std::string Describe(const Transfer& t) {
  return std::string(ToString(t.status)) + " " + std::to_string(t.amount) + " from " + t.from_id +
         " to " + t.to_id;
}

// A store that keeps record tables beside the journal: every row must be
// what the record's latest change says, and every record must have a row.
template <typename Record>
class TableCheck {
 public:
  TableCheck(std::string kind, const std::map<std::string, Record>& journal, Auditor& auditor)
      : kind_(std::move(kind)), journal_(journal), auditor_(auditor) {}
  void Row(const Record& stored) {
    seen_.insert(stored.id);
    auto found = journal_.find(stored.id);
    const std::string recomputed =
        found == journal_.end() ? "none in the journal" : Describe(found->second);
    if (recomputed != Describe(stored)) {
      auditor_.AddDrift({kind_ + " " + stored.id, Describe(stored), recomputed});
    }
  }
  void Finish() {
    for (const auto& [id, record] : journal_) {
      if (!seen_.contains(id)) auditor_.AddDrift({kind_ + " " + id, "none", Describe(record)});
    }
  }

 private:
  std::string kind_;
  const std::map<std::string, Record>& journal_;
  Auditor& auditor_;
  std::set<std::string> seen_;
};

Status CheckRecordTables(Snapshot& snapshot, const JournalRecords& records, Auditor& auditor) {
  // Transfer holds are the transfers' to tell: only client reservations.
  std::map<std::string, Reservation> client_reservations;
  for (const auto& [id, r] : records.reservations) {
    if (!IsTransferId(id)) client_reservations.emplace(id, r);
  }
  TableCheck<Reservation> reservations("reservation", client_reservations, auditor);
  LineCollector<Reservation> collector([&](const Reservation& r) {
    if (!IsTransferId(r.id)) reservations.Row(r);
  });
  Status read = snapshot.ForEachRow(kReservations, "Reading reservations", [&](const Row& row) {
    if (!collector.Continues(row)) {
      const std::string id = row.Text(0);
      auto status = StatusOf(row, 2, "reservation " + id, ParseReservationStatus);
      if (!status) return Status(Fail(std::move(status.error())));
      collector.Start(Reservation{
          .id = id, .user_id = row.Text(1), .status = *status, .expires_at_ms = row.Int(3)});
    }
    return collector.AddLine(row, 4);
  });
  if (!read) return read;
  collector.Flush();
  reservations.Finish();

  TableCheck<Order> orders("order", records.orders, auditor);
  LineCollector<Order> order_collector([&](const Order& o) { orders.Row(o); });
  read = snapshot.ForEachRow(kOrders, "Reading orders", [&](const Row& row) {
    if (!order_collector.Continues(row)) {
      const std::string id = row.Text(0);
      auto status = StatusOf(row, 2, "order " + id, ParseOrderStatus);
      if (!status) return Status(Fail(std::move(status.error())));
      order_collector.Start(Order{.id = id, .user_id = row.Text(1), .status = *status});
    }
    return order_collector.AddLine(row, 3);
  });
  if (!read) return read;
  order_collector.Flush();
  orders.Finish();

  TableCheck<Transfer> transfers("transfer", records.transfers, auditor);
  read = snapshot.ForEachRow(kTransfers, "Reading transfers", [&](const Row& row) -> Status {
    const std::string id = row.Text(0);
    auto status = StatusOf(row, 4, "transfer " + id, ParseTransferStatus);
    if (!status) return Fail(std::move(status.error()));
    transfers.Row(Transfer{.id = id,
                           .from_id = row.Text(1),
                           .to_id = row.Text(2),
                           .amount = row.Int(3),
                           .status = *status,
                           .expires_at_ms = row.OptionalInt(5)});
    return {};
  });
  if (!read) return read;
  transfers.Finish();
  read = snapshot.ForEachRow(kOrphanLines, "Reading lines without a record", [&](const Row& row) {
    const std::string kind = row.Text(0);
    auditor.AddDrift(Drift{kind + " " + row.Text(1) + " line " + std::to_string(row.Int(2)),
                           std::to_string(row.Int(4)) + " of " + Subject(row.Text(3)),
                           "none (no such " + kind + ")"});
    return Status{};
  });
  if (!read) return read;
  auditor.ExpectHoldRows();
  return snapshot.ForEachRow(kHolds, "Reading live holds", [&](const Row& row) -> Status {
    auditor.AddHold(HoldRow{row.Text(0), row.Int(1), row.Text(2), row.Int(3), row.Int(4)});
    return {};
  });
}

// A store that finds records through heads (store/sqlite_record_finder.h):
// each record's head must be the block of its latest change.
Status CheckHeads(Snapshot& snapshot, const JournalRecords& records, Auditor& auditor) {
  std::map<std::int64_t, std::int64_t> heads;  // record key -> block
  std::map<std::string, std::int64_t> legacy;  // id -> block
  Status read = snapshot.ForEachRow(kRecordHeads, "Reading record heads", [&](const Row& row) {
    heads[row.Int(0)] = row.Int(1);
    return Status{};
  });
  if (read) {
    read = snapshot.ForEachRow(kLegacyRecords, "Reading records made before the journal",
                               [&](const Row& row) {
                                 legacy[row.Text(0)] = row.Int(1);
                                 return Status{};
                               });
  }
  if (!read) return read;
  for (const auto& [id, block] : records.latest_block) {
    std::optional<std::int64_t> stored;
    if (auto key = journal::KeyOfId(id)) {
      auto head = heads.find(*key);
      stored = head != heads.end() ? head->second : journal::BlockOfKey(*key);
    } else if (auto found = legacy.find(id); found != legacy.end()) {
      stored = found->second;
    }
    if (stored != block) {
      auditor.AddDrift({"record " + id + " head",
                        stored ? "block " + std::to_string(*stored) : "none",
                        "block " + std::to_string(block) + " (its latest change)"});
    }
  }
  return {};
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
  if (read) {
    read = snapshot.ForEachRow(kUsage, "Reading per-user usage", [&](const Row& row) -> Status {
      auditor.AddUsage(UserUsage{row.Text(0), row.Text(1), row.Int(2), row.Int(3)});
      return {};
    });
  }
  JournalRecords records;
  if (read) read = ReadJournal(snapshot, auditor, records);
  if (!read) return read;
  FeedRecords(records, auditor);
  return snapshot.keeps_record_tables() ? CheckRecordTables(snapshot, records, auditor)
                                        : CheckHeads(snapshot, records, auditor);
}

Expected<std::unique_ptr<Snapshot>> OpenSnapshot(const std::string& db) {
  return IsPostgresUrl(db) ? OpenPostgresSnapshot(db) : OpenSqliteSnapshot(db);
}

Expected<AuditReport> AuditDatabase(const std::string& db, Progress* progress) {
  auto snapshot = OpenSnapshot(db);
  if (!snapshot) return Fail(std::move(snapshot.error()));
  Auditor auditor;
  auditor.SetInstant(SystemClock().NowMs());
  std::optional<ProgressSnapshot> counted;
  if (progress != nullptr) counted.emplace(**snapshot, *progress);
  Snapshot& source = counted ? static_cast<Snapshot&>(*counted) : **snapshot;
  if (auto read = ReadRecords(source, auditor); !read) return Fail(std::move(read.error()));
  if (auto ended = (*snapshot)->End(); !ended) return Fail(std::move(ended.error()));
  return auditor.Finish();
}

}  // namespace allot::audit
