#include "store/sqlite_memory.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <mutex>

namespace allot::sqlite {

// A live hold, compact: ids up to 30 characters (every id a server hands
// out) inline, the owner interned, item ids pointing at the items' own
// keys, the common single line inline.
struct MemoryState::Hold {
  static constexpr std::size_t kMaxId = 31;
  char id[kMaxId + 1] = {};
  std::uint8_t id_size = 0;
  std::uint32_t owner = 0;
  std::string user_id;
  const std::string* first_item = nullptr;
  std::int64_t first_qty = 0;
  std::vector<std::pair<const std::string*, std::int64_t>> more_lines;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::int64_t created_block = 0;
  std::int64_t serial = 0;  // this hold's entry in the expiry order
  std::unique_ptr<Transfer> transfer;  // set for a held transfer's hold

  std::string_view Id() const { return std::string_view(id, id_size); }
  template <typename Visit>
  void ForEachLine(Visit visit) const {
    visit(*first_item, first_qty);
    for (const auto& [item, qty] : more_lines) visit(*item, qty);
  }
};

MemoryState::MemoryState() = default;
MemoryState::~MemoryState() = default;

const Item* MemoryState::FindItem(std::string_view id) const {
  auto it = items_.find(id);
  return it == items_.end() ? nullptr : &it->second;
}

const Event* MemoryState::FindEvent(std::string_view id) const {
  auto it = events_.find(id);
  return it == events_.end() ? nullptr : &it->second;
}

const UserUsage* MemoryState::FindUsage(std::string_view user_id, std::string_view item_id) const {
  auto it = usage_.find(std::pair{std::string(user_id), std::string(item_id)});
  return it == usage_.end() ? nullptr : &it->second;
}

const MemoryState::Hold* MemoryState::HoldOf(std::string_view id) const {
  auto it = holds_.find(id);
  return it == holds_.end() ? nullptr : it->second.get();
}

Reservation MemoryState::ReservationOf(const Hold& hold) const {
  Reservation r;
  r.id = std::string(hold.Id());
  r.user_id = hold.user_id;
  r.owner = owners_[hold.owner];
  r.status = ReservationStatus::kHeld;
  r.lines.reserve(1 + hold.more_lines.size());
  hold.ForEachLine([&](const std::string& item, std::int64_t qty) {
    r.lines.push_back(Line{item, qty});
  });
  r.created_at_ms = hold.created_at_ms;
  r.expires_at_ms = hold.expires_at_ms;
  return r;
}

std::optional<Reservation> MemoryState::FindHold(std::string_view id) const {
  const Hold* hold = HoldOf(id);
  if (hold == nullptr) return std::nullopt;
  return ReservationOf(*hold);
}

std::optional<Transfer> MemoryState::FindHeldTransfer(std::string_view id) const {
  const Hold* hold = HoldOf(id);
  if (hold == nullptr || hold->transfer == nullptr) return std::nullopt;
  return *hold->transfer;
}

template <typename Visit>
void MemoryState::ForEachDue(std::int64_t now_ms, Visit visit) const {
  for (const auto& [entry, hold] : expiry_) {
    if (entry.expires_at_ms > now_ms || !visit(*hold)) return;
  }
}

std::vector<std::string> MemoryState::DueOnItem(std::string_view item_id, std::int64_t now_ms,
                                                std::size_t limit) const {
  // Every due hold on the item, then the first `limit` by id: due holds
  // are few (any batch expires them), so sorting them is cheap.
  std::vector<std::string> ids;
  ForEachDue(now_ms, [&](const Hold& hold) {
    bool on_item = false;
    hold.ForEachLine([&](const std::string& item, std::int64_t) { on_item |= item == item_id; });
    if (on_item) ids.emplace_back(hold.Id());
    return true;
  });
  std::sort(ids.begin(), ids.end());
  if (ids.size() > limit) ids.resize(limit);
  return ids;
}

std::vector<std::string> MemoryState::Due(std::int64_t now_ms, std::size_t limit) const {
  std::vector<std::string> ids;
  if (limit == 0) return ids;
  ForEachDue(now_ms, [&](const Hold& hold) {
    ids.emplace_back(hold.Id());
    return ids.size() < limit;
  });
  return ids;
}

bool MemoryState::AnyDue(std::int64_t now_ms) const {
  return !expiry_.empty() && expiry_.begin()->first.expires_at_ms <= now_ms;
}

std::int64_t MemoryState::LiveFrom(std::int64_t head) const {
  return live_blocks_.empty() ? head + 1 : live_blocks_.begin()->first;
}

void MemoryState::LoadItem(Item item) {
  std::string id = item.id;
  items_.insert_or_assign(std::move(id), std::move(item));
}

void MemoryState::LoadEvent(Event event) {
  std::string id = event.id;
  events_.insert_or_assign(std::move(id), std::move(event));
}

void MemoryState::LoadUsage(UserUsage usage) {
  auto key = std::pair{usage.user_id, usage.item_id};
  usage_.insert_or_assign(std::move(key), std::move(usage));
}

const std::string* MemoryState::ItemKey(std::string_view item_id) {
  // A line's item exists (the rules loaded it to hold it); a hold replayed
  // from a journal whose item is gone keeps its own copy of the name.
  if (auto item = items_.find(item_id); item != items_.end()) return &item->first;
  return &*orphan_items_.emplace(item_id).first;
}

std::uint32_t MemoryState::Intern(std::string_view owner) {
  auto it = owner_index_.find(owner);
  if (it != owner_index_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(owners_.size());
  owners_.emplace_back(owner);
  owner_index_.emplace(std::string(owner), index);
  return index;
}

void MemoryState::PutHold(const Reservation& r, const Transfer* transfer,
                          std::int64_t created_block) {
  assert(r.id.size() <= Hold::kMaxId && !r.lines.empty());
  DropHold(r.id);
  auto hold = std::make_unique<Hold>();
  const std::size_t id_size = std::min(r.id.size(), Hold::kMaxId);
  std::memcpy(hold->id, r.id.data(), id_size);
  hold->id_size = static_cast<std::uint8_t>(id_size);
  hold->owner = Intern(r.owner);
  hold->user_id = r.user_id;
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const std::string* key = ItemKey(r.lines[i].item_id);
    if (i == 0) {
      hold->first_item = key;
      hold->first_qty = r.lines[i].qty;
    } else {
      hold->more_lines.emplace_back(key, r.lines[i].qty);
    }
  }
  hold->created_at_ms = r.created_at_ms;
  hold->expires_at_ms = r.expires_at_ms;
  hold->created_block = created_block;
  hold->serial = next_serial_++;
  if (transfer != nullptr) hold->transfer = std::make_unique<Transfer>(*transfer);
  Hold* raw = hold.get();
  expiry_.emplace(ExpiryEntry{raw->expires_at_ms, raw->serial}, raw);
  ++live_blocks_[created_block];
  holds_.emplace(raw->Id(), std::move(hold));
}

std::optional<std::int64_t> MemoryState::HoldBlock(std::string_view id) const {
  const Hold* hold = HoldOf(id);
  if (hold == nullptr) return std::nullopt;
  return hold->created_block;
}

void MemoryState::DropHold(std::string_view id) {
  auto it = holds_.find(id);
  if (it == holds_.end()) return;
  const Hold& hold = *it->second;
  expiry_.erase(ExpiryEntry{hold.expires_at_ms, hold.serial});
  auto block = live_blocks_.find(hold.created_block);
  if (block != live_blocks_.end() && --block->second == 0) live_blocks_.erase(block);
  holds_.erase(it);
}

std::int64_t MemoryState::Staged::EarliestNewHold() const {
  std::int64_t earliest = std::numeric_limits<std::int64_t>::max();
  for (const HeldRecord& held : holds) earliest = std::min(earliest, held.created_block);
  return earliest;
}

MemoryState::Staged MemoryState::Stage(const BatchWrites& writes) const {
  Staged staged;
  staged.items = writes.items;
  staged.events = writes.new_events;
  staged.usage = writes.usage;
  // The block each record's first change of this batch went into.
  std::unordered_map<std::string_view, std::int64_t> first_block;
  for (const JournalBlock& block : writes.journal) {
    for (const std::string& id : block.records) first_block.emplace(id, block.first_seq);
  }
  std::unordered_map<std::string_view, const Transfer*> transfers;
  for (const Transfer& t : writes.new_transfers) transfers.emplace(t.id, &t);
  for (const Transfer& t : writes.updated_transfers) transfers.emplace(t.id, &t);
  auto transfer_of = [&](const std::string& id) -> std::optional<Transfer> {
    if (auto it = transfers.find(id); it != transfers.end()) return *it->second;
    if (const Hold* hold = HoldOf(id); hold != nullptr && hold->transfer) return *hold->transfer;
    return std::nullopt;
  };
  for (const Reservation& r : writes.new_reservations) {
    if (r.status != ReservationStatus::kHeld) continue;
    auto block = first_block.find(r.id);
    staged.holds.push_back(
        {r, transfer_of(r.id), block != first_block.end() ? block->second : 0});
  }
  for (const Reservation& r : writes.updated_reservations) {
    if (r.status != ReservationStatus::kHeld) {
      staged.ended.push_back(r.id);
      continue;
    }
    // Still held but changed (a new expiry): it keeps its creation block.
    const Hold* hold = HoldOf(r.id);
    staged.holds.push_back({r, transfer_of(r.id), hold != nullptr ? hold->created_block : 0});
  }
  return staged;
}

void MemoryState::Apply(Staged staged) {
  std::unique_lock lock(mu_);
  for (Item& item : staged.items) LoadItem(std::move(item));
  for (Event& event : staged.events) LoadEvent(std::move(event));
  for (UserUsage& usage : staged.usage) LoadUsage(std::move(usage));
  for (const std::string& id : staged.ended) DropHold(id);
  for (const Staged::HeldRecord& held : staged.holds) {
    PutHold(held.reservation, held.transfer ? &*held.transfer : nullptr, held.created_block);
  }
}

std::int64_t MemoryState::DueHeld(std::string_view item_id, std::int64_t now_ms) const {
  std::int64_t held = 0;
  ForEachDue(now_ms, [&](const Hold& hold) {
    hold.ForEachLine([&](const std::string& item, std::int64_t qty) {
      if (item == item_id) held += qty;
    });
    return true;
  });
  return held;
}

Item MemoryState::ItemAt(const Item& item, std::int64_t now_ms) const {
  Item view = item;
  view.held -= DueHeld(item.id, now_ms);
  return view;
}

std::optional<Item> MemoryState::ReadItem(std::string_view id, std::int64_t now_ms) const {
  std::shared_lock lock(mu_);
  const Item* item = FindItem(id);
  if (item == nullptr) return std::nullopt;
  return ItemAt(*item, now_ms);
}

ItemPage MemoryState::ReadItems(std::string_view after, std::size_t limit,
                                std::int64_t now_ms) const {
  ItemPage page;
  if (limit == 0) return page;
  std::shared_lock lock(mu_);
  for (auto it = items_.upper_bound(after); it != items_.end(); ++it) {
    if (page.items.size() == limit) {
      page.next = page.items.back().id;
      break;
    }
    page.items.push_back(ItemAt(it->second, now_ms));
  }
  return page;
}

std::optional<std::vector<SeatState>> MemoryState::ReadSeats(std::string_view event_id,
                                                             std::int64_t now_ms) const {
  std::shared_lock lock(mu_);
  return SeatsAt(event_id, now_ms);
}

std::optional<std::vector<SeatState>> MemoryState::SeatsAt(std::string_view event_id,
                                                           std::int64_t now_ms) const {
  const Event* event = FindEvent(event_id);
  if (event == nullptr) return std::nullopt;
  auto [first, last] = SeatItemRange(event_id);
  std::vector<SeatState> seats;
  seats.reserve(static_cast<std::size_t>(event->seat_count));
  for (auto it = items_.lower_bound(first); it != items_.end() && it->first < last; ++it) {
    seats.push_back(SeatState{it->first.substr(first.size()), SeatStatusOf(ItemAt(it->second, now_ms))});
  }
  return seats;
}

std::optional<EventCounts> MemoryState::ReadEvent(std::string_view id, std::int64_t now_ms) const {
  std::shared_lock lock(mu_);
  auto seats = SeatsAt(id, now_ms);
  if (!seats) return std::nullopt;
  return CountSeats(*FindEvent(id), *seats);
}

}  // namespace allot::sqlite
