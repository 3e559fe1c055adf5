// A throwaway pgbouncer in front of a test cluster: its own temporary
// directory (config, user list, log, pid file), a free loopback port, trust
// authentication for `postgres`, every database passed through. It runs as
// the `postgres` OS user when the tests run as root (pgbouncer refuses
// root). Destroying it stops the process and removes the directory; if the
// test process dies first, a watchdog does both.
#ifndef ALLOT_TESTS_PG_SUPPORT_PG_BOUNCER_H_
#define ALLOT_TESTS_PG_SUPPORT_PG_BOUNCER_H_

#include <memory>
#include <string>
#include <string_view>

namespace allot::testing {

class PgBouncer {
 public:
  // Starts pgbouncer with `pool_mode` (session, transaction, statement) in
  // front of 127.0.0.1:`server_port`. nullptr on failure, with the reason.
  static std::unique_ptr<PgBouncer> Start(int server_port, std::string_view pool_mode,
                                          std::string* error);
  ~PgBouncer();
  PgBouncer(const PgBouncer&) = delete;
  PgBouncer& operator=(const PgBouncer&) = delete;

  int port() const { return port_; }
  // postgres://postgres@127.0.0.1:PORT/DBNAME, through pgbouncer.
  std::string Url(std::string_view dbname) const;

 private:
  PgBouncer() = default;

  std::string dir_;
  int port_ = 0;
  int pid_ = 0;
  int watchdog_pid_ = -1;
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_PG_SUPPORT_PG_BOUNCER_H_
