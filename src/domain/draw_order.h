// The arithmetic of a fair drop ("Fair drops" in docs/api.md), kept apart so
// that it reads like the contract and anyone can check it against their own
// implementation (docs/draws.md has one in a dozen lines of Node):
//
// - seedHash = lowercase hex SHA-256 of the 32-byte seed, published when the
//   draw opens; the seed itself is published once it ran.
// - The rank order is the entries sorted by lowercase hex SHA-256 of
//   seed || userId (the seed's bytes, then the user id's UTF-8 bytes),
//   ascending; rank 1 is the first.
// - In rank order, each entry whose whole qty still fits in the draw's units
//   gets an offer; the others go to the item's waiting list, in rank order.
#ifndef ALLOT_DOMAIN_DRAW_ORDER_H_
#define ALLOT_DOMAIN_DRAW_ORDER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace allot::domain {

inline constexpr std::size_t kDrawSeedBytes = 32;

// Lowercase hex SHA-256 of the seed's bytes.
std::string SeedHash(std::string_view seed);

struct DrawEntrant {
  std::string user_id;
  std::int64_t qty = 0;
};

struct DrawResult {
  // Indexes into the entrants, best rank first (ranked[0] has rank 1).
  std::vector<std::size_t> ranked;
  // By rank position: whether that entry got an offer.
  std::vector<bool> offered;
  std::int64_t units_left = 0;  // of the draw's units, after the offers
};

// The rank order of `entrants` under `seed`, and who gets an offer out of
// `units`. User ids are distinct (one entry per user), so no two hashes tie
// short of a SHA-256 collision; were they to, the earlier entrant goes first.
DrawResult RunDraw(std::string_view seed, std::span<const DrawEntrant> entrants,
                   std::int64_t units);

}  // namespace allot::domain

#endif  // ALLOT_DOMAIN_DRAW_ORDER_H_
