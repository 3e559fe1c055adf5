// Which process delivers a webhook: exactly one at a time.
//
// With SQLite one process owns the database file, so it delivers every
// webhook (LocalLeases). With PostgreSQL, several processes share the
// webhooks: each holds a PostgreSQL session advisory lock per webhook it
// delivers, on a connection of its own (PostgresLeases, postgres_leases.h).
// The server drops a session's locks the moment the session ends, so when
// the delivering process dies (kill -9, crash) another one takes the
// webhook at its next look, within about a second.
//
// Used by the deliverer's one managing thread only (not thread-safe).
#ifndef ALLOT_WEBHOOKS_LEASES_H_
#define ALLOT_WEBHOOKS_LEASES_H_

#include <string_view>

namespace allot::webhooks {

class Leases {
 public:
  virtual ~Leases() = default;
  // True when this process now delivers `id` (or already did).
  virtual bool Acquire(std::string_view id) = 0;
  virtual void Release(std::string_view id) = 0;
  // False when every lease held may have been lost (the connection that
  // held them failed or did not answer in time); they are then forgotten,
  // and the caller must stop delivering at once.
  virtual bool Check() = 0;
};

// One process owns the store: every lease is granted.
class LocalLeases final : public Leases {
 public:
  bool Acquire(std::string_view) override { return true; }
  void Release(std::string_view) override {}
  bool Check() override { return true; }
};

}  // namespace allot::webhooks

#endif  // ALLOT_WEBHOOKS_LEASES_H_
