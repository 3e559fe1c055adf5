// The store conformance suite: one set of tests written against the Store
// and StoreReader interfaces, run against every implementation.
//
// To run it against a store, provide a StoreFactory and instantiate:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(SqliteStoreFactory()), FactoryName);
#ifndef ALLOT_TESTS_STORE_STORE_CONFORMANCE_H_
#define ALLOT_TESTS_STORE_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/model.h"
#include "allot/store.h"

namespace allot {

// gtest printers, so failed comparisons show the records.
void PrintTo(const Item& item, std::ostream* out);
void PrintTo(const Reservation& reservation, std::ostream* out);
void PrintTo(const Order& order, std::ostream* out);
void PrintTo(const UserUsage& usage, std::ostream* out);
void PrintTo(const LedgerEntry& entry, std::ostream* out);
void PrintTo(const Change& change, std::ostream* out);
void PrintTo(const IdempotencyRecord& record, std::ostream* out);
void PrintTo(const Error& error, std::ostream* out);
void PrintTo(const Status& status, std::ostream* out);
template <typename T>
void PrintTo(const Expected<T>& result, std::ostream* out) {
  if (result) {
    *out << ::testing::PrintToString(*result);
  } else {
    PrintTo(result.error(), out);
  }
}

namespace store_test {

struct StoreHandles {
  std::unique_ptr<Store> writer;
  std::unique_ptr<StoreReader> reader;
};

// One database under test: created empty for one test, destroyed with it.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  // Opens the database; again after the previous handles are gone, it must
  // open the same data.
  virtual Expected<StoreHandles> Open() = 0;
  // Every change of the journal in seq order, decoded (the Store interface
  // has no way to read it).
  virtual std::vector<Change> ReadJournal() = 0;
  // The schema version recorded in the database, and the one this build has.
  virtual int StoredSchemaVersion() = 0;
  virtual int BuildSchemaVersion() const = 0;
};

struct StoreFactory {
  std::string name;  // test name suffix: letters and digits only
  std::function<std::unique_ptr<StoreBackend>()> make;
};

void PrintTo(const StoreFactory& factory, std::ostream* out);
std::string FactoryName(const ::testing::TestParamInfo<StoreFactory>& info);

// Success, or a failure that shows the error.
::testing::AssertionResult Ok(const Status& status);
template <typename T>
::testing::AssertionResult Ok(const Expected<T>& result) {
  if (result) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result.error().message;
}

// The value of a load; on error a test failure (and nullopt).
template <typename T>
std::optional<T> Got(const Expected<std::optional<T>>& result) {
  if (!result) {
    ADD_FAILURE() << result.error().message;
    return std::nullopt;
  }
  return *result;
}

// The changes of stored journal blocks, decoded (a test failure on error).
std::vector<Change> DecodeJournal(const std::vector<JournalBlock>& blocks);

// `writes` with the journal a batch of the rules would have written for its
// records: for each new or updated reservation, order and transfer, and
// each new event, one change whose type fits its status (held: created,
// confirmed: confirmed, ...), in one block starting at `next_seq` (0: let
// the store number it). Stores that keep records only in the journal need
// it; every store must accept it.
BatchWrites Journaled(BatchWrites writes, std::optional<std::int64_t> next_seq);

// Records with plausible defaults for the tests to adjust.
Item MakeItem(std::string id, std::int64_t on_hand, std::int64_t held = 0);
Reservation MakeReservation(std::string id, std::int64_t expires_at_ms, std::vector<Line> lines);
Order MakeOrder(std::string id, std::vector<Line> lines);

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override;
  // Drops the handles and opens the same database again.
  void Reopen();
  // Begin + Write(Journaled(writes)) + Commit; a batch that has a journal
  // already is written as it is.
  Status Apply(const BatchWrites& writes);
  // Journaled(writes) for the writer's next seq.
  BatchWrites WithJournal(BatchWrites writes) const;

  // The item as the reader sees it at now_ms (a test failure on error).
  std::optional<Item> ReaderItem(std::string_view id, std::int64_t now_ms);

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<Store> writer_;
  std::unique_ptr<StoreReader> reader_;
};

}  // namespace store_test
}  // namespace allot

#endif  // ALLOT_TESTS_STORE_STORE_CONFORMANCE_H_
