#include <gtest/gtest.h>

#include "api/validate.h"
#include "http/json_codec.h"

namespace allot::http {
namespace {

// The `field` detail of a decode failure, or "" when there is none.
template <typename T>
std::string FieldOf(const Expected<T>& result) {
  EXPECT_FALSE(result.has_value());
  if (result.has_value()) return "<decoded>";
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidRequest);
  const DetailValue* field = result.error().Detail("field");
  return field == nullptr ? "" : std::get<std::string>(*field);
}

TEST(JsonDecodeTest, CreateItemAllFields) {
  auto item = DecodeCreateItem(R"({"id":"sku-1","onHand":5,"name":"Shoe","maxPerUser":2})");
  ASSERT_TRUE(item.has_value()) << item.error().message;
  EXPECT_EQ(item->id, "sku-1");
  EXPECT_EQ(item->on_hand, 5);
  EXPECT_EQ(item->name, "Shoe");
  EXPECT_EQ(item->max_per_user, 2);
}

TEST(JsonDecodeTest, CreateItemOptionalFieldsAbsentOrNull) {
  auto item = DecodeCreateItem(R"({"id":"a","onHand":0})");
  ASSERT_TRUE(item.has_value());
  EXPECT_FALSE(item->name.has_value());
  EXPECT_FALSE(item->max_per_user.has_value());
  auto nulls = DecodeCreateItem(R"({"id":"a","onHand":1,"name":null,"maxPerUser":null})");
  ASSERT_TRUE(nulls.has_value());
  EXPECT_FALSE(nulls->name.has_value());
  EXPECT_FALSE(nulls->max_per_user.has_value());
}

TEST(JsonDecodeTest, UnknownFieldIsNamed) {
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onhand":5})")), "onhand");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[{"itemId":"a","qty":1,"x":2}]})")),
            "lines[0].x");
  EXPECT_EQ(FieldOf(DecodeCancelReservation("r", R"({"why":"x"})")), "why");
  EXPECT_EQ(FieldOf(DecodeConfirmReservation("r", R"({"paymentref":"x"})")), "paymentref");
}

TEST(JsonDecodeTest, RepeatedKeyIsRefusedAtAnyDepth) {
  // Boost.JSON would keep the last value: {"onHand":5,"onHand":6} meaning 6.
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":5,"onHand":6})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[{"itemId":"a","qty":1,"qty":9}]})")),
            "qty");
  EXPECT_EQ(FieldOf(DecodeCancelReservation("r", R"({"a\u0062":1,"ab":2})")), "ab");
  // The same key in two different objects is fine.
  auto two_lines =
      DecodeReserve(R"({"userId":"u","lines":[{"itemId":"a","qty":1},{"itemId":"b","qty":2}]})");
  EXPECT_TRUE(two_lines.has_value());
}

TEST(JsonDecodeTest, MissingFieldIsNamed) {
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"onHand":5})")), "id");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a"})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":null})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeAdjustItem("a", R"({"delta":5})")), "reason");
  EXPECT_EQ(FieldOf(DecodeAdjustItem("a", R"({"reason":"x"})")), "delta");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"lines":[{"itemId":"a","qty":1}]})")), "userId");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[{"qty":1}]})")), "lines[0].itemId");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[{"itemId":"a"}]})")), "lines[0].qty");
}

TEST(JsonDecodeTest, WrongTypesAreRefused) {
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":5,"onHand":5})")), "id");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":"5"})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":true})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":[5]})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":5,"name":7})")), "name");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":{"itemId":"a","qty":1}})")), "lines");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[5]})")), "lines[0]");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","itemId":"a","qty":1,"ttlSeconds":1.5})")),
            "ttlSeconds");
}

TEST(JsonDecodeTest, IntegersOnly) {
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":1.0})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":1e3})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":1.5})")), "onHand");
  // 2^63 does not fit int64; nor does 2^64 or more.
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":9223372036854775808})")), "onHand");
  EXPECT_EQ(FieldOf(DecodeCreateItem(R"({"id":"a","onHand":18446744073709551616})")), "onHand");
  auto max = DecodeCreateItem(R"({"id":"a","onHand":9223372036854775807})");
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->on_hand, INT64_MAX);
}

TEST(JsonDecodeTest, NegativeDecodesButValidateRefuses) {
  auto reserve = DecodeReserve(R"({"userId":"u","itemId":"a","qty":-1})");
  ASSERT_TRUE(reserve.has_value());
  EXPECT_EQ(reserve->lines.at(0).qty, -1);
  auto valid = api::Validate(CommandBody(*reserve));
  ASSERT_FALSE(valid.has_value());
  EXPECT_EQ(valid.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(valid.error().Detail("field"), nullptr);
}

TEST(JsonDecodeTest, MalformedBodiesAreInvalidRequest) {
  for (std::string body :
       {std::string("{"), std::string("[]"), std::string("5"), std::string("\"x\""),
        std::string("null"), std::string(""), std::string("{\"id\":\"a\",\"onHand\":1} x"),
        std::string("{\"id\":\"a\",\"onHand\":1,}"),
        std::string("{\"id\":\"\xff\xfe\",\"onHand\":1}"),
        std::string("{\"id\":\"\xc3\",\"onHand\":1}")}) {
    SCOPED_TRACE(body);
    auto item = DecodeCreateItem(body);
    ASSERT_FALSE(item.has_value());
    EXPECT_EQ(item.error().code, ErrorCode::kInvalidRequest);
  }
}

TEST(JsonDecodeTest, ValidUtf8IsKept) {
  auto item = DecodeCreateItem("{\"id\":\"a\",\"onHand\":1,\"name\":\"caf\xc3\xa9 \\u20ac\"}");
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->name, "caf\xc3\xa9 \xe2\x82\xac");
}

