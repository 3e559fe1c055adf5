#include "store/sqlite_reader.h"

#include <utility>

#include "journal/feed.h"
#include "store/sqlite_draws.h"
#include "store/sqlite_waitlist.h"
#include "store/sqlite_webhooks.h"

namespace allot::sqlite {

struct SqliteReader::ReadConnection {
  Connection db;  // first: statements are finalized before it closes
  Statement ping;
  RecordFinder records;
  JournalReader journal;
  TermRuns runs;
  Statement block_holding;
  Statement block_start;
  WebhookTable webhooks;
  WaitlistTable waitlist;
  DrawTable draws;
};

class SqliteReader::Lease {
 public:
  explicit Lease(SqliteReader& pool) : pool_(pool), connection_(pool.Acquire()) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() { pool_.Release(connection_); }
  ReadConnection* operator->() const { return &connection_; }

 private:
  SqliteReader& pool_;
  ReadConnection& connection_;
};

SqliteReader::~SqliteReader() = default;

Expected<std::unique_ptr<SqliteReader>> SqliteReader::Open(const SqliteOptions& options,
                                                           std::shared_ptr<const MemoryState> state,
                                                           std::shared_ptr<const TermIndex> terms,
                                                           std::shared_ptr<void> keep_alive) {
  std::unique_ptr<SqliteReader> reader(new SqliteReader());
  reader->keep_alive_ = std::move(keep_alive);
  reader->state_ = std::move(state);
  reader->terms_ = std::move(terms);
  for (int i = 0; i < options.reader_connections; ++i) {
    auto connection = OpenOne(options);
    if (!connection) return Fail(std::move(connection.error()));
    reader->free_.push_back(connection->get());
    reader->connections_.push_back(std::move(*connection));
  }
  return reader;
}

Expected<std::unique_ptr<SqliteReader::ReadConnection>> SqliteReader::OpenOne(
    const SqliteOptions& options) {
  auto connection = std::make_unique<ReadConnection>();
  auto db = OpenConnection(options.path, SQLITE_OPEN_READONLY, options.busy_timeout_ms);
  if (!db) return Fail(std::move(db.error()));
  connection->db = std::move(*db);
  auto ping = Statement::Prepare(connection->db.get(), "SELECT 1");
  if (!ping) return Fail(std::move(ping.error()));
  connection->ping = std::move(*ping);
  auto records = RecordFinder::Prepare(connection->db.get());
  if (!records) return Fail(std::move(records.error()));
  connection->records = std::move(*records);
  auto journal = JournalReader::Prepare(connection->db.get());
  if (!journal) return Fail(std::move(journal.error()));
  connection->journal = std::move(*journal);
  auto runs = TermRuns::Prepare(connection->db.get());
  if (!runs) return Fail(std::move(runs.error()));
  connection->runs = std::move(*runs);
  const std::pair<Statement*, std::string_view> statements[] = {
      {&connection->block_holding,
       "SELECT seq, count, at_ms, body FROM journal WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1"},
      {&connection->block_start,
       "SELECT seq, count FROM journal WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1"},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(connection->db.get(), sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  auto webhooks = WebhookTable::Prepare(connection->db.get(), /*writable=*/false);
  if (!webhooks) return Fail(std::move(webhooks.error()));
  connection->webhooks = std::move(*webhooks);
  auto waitlist = WaitlistTable::Prepare(connection->db.get(), /*writable=*/false);
  if (!waitlist) return Fail(std::move(waitlist.error()));
  connection->waitlist = std::move(*waitlist);
  auto draws = DrawTable::Prepare(connection->db.get(), /*writable=*/false);
  if (!draws) return Fail(std::move(draws.error()));
  connection->draws = std::move(*draws);
  return connection;
}

SqliteReader::ReadConnection& SqliteReader::Acquire() {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [&] { return !free_.empty(); });
  ReadConnection* connection = free_.back();
  free_.pop_back();
  return *connection;
}

void SqliteReader::Release(ReadConnection& connection) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(&connection);
  }
  released_.notify_one();
}

Expected<std::optional<Item>> SqliteReader::GetItem(std::string_view id, std::int64_t now_ms) {
  return state_->ReadItem(id, now_ms);
}

Expected<ItemPage> SqliteReader::ListItems(std::string_view after, std::size_t limit,
                                           std::int64_t now_ms) {
  return state_->ReadItems(after, limit, now_ms);
}

Expected<std::optional<EventCounts>> SqliteReader::GetEvent(std::string_view id,
                                                            std::int64_t now_ms) {
  return state_->ReadEvent(id, now_ms);
}

Expected<std::optional<std::vector<SeatState>>> SqliteReader::ListSeats(std::string_view event_id,
                                                                        std::int64_t now_ms) {
  return state_->ReadSeats(event_id, now_ms);
}

Expected<std::optional<Reservation>> SqliteReader::GetReservation(std::string_view id) {
  Lease connection(*this);
  return connection->records.FindReservation(id);
}

Expected<std::optional<Order>> SqliteReader::GetOrder(std::string_view id) {
  Lease connection(*this);
  return connection->records.FindOrder(id);
}

