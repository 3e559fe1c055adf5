#include "journal/change_codec.h"

#include <utility>

#include "journal/bytes.h"

namespace allot::journal {
namespace {

// Presence bits of optional fields, in the order they follow.
enum : std::uint8_t { kBit0 = 1, kBit1 = 2, kBit2 = 4, kBit3 = 8 };

void PutTime(std::string& out, std::int64_t ms, std::int64_t at_ms) { PutSigned(out, ms - at_ms); }
std::int64_t GetTime(Reader& in, std::int64_t at_ms) { return at_ms + in.Signed(); }

void PutLines(std::string& out, const std::vector<Line>& lines) {
  PutVarint(out, lines.size());
  for (const Line& line : lines) {
    PutString(out, line.item_id);
    PutVarint(out, static_cast<std::uint64_t>(line.qty));
  }
}

std::vector<Line> GetLines(Reader& in) {
  std::vector<Line> lines;
  const std::int64_t count = in.Count();
  // Each line takes at least two bytes: a bound that a corrupt count cannot pass.
  if (!in.ok() || count < 0 || count > (1 << 24)) return lines;
  lines.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count && in.ok(); ++i) {
    Line line;
    line.item_id = in.String();
    line.qty = in.Count();
    lines.push_back(std::move(line));
  }
  return lines;
}

void PutMovements(std::string& out, std::span<const Movement> movements) {
  PutVarint(out, movements.size());
  for (const Movement& m : movements) {
    PutString(out, m.item_id);
    PutByte(out, static_cast<std::uint8_t>(m.kind));
    PutSigned(out, m.on_hand_delta);
    PutSigned(out, m.held_delta);
    PutSigned(out, m.sold_delta);
    PutSigned(out, m.on_hand);
    PutSigned(out, m.held);
    PutSigned(out, m.sold);
    PutString(out, m.reason);
  }
}

std::vector<Movement> GetMovements(Reader& in) {
  std::vector<Movement> movements;
  const std::int64_t count = in.Count();
  if (!in.ok() || count < 0 || count > (1 << 24)) return movements;
  movements.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count && in.ok(); ++i) {
    Movement m;
    m.item_id = in.String();
    m.kind = static_cast<LedgerKind>(in.Byte());
    m.on_hand_delta = in.Signed();
    m.held_delta = in.Signed();
    m.sold_delta = in.Signed();
    m.on_hand = in.Signed();
    m.held = in.Signed();
    m.sold = in.Signed();
    m.reason = in.String();
    movements.push_back(std::move(m));
  }
  return movements;
}

void PutItem(std::string& out, const Item& item) {
  PutString(out, item.id);
  // Bit 2: the item has (had) a waiting list; items of earlier releases
  // never set it, so their changes decode as before.
  const bool listed = item.tickets > 0;
  PutByte(out,
          (item.name ? kBit0 : 0) | (item.max_per_user ? kBit1 : 0) | (listed ? kBit2 : 0));
  if (item.name) PutString(out, *item.name);
  PutSigned(out, item.on_hand);
  PutSigned(out, item.held);
  PutSigned(out, item.sold);
  if (item.max_per_user) PutSigned(out, *item.max_per_user);
  PutSigned(out, item.created_on_hand);
  if (listed) {
    PutSigned(out, item.waiting);
    PutSigned(out, item.tickets);
  }
}

Item GetItem(Reader& in) {
  Item item;
  item.id = in.String();
  const std::uint8_t flags = in.Byte();
  if (flags & kBit0) item.name = in.String();
  item.on_hand = in.Signed();
  item.held = in.Signed();
  item.sold = in.Signed();
  if (flags & kBit1) item.max_per_user = in.Signed();
  item.created_on_hand = in.Signed();
  if (flags & kBit2) {
    item.waiting = in.Signed();
    item.tickets = in.Signed();
  }
  return item;
}

