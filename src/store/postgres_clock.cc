// PostgresClock: the database's clock_timestamp() as an offset from the
// local steady clock, refreshed on a background thread.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "allot/postgres_store.h"
#include "store/postgres_connection.h"

namespace allot {
namespace {

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Server epoch milliseconds minus local steady milliseconds, measured at the
// midpoint of one round trip.
Expected<std::int64_t> MeasureOffset(PGconn* conn) {
  const std::int64_t before = SteadyMs();
  auto result = pg::Run(conn, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
                        pg::Params(), "Reading the database clock", /*prepared=*/false);
  const std::int64_t after = SteadyMs();
  if (!result) return Fail(std::move(result.error()));
  return result->Int(0, 0) - (before + after) / 2;
}

}  // namespace

class PostgresClock::Refresher {
 public:
  Refresher(PostgresClock& clock, std::string conninfo, pg::Connection conn,
            std::chrono::milliseconds every)
      : clock_(clock), conninfo_(std::move(conninfo)), conn_(std::move(conn)), every_(every) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Refresher() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, every_, [this] { return stopping_; })) {
      lock.unlock();
      Refresh();
      lock.lock();
    }
  }

  // Keeps the last offset when the database cannot be reached.
  void Refresh() {
    if (conn_ == nullptr || !pg::Usable(conn_.get())) {
      auto conn = pg::Connect(conninfo_, 2);
      if (!conn) return;
      conn_ = std::move(*conn);
    }
    auto offset = MeasureOffset(conn_.get());
    if (offset) clock_.offset_ms_.store(*offset);
  }

  PostgresClock& clock_;
  std::string conninfo_;
  pg::Connection conn_;
  std::chrono::milliseconds every_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

PostgresClock::PostgresClock() = default;
PostgresClock::~PostgresClock() { refresher_.reset(); }

Expected<std::unique_ptr<PostgresClock>> PostgresClock::Start(const std::string& conninfo,
                                                              std::chrono::milliseconds refresh) {
  auto conn = pg::Connect(conninfo, 5);
  if (!conn) return Fail(std::move(conn.error()));
  auto offset = MeasureOffset(conn->get());
  if (!offset) return Fail(std::move(offset.error()));
  std::unique_ptr<PostgresClock> clock(new PostgresClock());
  clock->offset_ms_.store(*offset);
  clock->refresher_ = std::make_unique<Refresher>(*clock, conninfo, std::move(*conn), refresh);
  return clock;
}

std::int64_t PostgresClock::NowMs() const {
  const std::int64_t now = SteadyMs() + offset_ms_.load();
  // A refresh may move the offset back a little; time must not follow.
  std::int64_t last = last_ms_.load();
  while (now > last && !last_ms_.compare_exchange_weak(last, now)) {
  }
  return std::max(now, last);
}

}  // namespace allot
