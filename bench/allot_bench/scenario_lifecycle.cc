// lifecycle: reserve, then in turn confirm it, cancel it, or let it expire
// (those get a 1-second ttl). After the load it waits for the short holds
// to pass their expiry; then each item's `sold` must equal its confirms,
// `held` must equal the long holds whose follow-up was refused (normally
// none), and sampled reservations (whose follow-up got 200) must read back
// in the state they were left in.
#include <atomic>
#include <chrono>
#include <thread>

#include "allot_bench/item_api.h"
#include "allot_bench/scenario.h"

namespace allot::bench {
namespace {

namespace asio = boost::asio;

constexpr std::int64_t kHugeStock = 1'000'000'000;
constexpr int kDefaultItems = 8;
constexpr std::int64_t kExpiringTtlSeconds = 1;
constexpr std::size_t kSamplesPerKind = 4;  // per connection, read back after the run

enum Fate { kConfirm = 0, kCancel = 1, kExpire = 2 };

struct ItemTally {
  std::atomic<std::int64_t> confirmed{0};  // confirm answered 200
  std::atomic<std::int64_t> left_held{0};  // long hold whose confirm/cancel was refused
};

struct Samples {
  std::vector<std::string> ids[3];  // by Fate
};

class LifecycleScenario : public ScenarioRun {
 public:
  explicit LifecycleScenario(const BenchOptions& options)
      : options_(options),
        stock_(options.stock > 0 ? options.stock : kHugeStock),
        tallies_(options.items > 0 ? options.items : kDefaultItems),
        samples_(options.connections) {
    std::string prefix = UniquePrefix(options.scenario);
    for (std::size_t i = 0; i < tallies_.size(); ++i)
      ids_.push_back(prefix + "-" + std::to_string(i));
  }

  std::string Setup(Runner& runner) override { return CreateItems(runner, ids_, stock_); }

  asio::awaitable<void> Drive(Client& client, int connection, LoadControl& control) override {
    std::string body;
    std::string target;
    std::uint64_t seq = 0;
    Samples& samples = samples_[connection];
    while (control.TakeOperation()) {
      auto fate = static_cast<Fate>((seq + connection) % 3);
      std::size_t item = (seq * 7 + connection) % ids_.size();
      std::int64_t ttl = fate == kExpire ? kExpiringTtlSeconds : options_.ttl_seconds;
      BuildReserveBody(body, connection, seq++, ids_[item], ttl);
      Reply reserved = co_await client.Send(Op::kReserve, "POST", "/api/v1/reservations", body);
      if (reserved.status != 201) continue;
      std::string id(JsonStringField(reserved.body, "id"));
      bool sample = samples.ids[fate].size() < kSamplesPerKind;
      if (fate == kExpire) {
        if (sample) samples.ids[fate].push_back(id);
        last_expiring_ns_.store(std::chrono::steady_clock::now().time_since_epoch().count());
        continue;
      }
      Op op = fate == kConfirm ? Op::kConfirm : Op::kCancel;
      target.assign("/api/v1/reservations/")
          .append(id)
          .append(fate == kConfirm ? "/confirm" : "/cancel");
      Reply answer = co_await client.Send(op, "POST", target, "{}");
      if (answer.status == 200) {
        if (sample) samples.ids[fate].push_back(id);
        if (fate == kConfirm) tallies_[item].confirmed.fetch_add(1, std::memory_order_relaxed);
      } else if (answer.status != 0) {
        tallies_[item].left_held.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }

  void Check(Runner& runner, const LoadFacts& facts, CheckReport& report) override {
    WaitForShortHoldsToExpire();
    auto items = FetchItems(runner, ids_);
    auto slack = static_cast<std::int64_t>(facts.unanswered_writes);
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      std::int64_t confirmed = tallies_[i].confirmed.load();
      std::int64_t left_held = tallies_[i].left_held.load();
      CheckItem(ids_[i], items[i],
                ItemExpectation{.stock = stock_,
                                .held_min = left_held,
                                .held_max = left_held + slack,
                                .sold_min = confirmed,
                                .sold_max = confirmed + slack},
                report);
    }
    CheckSamples(runner, report);
  }

  boost::json::object Facts() const override {
    boost::json::object facts;
    facts["items"] = ids_.size();
    facts["stockPerItem"] = stock_;
    facts["ttlSeconds"] = options_.ttl_seconds;
    facts["expiringTtlSeconds"] = kExpiringTtlSeconds;
    std::int64_t confirmed = 0;
    for (const auto& tally : tallies_) confirmed += tally.confirmed.load();
    facts["confirmed"] = confirmed;
    return facts;
  }

  bool Allowed(const Outcome& outcome) const override {
    if (outcome.op == Op::kReserve && outcome.status == 201) return true;
    if ((outcome.op == Op::kConfirm || outcome.op == Op::kCancel) && outcome.status == 200)
      return true;
    return outcome.status == 503 && outcome.code == "overloaded";
  }

 private:
  // Expiry is decided by the server's clock from when it made the hold,
  // which is before the client saw the 201; a margin covers clock reads.
  void WaitForShortHoldsToExpire() const {
    std::int64_t last_ns = last_expiring_ns_.load();
    if (last_ns == 0) return;
    auto due = std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_ns)) +
               std::chrono::seconds(kExpiringTtlSeconds) + std::chrono::milliseconds(300);
    std::this_thread::sleep_until(due);
  }

  void CheckSamples(Runner& runner, CheckReport& report) {
    static constexpr const char* kExpected[3] = {"confirmed", "cancelled", "expired"};
    for (int fate = 0; fate < 3; ++fate) {
      std::vector<std::string> ids;
      for (const Samples& samples : samples_) {
        for (const auto& id : samples.ids[fate]) ids.push_back(id);
      }
      auto statuses = FetchReservationStatuses(runner, ids);
      for (std::size_t i = 0; i < ids.size(); ++i) {
        // An expired hold stays "held" until the sweeper (every second) marks
        // it; its units are already free, which the item counters checked.
        bool ok = statuses[i] == kExpected[fate] || (fate == kExpire && statuses[i] == "held");
        report.Expect(ok, "reservation " + ids[i] + " reads back as \"" + statuses[i] +
                              "\", expected \"" + kExpected[fate] + "\"");
      }
    }
  }

  const BenchOptions& options_;
  std::int64_t stock_;
  std::vector<ItemTally> tallies_;
  std::vector<std::string> ids_;
  std::vector<Samples> samples_;  // one per connection, written only by its coroutine
  std::atomic<std::int64_t> last_expiring_ns_{0};
};

}  // namespace

std::unique_ptr<ScenarioRun> MakeLifecycleScenario(const BenchOptions& options) {
  return std::make_unique<LifecycleScenario>(options);
}

}  // namespace allot::bench
