// A Store decorator for engine tests: can hold a commit at a gate (so that a
// batch forms behind it), hold a lock phase at another (as a row lock held
// by another process would), and can make commits fail (a storage fault).
#ifndef ALLOT_TESTS_UNIT_GATED_STORE_H_
#define ALLOT_TESTS_UNIT_GATED_STORE_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "allot/store.h"

namespace allot::testing {

class GatedStore final : public Store {
 public:
  explicit GatedStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}

  // While closed, Commit() waits; commits_waiting() tells how many do.
  void CloseGate() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void OpenGate() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  int commits_waiting() const { return waiting_.load(); }
  std::atomic<bool> fail_commits{false};

  // Pretends to be a store that locks rows up front; records the plans,
  // and those of commands that joined a batch after its lock phase.
  std::atomic<bool> locks_rows{false};
  std::vector<LockPlan> lock_plans;     // touched only by the sequencer thread
  std::vector<LockPlan> joined_plans;   // likewise
  bool LocksRows() const override { return locks_rows; }
  Status LockForBatch(const LockPlan& plan) override {
    {
      std::unique_lock lock(mu_);
      ++locks_waiting_;
      cv_.wait(lock, [this] { return locks_open_; });
      --locks_waiting_;
    }
    lock_plans.push_back(plan);
    return {};
  }
  Status ExtendLocks(const LockPlan& joining) override {
    joined_plans.push_back(joining);
    return {};
  }
  // While closed, LockForBatch() waits; locks_waiting() tells how many do.
  void CloseLockGate() {
    std::lock_guard lock(mu_);
    locks_open_ = false;
  }
  void OpenLockGate() {
    {
      std::lock_guard lock(mu_);
      locks_open_ = true;
    }
    cv_.notify_all();
  }
  int locks_waiting() {
    std::lock_guard lock(mu_);
    return locks_waiting_;
  }

  JournalLayout journal_layout() const override { return inner_->journal_layout(); }
  std::optional<std::int64_t> NextSeq() const override { return inner_->NextSeq(); }
  bool WantsSweep(std::int64_t now_ms) const override { return inner_->WantsSweep(now_ms); }
  Status Begin() override { return inner_->Begin(); }
  Expected<std::optional<Item>> LoadItem(std::string_view id) override {
    return inner_->LoadItem(id);
  }
  Expected<std::optional<Reservation>> LoadReservation(std::string_view id) override {
    return inner_->LoadReservation(id);
  }
  Expected<std::optional<Order>> LoadOrder(std::string_view id) override {
    return inner_->LoadOrder(id);
  }
  Expected<std::optional<UserUsage>> LoadUsage(std::string_view u, std::string_view i) override {
    return inner_->LoadUsage(u, i);
  }
  Expected<std::optional<IdempotencyRecord>> LoadIdempotency(std::string_view p,
                                                             std::string_view k) override {
    return inner_->LoadIdempotency(p, k);
  }
  Expected<std::vector<std::string>> DueReservationsOnItem(std::string_view item,
                                                           std::int64_t now_ms,
                                                           std::size_t limit) override {
    return inner_->DueReservationsOnItem(item, now_ms, limit);
  }
  Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms,
                                                     std::size_t limit) override {
    return inner_->DueReservations(now_ms, limit);
  }
  Expected<std::optional<Webhook>> LoadWebhook(std::string_view id) override {
    return inner_->LoadWebhook(id);
  }
  Expected<std::optional<WaitlistEntry>> LoadWaitlistEntry(std::string_view id) override {
    return inner_->LoadWaitlistEntry(id);
  }
  Expected<std::vector<WaitlistEntry>> LoadWaitingEntries(std::string_view item_id,
                                                          std::int64_t after_ticket,
                                                          std::size_t limit) override {
    return inner_->LoadWaitingEntries(item_id, after_ticket, limit);
  }
  Expected<std::optional<WaitlistEntry>> LoadActiveWaitlistEntry(
      std::string_view item_id, std::string_view user_id) override {
    return inner_->LoadActiveWaitlistEntry(item_id, user_id);
  }
  Expected<std::optional<WaitlistEntry>> LoadWaitlistOffer(
      std::string_view reservation_id) override {
    return inner_->LoadWaitlistOffer(reservation_id);
  }
  Expected<std::optional<Draw>> LoadDraw(std::string_view id) override {
    return inner_->LoadDraw(id);
  }
  Expected<std::optional<DrawEntry>> LoadDrawEntry(std::string_view draw_id,
                                                   std::string_view user_id) override {
    return inner_->LoadDrawEntry(draw_id, user_id);
  }
  Expected<std::vector<DrawEntry>> LoadDrawEntries(std::string_view draw_id) override {
    return inner_->LoadDrawEntries(draw_id);
  }
  Expected<std::vector<DueDraw>> LoadDueDraws(std::int64_t now_ms, std::size_t limit) override {
    return inner_->LoadDueDraws(now_ms, limit);
  }
  Expected<std::int64_t> LoadJournalHead() override { return inner_->LoadJournalHead(); }
  Expected<std::optional<Transfer>> LoadTransfer(std::string_view id) override {
    return inner_->LoadTransfer(id);
  }
  Expected<std::optional<Event>> LoadEvent(std::string_view id) override {
    return inner_->LoadEvent(id);
  }
  Status Write(BatchWrites writes) override { return inner_->Write(std::move(writes)); }
  Status Commit() override {
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.wait(lock, [this] { return open_; });
      --waiting_;
    }
    if (fail_commits) return Fail(Unavailable("injected commit failure"));
    return inner_->Commit();
  }
  void Rollback() override { inner_->Rollback(); }

 private:
  std::unique_ptr<Store> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  std::atomic<int> waiting_{0};
  bool locks_open_ = true;
  int locks_waiting_ = 0;
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_UNIT_GATED_STORE_H_
