// SHA-256 and cryptographically secure random bytes, from OpenSSL's
// libcrypto (never written by hand): what a draw commits to and draws with.
#ifndef ALLOT_CORE_DIGEST_H_
#define ALLOT_CORE_DIGEST_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace allot {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest Sha256(std::string_view bytes);
// Lowercase hex of `bytes` ("00ff...").
std::string ToHex(std::string_view bytes);
std::string ToHex(const Sha256Digest& digest);
// The bytes of lowercase or uppercase hex; nullopt for anything else.
std::optional<std::string> FromHex(std::string_view hex);

// `n` bytes from OpenSSL's CSPRNG (RAND_bytes). Throws std::runtime_error if
// it cannot give them (it is seeded from the kernel; this does not happen
// on a working system, and a draw must not run on a weak seed).
std::string SecureRandomBytes(std::size_t n);

}  // namespace allot

#endif  // ALLOT_CORE_DIGEST_H_
