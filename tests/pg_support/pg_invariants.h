// The invariants of allot's PostgreSQL schema as one query, for tests that
// check a database after concurrent load.
#ifndef ALLOT_TESTS_PG_SUPPORT_PG_INVARIANTS_H_
#define ALLOT_TESTS_PG_SUPPORT_PG_INVARIANTS_H_

#include <string_view>

namespace allot::testing {

// The number of items whose counters disagree with the rows behind them
// ("0" when all agree): held is the sum of the live holds and of the lines
// of held reservations, sold the sum of the lines of placed orders, and
// on_hand + sold what the item was created with (no adjustments or returns
// in these tests). Their agreement with the journal (the movements) is the
// audit's to check: SQL cannot read the journal's encoding.
inline constexpr std::string_view kBrokenItemsSql = R"sql(
SELECT count(*) FROM items i WHERE
  i.held <> coalesce((SELECT sum(qty) FROM holds h WHERE h.item_id = i.id), 0)
  OR i.held <> coalesce((SELECT sum(l.qty) FROM reservation_lines l
                         JOIN reservations r ON r.id = l.reservation_id
                         WHERE r.status = 'held' AND l.item_id = i.id), 0)
  OR i.sold <> coalesce((SELECT sum(l.qty) FROM order_lines l JOIN orders o ON o.id = l.order_id
                         WHERE o.status = 'placed' AND l.item_id = i.id), 0)
  OR i.on_hand + i.sold <> i.created_on_hand
)sql";

}  // namespace allot::testing

#endif  // ALLOT_TESTS_PG_SUPPORT_PG_INVARIANTS_H_
