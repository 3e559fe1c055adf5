// The binary encoding of changes and of the blocks stores keep them in.
//
// A block body is a format byte followed by its changes, each as a varint
// length and that many bytes, so a reader can skip a change without
// decoding it. A change is its type byte, its owner, the resource (fields
// chosen by the type; times as offsets from the block's instant, so most
// take one byte) and its movements. The seq and instant of a change are not
// in it: the block's row has the first seq and the instant.
//
// Encoding is done straight from the records (no Change is built on the
// hot path); decoding builds Change values. Decoding never trusts its
// input: a malformed body is an error, never a crash.
#ifndef ALLOT_JOURNAL_CHANGE_CODEC_H_
#define ALLOT_JOURNAL_CHANGE_CODEC_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "allot/error.h"
#include "allot/journal.h"

namespace allot::journal {

// The format byte every block body starts with.
inline constexpr std::uint8_t kBlockFormat = 1;

// Appends one change (length-prefixed) to a block body that already has its
// format byte. `at_ms` is the block's instant.
void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Item& item,
                  std::span<const Movement> movements, std::int64_t at_ms);
void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Reservation& r,
                  std::span<const Movement> movements, std::int64_t at_ms);
void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Order& order,
                  std::span<const Movement> movements, std::int64_t at_ms);
void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Transfer& t,
                  std::span<const Movement> movements, std::int64_t at_ms);
void AppendChange(std::string& body, ChangeType type, std::string_view owner,
                  const EventCounts& event, std::span<const Movement> movements,
                  std::int64_t at_ms);
void AppendChange(std::string& body, ChangeType type, std::string_view owner,
                  const WaitlistEntry& entry, std::span<const Movement> movements,
                  std::int64_t at_ms);
void AppendChange(std::string& body, ChangeType type, std::string_view owner, const Draw& draw,
                  std::span<const Movement> movements, std::int64_t at_ms);
void AppendChange(std::string& body, ChangeType type, std::string_view owner,
                  const DrawEntry& entry, std::span<const Movement> movements,
                  std::int64_t at_ms);
// The same from a Change (its seq and at_ms are ignored; `at_ms` is used).
void AppendChange(std::string& body, const Change& change, std::int64_t at_ms);

// A body with just its format byte, ready for AppendChange.
std::string NewBlockBody();

// One change of a block, not decoded yet.
struct EncodedChange {
  std::int64_t seq = 0;
  ChangeType type = ChangeType::kItemCreated;
  std::string_view payload;  // valid while the block body is
};

// The changes of a block in order, each with its seq, without decoding
// them. Fails if the body is malformed or holds another number of changes
// than `count`.
Expected<std::vector<EncodedChange>> SplitBlock(std::string_view body, std::int64_t first_seq,
                                                std::int64_t count);
// The owner and the id of the record a change is about, read without
// decoding the rest (every kind starts with them); empty views when the
// change is malformed.
struct ChangeHeader {
  std::string_view owner;
  std::string_view id;
};
ChangeHeader PeekHeader(const EncodedChange& encoded);
// Decodes one change of a block.
Expected<Change> DecodeChange(const EncodedChange& encoded, std::int64_t at_ms);
// Every change of a block, decoded.
Expected<std::vector<Change>> DecodeBlock(std::string_view body, std::int64_t first_seq,
                                          std::int64_t count, std::int64_t at_ms);

// The kind of resource a change type carries.
enum class DataKind { kItem, kReservation, kOrder, kTransfer, kEvent, kWaitlist, kDraw, kDrawEntry };
DataKind DataKindOf(ChangeType type);

}  // namespace allot::journal

#endif  // ALLOT_JOURNAL_CHANGE_CODEC_H_
