// libFuzzer target: request handling end to end without sockets.
// http::Handler::Handle over a real Engine and SQLite store in a temporary
// directory: route, decode, validate, sequence, commit, encode.
//
// Input: "METHOD TARGET\n", then "Name: value\n" header lines up to an empty
// line, then the body (all optional past the method). One engine serves the
// whole process, so state carries over between inputs like a long-lived
// server's; a few rows are created first so that writes can get past "not
// found" into the rules.
//
// Besides crashes and sanitizer reports it checks what every answer must
// have: exactly one response, a status 200..599 that is never 500, an
// X-Request-Id, and valid JSON whenever the Content-Type says JSON.
#include <atomic>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "allot/engine.h"
#include "allot/sqlite_store.h"
#include "api/service.h"
#include "http/handler.h"
#include "http/http_message.h"
#include "http/metrics.h"

namespace {

using allot::http::HttpRequest;
using allot::http::HttpResponse;

void Check(bool ok) {
  if (!ok) std::abort();  // a broken promise is a finding like a crash
}

class Fixture {
 public:
  Fixture() {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("allot_fuzz_" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(dir_);
    allot::SqliteOptions sqlite;
    sqlite.path = (dir_ / "fuzz.db").string();
    sqlite.sync = allot::SyncMode::kNormal;  // speed; durability is not under test
    auto database = allot::OpenSqlite(sqlite);
    Check(database.has_value());
    reader_ = std::move(database->reader);
    auto engine = allot::Engine::Start(std::move(database->writer), allot::EngineOptions{});
    Check(engine.has_value());
    engine_ = std::move(*engine);
    service_ = std::make_unique<allot::api::Service>(*engine_, *reader_, clock_);
    handler_ = std::make_unique<allot::http::Handler>(*service_, metrics_);
  }

  ~Fixture() {
    engine_->Stop();
    handler_.reset();
    service_.reset();
    engine_.reset();
    reader_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  HttpResponse Handle(HttpRequest request) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto answered = promise->get_future();
    auto calls = std::make_shared<std::atomic<int>>(0);
    handler_->Handle(std::move(request), [promise, calls](HttpResponse response) {
      Check(calls->fetch_add(1) == 0);  // respond exactly once
      promise->set_value(std::move(response));
    });
    return answered.get();
  }

 private:
  std::filesystem::path dir_;
  allot::SystemClock clock_;
  allot::http::Metrics metrics_;
  std::unique_ptr<allot::StoreReader> reader_;
  std::unique_ptr<allot::Engine> engine_;
  std::unique_ptr<allot::api::Service> service_;
  std::unique_ptr<allot::http::Handler> handler_;
};

Fixture* fixture = nullptr;

HttpRequest Post(std::string target, std::string body) {
  return HttpRequest{.method = "POST", .target = std::move(target), .body = std::move(body)};
}

HttpRequest Parse(std::string_view input) {
  HttpRequest request;
  auto take_line = [&input]() {
    std::size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    return line;
  };
  std::string_view first = take_line();
  std::size_t space = first.find(' ');
  request.method = std::string(first.substr(0, space));
  if (space != std::string_view::npos) request.target = std::string(first.substr(space + 1));
  while (!input.empty()) {
    std::string_view line = take_line();
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    request.headers.emplace_back(std::string(name), std::string(value));
  }
  request.body = std::string(input);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  fixture = new Fixture();
  // Stopped and removed at exit, so runs leave no temporary databases behind.
  std::atexit([] { delete fixture; });
  fixture->Handle(Post("/api/v1/items", R"({"id":"mug","name":"Mug","onHand":1000000})"));
  fixture->Handle(Post("/api/v1/items", R"({"id":"pen","onHand":5,"maxPerUser":2})"));
  fixture->Handle(Post("/api/v1/accounts", R"({"id":"acct-a","balance":1000000})"));
  fixture->Handle(Post("/api/v1/accounts", R"({"id":"acct-b","balance":0})"));
  fixture->Handle(
      Post("/api/v1/events", R"({"id":"ev1","name":"Gig","seats":["A-1","A-2","A-3"]})"));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The server never hands the handler more than its 64 KiB body limit.
  if (size > 70'000) return 0;
  HttpResponse response =
      fixture->Handle(Parse(std::string_view(reinterpret_cast<const char*>(data), size)));
  bool ok = response.status >= 200 && response.status <= 599 && response.status != 500 &&
            response.Header("X-Request-Id") != nullptr;
  const std::string* type = response.Header("Content-Type");
  if (ok && type != nullptr && type->starts_with("application/json")) {
    boost::system::error_code error;
    boost::json::parse(response.body, error);
    ok = !error;
  }
  if (!ok) {
    std::fprintf(stderr, "bad response: %d %s\n", response.status, response.body.c_str());
    std::abort();
  }
  return 0;
}