Expected<std::optional<Transfer>> SqliteReader::GetTransfer(std::string_view id) {
  Lease connection(*this);
  return connection->records.FindTransfer(id);
}

Expected<ChangePage> SqliteReader::ReadChanges(std::int64_t after, std::size_t limit,
                                               const ChangeFilter& filter, std::size_t max_scan) {
  Lease connection(*this);
  // One read transaction for the whole page: every block it reads is of
  // one committed state.
  if (auto begun = Exec(connection->db.get(), "BEGIN", "Reading changes"); !begun) {
    return Fail(std::move(begun.error()));
  }
  auto page = journal::ReadChanges(
      [&](std::int64_t from, std::int64_t max_blocks) {
        return connection->journal.Blocks(from, max_blocks);
      },
      after, limit, filter, max_scan);
  Exec(connection->db.get(), "COMMIT", "Ending the read");
  return page;
}

Expected<std::int64_t> SqliteReader::JournalHead() {
  Lease connection(*this);
  return connection->journal.Head();
}

Expected<std::vector<std::int64_t>> SqliteReader::TermBlocks(std::uint64_t term,
                                                             std::int64_t from_block,
                                                             std::size_t limit) {
  Lease connection(*this);
  return terms_->Blocks(connection->runs, term, from_block, limit);
}

Expected<std::optional<std::int64_t>> SqliteReader::LastTermBlock(std::uint64_t term,
                                                                  std::int64_t at_or_before) {
  Lease connection(*this);
  return terms_->LastBlock(connection->runs, term, at_or_before);
}

Expected<std::optional<std::int64_t>> SqliteReader::BlockStartOf(std::int64_t seq) {
  Lease connection(*this);
  Statement& query = connection->block_start;
  ResetOnExit reset(query);
  query.BindAll(seq);
  auto row = query.Step("Reading the journal");
  if (!row) return Fail(std::move(row.error()));
  if (!*row || query.Int(0) + query.Int(1) <= seq) return std::nullopt;
  return query.Int(0);
}

Expected<std::optional<JournalBlock>> SqliteReader::BlockHolding(std::int64_t seq) {
  Lease connection(*this);
  Statement& query = connection->block_holding;
  ResetOnExit reset(query);
  query.BindAll(seq);
  auto row = query.Step("Reading a journal block");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  JournalBlock block{.first_seq = query.Int(0), .count = query.Int(1), .at_ms = query.Int(2)};
  if (block.first_seq + block.count <= seq) return std::nullopt;  // past the head
  block.body = query.Blob(3);
  return block;
}

Expected<std::int64_t> SqliteReader::SeqAtTime(std::int64_t at_ms) {
  // Blocks are keyed by seq and their instants follow it: a binary search
  // over seqs, one primary-key probe a step, needs no index on time.
  Lease connection(*this);
  auto head = connection->journal.Head();
  if (!head) return Fail(std::move(head.error()));
  Statement& holding = connection->block_holding;
  auto block_of = [&](std::int64_t seq) -> Expected<std::optional<JournalBlock>> {
    ResetOnExit reset(holding);
    holding.BindAll(seq);
    auto row = holding.Step("Reading a journal block");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::nullopt;
    return JournalBlock{.first_seq = holding.Int(0), .count = holding.Int(1),
                        .at_ms = holding.Int(2)};
  };
  std::int64_t low = 0, high = *head;  // the answer is in [low, high]
  while (low < high) {
    const std::int64_t mid = low + (high - low + 1) / 2;
    auto block = block_of(mid);
    if (!block) return Fail(std::move(block.error()));
    if (*block && (*block)->at_ms <= at_ms) {
      low = (*block)->first_seq + (*block)->count - 1;  // the whole block is at or before
      if (low >= high) break;
    } else {
      high = *block ? (*block)->first_seq - 1 : mid - 1;
    }
  }
  return std::min(low, *head);
}

Expected<std::optional<Webhook>> SqliteReader::GetWebhook(std::string_view id) {
  Lease connection(*this);
  return connection->webhooks.Load(id);
}

Expected<std::optional<WaitlistEntry>> SqliteReader::GetWaitlistEntry(std::string_view id) {
  Lease connection(*this);
  return connection->waitlist.Get(id);
}

Expected<WaitlistPage> SqliteReader::ListWaitlist(std::string_view item_id,
                                                  std::string_view after, std::size_t limit) {
  Lease connection(*this);
  return connection->waitlist.List(item_id, after, limit);
}

Expected<std::optional<Draw>> SqliteReader::GetDraw(std::string_view id) {
  Lease connection(*this);
  return connection->draws.Get(id);
}

Expected<std::vector<Webhook>> SqliteReader::ListWebhooks() {
  Lease connection(*this);
  return connection->webhooks.List();
}

Status SqliteReader::Ping() {
  Lease connection(*this);
  Statement& query = connection->ping;
  ResetOnExit reset(query);
  auto row = query.Step("Pinging the database");
  if (!row) return Fail(std::move(row.error()));
  if (!*row || query.Int(0) != 1) return Fail(Unavailable("The database did not answer SELECT 1."));
  return {};
}

}  // namespace allot::sqlite
