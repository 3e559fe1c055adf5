// The read side of the PostgreSQL store: a fixed pool of sessions. Thread-
// safe: each call leases a free session (waiting while all are in use),
// runs one statement on it (one statement reads one committed snapshot) and
// returns it. A session whose connection was lost reconnects on its next
// use, with backoff, so Ping() fails while the database is away and
// succeeds again once it is back; a read that finds its idle connection
// broken is sent once more on a new one (reads are safe to repeat).
#ifndef ALLOT_STORE_POSTGRES_READER_H_
#define ALLOT_STORE_POSTGRES_READER_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "allot/postgres_store.h"
#include "allot/store.h"
#include "store/postgres_session.h"

namespace allot::pg {

class PostgresReader final : public StoreReader {
 public:
  // Connects every session at once (a database that cannot be reached
  // fails here).
  static Expected<std::unique_ptr<PostgresReader>> Open(const PostgresOptions& options);
  ~PostgresReader() override;  // every lease must have ended

  Expected<std::optional<Item>> GetItem(std::string_view id, std::int64_t now_ms) override;
  Expected<ItemPage> ListItems(std::string_view after, std::size_t limit,
                               std::int64_t now_ms) override;
  Expected<std::optional<Reservation>> GetReservation(std::string_view id) override;
  Expected<std::optional<Order>> GetOrder(std::string_view id) override;
  Expected<std::optional<Transfer>> GetTransfer(std::string_view id) override;
  Expected<std::optional<EventCounts>> GetEvent(std::string_view id, std::int64_t now_ms) override;
  Expected<std::optional<std::vector<SeatState>>> ListSeats(std::string_view event_id,
                                                            std::int64_t now_ms) override;
  Expected<ChangePage> ReadChanges(std::int64_t after, std::size_t limit,
                                   const ChangeFilter& filter, std::size_t max_scan) override;
  Expected<std::int64_t> JournalHead() override;
  Expected<std::vector<std::int64_t>> TermBlocks(std::uint64_t term, std::int64_t from_block,
                                                 std::size_t limit) override;
  Expected<std::optional<std::int64_t>> LastTermBlock(std::uint64_t term,
                                                      std::int64_t at_or_before) override;
  Expected<std::optional<std::int64_t>> BlockStartOf(std::int64_t seq) override;
  Expected<std::optional<JournalBlock>> BlockHolding(std::int64_t seq) override;
  Expected<std::int64_t> SeqAtTime(std::int64_t at_ms) override;
  Expected<std::optional<Webhook>> GetWebhook(std::string_view id) override;
  Expected<std::vector<Webhook>> ListWebhooks() override;
  Expected<std::optional<WaitlistEntry>> GetWaitlistEntry(std::string_view id) override;
  Expected<WaitlistPage> ListWaitlist(std::string_view item_id, std::string_view after,
                                      std::size_t limit) override;
  Expected<std::optional<Draw>> GetDraw(std::string_view id) override;
  Status Ping() override;

 private:
  class Lease;

  PostgresReader() = default;
  // Runs one prepared statement on a leased session.
  Expected<Result> Query(std::string_view statement, const Params& params, std::string_view what);
  // Entries still waiting on the item with a ticket up to `ticket`.
  Expected<std::int64_t> WaitingThrough(std::string_view item_id, std::int64_t ticket);
  // The event row and its seat rows; nullopt when there is no such event.
  Expected<std::optional<std::pair<Event, std::vector<SeatState>>>> EventWithSeats(
      std::string_view event_id, std::int64_t now_ms);
  Session& Acquire();
  void Release(Session& session);

  std::vector<std::unique_ptr<Session>> sessions_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<Session*> free_;  // guarded by mutex_
};

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_READER_H_
