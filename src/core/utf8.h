// Well-formed UTF-8 (RFC 3629): no overlong forms, no UTF-16 surrogates,
// nothing past U+10FFFF. Text that reaches JSON (error bodies, log lines) may
// echo bytes a client sent before anything checked their encoding; a JSON
// parser rejects such bytes, so they are replaced by U+FFFD on the way out.
#ifndef ALLOT_CORE_UTF8_H_
#define ALLOT_CORE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace allot {

// The length (1..4) of the well-formed sequence that starts at text[at], or
// 0 when the bytes there do not start one. Requires at < text.size().
std::size_t Utf8SequenceLength(std::string_view text, std::size_t at);

// `text` with every byte that does not start a well-formed sequence replaced
// by U+FFFD ("\xEF\xBF\xBD").
std::string ValidUtf8(std::string_view text);

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

}  // namespace allot

#endif  // ALLOT_CORE_UTF8_H_
