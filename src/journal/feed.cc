#include "journal/feed.h"

#include <algorithm>

#include "journal/bytes.h"
#include "journal/change_codec.h"

namespace allot::journal {
namespace {

// Blocks read per query: a page of 1,000 changes is one or a few reads.
constexpr std::int64_t kBlocksPerRead = 256;

// The owner of an encoded change, read without decoding the rest (it
// follows the type byte).
std::string_view OwnerOf(const EncodedChange& change) {
  Reader in(change.payload.substr(1));
  return in.View();
}

bool Keeps(const ChangeFilter& filter, const EncodedChange& change) {
  if (!filter.types.empty() &&
      std::find(filter.types.begin(), filter.types.end(), change.type) == filter.types.end()) {
    return false;
  }
  if (filter.owner) {
    const std::string_view owner = OwnerOf(change);
    if (!owner.empty() && owner != *filter.owner) return false;
  }
  return true;
}

}  // namespace

Expected<ChangePage> ReadChanges(const BlockSource& blocks, std::int64_t after, std::size_t limit,
                                 const ChangeFilter& filter, std::size_t max_scan) {
  ChangePage page;
  page.next = after;
  std::size_t scanned = 0;
  while (page.changes.size() < limit && scanned < max_scan) {
    // Every block holds at least one change, so a short page reads few
    // blocks: one per change wanted, and the one holding the cursor.
    const std::size_t wanted = std::min(limit - page.changes.size(), max_scan - scanned);
    auto read = blocks(page.next, std::min<std::int64_t>(
                                      kBlocksPerRead, static_cast<std::int64_t>(wanted) + 1));
    if (!read) return Fail(std::move(read.error()));
    if (read->empty()) break;
    bool advanced = false;
    for (const JournalBlock& block : *read) {
      auto changes = SplitBlock(block.body, block.first_seq, block.count);
      if (!changes) return Fail(std::move(changes.error()));
      for (const EncodedChange& encoded : *changes) {
        if (encoded.seq <= page.next) continue;
        if (page.changes.size() == limit || scanned == max_scan) return page;
        ++scanned;
        page.next = encoded.seq;
        advanced = true;
        if (!Keeps(filter, encoded)) continue;
        auto change = DecodeChange(encoded, block.at_ms);
        if (!change) return Fail(std::move(change.error()));
        page.changes.push_back(std::move(*change));
      }
    }
    if (!advanced) break;
  }
  return page;
}

}  // namespace allot::journal
