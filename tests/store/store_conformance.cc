#include "store_conformance.h"

#include <algorithm>
#include <utility>

#include "journal/change_codec.h"
#include "journal/terms.h"

namespace allot {
namespace {

template <typename T>
void PrintOptional(const std::optional<T>& value, std::ostream* out) {
  if (value) {
    *out << *value;
  } else {
    *out << "null";
  }
}

void PrintLines(const std::vector<Line>& lines, std::ostream* out) {
  *out << "[";
  for (const Line& line : lines) *out << " " << line.item_id << "x" << line.qty;
  *out << " ]";
}

}  // namespace

void PrintTo(const Item& item, std::ostream* out) {
  *out << "Item{" << item.id << " name=";
  PrintOptional(item.name, out);
  *out << " on_hand=" << item.on_hand << " held=" << item.held << " sold=" << item.sold
       << " max_per_user=";
  PrintOptional(item.max_per_user, out);
  *out << " created_on_hand=" << item.created_on_hand << "}";
}

void PrintTo(const Reservation& r, std::ostream* out) {
  *out << "Reservation{" << r.id << " user=" << r.user_id << " owner=" << r.owner
       << " status=" << ToString(r.status) << " lines=";
  PrintLines(r.lines, out);
  *out << " created=" << r.created_at_ms << " expires=" << r.expires_at_ms << " confirmed=";
  PrintOptional(r.confirmed_at_ms, out);
  *out << " order=";
  PrintOptional(r.order_id, out);
  *out << " released=";
  PrintOptional(r.released_at_ms, out);
  *out << "}";
}

void PrintTo(const Order& o, std::ostream* out) {
  *out << "Order{" << o.id << " user=" << o.user_id << " owner=" << o.owner
       << " status=" << ToString(o.status) << " lines=";
  PrintLines(o.lines, out);
  *out << " created=" << o.created_at_ms << " reservation=";
  PrintOptional(o.reservation_id, out);
  *out << " payment=";
  PrintOptional(o.payment_ref, out);
  *out << " cancelled=";
  PrintOptional(o.cancelled_at_ms, out);
  *out << " reason=";
  PrintOptional(o.cancel_reason, out);
  *out << "}";
}

void PrintTo(const UserUsage& u, std::ostream* out) {
  *out << "UserUsage{" << u.user_id << "/" << u.item_id << " held=" << u.held
       << " bought=" << u.bought << "}";
}

void PrintTo(const LedgerEntry& e, std::ostream* out) {
  *out << "LedgerEntry{at=" << e.at_ms << " " << e.item_id << " " << ToString(e.kind) << " on_hand"
       << e.on_hand_delta << " held" << e.held_delta << " sold" << e.sold_delta
       << " reason=" << e.reason << " reservation=";
  PrintOptional(e.reservation_id, out);
  *out << " order=";
  PrintOptional(e.order_id, out);
  *out << "}";
}

void PrintTo(const Change& c, std::ostream* out) {
  *out << "Change{seq=" << c.seq << " " << ToString(c.type) << " at=" << c.at_ms
       << " owner=" << c.owner << " record=" << RecordIdOf(c.data) << " movements=[";
  for (const Movement& m : c.movements) {
    *out << " " << m.item_id << ":" << ToString(m.kind) << "(" << m.on_hand_delta << ","
         << m.held_delta << "," << m.sold_delta << ")";
  }
  *out << " ]}";
}

void PrintTo(const IdempotencyRecord& r, std::ostream* out) {
  *out << "IdempotencyRecord{" << r.principal << "/" << r.key << " fp=" << r.fingerprint
       << " status=" << r.status << " body=" << r.body << " created=" << r.created_at_ms << "}";
}

void PrintTo(const Error& error, std::ostream* out) {
  *out << ErrorCodeName(error.code) << ": " << error.message;
}

void PrintTo(const Status& status, std::ostream* out) {
  if (status) {
    *out << "ok";
  } else {
    PrintTo(status.error(), out);
  }
}

namespace store_test {

void PrintTo(const StoreFactory& factory, std::ostream* out) { *out << factory.name; }

std::string FactoryName(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

::testing::AssertionResult Ok(const Status& status) {
  if (status) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.error().message;
}

std::vector<Change> DecodeJournal(const std::vector<JournalBlock>& blocks) {
  std::vector<Change> changes;
  for (const JournalBlock& block : blocks) {
    auto decoded = journal::DecodeBlock(block.body, block.first_seq, block.count, block.at_ms);
    EXPECT_TRUE(decoded.has_value()) << decoded.error().message;
    if (!decoded) continue;
    for (Change& change : *decoded) changes.push_back(std::move(change));
  }
  return changes;
}

namespace {

constexpr std::int64_t kJournalAt = 1'700'000'000'000;

ChangeType TypeOf(const Reservation& r) {
  switch (r.status) {
    case ReservationStatus::kHeld:
      return ChangeType::kReservationCreated;
    case ReservationStatus::kConfirmed:
      return ChangeType::kReservationConfirmed;
    case ReservationStatus::kCancelled:
      return ChangeType::kReservationCancelled;
    case ReservationStatus::kExpired:
      return ChangeType::kReservationExpired;
  }
  return ChangeType::kReservationCreated;
}

ChangeType TypeOf(const Order& o) {
  return o.status == OrderStatus::kPlaced ? ChangeType::kOrderPlaced : ChangeType::kOrderCancelled;
}

ChangeType TypeOf(const Transfer& t) {
  switch (t.status) {
    case TransferStatus::kPosted:
      return t.expires_at_ms ? ChangeType::kTransferConfirmed : ChangeType::kTransferPosted;
    case TransferStatus::kHeld:
      return ChangeType::kTransferHeld;
    case TransferStatus::kCancelled:
      return ChangeType::kTransferCancelled;
    case TransferStatus::kExpired:
      return ChangeType::kTransferExpired;
  }
  return ChangeType::kTransferPosted;
}

}  // namespace

BatchWrites Journaled(BatchWrites writes, std::optional<std::int64_t> next_seq) {
  if (!writes.journal.empty()) return writes;
  JournalBlock block;
  block.first_seq = next_seq.value_or(0);
  block.at_ms = kJournalAt;
  block.body = journal::NewBlockBody();
  auto add = [&](const auto& record, std::string_view owner, bool is_record) {
    journal::AppendChange(block.body, TypeOf(record), owner, record, {}, block.at_ms);
    journal::AppendTerms(TypeOf(record), owner, record, {}, block.terms);
    ++block.count;
    if (is_record) block.records.push_back(record.id);
  };
  // A held transfer's hold is its transfer's to tell.
  for (const Reservation& r : writes.new_reservations) {
    if (!IsTransferId(r.id)) add(r, r.owner, true);
  }
  for (const Reservation& r : writes.updated_reservations) {
    if (!IsTransferId(r.id)) add(r, r.owner, true);
  }
  for (const Order& o : writes.new_orders) add(o, o.owner, true);
  for (const Order& o : writes.updated_orders) add(o, o.owner, true);
  for (const Transfer& t : writes.new_transfers) add(t, t.owner, true);
  for (const Transfer& t : writes.updated_transfers) add(t, t.owner, true);
  for (const Event& e : writes.new_events) {
    journal::AppendChange(block.body, ChangeType::kEventCreated, "",
                          EventCounts{.event = e, .available = e.seat_count}, {}, block.at_ms);
    ++block.count;
  }
  if (block.count > 0) {
    journal::NormalizeTerms(block.terms);
    std::sort(block.records.begin(), block.records.end());
    block.records.erase(std::unique(block.records.begin(), block.records.end()),
                        block.records.end());
    writes.journal.push_back(std::move(block));
  }
  return writes;
}

Item MakeItem(std::string id, std::int64_t on_hand, std::int64_t held) {
  Item item;
  item.id = std::move(id);
  item.on_hand = on_hand;
  item.held = held;
  item.created_on_hand = on_hand;
  return item;
}

Reservation MakeReservation(std::string id, std::int64_t expires_at_ms, std::vector<Line> lines) {
  Reservation r;
  r.id = std::move(id);
  r.user_id = "user-1";
  r.owner = "";
  r.status = ReservationStatus::kHeld;
  r.lines = std::move(lines);
  r.created_at_ms = expires_at_ms - 600'000;
  r.expires_at_ms = expires_at_ms;
  return r;
}

Order MakeOrder(std::string id, std::vector<Line> lines) {
  Order o;
  o.id = std::move(id);
  o.user_id = "user-1";
  o.owner = "shop";
  o.lines = std::move(lines);
  o.created_at_ms = 1'700'000'000'000;
  return o;
}

void StoreConformanceTest::SetUp() {
  backend_ = GetParam().make();
  ASSERT_NE(backend_, nullptr);
  Reopen();
}

void StoreConformanceTest::Reopen() {
  reader_.reset();
  writer_.reset();
  auto handles = backend_->Open();
  ASSERT_TRUE(Ok(handles));
  writer_ = std::move(handles->writer);
  reader_ = std::move(handles->reader);
}

BatchWrites StoreConformanceTest::WithJournal(BatchWrites writes) const {
  return Journaled(std::move(writes), writer_->NextSeq());
}

Status StoreConformanceTest::Apply(const BatchWrites& writes) {
  if (auto begun = writer_->Begin(); !begun) return begun;
  if (auto written = writer_->Write(WithJournal(writes)); !written) {
    writer_->Rollback();
    return written;
  }
  auto committed = writer_->Commit();
  if (!committed) writer_->Rollback();
  return committed;
}

std::optional<Item> StoreConformanceTest::ReaderItem(std::string_view id, std::int64_t now_ms) {
  auto item = reader_->GetItem(id, now_ms);
  EXPECT_TRUE(Ok(item));
  return item ? *item : std::nullopt;
}

}  // namespace store_test
}  // namespace allot
