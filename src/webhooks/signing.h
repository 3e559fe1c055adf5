// Webhook secrets and signatures, with OpenSSL's libcrypto (never
// hand-written crypto).
//
// A secret is 32 random bytes (RAND_bytes), written as 64 lowercase hex
// digits; that text is the HMAC key, so a receiver uses the secret exactly
// as it was shown. Each delivery carries
//   Allot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// so a receiver can check both who sent it and when (to refuse replays of
// old deliveries).
#ifndef ALLOT_WEBHOOKS_SIGNING_H_
#define ALLOT_WEBHOOKS_SIGNING_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "allot/error.h"

namespace allot::webhooks {

// 64 hex digits of 32 bytes from OpenSSL's CSPRNG; kUnavailable if it fails.
Expected<std::string> NewSecret();

// Lowercase hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// "t=<unix_seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
std::string SignatureHeader(std::string_view secret, std::int64_t unix_seconds,
                            std::string_view body);

// The same signatures for one secret, many times: the HMAC is fetched and
// keyed once, and each signature starts from a copy of that state (the
// deliverer signs every change). Not thread-safe: one per delivering thread.
class Signer {
 public:
  explicit Signer(std::string_view secret);
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  std::string Header(std::int64_t unix_seconds, std::string_view body);

 private:
  std::string secret_;
  void* mac_ = nullptr;    // EVP_MAC*
  void* keyed_ = nullptr;  // EVP_MAC_CTX*, initialised with the key
};

}  // namespace allot::webhooks

#endif  // ALLOT_WEBHOOKS_SIGNING_H_
