// The index of the single-process store's journal blocks by term
// (journal/terms.h), for lists and history. Why it looks like this: the
// journal exists so that a reservation writes no row of its own, and a
// B-tree keyed by user id takes one random insert position per
// reservation, a dirty page per entry per commit. Instead:
//
//   * Entries are (term, block): one per term per journal block, so a hot
//     item costs one entry per block of up to 32 reservations, not one
//     per reservation; a user's reservations cost one each.
//   * New entries stay in memory (the tail), split over kParts parts by
//     term, appended after each commit: a few nanoseconds each, no I/O.
//   * Once the tail holds kFlushAt entries, the next batch writes it in
//     its own transaction as kParts rows of `term_runs` (part, last block,
//     the part's entries as one blob, in block order). Row keys grow with
//     the last block: every flush appends at the end of each part's range,
//     so the index costs sequential pages and no sort, ever.
//   * A lookup scans its part of the tail (about kFlushAt / kParts
//     entries) and its part's runs in block order, from the first that
//     can hold what it asks for.
//
// After a restart the tail is rebuilt from the journal blocks after
// `term_index_state.indexed_through` (the last block the runs hold), so
// nothing is lost when the process dies with entries only in memory.
//
// Threads: the sequencer adds and flushes; readers on any thread look up.
// The tail has its own lock, held for a copy of one part at most.
#ifndef ALLOT_STORE_SQLITE_TERM_INDEX_H_
#define ALLOT_STORE_SQLITE_TERM_INDEX_H_

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"
#include "store/sqlite_handle.h"

namespace allot::sqlite {

// A reader connection's prepared statements over `term_runs`.
struct TermRuns {
  static Expected<TermRuns> Prepare(sqlite3* db);
  Statement forward;   // (part, from last_block) ascending
  Statement backward;  // (part) descending
};

class TermIndex {
 public:
  static constexpr std::size_t kParts = 64;
  static constexpr std::size_t kFlushAt = 1 << 16;

  struct Entry {
    std::uint64_t term;
    std::int64_t block;
  };

  // --- The sequencer's side ---

  // Blocks that committed (ascending), each under its terms.
  using BlockTerms = std::vector<std::pair<std::int64_t, std::vector<std::uint64_t>>>;
  void Add(const BlockTerms& blocks);
  bool WantsFlush() const { return size_ >= kFlushAt; }
  // Writes the tail as runs, and the last block they hold, inside the
  // caller's transaction; Flushed() once it committed drops them from
  // memory. Returns what was written.
  struct Flush {
    std::array<std::size_t, kParts> counts{};
    std::int64_t through = 0;
  };
  Expected<Flush> WriteRuns(sqlite3* db);
  void Flushed(const Flush& flush);
  // At open: the last block the runs hold.
  void SetFlushedThrough(std::int64_t block) { flushed_through_ = block; }
  std::int64_t flushed_through() const;
  std::size_t tail_size() const { return size_; }

  // --- Readers (any thread), over their own connection ---

  // First seqs of blocks under `term` that are >= from_block, ascending,
  // at most `limit`.
  Expected<std::vector<std::int64_t>> Blocks(TermRuns& runs, std::uint64_t term,
                                             std::int64_t from_block, std::size_t limit) const;
  // The greatest such block <= at_or_before.
  Expected<std::optional<std::int64_t>> LastBlock(TermRuns& runs, std::uint64_t term,
                                                  std::int64_t at_or_before) const;

 private:
  static std::size_t PartOf(std::uint64_t term) { return term % kParts; }
  // The tail's entries of `term` (ascending) and the last block on disk.
  std::vector<std::int64_t> TailBlocks(std::uint64_t term, std::int64_t& flushed_through) const;

  mutable std::shared_mutex mu_;
  std::array<std::vector<Entry>, kParts> parts_;  // guarded by mu_ (written by the sequencer)
  std::size_t size_ = 0;                          // the sequencer's
  std::int64_t flushed_through_ = 0;              // guarded by mu_
};

// Rebuilds the tail at open: every block after the runs' last, decoded.
// Flushes on the way (in transactions of its own) when the tail grows
// past kFlushAt, so an upgraded database gets its whole history indexed.
Status CatchUpTermIndex(sqlite3* db, TermIndex& index);

}  // namespace allot::sqlite

#endif  // ALLOT_STORE_SQLITE_TERM_INDEX_H_
