// Access control on the real server: `allot serve --tokens FILE`. Tokens are
// required on /api/v1, roles and ownership are enforced over HTTP, a bad
// tokens file stops startup, and no token ever reaches the output.
#include <signal.h>

#include <fstream>
#include <string>
#include <vector>

#include "blackbox.h"
#include "json_lines.h"

namespace allot::testing {
namespace {

constexpr const char* kAdminToken = "adm-4c1f9e0b2d7a";
constexpr const char* kShopToken = "shop-88a1c3e5f7b9";
constexpr const char* kOtherToken = "other-2b4d6f8a0c1e";

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

Headers As(const char* token) { return {{"Authorization", std::string("Bearer ") + token}}; }

class AccessControlTest : public BlackboxTest {
 protected:
  void SetUp() override {
    tokens_path_ = WriteFile(server_.dir() + "/tokens",
                             "# role principal token\n"
                             "admin ops " +
                                 std::string(kAdminToken) + "\n" + "client shop " + kShopToken +
                                 "\n" + "client other " + kOtherToken + "\n");
    BlackboxTest::SetUp();
  }
  std::vector<std::string> ServerArgs() const override { return {"--tokens", tokens_path_}; }

  HttpClient& client() { return api().client(); }

  std::string tokens_path_;
};

TEST_F(AccessControlTest, RolesAndOwnershipOverHttp) {
  // No token, or an unknown one: 401 with a challenge, for every API route.
  Response anonymous = client().Get("/api/v1/items");
  EXPECT_TRUE(IsError(anonymous, 401, "unauthorized")) << Describe(anonymous);
  EXPECT_TRUE(anonymous.Header("WWW-Authenticate").has_value());
  EXPECT_TRUE(IsError(client().Get("/api/v1/items", As("wrong")), 401, "unauthorized"));
  EXPECT_TRUE(
      IsError(client().Post("/api/v1/items", R"({"id":"x","onHand":1})"), 401, "unauthorized"));
  // Probes stay open.
  EXPECT_EQ(client().Get("/healthz").status, 200);
  EXPECT_EQ(client().Get("/metrics").status, 200);

  // Only the admin stocks the shop.
  EXPECT_TRUE(IsError(client().Post("/api/v1/items", R"({"id":"tee","onHand":3})", As(kShopToken)),
                      403, "forbidden"));
  ASSERT_EQ(client().Post("/api/v1/items", R"({"id":"tee","onHand":3})", As(kAdminToken)).status,
            201);

  // A client holds, and only it (or the admin) may see or settle the hold.
  Response held = client().Post("/api/v1/reservations", R"({"userId":"u1","itemId":"tee","qty":2})",
                                As(kShopToken));
  ASSERT_EQ(held.status, 201) << Describe(held);
  const std::string id = GetString(JsonBody(held), "id").value_or("");
  EXPECT_TRUE(
      IsError(client().Get("/api/v1/reservations/" + id, As(kOtherToken)), 403, "forbidden"));
  EXPECT_TRUE(
      IsError(client().Post("/api/v1/reservations/" + id + "/cancel", "{}", As(kOtherToken)), 403,
              "forbidden"));
  Response item = client().Get("/api/v1/items/tee", As(kOtherToken));
  ASSERT_EQ(item.status, 200);
  EXPECT_EQ(GetInt(JsonBody(item), "held"), 2) << "the refused cancel changed nothing";
  EXPECT_EQ(client().Post("/api/v1/reservations/" + id + "/confirm", "{}", As(kShopToken)).status,
            200);
  EXPECT_EQ(client().Get("/api/v1/reservations/" + id, As(kAdminToken)).status, 200);

  ASSERT_TRUE(server_.Terminate(SIGTERM));
  ASSERT_TRUE(ExitedZero(server_.Wait()));
  const std::string output = server_.output();
  for (const char* token : {kAdminToken, kShopToken, kOtherToken}) {
    EXPECT_EQ(output.find(token), std::string::npos) << "a token in the output:\n" << output;
  }
  // The access log names who asked.
  bool shop_seen = false;
  for (const auto& record : WithMessage(ParseJsonLines(output), "request")) {
    shop_seen = shop_seen || GetString(record, "principal") == "shop";
  }
  EXPECT_TRUE(shop_seen) << output;
}

TEST(AccessControlStartupTest, ABadTokensFileStopsStartupWithoutPrintingIt) {
  ServerProcess scratch;  // for its temporary directory
  const std::string path = WriteFile(scratch.dir() + "/tokens", "superuser ops tok-9f8e7d6c\n");
  BinaryRun run = RunBinary("serve --listen 127.0.0.1:0 --db '" + scratch.db_path() +
                            "' --tokens '" + path + "'");
  EXPECT_EQ(run.exit_status, 1) << run.output;
  EXPECT_NE(run.output.find("line 1"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("tok-9f8e7d6c"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("listening on"), std::string::npos) << run.output;
}

TEST(AccessControlStartupTest, WithoutTokensOnlyLoopbackIsServed) {
  ServerProcess scratch;
  BinaryRun run = RunBinary("serve --listen 0.0.0.0:0 --db '" + scratch.db_path() + "'");
  EXPECT_EQ(run.exit_status, 2) << run.output;
  EXPECT_NE(run.output.find("loopback"), std::string::npos) << run.output;
}

// The access log can be turned off for benchmarks, and a higher level
// silences info records.
TEST(LogOptionsTest, AccessLogOffAndLevelWarnSilenceTheirLines) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--access-log", "off"},
                                               std::vector<std::string>{"--log-level", "warn"}}) {
    ServerProcess server;
    ASSERT_TRUE(server.Start(args));
    HttpClient client(server.port());
    EXPECT_EQ(client.Get("/healthz").status, 200);
    ASSERT_TRUE(server.Terminate(SIGTERM));
    ASSERT_TRUE(ExitedZero(server.Wait()));
    auto records = ParseJsonLines(server.output());
    EXPECT_TRUE(WithMessage(records, "request").empty()) << args[0] << "\n" << server.output();
    if (args[0] == "--log-level") {
      EXPECT_TRUE(WithMessage(records, "starting").empty()) << server.output();
    } else {
      EXPECT_EQ(WithMessage(records, "starting").size(), 1u) << server.output();
    }
  }
}

}  // namespace
}  // namespace allot::testing
