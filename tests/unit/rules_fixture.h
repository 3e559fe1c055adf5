// A fixture for tests of the pure rules: each command is decided as a batch
// of its own over in-memory state, and what it changed is committed.
#ifndef ALLOT_TESTS_UNIT_RULES_FIXTURE_H_
#define ALLOT_TESTS_UNIT_RULES_FIXTURE_H_

#include <gtest/gtest.h>

#include <string>

#include "domain/rules.h"
#include "memory_state.h"

namespace allot::testing {

class RulesTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t kStart = 1'700'000'000'000;

  CommandResult Run(CommandBody body) {
    ChangeRecorder recorder;
    domain::WorkingSet ws(state_, recorder);
    domain::Context ctx{.now_ms = now_,
                        .principal = principal_,
                        .own_records_only = own_records_only_,
                        .ids = &ids_};
    CommandResult result = domain::Decide(body, ws, ctx);
    state_.Commit(ws.TakeWrites(), std::move(recorder.changes));
    return result;
  }

  template <typename T>
  T Ok(CommandBody body) {
    CommandResult result = Run(std::move(body));
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    if (!result) return T{};
    return std::get<T>(result->value);
  }

  // A refusal with `code` that changed nothing at all.
  Error Refused(CommandBody body, ErrorCode code) {
    const MemoryState before = state_;
    CommandResult result = Run(std::move(body));
    EXPECT_FALSE(result.has_value());
    if (result) return Error{};
    EXPECT_EQ(result.error().code, code) << result.error().message;
    EXPECT_EQ(state_.items, before.items);
    EXPECT_EQ(state_.reservations, before.reservations);
    EXPECT_EQ(state_.orders, before.orders);
    EXPECT_EQ(state_.transfers, before.transfers);
    EXPECT_EQ(state_.events, before.events);
    EXPECT_EQ(state_.ledger, before.ledger);
    EXPECT_EQ(state_.webhooks, before.webhooks);
    EXPECT_EQ(state_.waitlist, before.waitlist);
    EXPECT_EQ(state_.draws, before.draws);
    EXPECT_EQ(state_.draw_entries, before.draw_entries);
    EXPECT_EQ(state_.changes.size(), before.changes.size());
    return result.error();
  }

  Account AccountNow(const std::string& id) {
    auto it = state_.items.find(AccountItemId(id));
    return it == state_.items.end() ? Account{} : AccountFromItem(it->second);
  }

  static std::int64_t IntDetail(const Error& e, std::string_view key) {
    const DetailValue* v = e.Detail(key);
    return v ? std::get<std::int64_t>(*v) : -1;
  }
  static std::string TextDetail(const Error& e, std::string_view key) {
    const DetailValue* v = e.Detail(key);
    return v ? std::get<std::string>(*v) : "";
  }

  MemoryState state_;
  CountingIds ids_;
  std::int64_t now_ = kStart;
  // Who decides: "" and unrestricted, as on the open service.
  std::string principal_;
  bool own_records_only_ = false;
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_UNIT_RULES_FIXTURE_H_
