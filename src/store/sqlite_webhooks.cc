#include "store/sqlite_webhooks.h"

#include <string>
#include <utility>

namespace allot::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, url, types, status, secret, cursor, generation, last_error, failing_since_ms, "
    "created_at_ms";

constexpr std::string_view kUpsert = R"sql(
INSERT INTO webhooks (id, url, types, status, secret, cursor, generation, last_error,
                      failing_since_ms, created_at_ms)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, cursor = excluded.cursor,
  generation = excluded.generation, last_error = excluded.last_error,
  failing_since_ms = excluded.failing_since_ms
)sql";

}  // namespace

Expected<WebhookTable> WebhookTable::Prepare(sqlite3* db, bool writable) {
  WebhookTable table;
  auto load = Statement::Prepare(
      db, "SELECT " + std::string(kColumns) + " FROM webhooks WHERE id = ?1");
  if (!load) return Fail(std::move(load.error()));
  table.load_ = std::move(*load);
  auto list = Statement::Prepare(db, "SELECT " + std::string(kColumns) + " FROM webhooks ORDER BY id");
  if (!list) return Fail(std::move(list.error()));
  table.list_ = std::move(*list);
  if (writable) {
    auto upsert = Statement::Prepare(db, kUpsert);
    if (!upsert) return Fail(std::move(upsert.error()));
    table.upsert_ = std::move(*upsert);
  }
  return table;
}

Expected<Webhook> WebhookTable::RowOf(Statement& s) {
  auto types = SplitChangeTypes(s.Text(2));
  auto status = ParseWebhookStatus(s.Text(3));
  if (!types || !status) {
    return Fail(Unavailable("The stored webhook '" + s.Text(0) + "' has an unknown type or status."));
  }
  return Webhook{.id = s.Text(0),
                 .url = s.Text(1),
                 .types = std::move(*types),
                 .status = *status,
                 .secret = s.Text(4),
                 .cursor = s.Int(5),
                 .generation = s.Int(6),
                 .last_error = s.OptionalText(7),
                 .failing_since_ms = s.OptionalInt(8),
                 .created_at_ms = s.Int(9)};
}

Expected<std::optional<Webhook>> WebhookTable::Load(std::string_view id) {
  ResetOnExit reset(load_);
  load_.BindAll(id);
  auto row = load_.Step("Loading a webhook");
  if (!row) return Fail(std::move(row.error()));
  if (!*row) return std::nullopt;
  auto webhook = RowOf(load_);
  if (!webhook) return Fail(std::move(webhook.error()));
  return std::optional(std::move(*webhook));
}

Expected<std::vector<Webhook>> WebhookTable::List() {
  ResetOnExit reset(list_);
  std::vector<Webhook> out;
  for (;;) {
    auto row = list_.Step("Listing webhooks");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return out;
    auto webhook = RowOf(list_);
    if (!webhook) return Fail(std::move(webhook.error()));
    out.push_back(std::move(*webhook));
  }
}

Status WebhookTable::Upsert(const Webhook& w) {
  const std::string types = JoinChangeTypes(w.types);
  return upsert_.Exec("Writing webhook '" + w.id + "'", w.id, w.url, types, ToString(w.status),
                      w.secret, w.cursor, w.generation, w.last_error, w.failing_since_ms,
                      w.created_at_ms);
}

}  // namespace allot::sqlite
