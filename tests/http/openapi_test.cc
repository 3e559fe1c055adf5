// docs/openapi.json against the router and the handler: the document names
// exactly the routes the router knows (both ways), every reference in it
// resolves, and the server serves the repo's file byte for byte.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "http/router.h"
#include "test_service.h"
#include "web/web_assets.h"

namespace allot::http {
namespace {

namespace json = boost::json;
using Operation = std::pair<std::string, std::string>;  // (method, template)

constexpr std::int64_t kT0 = 1'795'428'000'000;

std::string RepoDocument() {
  std::ifstream in(std::string(ALLOT_SOURCE_DIR) + "/docs/openapi.json", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json::object ParsedDocument() {
  json::value parsed = json::parse(RepoDocument());
  return parsed.as_object();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::set<Operation> DocumentedOperations(const json::object& document) {
  static const std::set<std::string> kMethods = {"get",  "put",     "post",  "delete",
                                                 "head", "options", "patch", "trace"};
  std::set<Operation> out;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [key, operation] : item.as_object()) {
      if (kMethods.contains(std::string(key))) out.emplace(std::string(key), std::string(path));
    }
  }
  return out;
}

std::set<Operation> RoutedOperations() {
  std::set<Operation> out;
  for (const RouteSpec& spec : RouteTable()) {
    out.emplace(Lower(spec.method), std::string(spec.route));
  }
  return out;
}

// Every "$ref" in `value`, with where it was found.
void CollectRefs(const json::value& value, const std::string& at,
                 std::vector<std::pair<std::string, std::string>>& refs) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.as_object()) {
      if (key == "$ref" && child.is_string()) {
        refs.emplace_back(at, std::string(child.as_string()));
      } else {
        CollectRefs(child, at + "/" + std::string(key), refs);
      }
    }
  } else if (value.is_array()) {
    const json::array& array = value.as_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
      CollectRefs(array[i], at + "/" + std::to_string(i), refs);
    }
  }
}

TEST(OpenApiTest, IsOpenApi3Json) {
  json::object document = ParsedDocument();
  ASSERT_TRUE(document.at("openapi").is_string());
  EXPECT_TRUE(document.at("openapi").as_string().starts_with("3."));
  EXPECT_TRUE(document.at("info").as_object().contains("title"));
  EXPECT_TRUE(document.at("info").as_object().contains("version"));
}

TEST(OpenApiTest, EveryRouteIsDocumented) {
  std::set<Operation> documented = DocumentedOperations(ParsedDocument());
  for (const Operation& routed : RoutedOperations()) {
    EXPECT_TRUE(documented.contains(routed))
        << routed.first << " " << routed.second << " is routed but not in docs/openapi.json";
  }
}

TEST(OpenApiTest, EveryDocumentedOperationIsRouted) {
  std::set<Operation> routed = RoutedOperations();
  for (const Operation& documented : DocumentedOperations(ParsedDocument())) {
    EXPECT_TRUE(routed.contains(documented))
        << documented.first << " " << documented.second
        << " is in docs/openapi.json but the router does not know it";
  }
}

TEST(OpenApiTest, EveryReferenceResolves) {
  json::value document = json::parse(RepoDocument());
  std::vector<std::pair<std::string, std::string>> refs;
  CollectRefs(document, "", refs);
  ASSERT_FALSE(refs.empty());
  for (const auto& [at, ref] : refs) {
    ASSERT_TRUE(ref.starts_with("#/")) << at << ": only local references are used";
    boost::system::error_code ec;
    const json::value* target = document.find_pointer(ref.substr(1), ec);
    EXPECT_NE(target, nullptr) << at << ": " << ref << " does not resolve";
  }
}

TEST(OpenApiTest, OperationsHaveIdsAndAnswers) {
  json::object document = ParsedDocument();
  std::set<std::string> ids;
  for (const auto& [method, path] : DocumentedOperations(document)) {
    SCOPED_TRACE(method + " " + path);
    const json::object& operation = document.at("paths").at(path).at(method).as_object();
    ASSERT_TRUE(operation.contains("operationId"));
    EXPECT_TRUE(ids.insert(std::string(operation.at("operationId").as_string())).second)
        << "operationId repeated";
    const json::object& responses = operation.at("responses").as_object();
    bool has_success = false;
    for (const auto& [status, response] : responses) has_success |= status.starts_with("2");
    EXPECT_TRUE(has_success);
    // Every request under /api/v1 may be refused for a missing token.
    if (path.starts_with("/api/v1/")) {
      EXPECT_TRUE(responses.contains("401"));
    }
    // Every write states its refusals with the error body.
    if (method == "post") {
      for (const char* status : {"400", "413", "422", "503"}) {
        // /batch takes no key of its own: its requests' 422s are results.
        if (path == "/api/v1/batch" && std::string_view(status) == "422") {
          EXPECT_FALSE(responses.contains(status));
          continue;
        }
        EXPECT_TRUE(responses.contains(status)) << status;
      }
    }
  }
}

TEST(OpenApiTest, NamesTheRecordsAndTheErrorBody) {
  json::object document = ParsedDocument();
  const json::object& schemas = document.at("components").at("schemas").as_object();
  for (const char* name : {"Item", "Reservation", "Order", "Account", "Transfer", "Event",
                           "SeatList", "Confirmation", "Error"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
  const json::object& schemes = document.at("components").at("securitySchemes").as_object();
  ASSERT_TRUE(schemes.contains("bearerAuth"));
  EXPECT_EQ(schemes.at("bearerAuth").at("scheme"), "bearer");
  // Bearer, or nothing while the service runs open.
  EXPECT_EQ(json::serialize(document.at("security")), R"([{"bearerAuth":[]},{}])");
}

TEST(OpenApiTest, TheBinaryCarriesTheRepoFile) {
  EXPECT_EQ(web::OpenApiDocument(), RepoDocument())
      << "the build embeds docs/openapi.json; rebuild after editing it";
}

TEST(OpenApiTest, IsServedAsJson) {
  TestService service(kT0);
  ASSERT_TRUE(service.ok());
  std::promise<HttpResponse> promise;
  service.handler().Handle(HttpRequest{"GET", "/api/v1/openapi.json", {}, ""},
                           [&promise](HttpResponse response) { promise.set_value(response); });
  HttpResponse response = promise.get_future().get();
  EXPECT_EQ(response.status, 200);
  ASSERT_NE(response.Header("Content-Type"), nullptr);
  EXPECT_EQ(*response.Header("Content-Type"), "application/json");
  EXPECT_EQ(response.body, RepoDocument());
}

}  // namespace
}  // namespace allot::http
