// The pure rules: given the state in a WorkingSet and one command, decide
// whether it is allowed and apply its effects to the working set (counters,
// records, ledger rows). No I/O beyond the working set's loader.
//
// Contract of Decide: a refusal (any error) leaves the working set as it was,
// except that holds found past their expiry may have been expired (which is
// true regardless of the command). A kUnavailable error means a load failed;
// the caller must then abandon the whole batch.
#ifndef ALLOT_DOMAIN_RULES_H_
#define ALLOT_DOMAIN_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "allot/commands.h"
#include "domain/working_set.h"

namespace allot::domain {

// The most units an item may have on hand: keeps every counter sum far from
// int64 overflow.
inline constexpr std::int64_t kMaxOnHand = 1'000'000'000'000'000;
// The most a balance may reach through credits (the same bound).
inline constexpr std::int64_t kMaxBalance = kMaxOnHand;
// The longest a reservation may be held, from its creation to its expiry,
// extensions included: the contract's 604800 s.
inline constexpr std::int64_t kMaxHoldMs = 604'800'000;

class IdSource {
 public:
  virtual ~IdSource() = default;
  virtual std::string NewReservationId() = 0;
  virtual std::string NewOrderId() = 0;
  // "trf_...": also the id of the reservation that holds a held transfer.
  virtual std::string NewTransferId() = 0;
  virtual std::string NewWebhookId() = 0;  // "whk_..."
  virtual std::string NewWaitlistId() = 0;  // "wl_..."
  // "drw_...": the reservation that sets a draw's units aside.
  virtual std::string NewDrawHoldId() = 0;
};

struct Context {
  std::int64_t now_ms = 0;  // one instant for the whole batch
  std::string principal;
  bool own_records_only = false;  // see Command::own_records_only
  IdSource* ids = nullptr;
};

CommandResult Decide(const CommandBody& body, WorkingSet& ws, const Context& ctx);

// How a reservation reads at now_ms: one still stored as held but past its
// expiry reads as expired (availability never counts it either).
Reservation ViewAt(Reservation reservation, std::int64_t now_ms);
// The same for a held transfer past its expiry.
Transfer ViewAt(Transfer transfer, std::int64_t now_ms);

}  // namespace allot::domain

#endif  // ALLOT_DOMAIN_RULES_H_
