// The `webhooks` table of the PostgreSQL store: the statements the writer
// and the readers prepare, and a row read back as a Webhook. Several
// processes share the table: the writer locks a webhook's row when a batch
// loads it (all of a batch's webhooks at once, in id order, after the rows
// of the lock plan), so two processes never both decide on one webhook.
#ifndef ALLOT_STORE_POSTGRES_WEBHOOKS_H_
#define ALLOT_STORE_POSTGRES_WEBHOOKS_H_

#include <string>
#include <vector>

#include "allot/error.h"
#include "allot/webhook.h"
#include "store/postgres_connection.h"
#include "store/postgres_session.h"

namespace allot::pg {

// load_webhook ($1 id, FOR UPDATE), lock_webhooks ($1 text[], FOR UPDATE,
// id order), upsert_webhook, journal_head_now.
StatementSpecs WebhookWriterStatements();
// get_webhook ($1 id), list_webhooks.
StatementSpecs WebhookReaderStatements();

// The parameters of upsert_webhook.
Params UpsertWebhookParams(const Webhook& webhook);
// Params of lock_webhooks: the ids as one text[] literal.
Params WebhookIdsParams(const std::vector<std::string>& ids);

// The webhooks of a result of the statements above, in row order.
Expected<std::vector<Webhook>> WebhooksIn(const Result& result);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_WEBHOOKS_H_