// A draw's entry: its draw's id leads (PeekHeader's id), then the user.
void PutDrawEntryBody(std::string& out, const DrawEntry& e, std::int64_t at_ms) {
  PutString(out, e.user_id);
  PutVarint(out, static_cast<std::uint64_t>(e.qty));
  PutVarint(out, static_cast<std::uint64_t>(e.number));
  PutTime(out, e.created_at_ms, at_ms);
  PutByte(out, (e.rank ? kBit0 : 0) | (e.outcome ? kBit1 : 0) | (e.reservation_id ? kBit2 : 0));
  if (e.rank) PutVarint(out, static_cast<std::uint64_t>(*e.rank));
  if (e.outcome) PutByte(out, static_cast<std::uint8_t>(*e.outcome));
  if (e.reservation_id) PutString(out, *e.reservation_id);
}

void GetDrawEntryBody(Reader& in, DrawEntry& e, std::int64_t at_ms) {
  e.user_id = in.String();
  e.qty = in.Count();
  e.number = in.Count();
  e.created_at_ms = GetTime(in, at_ms);
  const std::uint8_t flags = in.Byte();
  if (flags & kBit0) e.rank = in.Count();
  if (flags & kBit1) e.outcome = static_cast<DrawOutcome>(in.Byte() & 1);
  if (flags & kBit2) e.reservation_id = in.String();
}

void PutDrawEntry(std::string& out, const DrawEntry& e, std::int64_t at_ms) {
  PutString(out, e.draw_id);
  PutDrawEntryBody(out, e, at_ms);
}

DrawEntry GetDrawEntry(Reader& in, std::int64_t at_ms) {
  DrawEntry e;
  e.draw_id = in.String();
  GetDrawEntryBody(in, e, at_ms);
  return e;
}

// The seed is encoded as given: the rules pass a draw whose seed is empty
// until it ran, so the journal never publishes it early.
void PutDraw(std::string& out, const Draw& d, std::int64_t at_ms) {
  PutString(out, d.id);
  PutString(out, d.item_id);
  PutByte(out, static_cast<std::uint8_t>(d.status));
  PutVarint(out, static_cast<std::uint64_t>(d.units));
  PutTime(out, d.closes_at_ms, at_ms);
  PutVarint(out, static_cast<std::uint64_t>(d.offer_ttl_seconds));
  PutString(out, d.seed);
  PutString(out, d.seed_hash);
  PutString(out, d.hold_id);
  PutVarint(out, static_cast<std::uint64_t>(d.entries));
  PutTime(out, d.created_at_ms, at_ms);
  PutByte(out, d.drawn_at_ms ? kBit0 : 0);
  if (d.drawn_at_ms) PutTime(out, *d.drawn_at_ms, at_ms);
  PutVarint(out, d.results.size());
  for (const DrawEntry& e : d.results) PutDrawEntryBody(out, e, at_ms);
}

Draw GetDraw(Reader& in, std::int64_t at_ms) {
  Draw d;
  d.id = in.String();
  d.item_id = in.String();
  d.status = static_cast<DrawStatus>(in.Byte() & 1);
  d.units = in.Count();
  d.closes_at_ms = GetTime(in, at_ms);
  d.offer_ttl_seconds = in.Count();
  d.seed = in.String();
  d.seed_hash = in.String();
  d.hold_id = in.String();
  d.entries = in.Count();
  d.created_at_ms = GetTime(in, at_ms);
  if (in.Byte() & kBit0) d.drawn_at_ms = GetTime(in, at_ms);
  const std::int64_t count = in.Count();
  // Each result takes at least five bytes: a bound a corrupt count cannot pass.
  if (!in.ok() || count < 0 || count > (1 << 24)) return d;
  d.results.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count && in.ok(); ++i) {
    DrawEntry e;
    e.draw_id = d.id;
    GetDrawEntryBody(in, e, at_ms);
    d.results.push_back(std::move(e));
  }
  return d;
}

