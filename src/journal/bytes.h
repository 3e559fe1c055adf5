// Little building blocks of the journal's binary encoding: unsigned LEB128
// varints, zigzag for signed values, length-prefixed strings. A Reader
// never reads past its input: every getter reports truncation instead.
#ifndef ALLOT_JOURNAL_BYTES_H_
#define ALLOT_JOURNAL_BYTES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace allot::journal {

inline void PutVarint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

inline std::uint64_t ZigZag(std::int64_t value) {
  return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}
inline std::int64_t UnZigZag(std::uint64_t value) {
  return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

inline void PutSigned(std::string& out, std::int64_t value) { PutVarint(out, ZigZag(value)); }

inline void PutString(std::string& out, std::string_view text) {
  PutVarint(out, text.size());
  out.append(text);
}

inline void PutByte(std::string& out, std::uint8_t byte) { out.push_back(static_cast<char>(byte)); }

// Reads what the Put functions wrote. After any failed read ok() is false
// and every later read returns zero or empty.
class Reader {
 public:
  explicit Reader(std::string_view input) : input_(input) {}

  std::uint64_t Varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= input_.size()) return Broken();
      const auto byte = static_cast<std::uint8_t>(input_[pos_++]);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return Broken();
  }
  std::int64_t Signed() { return UnZigZag(Varint()); }
  std::int64_t Count() { return static_cast<std::int64_t>(Varint()); }
  std::uint8_t Byte() {
    if (pos_ >= input_.size()) return static_cast<std::uint8_t>(Broken());
    return static_cast<std::uint8_t>(input_[pos_++]);
  }
  std::string_view View() {
    const std::uint64_t size = Varint();
    if (!ok_ || size > input_.size() - pos_) {
      Broken();
      return {};
    }
    std::string_view text = input_.substr(pos_, size);
    pos_ += size;
    return text;
  }
  std::string String() { return std::string(View()); }

  bool ok() const { return ok_; }
  bool done() const { return pos_ == input_.size(); }

 private:
  std::uint64_t Broken() {
    ok_ = false;
    pos_ = input_.size();
    return 0;
  }

  std::string_view input_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace allot::journal

#endif  // ALLOT_JOURNAL_BYTES_H_
