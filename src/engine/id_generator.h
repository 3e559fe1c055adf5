// Server-made ids for reservations and orders: a prefix, 10 characters of
// millisecond time and 16 of randomness in Crockford base32, e.g.
// "rsv_01JD0M4W3N8Q2Z7X5K9P6R1T0V". Time first makes ids roughly ordered
// (kind to B-tree indexes); 80 random bits make them unique across processes
// without coordination, and unguessable.
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

namespace allot {

class IdGenerator final : public domain::IdSource {
 public:
  explicit IdGenerator(const Clock& clock);
  std::string NewReservationId() override { return Make("rsv_"); }
  std::string NewOrderId() override { return Make("ord_"); }
  std::string NewTransferId() override { return Make("trf_"); }

 private:
  std::string Make(std::string_view prefix);
  const Clock& clock_;
  std::mt19937_64 random_;
};

}  // namespace allot

#endif  // ALLOT_ENGINE_ID_GENERATOR_H_
