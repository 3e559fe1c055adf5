// The few setup and check calls the scenarios make outside the load: create
// items, read items and reservations back. They run on up to kSetupConnections
// connections in parallel, and parse answers with Boost.JSON (not hot).
#ifndef ALLOT_BENCH_ITEM_API_H_
#define ALLOT_BENCH_ITEM_API_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "allot_bench/options.h"
#include "allot_bench/runner.h"
#include "allot_bench/scenario.h"

namespace allot::bench {

inline constexpr int kSetupConnections = 16;

struct ItemCounters {
  std::int64_t on_hand = 0;
  std::int64_t held = 0;
  std::int64_t available = 0;
  std::int64_t sold = 0;
};

// "bench-<scenario>-<unix ms>-<pid>": no two runs share item ids.
std::string UniquePrefix(Scenario scenario);

// POSTs each item with `stock` units. Returns "" or the first failure.
std::string CreateItems(Runner& runner, const std::vector<std::string>& ids, std::int64_t stock);

// GETs each item; nullopt for one that could not be read.
std::vector<std::optional<ItemCounters>> FetchItems(Runner& runner,
                                                    const std::vector<std::string>& ids);

// GETs each reservation's "status"; "" for one that could not be read.
std::vector<std::string> FetchReservationStatuses(Runner& runner,
                                                  const std::vector<std::string>& ids);

// The counters every item must satisfy whatever happened, and the ranges
// the client's observations imply: held in [held_min, held_max], sold in
// [sold_min, sold_max]. No adjustments are made, so onHand + sold == stock.
struct ItemExpectation {
  std::int64_t stock = 0;
  std::int64_t held_min = 0, held_max = 0;
  std::int64_t sold_min = 0, sold_max = 0;
};
void CheckItem(const std::string& id, const std::optional<ItemCounters>& got,
               const ItemExpectation& expected, CheckReport& report);

}  // namespace allot::bench

#endif  // ALLOT_BENCH_ITEM_API_H_
