// Ids that say where their record is. The single-process store keeps
// reservations, orders and transfers only in the journal; to find one by id
// without an index, the ids it hands out carry a record key: the seq of the
// journal block that created the record times kRecordsPerBlock, plus the
// record's number within that block.
//
//   "rsv_" + 13 base32 digits of the key + 8 random base32 digits
//
// The random part keeps ids from being guessed from one another. Ids handed
// out by other stores (or before the journal) have no key: KeyOfId returns
// nullopt for them and the store looks them up another way.
#ifndef ALLOT_JOURNAL_RECORD_KEY_H_
#define ALLOT_JOURNAL_RECORD_KEY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace allot::journal {

// New records per block: more than a block's commands can create.
inline constexpr std::int64_t kRecordsPerBlock = 64;

inline std::int64_t RecordKey(std::int64_t block_seq, std::int64_t index) {
  return block_seq * kRecordsPerBlock + index;
}
inline std::int64_t BlockOfKey(std::int64_t key) { return key / kRecordsPerBlock; }

// `prefix` ("rsv_") + the key + `random`'s low 40 bits.
std::string KeyedId(std::string_view prefix, std::int64_t key, std::uint64_t random);
// The key of a keyed id (any 4-character prefix), else nullopt.
std::optional<std::int64_t> KeyOfId(std::string_view id);

}  // namespace allot::journal

#endif  // ALLOT_JOURNAL_RECORD_KEY_H_
