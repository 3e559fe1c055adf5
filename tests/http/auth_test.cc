// The tokens file, the constant-time comparison and the Authorization header.
#include "http/auth.h"

#include <gtest/gtest.h>

namespace allot::http {
namespace {

TEST(TokenTableTest, ParsesRolesPrincipalsAndTokensIgnoringCommentsAndBlanks) {
  auto table = TokenTable::Parse(
      "# role principal token\n"
      "admin ops s3cret-admin\n"
      "\n"
      "client   shop-a\ttok-a\r\n"
      "client shop-a tok-a-rotated\n"
      "   # indented comment\n"
      "client shop-b tok-b");
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->size(), 4u);
  const Principal* ops = table->Find("s3cret-admin");
  ASSERT_NE(ops, nullptr);
  EXPECT_EQ(ops->name, "ops");
  EXPECT_EQ(ops->role, Role::kAdmin);
  ASSERT_NE(table->Find("tok-a"), nullptr);
  EXPECT_EQ(table->Find("tok-a")->name, "shop-a");
  EXPECT_EQ(table->Find("tok-a")->role, Role::kClient);
  EXPECT_EQ(table->Find("tok-a-rotated")->name, "shop-a");
  EXPECT_EQ(table->Find("tok-b")->name, "shop-b");
  EXPECT_EQ(table->Find("tok-"), nullptr);
  EXPECT_EQ(table->Find("tok-bb"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
  EXPECT_EQ(table->Find("S3CRET-ADMIN"), nullptr);
}

TEST(TokenTableTest, RefusesBadFilesNamingTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"admin ops\n", "line 1: expected"},
           Case{"admin ops tok extra\n", "line 1: expected"},
           Case{"# c\nroot ops tok\n", "line 2: the role"},
           Case{"admin ops tok\nclient shop tok\n", "line 2: this token is given twice"},
           Case{"admin ops tok1\nclient ops tok2\n", "line 2: principal 'ops' is given two roles"},
           Case{"admin ops to\x01k\n", "line 1: the token"},
           Case{"# nothing here\n\n", "no tokens"},
           Case{"", "no tokens"},
       }) {
    auto table = TokenTable::Parse(c.text);
    ASSERT_FALSE(table) << c.text;
    EXPECT_NE(table.error().message.find(c.message), std::string::npos)
        << c.text << " -> " << table.error().message;
  }
}

TEST(TokenTableTest, LoadNamesTheFileAndNeverTheToken) {
  auto missing = TokenTable::Load("/nonexistent/tokens");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/tokens"), std::string::npos);
}

TEST(ConstantTimeEqualsTest, EqualOnlyForTheSameBytes) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcabc"));  // the secret is read cyclically
  EXPECT_FALSE(ConstantTimeEquals("abc", ""));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0c", 3), std::string_view("a\0d", 3)));
}

TEST(BearerTokenTest, ReadsTheBearerSchemeOnly) {
  // A copy: the token is a view into the request, which ends with the call.
  auto token = [](std::string header) -> std::optional<std::string> {
    HttpRequest request;
    request.headers.emplace_back("authorization", std::move(header));
    auto found = BearerToken(request);
    if (!found) return std::nullopt;
    return std::string(*found);
  };
  EXPECT_EQ(token("Bearer abc"), "abc");
  EXPECT_EQ(token("bearer   abc  "), "abc");
  EXPECT_EQ(token("BEARER\tabc"), "abc");
  EXPECT_EQ(token("Basic YWJj"), std::nullopt);
  EXPECT_EQ(token("Bearer"), std::nullopt);
  EXPECT_EQ(token("Bearer   "), std::nullopt);
  EXPECT_EQ(token("Bearerabc"), std::nullopt);
  EXPECT_EQ(BearerToken(HttpRequest{}), std::nullopt);
}

}  // namespace
}  // namespace allot::http
