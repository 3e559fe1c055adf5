// Waiting lists: the rule that hands freed units to the people waiting for
// them, applied in the same transaction that frees them. Internal to the
// domain.
//
// The invariant, true after every command: while an item has entries
// waiting, its head entry does not fit in the free units (onHand - held),
// and every free unit is withheld from the public (Item::withheld).
// Commands that free units (a hold ended by cancel or expiry, an order
// cancelled, stock adjusted up, an entry leaving) call ServeWaitlist on
// the item, so offers commit in the same batch as the units they use.
#ifndef ALLOT_DOMAIN_WAITLIST_H_
#define ALLOT_DOMAIN_WAITLIST_H_

#include "allot/error.h"
#include "allot/model.h"
#include "domain/rules.h"
#include "domain/working_set.h"

namespace allot::domain {

// Offers free units of `item` to its waiting entries in strict ticket
// order: while the head entry's whole qty is free, it gets a held
// reservation (its offerTtlSeconds) and becomes kOffered. An entry whose
// offer would pass the item's per-user cap (the user holds or bought more
// since joining) is kLapsed and the next one is tried. Stops at the first
// entry that does not fit: nobody overtakes it. No-op when nobody waits.
Status ServeWaitlist(WorkingSet& ws, Item& item, const Context& ctx);

// A held reservation ended: if it was an entry's offer, the entry becomes
// kFulfilled (confirmed) or kLapsed (cancelled or expired). Cheap for
// items that never had a waiting list (Item::tickets == 0).
Status SettleOffer(WorkingSet& ws, const Reservation& reservation, ReservationStatus end);

}  // namespace allot::domain

#endif  // ALLOT_DOMAIN_WAITLIST_H_
