// The parts of webhook delivery that need no network: signatures (against
// RFC 4231's published HMAC-SHA256 vectors, not against our own output),
// secrets, the backoff schedule, the URL policy, and the text kept of an
// answer.
#include <gtest/gtest.h>

#include <set>

#include "webhooks/backoff.h"
#include "webhooks/sender.h"
#include "webhooks/signing.h"
#include "webhooks/url_policy.h"

namespace allot::webhooks {
namespace {

using std::chrono::milliseconds;

TEST(WebhookSigningTest, HmacMatchesRfc4231) {
  // Test case 2: key "Jefe".
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1: 20 bytes of 0x0b, "Hi There".
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(WebhookSigningTest, TheHeaderSignsTheTimeAndTheRawBody) {
  const std::string body = R"({"seq":1})";
  EXPECT_EQ(SignatureHeader("Jefe", 1700000000, body),
            "t=1700000000,v1=" + HmacSha256Hex("Jefe", "1700000000." + body));
  EXPECT_NE(SignatureHeader("Jefe", 1700000001, body), SignatureHeader("Jefe", 1700000000, body));
}

TEST(WebhookSigningTest, AKeyedSignerSignsAsTheOneShotDoes) {
  Signer signer("Jefe");
  const std::string body = R"({"seq":2,"type":"item.created"})";
  for (std::int64_t t : {1700000000LL, 1700000001LL, 1700000000LL}) {
    EXPECT_EQ(signer.Header(t, body), SignatureHeader("Jefe", t, body));
  }
  // RFC 4231 case 2, split where the signer splits: "<t>" "." "<body>".
  Signer jefe("Jefe");
  EXPECT_EQ(jefe.Header(0, ""), "t=0,v1=" + HmacSha256Hex("Jefe", "0."));
}

TEST(WebhookSigningTest, SecretsAre32RandomBytesInHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto secret = NewSecret();
    ASSERT_TRUE(secret.has_value());
    ASSERT_EQ(secret->size(), 64u);
    EXPECT_EQ(secret->find_first_not_of("0123456789abcdef"), std::string::npos) << *secret;
    EXPECT_TRUE(seen.insert(*secret).second);
  }
}

TEST(WebhookBackoffTest, DoublesFromOneSecondToTenMinutes) {
  EXPECT_EQ(RetryDelay(1), milliseconds(1'000));
  EXPECT_EQ(RetryDelay(2), milliseconds(2'000));
  EXPECT_EQ(RetryDelay(3), milliseconds(4'000));
  EXPECT_EQ(RetryDelay(10), milliseconds(512'000));
  EXPECT_EQ(RetryDelay(11), milliseconds(600'000));
  EXPECT_EQ(RetryDelay(1'000'000), milliseconds(600'000));
  EXPECT_EQ(RetryDelay(0), milliseconds(1'000));
}

std::string FieldOf(const Expected<Target>& target) {
  if (target) return "";
  const DetailValue* field = target.error().Detail("field");
  return field ? std::get<std::string>(*field) : "?";
}

TEST(WebhookUrlPolicyTest, LoopbackHttpAndHttpsAreAllowed) {
  const UrlPolicy policy;
  for (const char* url : {"http://127.0.0.1:8080/hook", "https://localhost/x?y=1",
                          "http://[::1]:9000/", "http://127.9.9.9/", "HTTP://LOCALHOST/a",
                          "http://127.0.0.1/x#fragment", "http://[::ffff:127.0.0.1]/"}) {
    auto target = policy.Check(url);
    EXPECT_TRUE(target.has_value()) << url << ": " << target.error().message;
  }
  auto target = policy.Check("http://127.0.0.1/x#fragment");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->url, "http://127.0.0.1/x");  // what libcurl will send to
  EXPECT_EQ(target->host, "127.0.0.1");
  EXPECT_TRUE(policy.Check("https://localhost/")->https);
}

TEST(WebhookUrlPolicyTest, OtherSchemesHostsAndTricksAreRefused) {
  const UrlPolicy policy;
  for (const char* url : {
           "ftp://127.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1/", "127.0.0.1/hook",
           "//127.0.0.1/", "http://", "http:///x", "not a url", "http://10.0.0.1/",
           "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/",
           "http://example.com/", "http://localhost.example.com/",
           // Numeric forms of other addresses (10.0.0.1, 169.254.169.254).
           "http://167772161/", "http://0xa9fea9fe/", "http://10.1/",
           // Userinfo and fragments that hide the real host.
           "http://127.0.0.1@example.com/", "http://example.com#@127.0.0.1/",
           "http://127.0.0.1 .example.com/",
           "http://127.0.0.1\t/", "http://[::2]/"}) {
    EXPECT_EQ(FieldOf(policy.Check(url)), "url") << url;
  }
}

// libcurl reads the short and numeric forms of an IPv4 address as that
// address, and connects to what it read: loopback in any spelling is
// loopback, and the URL sent is the one it wrote back.
TEST(WebhookUrlPolicyTest, NumericFormsAreReadAsTheSenderReadsThem) {
  const UrlPolicy policy;
  for (const char* url : {"http://127.1/", "http://2130706433/", "http://0x7f000001/",
                          "http://0177.0.0.1/"}) {
    auto target = policy.Check(url);
    ASSERT_TRUE(target.has_value()) << url << ": " << target.error().message;
    EXPECT_EQ(target->host, "127.0.0.1") << url;
    EXPECT_EQ(target->url, "http://127.0.0.1/") << url;
  }
  // A backslash is userinfo to libcurl: the host it connects to is
  // loopback, whatever a browser would make of it.
  auto odd = policy.Check("http://example.com\\@127.0.0.1/");
  ASSERT_TRUE(odd.has_value());
  EXPECT_EQ(odd->host, "127.0.0.1");
}

TEST(WebhookUrlPolicyTest, ListedHostsAreAllowedWhateverTheirCase) {
  const UrlPolicy policy(SplitHostList(" Hooks.Example.com ,10.1.2.3,[2001:db8::1],"));
  EXPECT_EQ(policy.allowed_hosts(),
            (std::vector<std::string>{"hooks.example.com", "10.1.2.3", "2001:db8::1"}));
  EXPECT_TRUE(policy.Check("https://hooks.example.com/in").has_value());
  EXPECT_TRUE(policy.Check("http://HOOKS.example.COM:8443/in").has_value());
  EXPECT_TRUE(policy.Check("http://10.1.2.3/").has_value());
  EXPECT_TRUE(policy.Check("http://[2001:db8::1]/").has_value());
  EXPECT_EQ(FieldOf(policy.Check("http://other.example.com/")), "url");
  EXPECT_EQ(FieldOf(policy.Check("http://evil.hooks.example.com/")), "url");
  EXPECT_TRUE(policy.Check("http://127.0.0.1/").has_value());  // loopback stays allowed
}

TEST(WebhookSenderTest, KeptTextIsCutAtACharacterBoundaryAndValidUtf8) {
  EXPECT_EQ(Truncate("abc", 10), "abc");
  EXPECT_EQ(Truncate("abcdef", 3), "abc");
  EXPECT_EQ(Truncate("ab\xC3\xA9", 3), "ab");  // é would not fit whole
  EXPECT_EQ(Truncate("a\xFF" "b", 10), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(Truncate(std::string(5000, 'x'), 1024).size(), 1024u);
}

}  // namespace
}  // namespace allot::webhooks
