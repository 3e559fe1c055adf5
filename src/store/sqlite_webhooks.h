// The `webhooks` table of the SQLite store, with statements prepared once
// per connection: the writer loads and upserts rows inside its batches, the
// reader pool reads them. Webhooks are few and rarely change, so they are
// not kept in memory: a command that names one reads its row.
//
// Not thread-safe: one per connection, used by that connection's owner.
#ifndef ALLOT_STORE_SQLITE_WEBHOOKS_H_
#define ALLOT_STORE_SQLITE_WEBHOOKS_H_

#include <sqlite3.h>

#include <optional>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/webhook.h"
#include "store/sqlite_handle.h"

namespace allot::sqlite {

class WebhookTable {
 public:
  static Expected<WebhookTable> Prepare(sqlite3* db, bool writable);

  Expected<std::optional<Webhook>> Load(std::string_view id);
  Expected<std::vector<Webhook>> List();  // in id order
  Status Upsert(const Webhook& webhook);  // the writer's only

 private:
  Expected<Webhook> RowOf(Statement& statement);

  Statement load_;
  Statement list_;
  Statement upsert_;
};

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_WEBHOOKS_H_
