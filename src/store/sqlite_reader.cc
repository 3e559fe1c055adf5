#include "store/sqlite_reader.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace allot::sqlite {
namespace {

// `held` without the holds that are already due at ?1 (not yet swept):
// a range scan of holds_by_item per item.
constexpr std::string_view kItemColumnsAt = R"sql(
id, name, on_hand,
held - coalesce((SELECT sum(h.qty) FROM holds h
                 WHERE h.item_id = items.id AND h.expires_at_ms <= ?1), 0),
sold, max_per_user, created_on_hand
)sql";

}  // namespace

std::string GetItemSql() {
  return "SELECT " + std::string(kItemColumnsAt) + " FROM items WHERE id = ?2";
}

std::string ListItemsSql() {
  return "SELECT " + std::string(kItemColumnsAt) + " FROM items WHERE id > ?2 ORDER BY id LIMIT ?3";
}

struct SqliteReader::ReadConnection {
  Connection db;  // first: statements are finalized before it closes
  Statement get_item;
  Statement list_items;
  Statement ping;
  RecordQueries records;
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

Expected<std::unique_ptr<SqliteReader>> SqliteReader::Open(const SqliteOptions& options) {
  std::unique_ptr<SqliteReader> reader(new SqliteReader());
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
  sqlite3* raw = connection->db.get();
  const std::string get_item = GetItemSql();
  const std::string list_items = ListItemsSql();
  const std::pair<Statement*, std::string_view> statements[] = {
      {&connection->get_item, get_item},
      {&connection->list_items, list_items},
      {&connection->ping, "SELECT 1"},
  };
  for (const auto& [statement, sql] : statements) {
    auto prepared = Statement::Prepare(raw, sql);
    if (!prepared) return Fail(std::move(prepared.error()));
    *statement = std::move(*prepared);
  }
  auto records = RecordQueries::Prepare(raw);
  if (!records) return Fail(std::move(records.error()));
  connection->records = std::move(*records);
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
  Lease connection(*this);
  Statement& query = connection->get_item;
  ResetOnExit reset(query);
  query.BindAll(now_ms, id);
  auto row = query.Step("Reading an item");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  return ItemFromRow(query);
}

// Fetches one row more than asked to learn whether another page exists.
Expected<ItemPage> SqliteReader::ListItems(std::string_view after, std::size_t limit,
                                           std::int64_t now_ms) {
  ItemPage page;
  if (limit == 0) return page;
  const std::size_t max_limit = std::numeric_limits<std::int64_t>::max() - 1;
  limit = std::min(limit, max_limit);
  Lease connection(*this);
  Statement& query = connection->list_items;
  ResetOnExit reset(query);
  query.BindAll(now_ms, after, limit + 1);
  for (;;) {
    auto row = query.Step("Listing items");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return page;
    if (page.items.size() == limit) {
      page.next = page.items.back().id;
      return page;
    }
    page.items.push_back(ItemFromRow(query));
  }
}

Expected<std::optional<Reservation>> SqliteReader::GetReservation(std::string_view id) {
  Lease connection(*this);
  return connection->records.LoadReservation(id);
}

Expected<std::optional<Order>> SqliteReader::GetOrder(std::string_view id) {
  Lease connection(*this);
  return connection->records.LoadOrder(id);
}

Expected<std::optional<Transfer>> SqliteReader::GetTransfer(std::string_view id) {
  Lease connection(*this);
  return connection->records.LoadTransfer(id);
}

Expected<std::optional<EventCounts>> SqliteReader::GetEvent(std::string_view id,
                                                            std::int64_t now_ms) {
  Lease connection(*this);
  auto event = connection->records.LoadEvent(id);
  if (!event) return Fail(std::move(event.error()));
  if (!*event) return std::nullopt;
  auto seats = connection->records.ListSeats(id, now_ms);
  if (!seats) return Fail(std::move(seats.error()));
  if (!*seats) return std::nullopt;
  return CountSeats(std::move(**event), **seats);
}

Expected<std::optional<std::vector<SeatState>>> SqliteReader::ListSeats(std::string_view event_id,
                                                                        std::int64_t now_ms) {
  Lease connection(*this);
  return connection->records.ListSeats(event_id, now_ms);
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
