// Events with named seats. Each seat is a seat item of one unit (see
// model.h), so holding, selling and freeing seats is the reservation
// machinery's; this file only creates events and counts their seats.
#include <algorithm>
#include <cstdio>

#include "domain/decisions.h"
#include "domain/holds.h"

namespace allot::domain {
namespace {

// FNV-1a, 64 bits, of the sorted names joined by '\n', with the count: only
// needed to tell a retried create from a different one for the same id.
std::string SeatsDigest(std::vector<std::string> seats) {
  std::sort(seats.begin(), seats.end());
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const std::string& seat : seats) {
    for (unsigned char c : seat) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
    h ^= '\n';
    h *= 0x100000001b3ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// Counts the event's seats by status at the batch's instant; seats whose
// holds are due are freed first, so they count as available.
Expected<EventCounts> Count(WorkingSet& ws, const Event& event,
                            const std::vector<std::string>& seats, const Context& ctx) {
  EventCounts counts{.event = event};
  for (const std::string& seat : seats) {
    auto item = LoadLiveItem(ws, SeatItemId(event.id, seat), ctx);
    if (!item) return std::unexpected(item.error());
    if (*item == nullptr) return Fail(Unavailable("Seat '" + seat + "' of an event is gone."));
    CountSeat(counts, SeatStatusOf(**item));
  }
  return counts;
}

}  // namespace

CommandResult DecideCreateEvent(const CreateEvent& c, WorkingSet& ws, const Context& ctx) {
  const std::string digest = SeatsDigest(c.seats);
  const auto seat_count = static_cast<std::int64_t>(c.seats.size());
  auto existing = ws.FindEvent(c.id);
  if (!existing) return std::unexpected(existing.error());
  if (Event* event = *existing) {
    // A repeated create is fine when it asks for the same thing (a retry).
    if (event->name == c.name && event->seat_count == seat_count && event->seats_digest == digest) {
      auto counts = Count(ws, *event, c.seats, ctx);
      if (!counts) return std::unexpected(counts.error());
      return Outcome{std::move(*counts), false};
    }
    Error e{ErrorCode::kAlreadyExists,
            "Event '" + c.id + "' already exists with different attributes.",
            {}};
    e.With("resource", "event").With("id", c.id);
    return Fail(std::move(e));
  }
  Event& event = ws.AddEvent(
      Event{.id = c.id, .name = c.name, .seat_count = seat_count, .seats_digest = digest});
  for (const std::string& seat : c.seats) {
    Item& item = ws.AddItem(Item{.id = SeatItemId(c.id, seat), .on_hand = 1, .created_on_hand = 1});
    ws.Move(item, LedgerKind::kCreate, 1, 0, 0);
  }
  EventCounts counts{.event = event, .available = seat_count};
  ws.Record(ChangeType::kEventCreated, counts);
  return Outcome{std::move(counts), true};
}

}  // namespace allot::domain
