// A real Engine, SQLite store and api::Service in a temporary directory, for
// tests of the handler and server. Removed again on destruction.
#ifndef ALLOT_TESTS_HTTP_TEST_SERVICE_H_
#define ALLOT_TESTS_HTTP_TEST_SERVICE_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "allot/clock.h"
#include "allot/engine.h"
#include "allot/sqlite_store.h"
#include "api/service.h"
#include "http/handler.h"
#include "http/metrics.h"

namespace allot::http {

class TestService {
 public:
  // With `tokens`, the handler requires bearer tokens (see Handler).
  explicit TestService(std::int64_t start_ms, std::optional<TokenTable> tokens = std::nullopt)
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
    EngineOptions options;
    options.clock = &clock_;
    options.on_batch = [this](std::size_t commands, std::int64_t commit_us) {
      metrics_.RecordBatch(commands, commit_us);
    };
    auto engine = Engine::Start(std::move(database->writer), std::move(options));
    if (!engine) {
      ADD_FAILURE() << engine.error().message;
      return;
    }
    engine_ = std::move(*engine);
    service_ = std::make_unique<api::Service>(*engine_, *reader_, clock_);
    handler_ = std::make_unique<Handler>(*service_, metrics_, tokens_ ? &*tokens_ : nullptr);
  }

  ~TestService() {
    if (engine_) engine_->Stop();
    handler_.reset();
    service_.reset();
    engine_.reset();
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

 private:
  std::filesystem::path dir_;
  ManualClock clock_;
  Metrics metrics_;
  std::optional<TokenTable> tokens_;
  std::unique_ptr<StoreReader> reader_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<api::Service> service_;
  std::unique_ptr<Handler> handler_;
};

}  // namespace allot::http

#endif  // ALLOT_TESTS_HTTP_TEST_SERVICE_H_
