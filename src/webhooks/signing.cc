#include "webhooks/signing.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>

namespace allot::webhooks {
namespace {

std::string Hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

}  // namespace

Expected<std::string> NewSecret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Fail(Unavailable("The random number generator failed; no webhook was made."));
  }
  return Hex(bytes.data(), bytes.size());
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  return Hex(digest, size);
}

std::string SignatureHeader(std::string_view secret, std::int64_t unix_seconds,
                            std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string signed_text;
  signed_text.reserve(t.size() + 1 + body.size());
  signed_text.append(t).push_back('.');
  signed_text.append(body);
  return "t=" + t + ",v1=" + HmacSha256Hex(secret, signed_text);
}

Signer::Signer(std::string_view secret) : secret_(secret) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (ctx != nullptr &&
      EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(secret_.data()), secret_.size(),
                   params) == 1) {
    mac_ = mac;
    keyed_ = ctx;
    return;
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);  // Header() falls back to the one-shot HMAC
}

Signer::~Signer() {
  EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(keyed_));
  EVP_MAC_free(static_cast<EVP_MAC*>(mac_));
}

std::string Signer::Header(std::int64_t unix_seconds, std::string_view body) {
  if (keyed_ == nullptr) return SignatureHeader(secret_, unix_seconds, body);
  const std::string t = std::to_string(unix_seconds);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(static_cast<EVP_MAC_CTX*>(keyed_));
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t size = 0;
  const bool ok = ctx != nullptr &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(t.data()), t.size()) == 1 &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>("."), 1) == 1 &&
                  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()),
                                 body.size()) == 1 &&
                  EVP_MAC_final(ctx, digest, &size, sizeof digest) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) return SignatureHeader(secret_, unix_seconds, body);
  return "t=" + t + ",v1=" + Hex(digest, size);
}

}  // namespace allot::webhooks
