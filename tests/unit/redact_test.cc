// Database URLs as the service prints them: passwords never shown.
#include "core/redact.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(RedactTest, HidesTheUserInfoPassword) {
  EXPECT_EQ(RedactUrl("postgres://app:s3cret@db.example:5432/allot"),
            "postgres://app:***@db.example:5432/allot");
  EXPECT_EQ(RedactUrl("postgresql://app:s3cret@127.0.0.1/allot?sslmode=disable"),
            "postgresql://app:***@127.0.0.1/allot?sslmode=disable");
  // A raw '@' or '/' in the password is hidden whole.
  EXPECT_EQ(RedactUrl("postgres://app:p@ss/w@db/allot"), "postgres://app:***@db/allot");
}

// libpq's multi-host URLs (failover): the ports and commas of the host list
// are not a password, the user info's password still is.
TEST(RedactTest, MultiHostUrls) {
  EXPECT_EQ(
      RedactUrl("postgres://app:s3cret@h1:5432,h2:5433/allot?target_session_attrs=read-write"),
      "postgres://app:***@h1:5432,h2:5433/allot?target_session_attrs=read-write");
  EXPECT_EQ(
      RedactUrl("postgresql://h1,h2:5433,[::1]:5434/allot?password=s3cret&"
                "target_session_attrs=read-write"),
      "postgresql://h1,h2:5433,[::1]:5434/allot?password=***&target_session_attrs=read-write");
  for (const char* text :
       {"postgres://app@127.0.0.1:5432,127.0.0.1:5433/allot",
        "postgres://127.0.0.1:5432,127.0.0.1:5433/allot?target_session_attrs=any"}) {
    EXPECT_EQ(RedactUrl(text), text);
    EXPECT_TRUE(UrlSecrets(text).empty()) << text;
  }
}

TEST(RedactTest, HidesPasswordQueryParameters) {
  EXPECT_EQ(RedactUrl("postgres://db/allot?user=app&password=s3cret&sslmode=require"),
            "postgres://db/allot?user=app&password=***&sslmode=require");
  EXPECT_EQ(RedactUrl("postgres://db/allot?sslpassword=k3y"),
            "postgres://db/allot?sslpassword=***");
  EXPECT_EQ(RedactUrl("postgres://u:a@db/x?password=b"), "postgres://u:***@db/x?password=***");
}

TEST(RedactTest, LeavesTextWithoutSecretsAlone) {
  for (const char* text :
       {"allot.db", "/var/lib/allot/allot.db", "postgres://db:5432/allot",
        "postgres://app@db:5432/allot", "postgres://app:@db/allot", "file:password=not-a-url.db"}) {
    EXPECT_EQ(RedactUrl(text), text);
  }
  EXPECT_TRUE(UrlSecrets("postgres://app@db:5432/allot").empty());
}

TEST(RedactTest, ScrubsSecretsQuotedInMessages) {
  const std::string url = "postgres://app:p%40ss@db/allot?password=other";
  EXPECT_EQ(UrlSecrets(url), (std::vector<std::string>{"p%40ss", "p@ss", "other"}));
  EXPECT_EQ(RedactSecretsOf(url, "password authentication failed (p@ss, p%40ss, other, p@ss)"),
            "password authentication failed (***, ***, ***, ***)");
  EXPECT_EQ(RedactSecretsOf("allot.db", "no such file: allot.db"), "no such file: allot.db");
}

}  // namespace
}  // namespace allot
