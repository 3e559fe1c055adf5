#include "engine/id_generator.h"

#include "journal/record_key.h"

namespace allot {
namespace {

constexpr char kBase32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Appends the low `chars`*5 bits of `value`, most significant first.
void AppendBase32(std::string& out, std::uint64_t value, int chars) {
  for (int i = chars - 1; i >= 0; --i) {
    out.push_back(kBase32[(value >> (i * 5)) & 31]);
  }
}

std::mt19937_64 SeededEngine() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device(), device(), device()};
  return std::mt19937_64(seed);
}

}  // namespace

IdGenerator::IdGenerator(const Clock& clock) : clock_(clock), random_(SeededEngine()) {}

std::string IdGenerator::Make(std::string_view prefix) {
  if (keys_ != nullptr) {
    if (auto key = keys_->NextRecordKey()) return journal::KeyedId(prefix, *key, random_());
  }
  std::string id;
  id.reserve(prefix.size() + 26);
  id.append(prefix);
  AppendBase32(id, static_cast<std::uint64_t>(clock_.NowMs()), 10);
  AppendBase32(id, random_(), 8);  // 40 bits
  AppendBase32(id, random_(), 8);  // 40 bits
  return id;
}

}  // namespace allot

namespace allot {

std::string IdGenerator::NewWebhookId() {
  JournalBuilder* keys = keys_;
  keys_ = nullptr;  // no record key: a webhook is a row, found by its id
  std::string id = Make("whk_");
  keys_ = keys;
  return id;
}

}  // namespace allot

namespace allot {

std::string IdGenerator::NewWaitlistId() {
  JournalBuilder* keys = keys_;
  keys_ = nullptr;  // no record key: an entry is a row, found by its id
  std::string id = Make("wl_");
  keys_ = keys;
  return id;
}

}  // namespace allot
