// The domain's Loader over the Store the sequencer holds open: loads go to
// the batch's write transaction.
#ifndef ALLOT_ENGINE_STORE_LOADER_H_
#define ALLOT_ENGINE_STORE_LOADER_H_

#include "allot/store.h"
#include "domain/working_set.h"

namespace allot {

class StoreLoader final : public domain::Loader {
 public:
  explicit StoreLoader(Store& store) : store_(store) {}
  Expected<std::optional<Item>> LoadItem(std::string_view id) override {
    return store_.LoadItem(id);
  }
  Expected<std::optional<Reservation>> LoadReservation(std::string_view id) override {
    return store_.LoadReservation(id);
  }
  Expected<std::optional<Order>> LoadOrder(std::string_view id) override {
    return store_.LoadOrder(id);
  }
  Expected<std::optional<UserUsage>> LoadUsage(std::string_view user_id,
                                               std::string_view item_id) override {
    return store_.LoadUsage(user_id, item_id);
  }
  Expected<std::optional<Transfer>> LoadTransfer(std::string_view id) override {
    return store_.LoadTransfer(id);
  }
  Expected<std::optional<Event>> LoadEvent(std::string_view id) override {
    return store_.LoadEvent(id);
  }
  Expected<std::optional<Webhook>> LoadWebhook(std::string_view id) override {
    return store_.LoadWebhook(id);
  }
  Expected<std::optional<WaitlistEntry>> LoadWaitlistEntry(std::string_view id) override {
    return store_.LoadWaitlistEntry(id);
  }
  Expected<std::vector<WaitlistEntry>> LoadWaitingEntries(std::string_view item_id,
                                                          std::int64_t after_ticket,
                                                          std::size_t limit) override {
    return store_.LoadWaitingEntries(item_id, after_ticket, limit);
  }
  Expected<std::optional<WaitlistEntry>> LoadActiveWaitlistEntry(
      std::string_view item_id, std::string_view user_id) override {
    return store_.LoadActiveWaitlistEntry(item_id, user_id);
  }
  Expected<std::optional<WaitlistEntry>> LoadWaitlistOffer(
      std::string_view reservation_id) override {
    return store_.LoadWaitlistOffer(reservation_id);
  }
  Expected<std::optional<Draw>> LoadDraw(std::string_view id) override {
    return store_.LoadDraw(id);
  }
  Expected<std::optional<DrawEntry>> LoadDrawEntry(std::string_view draw_id,
                                                   std::string_view user_id) override {
    return store_.LoadDrawEntry(draw_id, user_id);
  }
  Expected<std::vector<DrawEntry>> LoadDrawEntries(std::string_view draw_id) override {
    return store_.LoadDrawEntries(draw_id);
  }
  Expected<std::vector<DueDraw>> LoadDueDraws(std::int64_t now_ms, std::size_t limit) override {
    return store_.LoadDueDraws(now_ms, limit);
  }
  Expected<std::int64_t> JournalHead() override { return store_.LoadJournalHead(); }
  Expected<std::vector<std::string>> DueReservationsOnItem(std::string_view item_id,
                                                           std::int64_t now_ms,
                                                           std::size_t limit) override {
    return store_.DueReservationsOnItem(item_id, now_ms, limit);
  }
  Expected<std::vector<std::string>> DueReservations(std::int64_t now_ms,
                                                     std::size_t limit) override {
    return store_.DueReservations(now_ms, limit);
  }

 private:
  Store& store_;
};

}  // namespace allot

#endif  // ALLOT_ENGINE_STORE_LOADER_H_
