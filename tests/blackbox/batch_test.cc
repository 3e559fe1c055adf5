// POST /api/v1/batch against the real binary: one result per request in
// order, a refused batch changes nothing, an acknowledged batch survives
// kill -9, and many batches racing for a small stock never oversell while
// their successes add up exactly.
#include <set>
#include <string>
#include <vector>

#include "blackbox.h"
#include "concurrent.h"

namespace allot::testing {
namespace {

std::string Entry(const std::string& path, const std::string& body) {
  return R"({"method":"POST","path":")" + path + R"(","body":)" + body + "}";
}

std::string Reserve(const std::string& user, const std::string& item, int qty) {
  return R"({"userId":")" + user + R"(","itemId":")" + item + R"(","qty":)" + std::to_string(qty) +
         "}";
}

std::string Batch(const std::vector<std::string>& entries) {
  std::string out = R"({"requests":[)";
  for (std::size_t i = 0; i < entries.size(); ++i) out += (i ? "," : "") + entries[i];
  return out + "]}";
}

class BatchTest : public BlackboxTest {};

TEST_F(BatchTest, AnswersEachRequestInOrderAndSurvivesKillNine) {
  MakeItem("mug", 3);
  Response response =
      api().Post("/batch", Batch({Entry("/api/v1/reservations", Reserve("ann", "mug", 2)),
                                  Entry("/api/v1/reservations", Reserve("bob", "mug", 2)),
                                  Entry("/api/v1/orders", Reserve("cid", "mug", 1)),
                                  Entry("/api/v1/accounts", R"({"id":"acct","balance":100})")}));
  ASSERT_EQ(response.status, 200) << Describe(response);
  ASSERT_TRUE(response.Header("X-Request-Id"));
  const json::array results = JsonBody(response).at("results").as_array();
  ASSERT_EQ(results.size(), 4u);
  std::vector<std::int64_t> statuses;
  for (const auto& result : results) statuses.push_back(result.at("status").as_int64());
  EXPECT_EQ(statuses, (std::vector<std::int64_t>{201, 409, 201, 201}));
  EXPECT_EQ(results[1].at("body").at("error").at("code").as_string(), "out_of_stock");
  const std::string reservation(results[0].at("body").at("id").as_string());

  server_.Kill();
  ASSERT_TRUE(server_.Start());
  Api after(server_.port());
  ItemCounts counts = after.Counts("mug");
  EXPECT_EQ(counts.held, 2) << counts;
  EXPECT_EQ(counts.sold, 1) << counts;
  EXPECT_EQ(after.GetReservation(reservation).status, 200);
  EXPECT_EQ(after.Get("/accounts/acct").status, 200);
}

TEST_F(BatchTest, AMalformedBatchIsRefusedWholeAndChangesNothing) {
  MakeItem("mug", 3);
  Response refused =
      api().Post("/batch", Batch({Entry("/api/v1/reservations", Reserve("ann", "mug", 1)),
                                  R"({"method":"GET","path":"/api/v1/items/mug"})"}));
  EXPECT_TRUE(IsInvalidField(refused, "requests[1].method"));
  EXPECT_EQ(api().Counts("mug").held, 0);
}

// Forty connections send batches of reservations at the same instant for a
// stock of 25: exactly 25 units are taken, each once, and the 201 results
// account for every one of them.
TEST_F(BatchTest, ConcurrentBatchesNeverOversellAndTheirSuccessesAddUp) {
  constexpr int kStock = 25;
  constexpr int kClients = 40;
  constexpr int kPerBatch = 10;
  MakeItem("hot", kStock);
  std::vector<Response> responses = RunTogether(port(), kClients, [](int i, HttpClient& client) {
    std::vector<std::string> entries;
    for (int j = 0; j < kPerBatch; ++j) {
      // Mostly single units, some pairs: a pair fails whole when one is left.
      const int qty = j % 4 == 3 ? 2 : 1;
      entries.push_back(
          Entry("/api/v1/reservations",
                Reserve("c" + std::to_string(i) + "-" + std::to_string(j), "hot", qty)));
    }
    return client.Post(ApiPath("/batch"), Batch(entries));
  });
  std::int64_t taken = 0;
  std::set<std::string> ids;
  for (const Response& response : responses) {
    ASSERT_EQ(response.status, 200) << Describe(response);
    const json::array results = JsonBody(response).at("results").as_array();
    ASSERT_EQ(results.size(), static_cast<std::size_t>(kPerBatch));
    for (const auto& result : results) {
      const std::int64_t status = result.at("status").as_int64();
      if (status == 201) {
        const json::object& reservation = result.at("body").as_object();
        ids.insert(std::string(reservation.at("id").as_string()));
        taken += reservation.at("lines").as_array()[0].at("qty").as_int64();
      } else {
        ASSERT_EQ(status, 409) << result;
        EXPECT_EQ(result.at("body").at("error").at("code").as_string(), "out_of_stock");
      }
    }
  }
  EXPECT_EQ(taken, kStock) << "every unit taken exactly once";
  ItemCounts counts = api().Counts("hot");
  EXPECT_EQ(counts.held, taken) << counts;
  EXPECT_EQ(counts.available, 0) << counts;
  // Each success is a real, distinct reservation of the hot item.
  for (const std::string& id : ids) {
    Response read = api().GetReservation(id);
    ASSERT_EQ(read.status, 200) << Describe(read);
    EXPECT_EQ(GetString(JsonBody(read), "status"), "held");
  }
}

}  // namespace
}  // namespace allot::testing
