#include "engine/journal_builder.h"

#include <algorithm>

#include "journal/change_codec.h"
#include "journal/record_key.h"
#include "journal/terms.h"

namespace allot {
namespace {

// A block also ends once it is this large, so that reading one record back
// (which decodes its whole block) stays cheap.
constexpr std::size_t kMaxBlockBytes = 64 * 1024;
// Record keys left for the command that starts a block: a command creates
// at most two records (a confirm's order; a transfer and its hold share one).
constexpr std::int64_t kRecordsPerCommand = 2;

}  // namespace

JournalBuilder::JournalBuilder(JournalLayout layout, std::optional<std::int64_t> next_seq,
                               std::int64_t at_ms)
    : layout_(layout), next_seq_(next_seq), at_ms_(at_ms) {}

void JournalBuilder::BeginCommand() {
  if (!open_) return;
  const bool full_commands = layout_.max_commands_per_block != 0 &&
                             commands_in_block_ >= layout_.max_commands_per_block;
  const bool full_records =
      records_in_block_ + kRecordsPerCommand > journal::kRecordsPerBlock;
  if (full_commands || full_records || blocks_.back().body.size() >= kMaxBlockBytes) {
    open_ = false;
  } else {
    ++commands_in_block_;
  }
}

JournalBlock& JournalBuilder::OpenBlock() {
  if (!open_) {
    JournalBlock block;
    block.first_seq = next_seq_ ? *next_seq_ + changes_ : 0;
    block.at_ms = at_ms_;
    block.body = journal::NewBlockBody();
    blocks_.push_back(std::move(block));
    open_ = true;
    commands_in_block_ = 1;
    records_in_block_ = 0;
  }
  return blocks_.back();
}

std::optional<std::int64_t> JournalBuilder::NextRecordKey() {
  if (!layout_.keyed_ids || !next_seq_) return std::nullopt;
  // A command that makes many records (a return served to a long waiting
  // list: an offer each) goes on in a new block once this one has no key
  // left; the record's first change is then in the block its key names.
  if (open_ && records_in_block_ >= journal::kRecordsPerBlock) open_ = false;
  const JournalBlock& block = OpenBlock();
  return journal::RecordKey(block.first_seq, records_in_block_++);
}

void JournalBuilder::Counted(std::string_view record_id) {
  JournalBlock& block = blocks_.back();
  ++block.count;
  ++changes_;
  if (!record_id.empty()) block.records.emplace_back(record_id);
}

void JournalBuilder::Record(ChangeType type, std::string_view owner, const Item& item,
                            std::span<const Movement> movements) {
  JournalBlock& block = OpenBlock();
  journal::AppendChange(block.body, type, owner, item, movements, at_ms_);
  journal::AppendTerms(type, owner, item, movements, block.terms);
  Counted({});
}

void JournalBuilder::Record(ChangeType type, std::string_view owner, const Reservation& r,
                            std::span<const Movement> movements) {
  JournalBlock& block = OpenBlock();
  journal::AppendChange(block.body, type, owner, r, movements, at_ms_);
  journal::AppendTerms(type, owner, r, movements, block.terms);
  Counted(r.id);
}

void JournalBuilder::Record(ChangeType type, std::string_view owner, const Order& order,
                            std::span<const Movement> movements) {
  JournalBlock& block = OpenBlock();
  journal::AppendChange(block.body, type, owner, order, movements, at_ms_);
  journal::AppendTerms(type, owner, order, movements, block.terms);
  Counted(order.id);
}

void JournalBuilder::Record(ChangeType type, std::string_view owner, const Transfer& t,
                            std::span<const Movement> movements) {
  JournalBlock& block = OpenBlock();
  journal::AppendChange(block.body, type, owner, t, movements, at_ms_);
  journal::AppendTerms(type, owner, t, movements, block.terms);
  Counted(t.id);
}

void JournalBuilder::Record(ChangeType type, std::string_view owner, const EventCounts& event,
                            std::span<const Movement> movements) {
  JournalBlock& block = OpenBlock();
  journal::AppendChange(block.body, type, owner, event, movements, at_ms_);
  journal::AppendTerms(type, owner, event, movements, block.terms);
  Counted({});
}

std::vector<JournalBlock> JournalBuilder::TakeBlocks() {
  std::erase_if(blocks_, [](const JournalBlock& block) { return block.count == 0; });
  for (JournalBlock& block : blocks_) {
    std::sort(block.records.begin(), block.records.end());
    block.records.erase(std::unique(block.records.begin(), block.records.end()),
                        block.records.end());
    journal::NormalizeTerms(block.terms);
  }
  open_ = false;
  return std::move(blocks_);
}

// An entry is a row of its own (not found through the journal): it takes
// no record key and is not one of the block's records.
void JournalBuilder::Record(ChangeType type, std::string_view owner, const WaitlistEntry& entry,
                            std::span<const Movement> movements) {
  JournalBlock& block = OpenBlock();
  journal::AppendChange(block.body, type, owner, entry, movements, at_ms_);
  journal::AppendTerms(type, owner, entry, movements, block.terms);
  Counted({});
}

// Draws and their entries are rows too.
void JournalBuilder::Record(ChangeType type, std::string_view owner, const Draw& draw,
                            std::span<const Movement> movements) {
  JournalBlock& block = OpenBlock();
  journal::AppendChange(block.body, type, owner, draw, movements, at_ms_);
  journal::AppendTerms(type, owner, draw, movements, block.terms);
  Counted({});
}

void JournalBuilder::Record(ChangeType type, std::string_view owner, const DrawEntry& entry,
                            std::span<const Movement> movements) {
  JournalBlock& block = OpenBlock();
  journal::AppendChange(block.body, type, owner, entry, movements, at_ms_);
  journal::AppendTerms(type, owner, entry, movements, block.terms);
  Counted({});
}

}  // namespace allot