// The owner comes first in every change (PeekHeader), so the entry starts
// with its id like every record.
void PutWaitlistEntry(std::string& out, const WaitlistEntry& e, std::int64_t at_ms) {
  PutString(out, e.id);
  PutString(out, e.item_id);
  PutString(out, e.user_id);
  PutByte(out, static_cast<std::uint8_t>(e.status));
  PutVarint(out, static_cast<std::uint64_t>(e.qty));
  PutVarint(out, static_cast<std::uint64_t>(e.offer_ttl_seconds));
  PutVarint(out, static_cast<std::uint64_t>(e.ticket));
  PutTime(out, e.created_at_ms, at_ms);
  PutByte(out, (e.reservation_id ? kBit0 : 0) | (e.position ? kBit1 : 0));
  if (e.reservation_id) PutString(out, *e.reservation_id);
  if (e.position) PutVarint(out, static_cast<std::uint64_t>(*e.position));
}

WaitlistEntry GetWaitlistEntry(Reader& in, std::int64_t at_ms) {
  WaitlistEntry e;
  e.id = in.String();
  e.item_id = in.String();
  e.user_id = in.String();
  e.status = static_cast<WaitlistStatus>(in.Byte());
  e.qty = in.Count();
  e.offer_ttl_seconds = in.Count();
  e.ticket = in.Count();
  e.created_at_ms = GetTime(in, at_ms);
  const std::uint8_t flags = in.Byte();
  if (flags & kBit0) e.reservation_id = in.String();
  if (flags & kBit1) e.position = in.Count();
  return e;
}

void PutReservation(std::string& out, const Reservation& r, std::int64_t at_ms) {
  PutString(out, r.id);
  PutString(out, r.user_id);
  PutByte(out, static_cast<std::uint8_t>(r.status));
  PutLines(out, r.lines);
  PutTime(out, r.created_at_ms, at_ms);
  PutTime(out, r.expires_at_ms, at_ms);
  PutByte(out, (r.confirmed_at_ms ? kBit0 : 0) | (r.order_id ? kBit1 : 0) |
                   (r.released_at_ms ? kBit2 : 0));
  if (r.confirmed_at_ms) PutTime(out, *r.confirmed_at_ms, at_ms);
  if (r.order_id) PutString(out, *r.order_id);
  if (r.released_at_ms) PutTime(out, *r.released_at_ms, at_ms);
}

Reservation GetReservation(Reader& in, std::int64_t at_ms) {
  Reservation r;
  r.id = in.String();
  r.user_id = in.String();
  r.status = static_cast<ReservationStatus>(in.Byte());
  r.lines = GetLines(in);
  r.created_at_ms = GetTime(in, at_ms);
  r.expires_at_ms = GetTime(in, at_ms);
  const std::uint8_t flags = in.Byte();
  if (flags & kBit0) r.confirmed_at_ms = GetTime(in, at_ms);
  if (flags & kBit1) r.order_id = in.String();
  if (flags & kBit2) r.released_at_ms = GetTime(in, at_ms);
  return r;
}

void PutOrder(std::string& out, const Order& o, std::int64_t at_ms) {
  PutString(out, o.id);
  PutString(out, o.user_id);
  PutByte(out, static_cast<std::uint8_t>(o.status));
  PutLines(out, o.lines);
  PutTime(out, o.created_at_ms, at_ms);
  PutByte(out, (o.reservation_id ? kBit0 : 0) | (o.payment_ref ? kBit1 : 0) |
                   (o.cancelled_at_ms ? kBit2 : 0) | (o.cancel_reason ? kBit3 : 0));
  if (o.reservation_id) PutString(out, *o.reservation_id);
  if (o.payment_ref) PutString(out, *o.payment_ref);
  if (o.cancelled_at_ms) PutTime(out, *o.cancelled_at_ms, at_ms);
  if (o.cancel_reason) PutString(out, *o.cancel_reason);
}

