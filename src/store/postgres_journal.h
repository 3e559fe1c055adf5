// The journal on PostgreSQL (allot/journal.h): one row per block in
// `journal`, and one counter row, `journal_head`, holding the last seq
// handed out. Every batch's transaction appends its blocks with one
// statement, the last before COMMIT, that first bumps the counter: the
// counter's row lock is then held until the commit, so batches of all
// processes sharing the database take their seqs in commit order and a
// reader never sees seq N without every seq below it.
#ifndef ALLOT_STORE_POSTGRES_JOURNAL_H_
#define ALLOT_STORE_POSTGRES_JOURNAL_H_

#include <libpq-fe.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"
#include "store/postgres_connection.h"

namespace allot::pg {

// $1: changes in the batch; $2..$5: per block, the 1-based position of its
// first change in the batch, its count, instant and body (bytea, hex);
// $6, $7: the blocks' terms (journal/terms.h) with the position of their
// block, into journal_terms in the same statement, so the index commits
// with the blocks and in their order.
inline constexpr std::string_view kAppendJournalSql = R"sql(
WITH head AS (UPDATE journal_head SET seq = seq + $1 RETURNING seq - $1 AS base),
blocks AS (
  INSERT INTO journal (seq, count, at_ms, body)
  SELECT head.base + b.start, b.count, b.at_ms, b.body
  FROM head, unnest($2::bigint[], $3::int[], $4::bigint[], $5::bytea[])
    AS b(start, count, at_ms, body)
)
INSERT INTO journal_terms (term, block)
SELECT t.term, head.base + t.start FROM head, unnest($6::bigint[], $7::bigint[]) AS t(term, start)
)sql";

// kAppendJournalSql without the terms ($1..$5 only), for the migration
// that imports the history before journal_terms exists (schema version 3;
// version 5 indexes what it imported).
inline constexpr std::string_view kAppendJournalBlocksSql = R"sql(
WITH head AS (UPDATE journal_head SET seq = seq + $1 RETURNING seq - $1 AS base)
INSERT INTO journal (seq, count, at_ms, body)
SELECT head.base + b.start, b.count, b.at_ms, b.body
FROM head, unnest($2::bigint[], $3::int[], $4::bigint[], $5::bytea[]) AS b(start, count, at_ms, body)
)sql";

// The parameters of kAppendJournalSql for `blocks` (their first_seq is
// ignored: the counter decides).
Params AppendJournalParams(const std::vector<JournalBlock>& blocks, bool with_terms = true);

// bytea in the text format ("\x" and hex digits), both ways.
std::string ByteaHex(std::string_view bytes);
Expected<std::string> FromByteaHex(std::string_view text);

// Blocks with seq > after_seq (a block holding after_seq too), ascending,
// at most `limit` blocks.
Expected<std::vector<JournalBlock>> ReadJournal(PGconn* conn, std::int64_t after_seq,
                                                std::int64_t limit);

// The migration step that adds the journal to a database of schema
// version 2: its history, rebuilt from the ledgers and records
// (journal/legacy_import.h), appended as the journal's first changes.
Status ImportLegacyJournal(PGconn* conn);

// The migration step that indexes an existing journal by term (schema
// version 5): every block, decoded, under the terms of its changes.
Status IndexJournalTerms(PGconn* conn);

}  // namespace allot::pg

#endif  // ALLOT_STORE_POSTGRES_JOURNAL_H_
