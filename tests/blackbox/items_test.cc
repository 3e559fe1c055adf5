// Items over HTTP: create (idempotent by attributes), read, adjust, list.
#include <string>
#include <vector>

#include "blackbox.h"

namespace allot::testing {
namespace {

using ItemsTest = BlackboxTest;

TEST_F(ItemsTest, CreateReturnsTheItemAndAnIdenticalCreateReturns200) {
  Response created = api().CreateItem("widget-1", 10, std::nullopt, "Widget");
  ASSERT_EQ(created.status, 201) << Describe(created);
  json::object item = JsonBody(created);
  EXPECT_EQ(GetString(item, "id"), "widget-1");
  EXPECT_EQ(GetString(item, "name"), "Widget");
  EXPECT_EQ(CountsOf(item), (ItemCounts{10, 0, 10, 0}));
  ASSERT_TRUE(item.contains("maxPerUser")) << Describe(created);
  EXPECT_TRUE(item.at("maxPerUser").is_null()) << Describe(created);

  Response again = api().CreateItem("widget-1", 10, std::nullopt, "Widget");
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(JsonBody(again), item);

  Response fetched = api().GetItem("widget-1");
  ASSERT_EQ(fetched.status, 200) << Describe(fetched);
  EXPECT_EQ(JsonBody(fetched), item);
}

TEST_F(ItemsTest, CreateWithOtherAttributesIsAlreadyExistsAndChangesNothing) {
  ASSERT_EQ(api().CreateItem("widget-2", 10, 4, "Widget").status, 201);
  EXPECT_TRUE(IsError(api().CreateItem("widget-2", 11, 4, "Widget"), 409, "already_exists"));
  EXPECT_TRUE(IsError(api().CreateItem("widget-2", 10, 5, "Widget"), 409, "already_exists"));
  EXPECT_TRUE(
      IsError(api().CreateItem("widget-2", 10, std::nullopt, "Widget"), 409, "already_exists"));
  EXPECT_TRUE(IsError(api().CreateItem("widget-2", 10, 4, "Gadget"), 409, "already_exists"));
  Response fetched = api().GetItem("widget-2");
  ASSERT_EQ(fetched.status, 200) << Describe(fetched);
  json::object item = JsonBody(fetched);
  EXPECT_EQ(CountsOf(item), (ItemCounts{10, 0, 10, 0}));
  EXPECT_EQ(GetInt(item, "maxPerUser"), 4);
  EXPECT_EQ(GetString(item, "name"), "Widget");
}

TEST_F(ItemsTest, IdenticalCreateAfterActivityStillReturns200) {
  MakeItem("widget-3", 10);
  ASSERT_EQ(api().Reserve("u1", "widget-3", 4).status, 201);
  Response again = api().CreateItem("widget-3", 10);
  EXPECT_EQ(again.status, 200) << Describe(again);
  EXPECT_EQ(CountsOf(JsonBody(again)), (ItemCounts{10, 4, 6, 0}));
}

TEST_F(ItemsTest, UnknownItemIsNotFound) {
  EXPECT_TRUE(IsNotFound(api().GetItem("no-such-item"), "item", "no-such-item"));
}

TEST_F(ItemsTest, AdjustmentsMoveOnHandBothWays) {
  MakeItem("adj-1", 10);
  Response up = api().Adjust("adj-1", 5, "delivery");
  ASSERT_EQ(up.status, 200) << Describe(up);
  EXPECT_EQ(GetString(JsonBody(up), "id"), "adj-1");
  EXPECT_EQ(CountsOf(JsonBody(up)), (ItemCounts{15, 0, 15, 0}));
  Response down = api().Adjust("adj-1", -3, "breakage");
  ASSERT_EQ(down.status, 200) << Describe(down);
  EXPECT_EQ(CountsOf(JsonBody(down)), (ItemCounts{12, 0, 12, 0}));
  EXPECT_EQ(api().Counts("adj-1"), (ItemCounts{12, 0, 12, 0}));
}

TEST_F(ItemsTest, AdjustmentBelowHeldIsOutOfStockAndChangesNothing) {
  MakeItem("adj-2", 12);
  ASSERT_EQ(api().Reserve("u1", "adj-2", 10).status, 201);
  // onHand 12 - 3 = 9 < held 10; only 2 units are available to remove.
  Response refused = api().Adjust("adj-2", -3, "breakage");
  EXPECT_TRUE(IsError(refused, 409, "out_of_stock"));
  json::object details = ErrorObject(refused);
  EXPECT_EQ(GetString(details, "itemId"), "adj-2") << Describe(refused);
  EXPECT_EQ(GetInt(details, "available"), 2) << Describe(refused);
  std::optional<std::int64_t> requested = GetInt(details, "requested");
  ASSERT_TRUE(requested.has_value()) << Describe(refused);
  EXPECT_EQ(std::abs(*requested), 3) << Describe(refused);
  EXPECT_EQ(api().Counts("adj-2"), (ItemCounts{12, 10, 2, 0}));

  // Removing exactly the available units is allowed.
  Response exact = api().Adjust("adj-2", -2, "breakage");
  ASSERT_EQ(exact.status, 200) << Describe(exact);
  EXPECT_EQ(CountsOf(JsonBody(exact)), (ItemCounts{10, 10, 0, 0}));
}

TEST_F(ItemsTest, AdjustmentNeedsANonZeroDeltaAndAReason) {
  MakeItem("adj-3", 5);
  EXPECT_TRUE(IsInvalidField(api().Adjust("adj-3", 0, "nothing"), "delta"));
  EXPECT_TRUE(IsInvalidField(api().Adjust("adj-3", 1, ""), "reason"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items/adj-3/adjustments", R"({"delta":1})"), "reason"));
  EXPECT_TRUE(IsInvalidField(api().Post("/items/adj-3/adjustments", R"({"reason":"x"})"), "delta"));
  EXPECT_TRUE(IsInvalidField(api().Adjust("adj-3", 1, std::string(501, 'r')), "reason"));
  EXPECT_EQ(api().Adjust("adj-3", 1, std::string(500, 'r')).status, 200);
  EXPECT_TRUE(IsNotFound(api().Adjust("no-such-item", 1, "x"), "item", "no-such-item"));
  EXPECT_EQ(api().Counts("adj-3"), (ItemCounts{6, 0, 6, 0}));
}

// Ids of the pages GET /items?limit=`limit` returns, following `next`.
std::vector<std::vector<std::string>> ReadPages(Api& api, int limit, std::string* last_next) {
  std::vector<std::vector<std::string>> pages;
  std::string after;
  for (int guard = 0; guard < 100; ++guard) {
    std::string path = "/items?limit=" + std::to_string(limit);
    if (!after.empty()) path += "&after=" + after;
    Response page = api.Get(path);
    if (page.status != 200) {
      ADD_FAILURE() << path << ": " << Describe(page);
      break;
    }
    json::object body = JsonBody(page);
    std::vector<std::string> ids;
    if (const json::value* items = body.if_contains("items"); items && items->is_array()) {
      for (const json::value& item : items->as_array()) {
        ids.push_back(item.is_object() ? GetString(item.as_object(), "id").value_or("?") : "?");
      }
    } else {
      ADD_FAILURE() << "no items array: " << Describe(page);
    }
    pages.push_back(ids);
    const json::value* next = body.if_contains("next");
    if (next == nullptr) {
      ADD_FAILURE() << "no next member: " << Describe(page);
      break;
    }
    if (next->is_null()) break;
    after = std::string(next->as_string());
    *last_next = after;
  }
  return pages;
}

TEST_F(ItemsTest, ListPagesInIdOrderUntilNextIsNull) {
  for (const char* id : {"p-4", "p-1", "p-5", "p-3", "p-2"}) MakeItem(id, 1);
  std::string last_next;
  std::vector<std::vector<std::string>> pages = ReadPages(api(), 2, &last_next);
  std::vector<std::vector<std::string>> expected = {{"p-1", "p-2"}, {"p-3", "p-4"}, {"p-5"}};
  EXPECT_EQ(pages, expected);

  Response page = api().Get("/items?limit=2&after=p-2");
  ASSERT_EQ(page.status, 200) << Describe(page);
  json::array items = JsonBody(page).at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(CountsOf(items[0].as_object()), (ItemCounts{1, 0, 1, 0}));
}

TEST_F(ItemsTest, ListNextIsNullWhenTheLastPageIsExactlyFull) {
  for (const char* id : {"q-1", "q-2", "q-3", "q-4"}) MakeItem(id, 1);
  Response page = api().Get("/items?limit=2&after=q-2");
  ASSERT_EQ(page.status, 200) << Describe(page);
  json::object body = JsonBody(page);
  EXPECT_EQ(body.at("items").as_array().size(), 2u);
  EXPECT_TRUE(body.at("next").is_null()) << "no more items after q-4: " << Describe(page);
}

TEST_F(ItemsTest, ListDefaultsTo100PerPage) {
  for (int i = 0; i < 101; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "d-%03d", i);
    MakeItem(id, 1);
  }
  Response page = api().Get("/items");
  ASSERT_EQ(page.status, 200) << Describe(page);
  json::object body = JsonBody(page);
  ASSERT_EQ(body.at("items").as_array().size(), 100u);
  ASSERT_TRUE(body.at("next").is_string()) << Describe(page);
  Response rest = api().Get("/items?after=" + std::string(body.at("next").as_string()));
  ASSERT_EQ(rest.status, 200) << Describe(rest);
  json::object tail = JsonBody(rest);
  ASSERT_EQ(tail.at("items").as_array().size(), 1u);
  EXPECT_EQ(GetString(tail.at("items").as_array()[0].as_object(), "id"), "d-100");
  EXPECT_TRUE(tail.at("next").is_null());
}

TEST_F(ItemsTest, ListOfNoItemsIsEmpty) {
  Response page = api().Get("/items");
  ASSERT_EQ(page.status, 200) << Describe(page);
  json::object body = JsonBody(page);
  EXPECT_TRUE(body.at("items").as_array().empty());
  EXPECT_TRUE(body.at("next").is_null());
}

TEST_F(ItemsTest, ListLimitOutOfRangeIsInvalid) {
  MakeItem("l-1", 1);
  EXPECT_TRUE(IsInvalidField(api().Get("/items?limit=0"), "limit"));
  EXPECT_TRUE(IsInvalidField(api().Get("/items?limit=1001"), "limit"));
  EXPECT_TRUE(IsInvalidField(api().Get("/items?limit=-1"), "limit"));
  EXPECT_TRUE(IsInvalidField(api().Get("/items?limit=abc"), "limit"));
  EXPECT_EQ(api().Get("/items?limit=1000").status, 200);
  EXPECT_EQ(api().Get("/items?limit=1").status, 200);
}

}  // namespace
}  // namespace allot::testing
