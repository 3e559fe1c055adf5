// Server-made ids for reservations, orders and transfers. By default: a
// prefix, 10 characters of millisecond time and 16 of randomness in
// Crockford base32, e.g. "rsv_01JD0M4W3N8Q2Z7X5K9P6R1T0V". Time first makes
// ids roughly ordered (kind to B-tree indexes); 80 random bits make them
// unique across processes without coordination, and unguessable.
//
// For a store that finds records by the key in their id, while a journal
// builder is attached: the prefix, the record key it hands out and 40
// random bits (journal/record_key.h).
//
// Not thread-safe: owned by the sequencer.
#ifndef ALLOT_ENGINE_ID_GENERATOR_H_
#define ALLOT_ENGINE_ID_GENERATOR_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "allot/clock.h"
#include "domain/rules.h"
#include "engine/journal_builder.h"

namespace allot {

class IdGenerator final : public domain::IdSource {
 public:
  explicit IdGenerator(const Clock& clock);
  // Ids carry the keys `keys` hands out while it is set (nullptr: none).
  void UseKeys(JournalBuilder* keys) { keys_ = keys; }
  std::string NewReservationId() override { return Make("rsv_"); }
  std::string NewOrderId() override { return Make("ord_"); }
  std::string NewTransferId() override { return Make("trf_"); }
  // Webhooks are rows, not journal records: their ids carry no record key.
  std::string NewWebhookId() override;
  // Waiting-list entries are rows too.
  std::string NewWaitlistId() override;
  // A reservation (keyed like one), named apart so no client can end it.
  std::string NewDrawHoldId() override { return Make("drw_"); }

 private:
  std::string Make(std::string_view prefix);
  const Clock& clock_;
  std::mt19937_64 random_;
  JournalBuilder* keys_ = nullptr;
};

}  // namespace allot

#endif  // ALLOT_ENGINE_ID_GENERATOR_H_
