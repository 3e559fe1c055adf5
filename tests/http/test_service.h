// A real Engine, SQLite store and api::Service in a temporary directory, for
// tests of the handler and server. Removed again on destruction.
#ifndef ALLOT_TESTS_HTTP_TEST_SERVICE_H_
#define ALLOT_TESTS_HTTP_TEST_SERVICE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "allot/clock.h"
#include "allot/engine.h"
#include "allot/sqlite_store.h"
#include "api/change_feed.h"
#include "api/service.h"
#include "http/access_log.h"
#include "http/handler.h"
#include "http/metrics.h"

namespace allot::http {

class TestService {
 public:
  // Change streams (and so followers of the feed) open at once.
  static constexpr std::size_t kMaxStreams = 32;

  // `access_log`, if given, must outlive the service.
  explicit TestService(std::int64_t start_ms, const AccessLog* access_log = nullptr)
      : TestService(start_ms, std::nullopt, access_log) {}
  // The handler requires bearer tokens (see Handler).
  TestService(std::int64_t start_ms, TokenTable tokens)
      : TestService(start_ms, std::optional<TokenTable>(std::move(tokens)), nullptr) {}

  // `queue_capacity`: the engine's queue (EngineOptions::queue_capacity);
  // `changes_retention_ms`: ChangeFeedOptions::retention_ms.
  TestService(std::int64_t start_ms, std::optional<TokenTable> tokens, const AccessLog* access_log,
              std::size_t queue_capacity = EngineOptions{}.queue_capacity,
              std::int64_t changes_retention_ms = 0)
      : clock_(start_ms), tokens_(std::move(tokens)) {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("allot_http_test_" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(dir_);
    SqliteOptions sqlite;
    sqlite.path = (dir_ / "test.db").string();
    sqlite.sync = SyncMode::kNormal;
    auto database = OpenSqlite(sqlite);
    if (!database) {
      ADD_FAILURE() << database.error().message;
      return;
    }
    reader_ = std::move(database->reader);
    // As `allot serve` wires it: the engine pokes the feed after each commit.
    changes_ = std::make_unique<api::ChangeFeed>(
        *reader_, api::ChangeFeedOptions{.max_followers = kMaxStreams,
                                         .retention_ms = changes_retention_ms});
    EngineOptions options;
    options.clock = &clock_;
    options.queue_capacity = queue_capacity;
    options.on_changes = [feed = changes_.get()](std::int64_t, std::int64_t last_seq) {
      feed->Poke(last_seq);
    };
    metrics_.ObserveEngine(options);
    auto engine = Engine::Start(std::move(database->writer), std::move(options));
    if (!engine) {
      ADD_FAILURE() << engine.error().message;
      return;
    }
    engine_ = std::move(*engine);
    service_ = std::make_unique<api::Service>(*engine_, *reader_, clock_);
    handler_ = std::make_unique<Handler>(
        *service_, metrics_,
        HandlerOptions{.tokens = tokens_ ? &*tokens_ : nullptr,
                       .access_log = access_log,
                       .changes = changes_.get()});
  }

  ~TestService() {
    if (engine_) engine_->Stop();
    handler_.reset();
    service_.reset();
    engine_.reset();
    changes_.reset();
    reader_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  bool ok() const { return handler_ != nullptr; }
  // Commits what is queued and runs the last completions now. A server fed
  // by this service must be stopped (Run returned) first, and destroyed only
  // after this: completions post into the server's io_context.
  void StopEngine() {
    if (engine_) engine_->Stop();
  }
  Handler& handler() { return *handler_; }
  ManualClock& clock() { return clock_; }
  Metrics& metrics() { return metrics_; }
  api::ChangeFeed& changes() { return *changes_; }

  // Handles one request and waits (up to 10 s) for its answer.
  HttpResponse Call(std::string method, std::string target, std::string body = "",
                    HeaderList headers = {}) {
    HttpRequest request{std::move(method), std::move(target), std::move(headers), std::move(body)};
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto answer = promise->get_future();
    handler_->Handle(std::move(request),
                     [promise](HttpResponse response) { promise->set_value(std::move(response)); });
    if (answer.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within 10 s";
      return HttpResponse{.status = 0};
    }
    return answer.get();
  }

 private:
  std::filesystem::path dir_;
  ManualClock clock_;
  Metrics metrics_;
  std::optional<TokenTable> tokens_;
  std::unique_ptr<StoreReader> reader_;
  std::unique_ptr<api::ChangeFeed> changes_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<api::Service> service_;
  std::unique_ptr<Handler> handler_;
};

}  // namespace allot::http

#endif  // ALLOT_TESTS_HTTP_TEST_SERVICE_H_
