// The service layer: what the HTTP layer calls. It validates decoded
// commands (ranges, id syntax, limits), hands writes to the engine and
// answers reads from the store's read connections. No sockets, no JSON.
#ifndef ALLOT_API_SERVICE_H_
#define ALLOT_API_SERVICE_H_

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "allot/clock.h"
#include "allot/commands.h"
#include "allot/engine.h"
#include "allot/error.h"
#include "allot/store.h"
#include "api/queries.h"
#include "webhooks/url_policy.h"

namespace allot::api {

class Service {
 public:
  // All must outlive the service. `webhook_policy` says where webhooks may
  // deliver (nullptr: loopback only).
  Service(Engine& engine, StoreReader& reader, const Clock& clock,
          const webhooks::UrlPolicy* webhook_policy = nullptr);

  // Validates `command` (see Validate) and submits it. A new webhook's URL
  // is checked against the policy and its secret made here. `done` runs exactly
  // once: inline with the validation error or kOverloaded, else on the
  // sequencer thread after the commit. It must not block.
  void Submit(Command command, Completion done);
  // Validates each command as Submit does; an invalid one's `done` runs
  // inline with its error and it goes no further. The valid ones are
  // submitted together, in order (Engine::SubmitMany): either all are queued
  // (each `done` then runs after its commit), or none is, their `done`s are
  // never called and the engine's refusal (kOverloaded, kUnavailable) is
  // returned.
  Status SubmitMany(std::vector<Submission> submissions);

  Expected<Item> GetItem(std::string_view id);
  // limit 1..1000 (checked by the caller's decoding; clamped here).
  Expected<ItemPage> ListItems(std::string_view after, std::size_t limit);
  // A reservation still stored as held but past its expiry reads as expired.
  Expected<Reservation> GetReservation(std::string_view id);
  Expected<Order> GetOrder(std::string_view id);
  Expected<Account> GetAccount(std::string_view id);
  // A transfer still stored as held but past its expiry reads as expired.
  Expected<Transfer> GetTransfer(std::string_view id);
  Expected<EventCounts> GetEvent(std::string_view id);
  // The event's seats, only those with `status` when given.
  Expected<std::vector<SeatState>> ListSeats(std::string_view event_id,
                                             std::optional<SeatStatus> status);
  // Without its secret.
  Expected<Webhook> GetWebhook(std::string_view id);
  // A draw; its seed only once it ran, with its results.
  Expected<Draw> GetDraw(std::string_view id);
  // A waiting-list entry, with its position while it waits.
  Expected<WaitlistEntry> GetWaitlistEntry(std::string_view id);
  // An item's entries in queue order (404 when the item does not exist).
  Expected<WaitlistPage> ListWaitlist(std::string_view item_id, std::string_view after,
                                      std::size_t limit);

  // Queries and history (api/queries.h, service_queries.cc). Query fields
  // and limits are checked by the caller's decoding.
  Expected<RecordPage<Reservation>> ListReservations(const ListQuery& query,
                                                     std::optional<ReservationStatus> status);
  Expected<RecordPage<Order>> ListOrders(const ListQuery& query,
                                         std::optional<OrderStatus> status);
  Expected<RecordPage<Transfer>> ListTransfers(const ListQuery& query,
                                               std::optional<TransferStatus> status);
  // 404 when the item (account) does not exist.
  Expected<HistoryPage> ItemHistory(std::string_view item_id, std::int64_t after,
                                    std::size_t limit, const std::optional<std::string>& viewer);
  Expected<HistoryPage> AccountHistory(std::string_view account_id, std::int64_t after,
                                       std::size_t limit,
                                       const std::optional<std::string>& viewer);
  // As it was at `at_ms`: 404 when it does not exist, or did not yet then.
  Expected<Item> GetItemAsOf(std::string_view id, std::int64_t at_ms);
  Expected<Account> GetAccountAsOf(std::string_view id, std::int64_t at_ms);

  // Succeeds when storage answers (for /readyz).
  Status Ready();
  std::size_t QueueDepth() const;
  // The service's clock: the instant reads are answered at.
  std::int64_t NowMs() const;
  // The store's read side (the change feed reads the journal through it).
  StoreReader& reader() { return reader_; }

 private:
  Engine& engine_;
  StoreReader& reader_;
  const Clock& clock_;
  const webhooks::UrlPolicy default_policy_;
  const webhooks::UrlPolicy& webhook_policy_;
};

}  // namespace allot::api

#endif  // ALLOT_API_SERVICE_H_
