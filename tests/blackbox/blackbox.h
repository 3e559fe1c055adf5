// The fixture and assertions shared by the black-box tests. Each test gets
// its own server process on a fresh database.
#ifndef ALLOT_TESTS_BLACKBOX_BLACKBOX_H_
#define ALLOT_TESTS_BLACKBOX_BLACKBOX_H_

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api.h"
#include "http_client.h"
#include "server_process.h"

namespace allot::testing {

class BlackboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start(ServerArgs()));
    api_ = std::make_unique<Api>(server_.port());
  }
  // A server that died during the test (a crash, an abort) fails it.
  void TearDown() override {
    if (std::optional<int> status = server_.Poll()) {
      ADD_FAILURE() << "the server died during the test (wait status " << *status
                    << "); its output:\n"
                    << server_.output();
    }
  }
  // Extra command-line arguments for `allot serve`.
  virtual std::vector<std::string> ServerArgs() const { return {}; }

  Api& api() { return *api_; }
  int port() const { return server_.port(); }

  // Creates an item and asserts 201.
  void MakeItem(std::string_view id, std::int64_t on_hand,
                std::optional<std::int64_t> max_per_user = std::nullopt) {
    Response created = api().CreateItem(id, on_hand, max_per_user);
    ASSERT_EQ(created.status, 201) << Describe(created);
  }

  ServerProcess server_;
  std::unique_ptr<Api> api_;
};

// True when `status` (from ServerProcess::Wait) is a clean exit 0.
inline ::testing::AssertionResult ExitedZero(const std::optional<int>& status) {
  if (!status) return ::testing::AssertionFailure() << "did not exit in time";
  if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return ::testing::AssertionSuccess();
  if (WIFSIGNALED(*status)) {
    return ::testing::AssertionFailure() << "killed by signal " << WTERMSIG(*status);
  }
  return ::testing::AssertionFailure() << "exit status " << WEXITSTATUS(*status);
}

// The response is `status` with an error body of `code`, a non-empty
// message and an X-Request-Id header.
inline ::testing::AssertionResult IsError(const Response& response, int status,
                                          std::string_view code) {
  if (response.status != status || ErrorCode(response) != code) {
    return ::testing::AssertionFailure()
           << "expected " << status << " " << code << ", got " << Describe(response);
  }
  if (GetString(ErrorObject(response), "message").value_or("").empty()) {
    return ::testing::AssertionFailure() << "error without a message: " << Describe(response);
  }
  if (!response.Header("X-Request-Id")) {
    return ::testing::AssertionFailure() << "error without X-Request-Id: " << Describe(response);
  }
  return ::testing::AssertionSuccess();
}

// 400 invalid_request naming `field`.
inline ::testing::AssertionResult IsInvalidField(const Response& response, std::string_view field) {
  ::testing::AssertionResult error = IsError(response, 400, "invalid_request");
  if (!error) return error;
  std::string named = GetString(ErrorObject(response), "field").value_or("<none>");
  if (named != field) {
    return ::testing::AssertionFailure()
           << "expected field " << field << ", got " << named << ": " << Describe(response);
  }
  return ::testing::AssertionSuccess();
}

// 404 not_found for `resource` `id` (id not checked when empty).
inline ::testing::AssertionResult IsNotFound(const Response& response, std::string_view resource,
                                             std::string_view id) {
  ::testing::AssertionResult error = IsError(response, 404, "not_found");
  if (!error) return error;
  json::object details = ErrorObject(response);
  if (GetString(details, "resource").value_or("") != resource ||
      (!id.empty() && GetString(details, "id").value_or("") != id)) {
    return ::testing::AssertionFailure()
           << "expected resource " << resource << " id " << id << ", got " << Describe(response);
  }
  return ::testing::AssertionSuccess();
}

// 409 out_of_stock with itemId, requested and available details.
inline ::testing::AssertionResult IsOutOfStock(const Response& response, std::string_view item,
                                               std::int64_t requested, std::int64_t available) {
  ::testing::AssertionResult error = IsError(response, 409, "out_of_stock");
  if (!error) return error;
  json::object details = ErrorObject(response);
  if (GetString(details, "itemId").value_or("") != item ||
      GetInt(details, "requested") != requested || GetInt(details, "available") != available) {
    return ::testing::AssertionFailure()
           << "expected itemId " << item << " requested " << requested << " available " << available
           << ", got " << Describe(response);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace allot::testing

#endif  // ALLOT_TESTS_BLACKBOX_BLACKBOX_H_
