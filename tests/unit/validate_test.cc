// Shape rules that need no state.
#include "api/validate.h"

#include <gtest/gtest.h>

namespace allot::api {
namespace {

std::string FieldOf(const CommandBody& body) {
  Status s = Validate(body);
  if (s) return "<valid>";
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
  const DetailValue* field = s.error().Detail("field");
  return field ? std::get<std::string>(*field) : "<no field>";
}

TEST(ValidateTest, IdsUseTheContractAlphabetAndLength) {
  EXPECT_TRUE(IsValidId("a"));
  EXPECT_TRUE(IsValidId("Sku-1.blue_XL:2026"));
  EXPECT_TRUE(IsValidId(std::string(128, 'x')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(129, 'x')));
  EXPECT_FALSE(IsValidId("a b"));
  EXPECT_FALSE(IsValidId("a/b"));
  EXPECT_FALSE(IsValidId("caf\xc3\xa9"));
}

TEST(ValidateTest, IdempotencyKeysArePrintableAscii) {
  EXPECT_TRUE(IsValidIdempotencyKey("order 42 / try 1"));
  EXPECT_TRUE(IsValidIdempotencyKey(std::string(255, 'k')));
  EXPECT_FALSE(IsValidIdempotencyKey(""));
  EXPECT_FALSE(IsValidIdempotencyKey(std::string(256, 'k')));
  EXPECT_FALSE(IsValidIdempotencyKey("tab\there"));
}

TEST(ValidateTest, CreateItem) {
  EXPECT_EQ(FieldOf(CreateItem{.id = "a", .on_hand = 0}), "<valid>");
  EXPECT_EQ(FieldOf(CreateItem{.id = "a", .on_hand = 1'000'000'000}), "<valid>");
  EXPECT_EQ(FieldOf(CreateItem{.id = "a b", .on_hand = 1}), "id");
  EXPECT_EQ(FieldOf(CreateItem{.id = "a", .on_hand = -1}), "onHand");
  EXPECT_EQ(FieldOf(CreateItem{.id = "a", .on_hand = 1'000'000'001}), "onHand");
  EXPECT_EQ(FieldOf(CreateItem{.id = "a", .name = std::string(501, 'n'), .on_hand = 1}), "name");
  EXPECT_EQ(FieldOf(CreateItem{.id = "a", .on_hand = 1, .max_per_user = 0}), "maxPerUser");
}

TEST(ValidateTest, AdjustItem) {
  EXPECT_EQ(FieldOf(AdjustItem{"a", -5, "broken"}), "<valid>");
  EXPECT_EQ(FieldOf(AdjustItem{"a", 0, "x"}), "delta");
  EXPECT_EQ(FieldOf(AdjustItem{"a", 1'000'000'001, "x"}), "delta");
  EXPECT_EQ(FieldOf(AdjustItem{"a", 1, ""}), "reason");
}

TEST(ValidateTest, ReserveChecksEveryLineAndTheTtl) {
  EXPECT_EQ(FieldOf(Reserve{"u", {{"a", 1}}, 1}), "<valid>");
  EXPECT_EQ(FieldOf(Reserve{"u", {{"a", 1}}, 604'800}), "<valid>");
  EXPECT_EQ(FieldOf(Reserve{"u", {{"a", 1}}, 0}), "ttlSeconds");
  EXPECT_EQ(FieldOf(Reserve{"u", {{"a", 1}}, 604'801}), "ttlSeconds");
  EXPECT_EQ(FieldOf(Reserve{"", {{"a", 1}}, 60}), "userId");
  EXPECT_EQ(FieldOf(Reserve{"u", {}, 60}), "lines");
  EXPECT_EQ(FieldOf(Reserve{"u", {{"a", 1}, {"b", 0}}, 60}), "lines[1].qty");
  EXPECT_EQ(FieldOf(Reserve{"u", {{"a", 1}, {"b!", 1}}, 60}), "lines[1].itemId");
  EXPECT_EQ(FieldOf(Reserve{"u", {{"a", 1'000'000'001}}, 60}), "lines[0].qty");
  EXPECT_EQ(FieldOf(Reserve{"u", std::vector<Line>(101, Line{"a", 1}), 60}), "lines");
  EXPECT_EQ(FieldOf(Reserve{"u", std::vector<Line>(100, Line{"a", 1}), 60}), "<valid>");
}

TEST(ValidateTest, OtherCommands) {
  EXPECT_EQ(FieldOf(ConfirmReservation{"r1", std::string(501, 'p')}), "paymentRef");
  EXPECT_EQ(FieldOf(CancelReservation{"r 1"}), "id");
  EXPECT_EQ(FieldOf(PlaceOrder{"u", {{"a", -1}}}), "lines[0].qty");
  EXPECT_EQ(FieldOf(CancelOrder{"o1", std::string(501, 'r')}), "reason");
  EXPECT_EQ(FieldOf(CancelOrder{"o1", std::nullopt}), "<valid>");
}

TEST(ValidateTest, FingerprintSeparatesMethodPathAndBody) {
  const std::string f = Fingerprint("POST", "/api/v1/reserve", R"({"qty":1})");
  EXPECT_EQ(f.size(), 32u);
  EXPECT_EQ(f, Fingerprint("POST", "/api/v1/reserve", R"({"qty":1})"));
  EXPECT_NE(f, Fingerprint("POST", "/api/v1/reserve", R"({"qty":2})"));
  EXPECT_NE(f, Fingerprint("POST", "/api/v1/orders", R"({"qty":1})"));
  EXPECT_NE(Fingerprint("POST", "/a\nb", ""), Fingerprint("POST", "/a", "b"));
}

}  // namespace
}  // namespace allot::api
