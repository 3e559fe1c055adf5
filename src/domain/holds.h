// Rules shared by reservations and orders: summing lines per item, checking
// that lines can be served, and ending a hold. Internal to the domain.
#ifndef ALLOT_DOMAIN_HOLDS_H_
#define ALLOT_DOMAIN_HOLDS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "allot/error.h"
#include "allot/model.h"
#include "domain/rules.h"
#include "domain/working_set.h"

namespace allot::domain {

// Lines summed per item, in the order items first appear: two lines naming
// the same item count together.
std::vector<Line> SumPerItem(const std::vector<Line>& lines);

// The item with every hold on it that is past expiry released first, so its
// `held` counts only live holds. nullptr when the item does not exist.
Expected<Item*> LoadLiveItem(WorkingSet& ws, std::string_view id, const Context& ctx);

// One line of a request, resolved: its item and the units it asks for.
struct Claim {
  Item* item = nullptr;
  std::int64_t qty = 0;
  UserUsage* usage = nullptr;  // set only when the item has a per-user cap
};

// Resolves summed lines for `user_id` and checks that every one can be
// served: the item exists (404), enough is available (out_of_stock) and the
// user's cap is respected (limit_exceeded). Changes nothing.
Expected<std::vector<Claim>> ClaimLines(WorkingSet& ws, const std::vector<Line>& summed,
                                        std::string_view user_id, const Context& ctx);

// Ends a held reservation as kCancelled or kExpired: units back to
// available, usage and ledger updated.
Status EndHold(WorkingSet& ws, Reservation& reservation, ReservationStatus end, const Context& ctx);

// Finds the usage row to update for a user on an item; nullptr when the
// item has no per-user cap (usage is then not tracked).
Expected<UserUsage*> CappedUsage(WorkingSet& ws, const Item& item, std::string_view user_id);

}  // namespace allot::domain

#endif  // ALLOT_DOMAIN_HOLDS_H_
