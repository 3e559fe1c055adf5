// HTTP/1.1 framing as real clients use it: pipelining, chunked request
// bodies, HTTP/1.0, Connection: close, Expect: 100-continue.
#include <string>

#include "blackbox.h"

namespace allot::testing {
namespace {

using HttpTest = BlackboxTest;

std::string Post(std::string_view path, std::string_view body, std::string_view extra = "") {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

TEST_F(HttpTest, PipelinedRequestsAreAnsweredInOrder) {
  MakeItem("pipe", 10);
  HttpClient raw(port());
  std::string burst;
  for (int i = 1; i <= 3; ++i) {
    burst += Post(ApiPath("/reservations"),
                  R"({"userId":"u1","itemId":"pipe","qty":)" + std::to_string(i) + "}");
  }
  burst += "GET " + ApiPath("/items/pipe") + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(raw.SendRaw(burst));
  for (int i = 1; i <= 3; ++i) {
    Response r = raw.ReadResponse();
    ASSERT_EQ(r.status, 201) << Describe(r);
    EXPECT_EQ(JsonBody(r).at("lines"), json::value(json::array{Line("pipe", i)}));
  }
  Response item = raw.ReadResponse();
  ASSERT_EQ(item.status, 200) << Describe(item);
  EXPECT_EQ(CountsOf(JsonBody(item)), (ItemCounts{10, 6, 4, 0}));
}

TEST_F(HttpTest, ChunkedRequestBodyIsAccepted) {
  HttpClient raw(port());
  std::string body = R"({"id":"chunky","onHand":7})";
  std::string request =
      "POST " + ApiPath("/items") + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  request += "5\r\n" + body.substr(0, 5) + "\r\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size() - 5);
  request += std::string(size) + "\r\n" + body.substr(5) + "\r\n0\r\n\r\n";
  ASSERT_TRUE(raw.SendRaw(request));
  Response created = raw.ReadResponse();
  EXPECT_EQ(created.status, 201) << Describe(created);
  EXPECT_EQ(api().Counts("chunky"), (ItemCounts{7, 0, 7, 0}));
}

TEST_F(HttpTest, ConnectionCloseAndHttp10AreHonoured) {
  MakeItem("plain", 3);
  HttpClient closing(port());
  Response r = closing.Get(ApiPath("/items/plain"), {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200) << Describe(r);
  EXPECT_TRUE(closing.WaitForClose(std::chrono::seconds(5)));

  HttpClient old(port());
  ASSERT_TRUE(old.SendRaw("GET " + ApiPath("/items/plain") + " HTTP/1.0\r\n\r\n"));
  Response r10 = old.ReadResponse();
  EXPECT_EQ(r10.status, 200) << Describe(r10);
  EXPECT_EQ(CountsOf(JsonBody(r10)), (ItemCounts{3, 0, 3, 0}));
}

TEST_F(HttpTest, ExpectContinueGetsAnInterimAnswerThenTheResult) {
  HttpClient raw(port());
  std::string body = R"({"id":"patient","onHand":2})";
  ASSERT_TRUE(raw.SendRaw("POST " + ApiPath("/items") +
                          " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n"));
  Response interim = raw.ReadResponse();
  ASSERT_EQ(interim.status, 100) << Describe(interim);
  ASSERT_TRUE(raw.SendRaw(body));
  Response created = raw.ReadResponse();
  EXPECT_EQ(created.status, 201) << Describe(created);
}

TEST_F(HttpTest, KeepAliveServesManyRequestsOnOneConnection) {
  MakeItem("reuse", 1000);
  for (int i = 0; i < 200; ++i) {
    Response r = api().Reserve("u" + std::to_string(i), "reuse", 1);
    ASSERT_EQ(r.status, 201) << i << ": " << Describe(r);
    ASSERT_NE(r.Header("Connection").value_or(""), "close");
  }
  EXPECT_EQ(api().Counts("reuse"), (ItemCounts{1000, 200, 800, 0}));
}

}  // namespace
}  // namespace allot::testing
