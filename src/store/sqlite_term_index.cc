#include "store/sqlite_term_index.h"

#include <bit>
#include <cstring>
#include <mutex>
#include <utility>

#include "core/log.h"
#include "journal/change_codec.h"
#include "journal/terms.h"
#include "store/sqlite_journal.h"

namespace allot::sqlite {
namespace {

// Runs are stored as the entries' bytes: the host's layout, little-endian.
static_assert(std::endian::native == std::endian::little);
static_assert(sizeof(TermIndex::Entry) == 16);

constexpr std::string_view kInsertRun =
    "INSERT INTO term_runs (part, last_block, entries) VALUES (?1, ?2, ?3)";
constexpr std::string_view kSetThrough = "UPDATE term_index_state SET indexed_through = ?1";
constexpr std::string_view kRunsForward = R"sql(
SELECT entries FROM term_runs WHERE part = ?1 AND last_block >= ?2 ORDER BY last_block
)sql";
constexpr std::string_view kRunsBackward =
    "SELECT entries FROM term_runs WHERE part = ?1 ORDER BY last_block DESC";

// Calls visit(block) for each entry of `term` in a run's bytes, in order.
template <typename Visit>
void ScanRun(std::string_view bytes, std::uint64_t term, Visit visit) {
  const std::size_t count = bytes.size() / sizeof(TermIndex::Entry);
  for (std::size_t i = 0; i < count; ++i) {
    TermIndex::Entry entry;
    std::memcpy(&entry, bytes.data() + i * sizeof(entry), sizeof(entry));
    if (entry.term == term) visit(entry.block);
  }
}

}  // namespace

Expected<TermRuns> TermRuns::Prepare(sqlite3* db) {
  TermRuns runs;
  auto forward = Statement::Prepare(db, kRunsForward);
  if (!forward) return Fail(std::move(forward.error()));
  auto backward = Statement::Prepare(db, kRunsBackward);
  if (!backward) return Fail(std::move(backward.error()));
  runs.forward = std::move(*forward);
  runs.backward = std::move(*backward);
  return runs;
}

void TermIndex::Add(const BlockTerms& blocks) {
  std::unique_lock lock(mu_);
  for (const auto& [block, terms] : blocks) {
    for (std::uint64_t term : terms) parts_[PartOf(term)].push_back(Entry{term, block});
    size_ += terms.size();
  }
}

std::int64_t TermIndex::flushed_through() const {
  std::shared_lock lock(mu_);
  return flushed_through_;
}

Expected<TermIndex::Flush> TermIndex::WriteRuns(sqlite3* db) {
  // Only the sequencer changes the tail, and it is the caller: no lock
  // needed to read it here.
  Flush flush;
  for (const auto& part : parts_) {
    if (!part.empty()) flush.through = std::max(flush.through, part.back().block);
  }
  if (flush.through == 0) return flush;
  auto insert = Statement::Prepare(db, kInsertRun);
  if (!insert) return Fail(std::move(insert.error()));
  for (std::size_t p = 0; p < kParts; ++p) {
    const auto& part = parts_[p];
    flush.counts[p] = part.size();
    if (part.empty()) continue;
    insert->Reset();
    insert->BindAll(static_cast<std::int64_t>(p), flush.through);
    insert->BindBlob(3, std::string_view(reinterpret_cast<const char*>(part.data()),
                                         part.size() * sizeof(Entry)));
    if (auto done = insert->Run("Writing a run of the term index"); !done) {
      return Fail(std::move(done.error()));
    }
  }
  auto through = Statement::Prepare(db, kSetThrough);
  if (!through) return Fail(std::move(through.error()));
  if (auto done = through->Exec("Recording the term index's last block", flush.through); !done) {
    return Fail(std::move(done.error()));
  }
  return flush;
}

void TermIndex::Flushed(const Flush& flush) {
  if (flush.through == 0) return;
  std::unique_lock lock(mu_);
  for (std::size_t p = 0; p < kParts; ++p) {
    auto& part = parts_[p];
    part.erase(part.begin(), part.begin() + static_cast<std::ptrdiff_t>(flush.counts[p]));
    size_ -= flush.counts[p];
  }
  flushed_through_ = flush.through;
}

std::vector<std::int64_t> TermIndex::TailBlocks(std::uint64_t term,
                                                std::int64_t& flushed_through) const {
  std::vector<std::int64_t> blocks;
  std::shared_lock lock(mu_);
  flushed_through = flushed_through_;
  for (const Entry& entry : parts_[PartOf(term)]) {
    if (entry.term == term) blocks.push_back(entry.block);
  }
  return blocks;
}

