// The raw text of members and elements, as /batch fingerprints entry bodies.
#include "http/json_spans.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace allot::http {
namespace {

using Spans = std::vector<std::string_view>;

TEST(JsonSpansTest, MemberValuesAreTheirTextAsWritten) {
  EXPECT_EQ(
      MemberValueSpans(R"( { "a" : 1 , "b":{ "x" : [1, {"y":"}]"}] } ,"c":"q\"}" ,"d":null} )"),
      (Spans{"1", R"({ "x" : [1, {"y":"}]"}] })", R"("q\"}")", "null"}));
  EXPECT_EQ(MemberValueSpans("{}"), Spans{});
  EXPECT_EQ(MemberValueSpans(R"({"k\"ey":-1.5e3,"e":true})"), (Spans{"-1.5e3", "true"}));
  EXPECT_EQ(MemberValueSpans("[1,2]"), Spans{});  // not an object
}

TEST(JsonSpansTest, ElementsAreTheirTextAsWritten) {
  EXPECT_EQ(ElementSpans(R"([ {"a":"]"} ,[1,[2]],"\\",3 ])"),
            (Spans{R"({"a":"]"})", "[1,[2]]", R"("\\")", "3"}));
  EXPECT_EQ(ElementSpans("[]"), Spans{});
  EXPECT_EQ(ElementSpans("{}"), Spans{});  // not an array
}

}  // namespace
}  // namespace allot::http
