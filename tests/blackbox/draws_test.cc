// Draws over HTTP against the real binary: a draw of 1,000 entries, run,
// then checked by scripts/verify-draw.mjs, which recomputes every rank and
// outcome with Node's crypto and none of allot's code (docs/draws.md).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "blackbox.h"

namespace allot::testing {
namespace {

using DrawsTest = BlackboxTest;

std::string InAMinute() {
  const auto now = std::chrono::system_clock::now() + std::chrono::minutes(1);
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&t));
  return text;
}

// Runs a shell command; its exit status and what it printed.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST_F(DrawsTest, AThousandEntryDrawIsVerifiedByAnIndependentScript) {
  MakeItem("sneaker", 400, 3);
  Response opened = api().Post("/draws", R"({"id":"drop-1","itemId":"sneaker","units":300,)"
                                         R"("closesAt":")" + InAMinute() + R"("})");
  ASSERT_EQ(opened.status, 201) << Describe(opened);
  const std::string seed_hash = *GetString(JsonBody(opened), "seedHash");
  // 1,000 entries, in batches of 250, quantities 1..3.
  for (int batch = 0; batch < 4; ++batch) {
    std::string body = R"({"requests":[)";
    for (int i = 0; i < 250; ++i) {
      const int n = batch * 250 + i;
      if (i > 0) body += ',';
      body += R"({"method":"POST","path":"/api/v1/draws/drop-1/entries","body":{"userId":"fan-)" +
              std::to_string(n) + R"(","qty":)" + std::to_string(1 + n % 3) + "}}";
    }
    body += "]}";
    Response entered = api().Post("/batch", body);
    ASSERT_EQ(entered.status, 200) << Describe(entered);
    const json::object answered = JsonBody(entered);
    for (const auto& result : answered.at("results").as_array()) {
      ASSERT_EQ(result.as_object().at("status").as_int64(), 201) << json::serialize(result);
    }
  }
  Response ran = api().Post("/draws/drop-1/run", "{}");
  ASSERT_EQ(ran.status, 200) << Describe(ran);
  Response read = api().Get("/draws/drop-1");
  ASSERT_EQ(read.status, 200) << Describe(read);
  EXPECT_EQ(JsonBody(read).at("results").as_array().size(), 1000u);

  const std::string file = server_.dir() + "/draw.json";
  std::ofstream(file) << read.body;
  const auto [status, output] = Shell("node '" ALLOT_SOURCE_DIR "/scripts/verify-draw.mjs' '" +
                                      file + "' " + seed_hash);
  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("verified: draw drop-1, 1000 entries"), std::string::npos) << output;

  // The script does catch a result that is not the rule's: swap two ranks.
  json::object tampered = JsonBody(read);
  json::array& results = tampered.at("results").as_array();
  std::swap(results[0].as_object()["userId"], results[1].as_object()["userId"]);
  std::ofstream(file) << json::serialize(tampered);
  EXPECT_EQ(Shell("node '" ALLOT_SOURCE_DIR "/scripts/verify-draw.mjs' '" + file + "'").first, 1);
}

TEST_F(DrawsTest, BadInputGetsTheContractsAnswerAndChangesNothing) {
  MakeItem("tee", 5, 2);
  const std::string closes = InAMinute();
  EXPECT_TRUE(IsOutOfStock(api().Post("/draws", R"({"id":"d","itemId":"tee","units":6,"closesAt":")" +
                                                    closes + R"("})"),
                           "tee", 6, 5));
  ASSERT_EQ(api().Post("/draws", R"({"id":"d","itemId":"tee","units":5,"closesAt":")" + closes +
                                     R"("})")
                .status,
            201);
  ASSERT_EQ(api().Post("/draws/d/entries", R"({"userId":"ann","qty":1})").status, 201);
  const std::string before = api().Get("/draws/d").body;
  EXPECT_TRUE(IsError(api().Post("/draws/d/entries", R"({"userId":"ann","qty":1})"), 409,
                      "already_exists"));
  EXPECT_TRUE(IsError(api().Post("/draws/d/entries", R"({"userId":"bob","qty":3})"), 409,
                      "limit_exceeded"));
  EXPECT_TRUE(IsInvalidField(api().Post("/draws/d/entries", R"({"userId":"bob","qty":0})"), "qty"));
  EXPECT_EQ(api().Get("/draws/d").body, before);
  ASSERT_EQ(api().Post("/draws/d/run", "").status, 200);
  EXPECT_TRUE(IsError(api().Post("/draws/d/entries", R"({"userId":"cat","qty":1})"), 409,
                      "draw_closed"));
}

}  // namespace
}  // namespace allot::testing
