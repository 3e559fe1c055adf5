// The concurrency scenarios of accounts, transfers and seats (issue 5),
// written once and run against one server (SQLite) or several servers that
// share one PostgreSQL database. Requests are spread over `ports` round
// robin; every check is a gtest assertion.
#ifndef ALLOT_TESTS_SUPPORT_MONEY_SCENARIOS_H_
#define ALLOT_TESTS_SUPPORT_MONEY_SCENARIOS_H_

#include <vector>

namespace allot::testing {

// Hundreds of simultaneous transfers among four accounts, a third of them
// held, while a reader watches the accounts; then every held transfer is
// settled (confirm or cancel, some both at once). Never a negative balance
// or available, never a 5xx, the total of all balances unchanged, and each
// balance equal to its opening balance plus what posted transfers moved.
void TransferStorm(const std::vector<int>& ports);

// a->b and b->a fired together, many rounds: every one completes (201), no
// deadlock surfaces as an error, and the balances end where they began.
void CrossingTransfers(const std::vector<int>& ports, int rounds);

// Hundreds of buyers for a few dozen seats: each seat ends up held by
// exactly one reservation; reservations mixing a free seat with an
// out-of-stock item all fail and leave that seat free.
void SeatRush(const std::vector<int>& ports);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_MONEY_SCENARIOS_H_
