// The draw's arithmetic against known SHA-256 values (from `sha256sum`, not
// from the product's code) and the contract's allocation rule.
#include "domain/draw_order.h"

#include <gtest/gtest.h>

#include "core/digest.h"

namespace allot::domain {
namespace {

TEST(DrawOrderTest, SeedHashIsTheHexSha256OfTheSeedBytes) {
  // printf '' | sha256sum; printf 'abc' | sha256sum
  EXPECT_EQ(SeedHash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(SeedHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string seed = *FromHex(std::string(64, '0'));
  ASSERT_EQ(seed.size(), kDrawSeedBytes);
  // head -c 32 /dev/zero | sha256sum
  EXPECT_EQ(SeedHash(seed), "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
}

TEST(DrawOrderTest, RanksBySha256OfSeedAndUserId) {
  // printf 'abcann' | sha256sum -> 12029dbd...
  // printf 'abcbob' | sha256sum -> cc3b866b...
  // printf 'abccat' | sha256sum -> a520eb18...
  std::vector<DrawEntrant> entrants{{"ann", 1}, {"bob", 1}, {"cat", 1}};
  DrawResult result = RunDraw("abc", entrants, 3);
  EXPECT_EQ(result.ranked, (std::vector<std::size_t>{0, 2, 1}));  // ann, cat, bob
  EXPECT_EQ(result.offered, (std::vector<bool>{true, true, true}));
}

TEST(DrawOrderTest, EachEntryThatStillFitsGetsAnOfferInRankOrder) {
  // With a seed where the order is known, check the allocation: 5 units,
  // wants in rank order 3, 4, 2, 1 -> 3 fits, 4 does not, 2 fits, 1 does not
  // (0 left).
  const std::string seed = "fixed";
  std::vector<DrawEntrant> entrants{{"a", 0}, {"b", 0}, {"c", 0}, {"d", 0}};
  DrawResult order = RunDraw(seed, entrants, 0);
  const std::int64_t wants[] = {3, 4, 2, 1};
  for (std::size_t rank = 0; rank < 4; ++rank) entrants[order.ranked[rank]].qty = wants[rank];
  DrawResult result = RunDraw(seed, entrants, 5);
  EXPECT_EQ(result.ranked, order.ranked) << "the order depends on seed and user ids only";
  EXPECT_EQ(result.offered, (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(result.units_left, 0);
}

TEST(DrawOrderTest, SecureRandomSeedsDiffer) {
  const std::string a = SecureRandomBytes(kDrawSeedBytes);
  const std::string b = SecureRandomBytes(kDrawSeedBytes);
  EXPECT_EQ(a.size(), kDrawSeedBytes);
  EXPECT_NE(a, b);
  EXPECT_EQ(FromHex(ToHex(a)), a);
  EXPECT_EQ(FromHex("zz"), std::nullopt);
  EXPECT_EQ(FromHex("abc"), std::nullopt);
}

}  // namespace
}  // namespace allot::domain