TEST(JsonDecodeTest, DepthIsLimited) {
  std::string deep = "{\"id\":\"a\",\"onHand\":1,\"name\":";
  for (std::size_t i = 0; i < kMaxJsonDepth + 2; ++i) deep += "[";
  for (std::size_t i = 0; i < kMaxJsonDepth + 2; ++i) deep += "]";
  deep += "}";
  auto item = DecodeCreateItem(deep);
  ASSERT_FALSE(item.has_value());
  EXPECT_EQ(item.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(item.error().Detail("field"), nullptr);  // refused by the parser, not as a field
}

TEST(JsonDecodeTest, ReserveOneLineAndLinesForms) {
  auto one = DecodeReserve(R"({"userId":"u","itemId":"a","qty":2})");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->user_id, "u");
  EXPECT_EQ(one->lines, (std::vector<Line>{{"a", 2}}));
  EXPECT_EQ(one->ttl_seconds, api::kDefaultTtlSeconds);

  auto many = DecodeReserve(
      R"({"userId":"u","lines":[{"itemId":"a","qty":1},{"itemId":"b","qty":3}],"ttlSeconds":60})");
  ASSERT_TRUE(many.has_value());
  EXPECT_EQ(many->lines, (std::vector<Line>{{"a", 1}, {"b", 3}}));
  EXPECT_EQ(many->ttl_seconds, 60);

  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","lines":[],"itemId":"a","qty":1})")), "lines");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u"})")), "lines");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","itemId":"a"})")), "qty");
  EXPECT_EQ(FieldOf(DecodeReserve(R"({"userId":"u","qty":1})")), "itemId");
  // An empty lines array decodes; Validate refuses it.
  auto empty = DecodeReserve(R"({"userId":"u","lines":[]})");
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(api::Validate(CommandBody(*empty)).has_value());
}

TEST(JsonDecodeTest, ReportsWhichFormWasUsed) {
  bool one_line = false;
  ASSERT_TRUE(DecodeReserve(R"({"userId":"u","itemId":"a","qty":2})", &one_line).has_value());
  EXPECT_TRUE(one_line);
  ASSERT_TRUE(DecodePlaceOrder(R"({"userId":"u","lines":[{"itemId":"a","qty":2}]})", &one_line)
                  .has_value());
  EXPECT_FALSE(one_line);
}

TEST(JsonDecodeTest, PlaceOrderForms) {
  auto one = DecodePlaceOrder(R"({"userId":"u","itemId":"a","qty":2})");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->lines, (std::vector<Line>{{"a", 2}}));
  auto many = DecodePlaceOrder(R"({"userId":"u","lines":[{"itemId":"b","qty":1}]})");
  ASSERT_TRUE(many.has_value());
  EXPECT_EQ(many->lines, (std::vector<Line>{{"b", 1}}));
  EXPECT_EQ(FieldOf(DecodePlaceOrder(R"({"userId":"u","itemId":"a","qty":1,"ttlSeconds":5})")),
            "ttlSeconds");
}

TEST(JsonDecodeTest, EmptyBodiesWhereAllowed) {
  auto confirm = DecodeConfirmReservation("r1", "");
  ASSERT_TRUE(confirm.has_value());
  EXPECT_EQ(confirm->id, "r1");
  EXPECT_FALSE(confirm->payment_ref.has_value());
  auto paid = DecodeConfirmReservation("r1", R"({"paymentRef":"pay-9"})");
  ASSERT_TRUE(paid.has_value());
  EXPECT_EQ(paid->payment_ref, "pay-9");

  EXPECT_TRUE(DecodeCancelReservation("r1", "").has_value());
  EXPECT_TRUE(DecodeCancelReservation("r1", " \r\n").has_value());
  EXPECT_TRUE(DecodeCancelReservation("r1", "{}").has_value());
  EXPECT_EQ(DecodeCancelReservation("r1", "{}")->id, "r1");

  auto cancel = DecodeCancelOrder("o1", R"({"reason":"returned"})");
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(cancel->id, "o1");
  EXPECT_EQ(cancel->reason, "returned");
  EXPECT_FALSE(DecodeCancelOrder("o1", "")->reason.has_value());

  // Not where a body is required.
  EXPECT_FALSE(DecodeCreateItem("").has_value());
  EXPECT_FALSE(DecodeReserve("").has_value());
  EXPECT_FALSE(DecodeAdjustItem("a", "").has_value());
}

TEST(JsonDecodeTest, AdjustItem) {
  auto adjust = DecodeAdjustItem("sku", R"({"delta":-3,"reason":"damaged"})");
  ASSERT_TRUE(adjust.has_value());
  EXPECT_EQ(adjust->id, "sku");
  EXPECT_EQ(adjust->delta, -3);
  EXPECT_EQ(adjust->reason, "damaged");
}

}  // namespace
}  // namespace allot::http