Order GetOrder(Reader& in, std::int64_t at_ms) {
  Order o;
  o.id = in.String();
  o.user_id = in.String();
  o.status = static_cast<OrderStatus>(in.Byte());
  o.lines = GetLines(in);
  o.created_at_ms = GetTime(in, at_ms);
  const std::uint8_t flags = in.Byte();
  if (flags & kBit0) o.reservation_id = in.String();
  if (flags & kBit1) o.payment_ref = in.String();
  if (flags & kBit2) o.cancelled_at_ms = GetTime(in, at_ms);
  if (flags & kBit3) o.cancel_reason = in.String();
  return o;
}

void PutTransfer(std::string& out, const Transfer& t, std::int64_t at_ms) {
  PutString(out, t.id);
  PutString(out, t.from_id);
  PutString(out, t.to_id);
  PutSigned(out, t.amount);
  PutByte(out, static_cast<std::uint8_t>(t.status));
  PutTime(out, t.created_at_ms, at_ms);
  PutByte(out, (t.expires_at_ms ? kBit0 : 0) | (t.posted_at_ms ? kBit1 : 0) |
                   (t.released_at_ms ? kBit2 : 0));
  if (t.expires_at_ms) PutTime(out, *t.expires_at_ms, at_ms);
  if (t.posted_at_ms) PutTime(out, *t.posted_at_ms, at_ms);
  if (t.released_at_ms) PutTime(out, *t.released_at_ms, at_ms);
}

Transfer GetTransfer(Reader& in, std::int64_t at_ms) {
  Transfer t;
  t.id = in.String();
  t.from_id = in.String();
  t.to_id = in.String();
  t.amount = in.Signed();
  t.status = static_cast<TransferStatus>(in.Byte());
  t.created_at_ms = GetTime(in, at_ms);
  const std::uint8_t flags = in.Byte();
  if (flags & kBit0) t.expires_at_ms = GetTime(in, at_ms);
  if (flags & kBit1) t.posted_at_ms = GetTime(in, at_ms);
  if (flags & kBit2) t.released_at_ms = GetTime(in, at_ms);
  return t;
}

void PutEvent(std::string& out, const EventCounts& counts) {
  const Event& e = counts.event;
  PutString(out, e.id);
  PutByte(out, e.name ? kBit0 : 0);
  if (e.name) PutString(out, *e.name);
  PutSigned(out, e.seat_count);
  PutString(out, e.seats_digest);
  PutSigned(out, counts.available);
  PutSigned(out, counts.held);
  PutSigned(out, counts.sold);
}

EventCounts GetEvent(Reader& in) {
  EventCounts counts;
  Event& e = counts.event;
  e.id = in.String();
  if (in.Byte() & kBit0) e.name = in.String();
  e.seat_count = in.Signed();
  e.seats_digest = in.String();
  counts.available = in.Signed();
  counts.held = in.Signed();
  counts.sold = in.Signed();
  return counts;
}

// Encodes the payload with `put_data` into a scratch buffer, then appends
// it to the body behind its length.
template <typename PutData>
void Append(std::string& body, ChangeType type, std::string_view owner,
            std::span<const Movement> movements, PutData put_data) {
  thread_local std::string payload;
  payload.clear();
  PutByte(payload, static_cast<std::uint8_t>(type));
  PutString(payload, owner);
  put_data(payload);
  PutMovements(payload, movements);
  PutVarint(body, payload.size());
  body.append(payload);
}

bool Valid(ReservationStatus s) { return static_cast<int>(s) <= 3; }
bool Valid(OrderStatus s) { return static_cast<int>(s) <= 1; }
bool Valid(TransferStatus s) { return static_cast<int>(s) <= 3; }
bool Valid(WaitlistStatus s) { return static_cast<int>(s) <= 4; }

}  // namespace

