// Turns the changes the rules record during one batch into journal blocks
// (allot/journal.h), encoding each change as it is recorded so that no copy
// of the record is kept. Blocks end between commands, as the store's
// JournalLayout asks; a command's changes are never split.
//
// For a store that hands out keyed ids (journal/record_key.h), it also
// hands out the record keys: the block the record's first change will be in
// and its number in that block.
//
// Not thread-safe: one batch, one thread (the sequencer).
#ifndef ALLOT_ENGINE_JOURNAL_BUILDER_H_
#define ALLOT_ENGINE_JOURNAL_BUILDER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "allot/journal.h"
#include "allot/store.h"
#include "domain/working_set.h"

namespace allot {

class JournalBuilder final : public domain::ChangeSink {
 public:
  // `next_seq`: the seq of the batch's first change when the store knows it
  // (blocks then carry their seqs), else nullopt (first_seq stays 0).
  // `at_ms`: the batch's instant.
  JournalBuilder(JournalLayout layout, std::optional<std::int64_t> next_seq, std::int64_t at_ms);

  // Brackets each command (the sweep included).
  void BeginCommand();

  // The key for the next record the current command creates, or nullopt
  // when the store does not use keyed ids.
  std::optional<std::int64_t> NextRecordKey();

  // The blocks so far, each with at least one change; leaves the builder
  // empty.
  std::vector<JournalBlock> TakeBlocks();
  std::int64_t changes() const { return changes_; }

  void Record(ChangeType type, std::string_view owner, const Item& item,
              std::span<const Movement> movements) override;
  void Record(ChangeType type, std::string_view owner, const Reservation& reservation,
              std::span<const Movement> movements) override;
  void Record(ChangeType type, std::string_view owner, const Order& order,
              std::span<const Movement> movements) override;
  void Record(ChangeType type, std::string_view owner, const Transfer& transfer,
              std::span<const Movement> movements) override;
  void Record(ChangeType type, std::string_view owner, const EventCounts& event,
              std::span<const Movement> movements) override;
  void Record(ChangeType type, std::string_view owner, const WaitlistEntry& entry,
              std::span<const Movement> movements) override;
  void Record(ChangeType type, std::string_view owner, const Draw& draw,
              std::span<const Movement> movements) override;
  void Record(ChangeType type, std::string_view owner, const DrawEntry& entry,
              std::span<const Movement> movements) override;

 private:
  JournalBlock& OpenBlock();
  // Counts a change in the open block; `record_id` is that of a
  // reservation, order or transfer, else empty.
  void Counted(std::string_view record_id);

  JournalLayout layout_;
  std::optional<std::int64_t> next_seq_;
  std::int64_t at_ms_;
  std::vector<JournalBlock> blocks_;
  bool open_ = false;  // blocks_.back() takes the next change
  std::size_t commands_in_block_ = 0;
  std::int64_t records_in_block_ = 0;
  std::int64_t changes_ = 0;
};

}  // namespace allot

#endif  // ALLOT_ENGINE_JOURNAL_BUILDER_H_
