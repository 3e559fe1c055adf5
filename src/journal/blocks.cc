#include "journal/blocks.h"

#include <algorithm>

#include "journal/change_codec.h"
#include "journal/terms.h"

namespace allot::journal {

std::vector<JournalBlock> BlocksOf(const std::vector<Change>& changes, std::size_t max_changes) {
  std::vector<JournalBlock> blocks;
  for (const Change& change : changes) {
    if (blocks.empty() || blocks.back().at_ms != change.at_ms ||
        blocks.back().count >= static_cast<std::int64_t>(max_changes)) {
      JournalBlock block;
      block.first_seq = change.seq;
      block.at_ms = change.at_ms;
      block.body = NewBlockBody();
      blocks.push_back(std::move(block));
    }
    JournalBlock& block = blocks.back();
    AppendChange(block.body, change, block.at_ms);
    ++block.count;
    AppendTerms(change, block.terms);
    // Records kept as journal changes only; waiting-list entries are rows.
    const DataKind kind = DataKindOf(change.type);
    if (kind != DataKind::kItem && kind != DataKind::kEvent && kind != DataKind::kWaitlist &&
        kind != DataKind::kDraw && kind != DataKind::kDrawEntry) {
      block.records.push_back(RecordIdOf(change.data));
    }
  }
  for (JournalBlock& block : blocks) {
    std::sort(block.records.begin(), block.records.end());
    block.records.erase(std::unique(block.records.begin(), block.records.end()),
                        block.records.end());
    NormalizeTerms(block.terms);
  }
  return blocks;
}

}  // namespace allot::journal
