// The fixtures of the queries conformance suite (store_conformance_queries.cc),
// here so each store's test binary can instantiate them:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, QueriesTest, ...);
//   INSTANTIATE_TEST_SUITE_P(Sqlite, EngineQueriesTest, ...);
#ifndef ALLOT_TESTS_STORE_STORE_CONFORMANCE_QUERIES_H_
#define ALLOT_TESTS_STORE_STORE_CONFORMANCE_QUERIES_H_

#include <memory>
#include <string>
#include <vector>

#include "allot/clock.h"
#include "allot/engine.h"
#include "api/queries.h"
#include "store_conformance.h"

namespace allot::store_test {

class QueriesTest : public StoreConformanceTest {
 protected:
  // Writes one block of `count` changes whose first moves each of `items`;
  // returns its first seq.
  std::int64_t Append(std::int64_t at_ms, std::vector<std::string> items, int count = 1);

  std::vector<std::int64_t> Blocks(std::uint64_t term, std::int64_t from, std::size_t limit = 100) {
    auto blocks = reader_->TermBlocks(term, from, limit);
    EXPECT_TRUE(Ok(blocks));
    return blocks ? *blocks : std::vector<std::int64_t>{};
  }
};


// The engine over the store under test, on a clock the test moves.
class EngineQueriesTest : public QueriesTest {
 protected:
  void SetUp() override {
    QueriesTest::SetUp();
    clock_.Set(1'700'000'000'000);
    auto engine = Engine::Start(std::move(writer_), EngineOptions{.sweep_interval_ms = 3'600'000,
                                                                  .clock = &clock_});
    ASSERT_TRUE(Ok(engine));
    engine_ = std::move(*engine);
  }
  void TearDown() override {
    if (engine_) engine_->Stop();
  }

  CommandResult Run(CommandBody body, std::string principal = "") {
    Command command{.body = std::move(body), .principal = std::move(principal)};
    command.own_records_only = !command.principal.empty();
    return engine_->Execute(std::move(command));
  }
  template <typename T>
  T Must(CommandBody body, std::string principal = "") {
    CommandResult result = Run(std::move(body), std::move(principal));
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    return result ? std::get<T>(result->value) : T{};
  }

  std::vector<api::HistoryEntry> WholeHistory(const std::string& item_id, std::size_t page) {
    std::vector<api::HistoryEntry> all;
    std::int64_t after = 0;
    for (int guard = 0; guard < 10'000; ++guard) {
      auto read = api::ReadHistory(*reader_, item_id, after, page, std::nullopt);
      EXPECT_TRUE(Ok(read));
      if (!read) break;
      all.insert(all.end(), read->entries.begin(), read->entries.end());
      if (!read->next) break;
      after = *read->next;
    }
    return all;
  }

  ManualClock clock_{1'700'000'000'000};
  std::unique_ptr<Engine> engine_;
};

}  // namespace allot::store_test

#endif  // ALLOT_TESTS_STORE_STORE_CONFORMANCE_QUERIES_H_
