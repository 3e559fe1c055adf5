#include "http/router.h"

#include <gtest/gtest.h>

#include <set>

namespace allot::http {
namespace {

struct Case {
  const char* method;
  const char* target;
  RouteId id;
  const char* route;
  const char* param;  // value of {id}, or ""
};

TEST(RouterTest, MatchesEveryRoute) {
  const Case cases[] = {
      {"POST", "/api/v1/items", RouteId::kCreateItem, "/api/v1/items", ""},
      {"GET", "/api/v1/items", RouteId::kListItems, "/api/v1/items", ""},
      {"GET", "/api/v1/items/sku-1", RouteId::kGetItem, "/api/v1/items/{id}", "sku-1"},
      {"POST", "/api/v1/items/sku-1/adjustments", RouteId::kAdjustItem,
       "/api/v1/items/{id}/adjustments", "sku-1"},
      {"POST", "/api/v1/reservations", RouteId::kReserve, "/api/v1/reservations", ""},
      {"POST", "/api/v1/reserve", RouteId::kReserve, "/api/v1/reserve", ""},
      {"GET", "/api/v1/reservations/r1", RouteId::kGetReservation, "/api/v1/reservations/{id}",
       "r1"},
      {"POST", "/api/v1/reservations/r1/confirm", RouteId::kConfirmReservation,
       "/api/v1/reservations/{id}/confirm", "r1"},
      {"POST", "/api/v1/reservations/r1/cancel", RouteId::kCancelReservation,
       "/api/v1/reservations/{id}/cancel", "r1"},
      {"POST", "/api/v1/orders", RouteId::kPlaceOrder, "/api/v1/orders", ""},
      {"GET", "/api/v1/orders/o1", RouteId::kGetOrder, "/api/v1/orders/{id}", "o1"},
      {"POST", "/api/v1/orders/o1/cancel", RouteId::kCancelOrder, "/api/v1/orders/{id}/cancel",
       "o1"},
      {"POST", "/api/v1/accounts", RouteId::kCreateAccount, "/api/v1/accounts", ""},
      {"GET", "/api/v1/accounts/a1", RouteId::kGetAccount, "/api/v1/accounts/{id}", "a1"},
      {"POST", "/api/v1/transfers", RouteId::kCreateTransfer, "/api/v1/transfers", ""},
      {"GET", "/api/v1/transfers/t1", RouteId::kGetTransfer, "/api/v1/transfers/{id}", "t1"},
      {"POST", "/api/v1/transfers/t1/confirm", RouteId::kConfirmTransfer,
       "/api/v1/transfers/{id}/confirm", "t1"},
      {"POST", "/api/v1/transfers/t1/cancel", RouteId::kCancelTransfer,
       "/api/v1/transfers/{id}/cancel", "t1"},
      {"POST", "/api/v1/events", RouteId::kCreateEvent, "/api/v1/events", ""},
      {"GET", "/api/v1/events/e1", RouteId::kGetEvent, "/api/v1/events/{id}", "e1"},
      {"GET", "/api/v1/events/e1/seats", RouteId::kListSeats, "/api/v1/events/{id}/seats", "e1"},
      {"GET", "/healthz", RouteId::kHealthz, "/healthz", ""},
      {"GET", "/readyz", RouteId::kReadyz, "/readyz", ""},
      {"GET", "/metrics", RouteId::kMetrics, "/metrics", ""},
      {"GET", "/api/v1/openapi.json", RouteId::kOpenApi, "/api/v1/openapi.json", ""},
      {"GET", "/", RouteId::kDashboard, "/", ""},
      {"POST", "/api/v1/batch", RouteId::kBatch, "/api/v1/batch", ""},
      {"GET", "/api/v1/changes", RouteId::kListChanges, "/api/v1/changes", ""},
      {"GET", "/api/v1/changes/stream", RouteId::kChangeStream, "/api/v1/changes/stream", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    auto match = Route(c.method, c.target);
    ASSERT_TRUE(match.has_value());
    EXPECT_EQ(match->id, c.id);
    EXPECT_EQ(match->route, c.route);
    EXPECT_EQ(match->Param("id"), c.param);
    EXPECT_EQ(match->path, c.target);
  }
}

TEST(RouterTest, RouteTableListsEveryRouteOnce) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const RouteSpec& spec : RouteTable()) {
    EXPECT_TRUE(seen.emplace(spec.method, spec.route).second) << spec.method << " " << spec.route;
    // Each entry is what the router answers for its own template.
    auto match = Route(spec.method, spec.route);
    ASSERT_TRUE(match.has_value()) << spec.route;
    EXPECT_EQ(match->id, spec.id);
    EXPECT_EQ(match->route, spec.route);
  }
  EXPECT_EQ(seen.size(), 48u);
  EXPECT_TRUE(seen.contains({"POST", "/api/v1/webhooks/{id}/replay"}));
  EXPECT_TRUE(seen.contains({"GET", "/"}));
  EXPECT_TRUE(seen.contains({"GET", "/api/v1/changes/stream"}));
  EXPECT_TRUE(seen.contains({"GET", "/api/v1/openapi.json"}));
}

TEST(RouterTest, UnknownPathIsRouteNotFound) {
  for (const char* target : {"/api/v1/nope", "/api/v1/items/a/b", "/api/v1/items/", "//",
                             "/api/v2/items", "/api/v1/accounts/a/b", "/api/v1/events/e1/seats/x",
                             "", "/api/v1/items/a/b/c/d/e/f/g/h/i/j"}) {
    SCOPED_TRACE(target);
    auto match = Route("GET", target);
    ASSERT_FALSE(match.has_value());
    EXPECT_EQ(match.error().error.code, ErrorCode::kNotFound);
    EXPECT_EQ(std::get<std::string>(*match.error().error.Detail("resource")), "route");
    EXPECT_EQ(match.error().route, kUnmatchedRoute);
    EXPECT_TRUE(match.error().allow.empty());
  }
  auto match = Route("GET", "/api/v1/nope?x=1");
  ASSERT_FALSE(match.has_value());
  EXPECT_EQ(std::get<std::string>(*match.error().error.Detail("id")), "/api/v1/nope");
}

TEST(RouterTest, KnownPathWrongMethodIs405WithAllow) {
  auto items = Route("DELETE", "/api/v1/items");
  ASSERT_FALSE(items.has_value());
  EXPECT_EQ(items.error().error.code, ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(items.error().allow, "POST, GET");
  EXPECT_EQ(items.error().route, "/api/v1/items");

  auto confirm = Route("GET", "/api/v1/reservations/r1/confirm");
  ASSERT_FALSE(confirm.has_value());
  EXPECT_EQ(confirm.error().allow, "POST");

  auto item = Route("POST", "/api/v1/items/x");
  ASSERT_FALSE(item.has_value());
  EXPECT_EQ(item.error().allow, "GET");

  auto health = Route("POST", "/healthz");
  ASSERT_FALSE(health.has_value());
  EXPECT_EQ(health.error().error.code, ErrorCode::kMethodNotAllowed);
  EXPECT_EQ(health.error().allow, "GET");
}

TEST(RouterTest, PercentDecodesSegmentsAfterSplitting) {
  auto match = Route("GET", "/api/v1/items/a%2Fb%3A%41");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->Param("id"), "a/b:A");
  EXPECT_EQ(match->path, "/api/v1/items/a%2Fb%3A%41");

  // A literal segment may be encoded too.
  auto encoded = Route("GET", "/api/v1/%69tems/x");
  ASSERT_TRUE(encoded.has_value());
  EXPECT_EQ(encoded->id, RouteId::kGetItem);
}

TEST(RouterTest, BadPercentEncodingIs400) {
  for (const char* target : {"/api/v1/items/%zz", "/api/v1/items/%4", "/api/v1/items/%",
                             // past the deepest route, the encoding is still checked
                             "/api/v1/items/a/b/c/d/e/f/g/h/%zz"}) {
    SCOPED_TRACE(target);
    auto match = Route("GET", target);
    ASSERT_FALSE(match.has_value());
    EXPECT_EQ(match.error().error.code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(std::get<std::string>(*match.error().error.Detail("field")), "path");
  }
}

TEST(RouterTest, SplitsAndDecodesQuery) {
  auto match = Route("GET", "/api/v1/items?limit=5&after=a%2Bb+c&flag");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->id, RouteId::kListItems);
  ASSERT_EQ(match->query.size(), 3u);
  EXPECT_EQ(match->query[0], (std::pair<std::string, std::string>{"limit", "5"}));
  EXPECT_EQ(match->query[1], (std::pair<std::string, std::string>{"after", "a+b c"}));
  EXPECT_EQ(match->query[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(match->path, "/api/v1/items");
}

TEST(RouterTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_FALSE(PercentDecode("%g0", false).has_value());
  EXPECT_FALSE(PercentDecode("abc%0", false).has_value());
}

}  // namespace
}  // namespace allot::http
