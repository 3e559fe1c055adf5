// HTTP/1.1 pipelining against the real binary, over a raw socket: many
// requests (reads, writes, a batch, some that fail) written back to back in
// one write are answered complete and in request order, a read sees the
// writes before it, a write answered 201 survives kill -9, and the limits
// still apply mid-pipeline (an oversized body gets its 413 after the answers
// before it, and the connection closes).
#include <string>
#include <vector>

#include "blackbox.h"

namespace allot::testing {
namespace {

using namespace std::chrono_literals;

std::string RawRequest(const std::string& method, const std::string& path,
                       const std::string& request_id, const std::string& body = "") {
  std::string out =
      method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: " + request_id + "\r\n";
  if (method == "POST") out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

std::string ReserveBody(const std::string& user, const std::string& item, const std::string& qty) {
  return R"({"userId":")" + user + R"(","itemId":")" + item + R"(","qty":)" + qty + "}";
}

class PipeliningTest : public BlackboxTest {};

TEST_F(PipeliningTest, AnswersComeInOrderAndAcknowledgedWritesAreDurable) {
  MakeItem("mug", 1000);
  struct Expected {
    int status;
    std::int64_t held = -1;  // for a read of the item: the holds before it
  };
  std::string raw;
  std::vector<Expected> expected;
  std::int64_t held = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string id = "p" + std::to_string(expected.size());
    switch (i % 6) {
      case 0:
      case 3:
        raw += RawRequest("POST", "/api/v1/reservations", id,
                          ReserveBody("u" + std::to_string(i), "mug", "1"));
        expected.push_back({201});
        ++held;
        break;
      case 1:
        raw += RawRequest("GET", "/api/v1/items/mug", id);
        expected.push_back({200, held});
        break;
      case 2:  // an error among them: no such item
        raw += RawRequest("POST", "/api/v1/reservations", id, ReserveBody("x", "nope", "1"));
        expected.push_back({404});
        break;
      case 4:  // a malformed body
        raw += RawRequest("POST", "/api/v1/reservations", id, ReserveBody("x", "mug", "\"1\""));
        expected.push_back({400});
        break;
      case 5:  // a batch of two
        raw += RawRequest("POST", "/api/v1/batch", id,
                          R"({"requests":[{"method":"POST","path":"/api/v1/reserve","body":)" +
                              ReserveBody("b" + std::to_string(i), "mug", "1") +
                              R"(},{"method":"POST","path":"/api/v1/orders","body":)" +
                              ReserveBody("o" + std::to_string(i), "mug", "1") + "}]}");
        expected.push_back({200});
        held += 1;  // the order sells its unit: onHand drops, held does not
        break;
    }
  }
  raw += RawRequest("GET", "/api/v1/items/mug", "p" + std::to_string(expected.size()));
  expected.push_back({200, held});

  HttpClient client(port());
  ASSERT_TRUE(client.SendRaw(raw));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("request p" + std::to_string(i));
    Response response = client.ReadResponse();
    ASSERT_TRUE(response.ok()) << response.error;
    EXPECT_EQ(response.Header("X-Request-Id").value_or(""), "p" + std::to_string(i));
    ASSERT_EQ(response.status, expected[i].status) << Describe(response);
    if (expected[i].held >= 0) {
      // A read pipelined behind writes sees them.
      EXPECT_EQ(GetInt(JsonBody(response), "held"), expected[i].held);
    }
    if (expected[i].status == 200 && response.body.starts_with(R"({"results")")) {
      EXPECT_EQ(response.body.find(R"("status":201)") != std::string::npos, true) << response.body;
    }
  }

  // Every 201 was committed before it was sent: kill -9 loses none.
  server_.Kill();
  ASSERT_TRUE(server_.Start());
  Api after(server_.port());
  Response item = after.GetItem("mug");
  ASSERT_EQ(item.status, 200) << Describe(item);
  EXPECT_EQ(GetInt(JsonBody(item), "held"), held);
  EXPECT_EQ(GetInt(JsonBody(item), "sold"), 5);  // one order per batch
}

TEST_F(PipeliningTest, MoreRequestsThanOneGroupHoldAreAllAnsweredInOrder) {
  std::string raw;
  const int count = 300;  // several times the requests one connection may have in flight
  for (int i = 0; i < count; ++i) raw += RawRequest("GET", "/healthz", "h" + std::to_string(i));
  HttpClient client(port());
  ASSERT_TRUE(client.SendRaw(raw));
  for (int i = 0; i < count; ++i) {
    Response response = client.ReadResponse();
    ASSERT_EQ(response.status, 200) << i << ": " << Describe(response);
    ASSERT_EQ(response.Header("X-Request-Id").value_or(""), "h" + std::to_string(i));
  }
}

class PipelinedLimitsTest : public BlackboxTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--max-body-bytes", "1024"}; }
};

TEST_F(PipelinedLimitsTest, AnOversizedBodyMidPipelineIsRefusedAfterTheAnswersBeforeIt) {
  MakeItem("mug", 10);
  std::string raw = RawRequest("GET", "/healthz", "a") +
                    RawRequest("POST", "/api/v1/reservations", "b", ReserveBody("u", "mug", "1")) +
                    RawRequest("POST", "/api/v1/items", "c", std::string(5000, 'x')) +
                    RawRequest("GET", "/healthz", "d");
  HttpClient client(port());
  ASSERT_TRUE(client.SendRaw(raw));
  Response a = client.ReadResponse();
  EXPECT_EQ(a.status, 200) << Describe(a);
  EXPECT_EQ(a.Header("X-Request-Id").value_or(""), "a");
  Response b = client.ReadResponse();
  EXPECT_EQ(b.status, 201) << Describe(b);
  EXPECT_EQ(b.Header("X-Request-Id").value_or(""), "b");
  EXPECT_NE(b.Header("Connection").value_or(""), "close");
  Response c = client.ReadResponse();
  EXPECT_TRUE(IsError(c, 413, "payload_too_large"));
  EXPECT_EQ(c.Header("X-Request-Id").value_or(""), "c");
  EXPECT_EQ(c.Header("Connection").value_or(""), "close");
  EXPECT_TRUE(client.WaitForClose(3s)) << "the request after the refused one was answered";
  // The write before the refusal was done, and nothing after it.
  EXPECT_EQ(api().Counts("mug").held, 1);
}

}  // namespace
}  // namespace allot::testing
