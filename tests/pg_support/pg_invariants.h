// The invariants of allot's PostgreSQL schema as one query, for tests that
// check a database after concurrent load.
#ifndef ALLOT_TESTS_PG_SUPPORT_PG_INVARIANTS_H_
#define ALLOT_TESTS_PG_SUPPORT_PG_INVARIANTS_H_

#include <string_view>

namespace allot::testing {

// The number of items whose counters disagree with the rows behind them
// ("0" when all agree): held is the sum of the live holds and of the lines
// of held reservations, sold the sum of the lines of placed orders, each
// counter the sum of its ledger deltas, and on_hand + sold what the item
// was created with (no adjustments or returns in these tests).
inline constexpr std::string_view kBrokenItemsSql = R"sql(
SELECT count(*) FROM items i WHERE
  i.held <> coalesce((SELECT sum(qty) FROM holds h WHERE h.item_id = i.id), 0)
  OR i.held <> coalesce((SELECT sum(l.qty) FROM reservation_lines l
                         JOIN reservations r ON r.id = l.reservation_id
                         WHERE r.status = 'held' AND l.item_id = i.id), 0)
  OR i.sold <> coalesce((SELECT sum(l.qty) FROM order_lines l JOIN orders o ON o.id = l.order_id
                         WHERE o.status = 'placed' AND l.item_id = i.id), 0)
  OR (i.on_hand, i.held, i.sold) <>
     (SELECT sum(on_hand_delta), sum(held_delta), sum(sold_delta) FROM ledger g
      WHERE g.item_id = i.id)
  OR i.on_hand + i.sold <> i.created_on_hand
)sql";

}  // namespace allot::testing

#endif  // ALLOT_TESTS_PG_SUPPORT_PG_INVARIANTS_H_