DataKind DataKindOf(ChangeType type) {
  switch (type) {
    case ChangeType::kItemCreated:
    case ChangeType::kItemAdjusted:
    case ChangeType::kAccountCreated:
      return DataKind::kItem;
    case ChangeType::kReservationCreated:
    case ChangeType::kReservationConfirmed:
    case ChangeType::kReservationCancelled:
    case ChangeType::kReservationExpired:
    case ChangeType::kReservationExtended:
      return DataKind::kReservation;
    case ChangeType::kOrderPlaced:
    case ChangeType::kOrderCancelled:
      return DataKind::kOrder;
    case ChangeType::kTransferPosted:
    case ChangeType::kTransferHeld:
    case ChangeType::kTransferConfirmed:
    case ChangeType::kTransferCancelled:
    case ChangeType::kTransferExpired:
      return DataKind::kTransfer;
    case ChangeType::kEventCreated:
      return DataKind::kEvent;
    case ChangeType::kWaitlistJoined:
    case ChangeType::kWaitlistOffered:
    case ChangeType::kWaitlistLapsed:
    case ChangeType::kWaitlistLeft:
      return DataKind::kWaitlist;
    case ChangeType::kDrawCreated:
    case ChangeType::kDrawDrawn:
      return DataKind::kDraw;
    case ChangeType::kDrawEntered:
      return DataKind::kDrawEntry;
  }
  return DataKind::kItem;
}

std::string NewBlockBody() {
  std::string body;
  PutByte(body, kBlockFormat);
  return body;
}

void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Item& item,
                  std::span<const Movement> movements, std::int64_t) {
  Append(body, type, owner, movements, [&](std::string& out) { PutItem(out, item); });
}

void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Reservation& r,
                  std::span<const Movement> movements, std::int64_t at_ms) {
  Append(body, type, owner, movements, [&](std::string& out) { PutReservation(out, r, at_ms); });
}

void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Order& order,
                  std::span<const Movement> movements, std::int64_t at_ms) {
  Append(body, type, owner, movements, [&](std::string& out) { PutOrder(out, order, at_ms); });
}

void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Transfer& t,
                  std::span<const Movement> movements, std::int64_t at_ms) {
  Append(body, type, owner, movements, [&](std::string& out) { PutTransfer(out, t, at_ms); });
}

void AppendChange(std::string& body, ChangeType type, std::string_view owner,
                  const EventCounts& event, std::span<const Movement> movements, std::int64_t) {
  Append(body, type, owner, movements, [&](std::string& out) { PutEvent(out, event); });
}

void AppendChange(std::string& body, ChangeType type, std::string_view owner,
                  const WaitlistEntry& entry, std::span<const Movement> movements,
                  std::int64_t at_ms) {
  Append(body, type, owner, movements,
         [&](std::string& out) { PutWaitlistEntry(out, entry, at_ms); });
}

void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Draw& draw,
                  std::span<const Movement> movements, std::int64_t at_ms) {
  Append(body, type, owner, movements, [&](std::string& out) { PutDraw(out, draw, at_ms); });
}

void AppendChange(std::string& body, ChangeType type, std::string_view owner,
                  const DrawEntry& entry, std::span<const Movement> movements,
                  std::int64_t at_ms) {
  Append(body, type, owner, movements, [&](std::string& out) { PutDrawEntry(out, entry, at_ms); });
}

void AppendChange(std::string& body, const Change& change, std::int64_t at_ms) {
  std::visit(
      [&](const auto& data) {
        AppendChange(body, change.type, change.owner, data, change.movements, at_ms);
      },
      change.data);
}