Expected<std::vector<std::int64_t>> TermIndex::Blocks(TermRuns& runs, std::uint64_t term,
                                                      std::int64_t from_block,
                                                      std::size_t limit) const {
  // The tail first, then the runs: a run flushed after this copy holds
  // only blocks the copy has, so runs past `through` are not read.
  std::int64_t through = 0;
  const std::vector<std::int64_t> tail = TailBlocks(term, through);
  std::vector<std::int64_t> blocks;
  if (from_block <= through) {
    Statement& query = runs.forward;
    ResetOnExit reset(query);
    query.BindAll(static_cast<std::int64_t>(PartOf(term)), from_block);
    while (blocks.size() < limit) {
      auto row = query.Step("Reading the term index");
      if (!row) return Fail(std::move(row.error()));
      if (!*row) break;
      ScanRun(query.BlobView(0), term, [&](std::int64_t block) {
        if (block >= from_block && block <= through) blocks.push_back(block);
      });
    }
  }
  for (std::int64_t block : tail) {
    if (block >= from_block) blocks.push_back(block);
  }
  if (blocks.size() > limit) blocks.resize(limit);
  return blocks;
}

Expected<std::optional<std::int64_t>> TermIndex::LastBlock(TermRuns& runs, std::uint64_t term,
                                                           std::int64_t at_or_before) const {
  std::int64_t through = 0;
  const std::vector<std::int64_t> tail = TailBlocks(term, through);
  for (auto it = tail.rbegin(); it != tail.rend(); ++it) {
    if (*it <= at_or_before) return *it;
  }
  Statement& query = runs.backward;
  ResetOnExit reset(query);
  query.BindAll(static_cast<std::int64_t>(PartOf(term)));
  for (;;) {
    auto row = query.Step("Reading the term index");
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::nullopt;
    std::optional<std::int64_t> found;
    ScanRun(query.BlobView(0), term, [&](std::int64_t block) {
      if (block <= at_or_before && block <= through) found = block;  // ascending: the last wins
    });
    if (found) return found;
  }
}

Status CatchUpTermIndex(sqlite3* db, TermIndex& index) {
  auto state = Statement::Prepare(db, "SELECT indexed_through FROM term_index_state");
  if (!state) return Fail(std::move(state.error()));
  auto row = state->Step("Reading where the term index ends");
  if (!row) return Fail(std::move(row.error()));
  const std::int64_t through = *row ? state->Int(0) : 0;
  state->Reset();
  index.SetFlushedThrough(through);
  auto reader = JournalReader::Prepare(db);
  if (!reader) return Fail(std::move(reader.error()));
  std::int64_t after = through;
  std::int64_t indexed = 0;
  TermIndex::BlockTerms added;
  for (;;) {
    auto blocks = reader->Blocks(after, 1024);
    if (!blocks) return Fail(std::move(blocks.error()));
    if (blocks->empty()) break;
    for (const JournalBlock& block : *blocks) {
      after = block.first_seq + block.count - 1;
      if (block.first_seq <= through) continue;  // the block holding `through` is indexed
      auto changes = journal::DecodeBlock(block.body, block.first_seq, block.count, block.at_ms);
      if (!changes) return Fail(std::move(changes.error()));
      std::vector<std::uint64_t> terms;
      for (const Change& change : *changes) journal::AppendTerms(change, terms);
      journal::NormalizeTerms(terms);
      added.emplace_back(block.first_seq, std::move(terms));
      indexed += block.count;
    }
    index.Add(added);
    added.clear();
    if (index.WantsFlush()) {
      if (auto begun = Exec(db, "BEGIN IMMEDIATE", "Indexing the journal"); !begun) return begun;
      auto flush = index.WriteRuns(db);
      if (!flush) {
        Exec(db, "ROLLBACK", "Indexing the journal");
        return Fail(std::move(flush.error()));
      }
      if (auto done = Exec(db, "COMMIT", "Indexing the journal"); !done) {
        Exec(db, "ROLLBACK", "Indexing the journal");
        return done;
      }
      index.Flushed(*flush);
    }
  }
  if (indexed > 0) {
    log::Info("journal indexed for queries", {{"store", "sqlite"}, {"changes", indexed}});
  }
  return {};
}

}  // namespace allot::sqlite
