// The engine over the store under test, for the waiting-list conformance
// tests (store_conformance_waitlist.cc). Instantiate it per store:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, EngineWaitlistTest, ...);
#ifndef ALLOT_TESTS_STORE_STORE_CONFORMANCE_WAITLIST_H_
#define ALLOT_TESTS_STORE_STORE_CONFORMANCE_WAITLIST_H_

#include <string>
#include <vector>

#include "store_conformance_queries.h"

namespace allot::store_test {

class EngineWaitlistTest : public EngineQueriesTest {
 protected:
  WaitlistEntry Join(const std::string& item, const std::string& user, std::int64_t qty) {
    return Must<WaitlistEntry>(JoinWaitlist{.item_id = item, .user_id = user, .qty = qty});
  }
  WaitlistEntry Read(const std::string& id) {
    auto entry = reader_->GetWaitlistEntry(id);
    EXPECT_TRUE(Ok(entry));
    return entry && *entry ? **entry : WaitlistEntry{};
  }
  std::vector<Change> ChangesAfter(std::int64_t after) {
    auto page = reader_->ReadChanges(after, 1000, {}, 100000);
    EXPECT_TRUE(Ok(page));
    return page ? page->changes : std::vector<Change>{};
  }
};

}  // namespace allot::store_test

#endif  // ALLOT_TESTS_STORE_STORE_CONFORMANCE_WAITLIST_H_
