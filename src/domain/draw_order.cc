#include "domain/draw_order.h"

#include <algorithm>
#include <numeric>

#include "core/digest.h"

namespace allot::domain {

std::string SeedHash(std::string_view seed) { return ToHex(Sha256(seed)); }

DrawResult RunDraw(std::string_view seed, std::span<const DrawEntrant> entrants,
                   std::int64_t units) {
  // Raw digests order exactly as their lowercase hex does.
  std::vector<Sha256Digest> keys;
  keys.reserve(entrants.size());
  std::string input(seed);
  for (const DrawEntrant& entrant : entrants) {
    input.resize(seed.size());
    input += entrant.user_id;
    keys.push_back(Sha256(input));
  }
  DrawResult result;
  result.ranked.resize(entrants.size());
  std::iota(result.ranked.begin(), result.ranked.end(), std::size_t{0});
  std::stable_sort(result.ranked.begin(), result.ranked.end(),
                   [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  result.offered.reserve(entrants.size());
  result.units_left = units;
  for (std::size_t index : result.ranked) {
    const bool fits = entrants[index].qty <= result.units_left;
    if (fits) result.units_left -= entrants[index].qty;
    result.offered.push_back(fits);
  }
  return result;
}

}  // namespace allot::domain
