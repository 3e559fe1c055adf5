#include "journal/record_key.h"

namespace allot::journal {
namespace {

// Crockford's base32 (no I, L, O, U), as the other ids of allot.
constexpr char kDigits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kPrefixLength = 4;
constexpr int kKeyDigits = 13;  // 65 bits: every non-negative int64
constexpr int kRandomDigits = 8;

void Append(std::string& out, std::uint64_t value, int digits) {
  for (int i = digits - 1; i >= 0; --i) out.push_back(kDigits[(value >> (i * 5)) & 31]);
}

int DigitValue(char c) {
  for (int i = 0; i < 32; ++i) {
    if (kDigits[i] == c) return i;
  }
  return -1;
}

}  // namespace

std::string KeyedId(std::string_view prefix, std::int64_t key, std::uint64_t random) {
  std::string id;
  id.reserve(prefix.size() + kKeyDigits + kRandomDigits);
  id.append(prefix);
  Append(id, static_cast<std::uint64_t>(key), kKeyDigits);
  Append(id, random, kRandomDigits);
  return id;
}

std::optional<std::int64_t> KeyOfId(std::string_view id) {
  if (id.size() != kPrefixLength + kKeyDigits + kRandomDigits || id[kPrefixLength - 1] != '_') {
    return std::nullopt;
  }
  // 13 digits hold 65 bits: the top three must be clear for an int64 key.
  if (DigitValue(id[kPrefixLength]) >= 8) return std::nullopt;
  std::uint64_t key = 0;
  for (int i = 0; i < kKeyDigits; ++i) {
    const int digit = DigitValue(id[kPrefixLength + i]);
    if (digit < 0) return std::nullopt;
    key = (key << 5) | static_cast<std::uint64_t>(digit);
  }
  for (std::size_t i = kPrefixLength + kKeyDigits; i < id.size(); ++i) {
    if (DigitValue(id[i]) < 0) return std::nullopt;
  }
  return static_cast<std::int64_t>(key);
}

}  // namespace allot::journal