Expected<std::vector<EncodedChange>> SplitBlock(std::string_view body, std::int64_t first_seq,
                                                std::int64_t count) {
  Reader in(body);
  if (in.Byte() != kBlockFormat || !in.ok()) {
    return Fail(Unavailable("A journal block has an unknown format."));
  }
  std::vector<EncodedChange> changes;
  if (count > 0 && count < (1 << 24)) changes.reserve(static_cast<std::size_t>(count));
  while (!in.done()) {
    std::string_view payload = in.View();
    if (!in.ok() || payload.empty()) break;
    const auto type = ChangeTypeFromNumber(static_cast<std::uint8_t>(payload[0]));
    if (!type) {
      return Fail(Unavailable("Journal block at seq " + std::to_string(first_seq) +
                              " has a change of unknown type " +
                              std::to_string(static_cast<std::uint8_t>(payload[0])) + "."));
    }
    changes.push_back(EncodedChange{first_seq + static_cast<std::int64_t>(changes.size()), *type,
                                    payload});
  }
  if (!in.ok() || static_cast<std::int64_t>(changes.size()) != count) {
    return Fail(Unavailable("Journal block at seq " + std::to_string(first_seq) +
                            " is malformed: it should hold " + std::to_string(count) +
                            " changes."));
  }
  return changes;
}

ChangeHeader PeekHeader(const EncodedChange& encoded) {
  if (encoded.payload.empty()) return {};
  Reader in(encoded.payload.substr(1));  // after the type byte
  ChangeHeader header;
  header.owner = in.View();
  header.id = in.View();
  if (!in.ok()) return {};
  return header;
}

Expected<Change> DecodeChange(const EncodedChange& encoded, std::int64_t at_ms) {
  Reader in(encoded.payload);
  Change change;
  change.seq = encoded.seq;
  change.at_ms = at_ms;
  change.type = encoded.type;
  in.Byte();  // the type, already read by SplitBlock
  change.owner = in.String();
  bool valid_status = true;
  switch (DataKindOf(change.type)) {
    case DataKind::kItem:
      change.data = GetItem(in);
      break;
    case DataKind::kReservation: {
      Reservation r = GetReservation(in, at_ms);
      r.owner = change.owner;
      valid_status = Valid(r.status);
      change.data = std::move(r);
      break;
    }
    case DataKind::kOrder: {
      Order o = GetOrder(in, at_ms);
      o.owner = change.owner;
      valid_status = Valid(o.status);
      change.data = std::move(o);
      break;
    }
    case DataKind::kTransfer: {
      Transfer t = GetTransfer(in, at_ms);
      t.owner = change.owner;
      valid_status = Valid(t.status);
      change.data = std::move(t);
      break;
    }
    case DataKind::kEvent:
      change.data = GetEvent(in);
      break;
    case DataKind::kWaitlist: {
      WaitlistEntry e = GetWaitlistEntry(in, at_ms);
      e.owner = change.owner;
      valid_status = Valid(e.status);
      change.data = std::move(e);
      break;
    }
    case DataKind::kDraw: {
      Draw d = GetDraw(in, at_ms);
      d.owner = change.owner;
      change.data = std::move(d);
      break;
    }
    case DataKind::kDrawEntry: {
      DrawEntry e = GetDrawEntry(in, at_ms);
      e.owner = change.owner;
      change.data = std::move(e);
      break;
    }
  }
  change.movements = GetMovements(in);
  for (const Movement& m : change.movements) {
    if (static_cast<int>(m.kind) > static_cast<int>(LedgerKind::kCredit)) valid_status = false;
  }
  if (!in.ok() || !in.done() || !valid_status) {
    return Fail(Unavailable("Journal change " + std::to_string(encoded.seq) + " is malformed."));
  }
  return change;
}

Expected<std::vector<Change>> DecodeBlock(std::string_view body, std::int64_t first_seq,
                                          std::int64_t count, std::int64_t at_ms) {
  auto encoded = SplitBlock(body, first_seq, count);
  if (!encoded) return Fail(std::move(encoded.error()));
  std::vector<Change> changes;
  changes.reserve(encoded->size());
  for (const EncodedChange& e : *encoded) {
    auto change = DecodeChange(e, at_ms);
    if (!change) return Fail(std::move(change.error()));
    changes.push_back(std::move(*change));
  }
  return changes;
}

}  // namespace allot::journal
