#include "store/sqlite_memory.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <mutex>
#include <unordered_map>

namespace allot::sqlite {

MemoryState::MemoryState() = default;
MemoryState::~MemoryState() { expiry_.clear(); }

MemoryState::Staged::Staged() = default;
MemoryState::Staged::~Staged() = default;
MemoryState::Staged::Staged(Staged&&) noexcept = default;
MemoryState::Staged& MemoryState::Staged::operator=(Staged&&) noexcept = default;

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

bool MemoryState::IsLive(std::string_view id) const { return HoldOf(id) != nullptr; }

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
  for (const Hold& hold : expiry_) {
    if (hold.expires_at_ms > now_ms || !visit(hold)) return;
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
  return !expiry_.empty() && expiry_.begin()->expires_at_ms <= now_ms;
}

std::int64_t MemoryState::LiveFrom(std::int64_t head) const {
  return live_blocks_.empty() ? head + 1 : live_blocks_.begin()->first;
}

void MemoryState::LoadItem(Item item) {
  auto it = items_.find(item.id);
  if (it != items_.end()) {
    it->second = std::move(item);
    return;
  }
  std::string id = item.id;
  items_.emplace(std::move(id), std::move(item));
}

void MemoryState::LoadEvent(Event event) {
  std::string id = event.id;
  events_.insert_or_assign(std::move(id), std::move(event));
}

void MemoryState::LoadUsage(UserUsage usage) {
  auto key = std::pair{usage.user_id, usage.item_id};
  usage_.insert_or_assign(std::move(key), std::move(usage));
}

const std::string* MemoryState::ItemKey(std::string_view item_id) const {
  auto item = items_.find(item_id);
  return item != items_.end() ? &item->first : nullptr;
}

const std::string* MemoryState::ItemKeyOrOrphan(std::string_view item_id) {
  // A line's item exists (the rules loaded it to hold it); a hold replayed
  // from a journal whose item is gone keeps its own copy of the name.
  if (const std::string* key = ItemKey(item_id)) return key;
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

MemoryState::Hold MemoryState::MakeHold(
    const Reservation& r, const Transfer* transfer, std::int64_t created_block,
    std::vector<std::pair<std::size_t, std::string>>* unresolved) {
  assert(r.id.size() <= Hold::kMaxId && !r.lines.empty());
  Hold hold;
  const std::size_t id_size = std::min(r.id.size(), Hold::kMaxId);
  std::memcpy(hold.id, r.id.data(), id_size);
  hold.id_size = static_cast<std::uint8_t>(id_size);
  hold.owner = Intern(r.owner);
  hold.user_id = r.user_id;
  if (r.lines.size() > 1) hold.more_lines.reserve(r.lines.size() - 1);
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const std::string* key =
        unresolved != nullptr ? ItemKey(r.lines[i].item_id) : ItemKeyOrOrphan(r.lines[i].item_id);
    if (key == nullptr) unresolved->emplace_back(i, r.lines[i].item_id);
    if (i == 0) {
      hold.first_item = key;
      hold.first_qty = r.lines[i].qty;
    } else {
      hold.more_lines.emplace_back(key, r.lines[i].qty);
    }
  }
  hold.created_at_ms = r.created_at_ms;
  hold.expires_at_ms = r.expires_at_ms;
  hold.created_block = created_block;
  if (transfer != nullptr) hold.transfer = std::make_unique<Transfer>(*transfer);
  return hold;
}

void MemoryState::Insert(Hold hold) {
  hold.serial = next_serial_++;
  auto owned = std::make_unique<Hold>(std::move(hold));
  Hold& held = *owned;
  [[maybe_unused]] const bool inserted = holds_.emplace(held.Id(), std::move(owned)).second;
  assert(inserted);
  if (!loading_) Link(held);
}

void MemoryState::Link(Hold& held) {
  // Holds mostly arrive in expiry order (one TTL for all) and blocks in
  // seq order: inserting at the end is then constant time, not a descent
  // of a tree too large for the cache.
  const bool latest = expiry_.empty() || !ExpiryLess{}(held, *expiry_.rbegin());
  if (latest) {
    expiry_.insert(expiry_.end(), held);
  } else {
    expiry_.insert(held);
  }
  if (!live_blocks_.empty() && live_blocks_.rbegin()->first == held.created_block) {
    ++live_blocks_.rbegin()->second;
  } else {
    ++live_blocks_.emplace_hint(live_blocks_.end(), held.created_block, 0)->second;
  }
}

void MemoryState::PutHold(const Reservation& r, const Transfer* transfer,
                          std::int64_t created_block) {
  DropHold(r.id);
  Insert(MakeHold(r, transfer, created_block, nullptr));
}

void MemoryState::PutNewHold(const Reservation& r, const Transfer* transfer,
                             std::int64_t created_block) {
  Insert(MakeHold(r, transfer, created_block, nullptr));
}

std::optional<std::int64_t> MemoryState::HoldBlock(std::string_view id) const {
  const Hold* hold = HoldOf(id);
  if (hold == nullptr) return std::nullopt;
  return hold->created_block;
}

void MemoryState::EndLoading() {
  loading_ = false;
  std::vector<Hold*> left;
  left.reserve(holds_.size());
  for (auto& [id, hold] : holds_) left.push_back(hold.get());
  std::sort(left.begin(), left.end(),
            [](const Hold* a, const Hold* b) { return ExpiryLess{}(*a, *b); });
  for (Hold* hold : left) Link(*hold);
}

void MemoryState::DropHold(std::string_view id) {
  auto it = holds_.find(id);
  if (it == holds_.end()) return;
  Hold& hold = *it->second;
  if (loading_) {
    holds_.erase(it);
    return;
  }
  expiry_.erase(expiry_.iterator_to(hold));
  auto block = live_blocks_.find(hold.created_block);
  if (block != live_blocks_.end() && --block->second == 0) live_blocks_.erase(block);
  holds_.erase(it);
}

std::int64_t MemoryState::Staged::EarliestNewHold() const {
  std::int64_t earliest = std::numeric_limits<std::int64_t>::max();
  for (const Hold& hold : holds) earliest = std::min(earliest, hold.created_block);
  return earliest;
}

MemoryState::Staged MemoryState::Stage(BatchWrites writes) {
  Staged staged;
  staged.items = std::move(writes.items);
  staged.events = std::move(writes.new_events);
  staged.usage = std::move(writes.usage);
  // The block each record's first change of this batch went into.
  std::unordered_map<std::string_view, std::int64_t> first_block;
  for (const JournalBlock& block : writes.journal) {
    for (const std::string& id : block.records) first_block.emplace(id, block.first_seq);
  }
  // A held transfer's hold carries its transfer; transfers are rare, so
  // only transfer ids are looked up.
  std::unordered_map<std::string_view, const Transfer*> transfers;
  for (const Transfer& t : writes.new_transfers) transfers.emplace(t.id, &t);
  for (const Transfer& t : writes.updated_transfers) transfers.emplace(t.id, &t);
  auto transfer_of = [&](const std::string& id) -> const Transfer* {
    if (!IsTransferId(id)) return nullptr;
    if (auto it = transfers.find(id); it != transfers.end()) return it->second;
    const Hold* hold = HoldOf(id);
    return hold != nullptr ? hold->transfer.get() : nullptr;
  };
  std::vector<std::pair<std::size_t, std::string>> unresolved;
  auto stage = [&](const Reservation& r, std::int64_t created_block) {
    unresolved.clear();
    staged.holds.push_back(MakeHold(r, transfer_of(r.id), created_block, &unresolved));
    for (auto& [line, item] : unresolved) {
      staged.unresolved.push_back({staged.holds.size() - 1, line, std::move(item)});
    }
  };
  staged.holds.reserve(writes.new_reservations.size());
  for (const Reservation& r : writes.new_reservations) {
    if (r.status != ReservationStatus::kHeld) continue;
    auto block = first_block.find(r.id);
    stage(r, block != first_block.end() ? block->second : 0);
  }
  for (Reservation& r : writes.updated_reservations) {
    if (r.status != ReservationStatus::kHeld) {
      staged.ended.push_back(std::move(r.id));
      continue;
    }
    // Still held but changed (a new expiry): replaced, keeping its
    // creation block.
    staged.ended.push_back(r.id);
    stage(r, HoldBlock(r.id).value_or(0));
  }
  return staged;
}

void MemoryState::Apply(Staged staged) {
  std::unique_lock lock(mu_);
  for (Item& item : staged.items) LoadItem(std::move(item));
  for (Event& event : staged.events) LoadEvent(std::move(event));
  for (UserUsage& usage : staged.usage) LoadUsage(std::move(usage));
  for (const Staged::Unresolved& line : staged.unresolved) {
    Hold& hold = staged.holds[line.hold];
    const std::string* key = ItemKeyOrOrphan(line.item);
    (line.line == 0 ? hold.first_item : hold.more_lines[line.line - 1].first) = key;
  }
  for (const std::string& id : staged.ended) DropHold(id);
  for (Hold& hold : staged.holds) Insert(std::move(hold));
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
    seats.push_back(
        SeatState{it->first.substr(first.size()), SeatStatusOf(ItemAt(it->second, now_ms))});
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
