#include "store/postgres_webhooks.h"

#include <utility>

#include "store/postgres_arrays.h"

namespace allot::pg {
namespace {

constexpr std::string_view kColumns =
    "id, url, types, status, secret, cursor, generation, last_error, failing_since_ms, "
    "created_at_ms";

constexpr std::string_view kUpsert = R"sql(
INSERT INTO webhooks (id, url, types, status, secret, cursor, generation, last_error,
                      failing_since_ms, created_at_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO UPDATE SET status = excluded.status, cursor = excluded.cursor,
  generation = excluded.generation, last_error = excluded.last_error,
  failing_since_ms = excluded.failing_since_ms
)sql";

std::string Select(std::string_view rest) {
  return "SELECT " + std::string(kColumns) + " FROM webhooks " + std::string(rest);
}

}  // namespace

StatementSpecs WebhookWriterStatements() {
  return {
      {"load_webhook", Select("WHERE id = $1 FOR UPDATE")},
      {"lock_webhooks", Select("WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE")},
      {"upsert_webhook", std::string(kUpsert)},
      // Not locked: the head moves only at commits, each batch's in commit
      // order; this reads the last one committed.
      {"journal_head_now", "SELECT seq FROM journal_head"},
  };
}

StatementSpecs WebhookReaderStatements() {
  return {
      {"get_webhook", Select("WHERE id = $1")},
      {"list_webhooks", Select("ORDER BY id")},
  };
}

Params UpsertWebhookParams(const Webhook& w) {
  Params params;
  params.Add(w.id)
      .Add(w.url)
      .Add(JoinChangeTypes(w.types))
      .Add(ToString(w.status))
      .Add(w.secret)
      .Add(w.cursor)
      .Add(w.generation)
      .Add(w.last_error)
      .Add(w.failing_since_ms)
      .Add(w.created_at_ms);
  return params;
}

Params WebhookIdsParams(const std::vector<std::string>& ids) {
  ArrayBuilder array;
  for (const std::string& id : ids) array.Add(id);
  Params params;
  params.Add(array.Take());
  return params;
}

Expected<std::vector<Webhook>> WebhooksIn(const Result& result) {
  std::vector<Webhook> out;
  out.reserve(result.rows());
  for (int row = 0; row < result.rows(); ++row) {
    auto types = SplitChangeTypes(result.View(row, 2));
    auto status = ParseWebhookStatus(result.View(row, 3));
    if (!types || !status) {
      return Fail(Unavailable("The stored webhook '" + result.Text(row, 0) +
                              "' has an unknown type or status."));
    }
    out.push_back(Webhook{.id = result.Text(row, 0),
                          .url = result.Text(row, 1),
                          .types = std::move(*types),
                          .status = *status,
                          .secret = result.Text(row, 4),
                          .cursor = result.Int(row, 5),
                          .generation = result.Int(row, 6),
                          .last_error = result.OptionalText(row, 7),
                          .failing_since_ms = result.OptionalInt(row, 8),
                          .created_at_ms = result.Int(row, 9)});
  }
  return out;
}

}  // namespace allot::pg
