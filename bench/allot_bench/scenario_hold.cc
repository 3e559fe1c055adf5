// hot-item and spread: reserve qty 1 again and again, on one item or on
// items picked uniformly at random. Holds outlive the run (--ttl), so each
// item's `held` must equal the 201s the client counted for it.
#include <atomic>
#include <boost/json/array.hpp>

#include "allot_bench/item_api.h"
#include "allot_bench/scenario.h"

namespace allot::bench {
namespace {

namespace asio = boost::asio;

constexpr std::int64_t kHugeStock = 1'000'000'000;  // the contract's largest quantity
constexpr int kSpreadItems = 1000;

class HoldScenario : public ScenarioRun {
 public:
  explicit HoldScenario(const BenchOptions& options)
      : options_(options),
        stock_(options.stock > 0 ? options.stock : kHugeStock),
        wins_(options.scenario == Scenario::kHotItem
                  ? 1
                  : (options.items > 0 ? options.items : kSpreadItems)) {
    if (!options.item_id.empty()) {
      ids_.push_back(options.item_id);
      return;
    }
    std::string prefix = UniquePrefix(options.scenario);
    for (std::size_t i = 0; i < wins_.size(); ++i) ids_.push_back(prefix + "-" + std::to_string(i));
  }

  std::string Setup(Runner& runner) override {
    if (options_.item_id.empty()) return CreateItems(runner, ids_, stock_);
    // An existing item: what it shows now is where the checks start from.
    auto items = FetchItems(runner, ids_);
    if (!items[0]) return "GET /api/v1/items/" + ids_[0] + " did not answer 200 with counters";
    baseline_ = *items[0];
    stock_ = baseline_.on_hand + baseline_.sold;
    return "";
  }

  asio::awaitable<void> Drive(Client& client, int connection, LoadControl& control) override {
    std::string body;
    std::uint64_t seq = 0;
    // xorshift64: a cheap, per-connection item picker (quality hardly matters).
    std::uint64_t rng = 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(connection + 1);
    while (control.TakeOperation()) {
      std::size_t item = 0;
      if (wins_.size() > 1) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        item = rng % wins_.size();
      }
      BuildReserveBody(body, connection, seq++, ids_[item], options_.ttl_seconds);
      Reply reply = co_await client.Send(Op::kReserve, "POST", "/api/v1/reservations", body);
      if (reply.status == 201) wins_[item].fetch_add(1, std::memory_order_relaxed);
    }
  }

  void Check(Runner& runner, const LoadFacts& facts, CheckReport& report) override {
    auto items = FetchItems(runner, ids_);
    auto slack = static_cast<std::int64_t>(facts.unanswered_writes);
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      std::int64_t wins = wins_[i].load();
      CheckItem(ids_[i], items[i],
                ItemExpectation{.stock = stock_,
                                .held_min = baseline_.held + wins,
                                .held_max = std::min(stock_, baseline_.held + wins + slack),
                                .sold_min = baseline_.sold,
                                .sold_max = baseline_.sold},
                report);
    }
  }

  boost::json::object Facts() const override {
    boost::json::object facts;
    facts["items"] = ids_.size();
    facts["stockPerItem"] = stock_;
    facts["ttlSeconds"] = options_.ttl_seconds;
    facts["firstItemId"] = ids_.front();
    facts["existingItem"] = !options_.item_id.empty();
    return facts;
  }

  bool Allowed(const Outcome& outcome) const override {
    if (outcome.op == Op::kReserve && outcome.status == 201) return true;
    if (outcome.status == 503 && outcome.code == "overloaded") return true;
    // With finite stock (--stock, or an existing item) a refusal is a
    // legitimate answer too.
    const bool finite = options_.stock > 0 || !options_.item_id.empty();
    return finite && outcome.status == 409 && outcome.code == "out_of_stock";
  }

 private:
  const BenchOptions& options_;
  std::int64_t stock_;
  std::vector<std::atomic<std::int64_t>> wins_;  // 201s per item
  std::vector<std::string> ids_;
  ItemCounters baseline_;  // --item: its counters before the load; else zero
};

}  // namespace

std::unique_ptr<ScenarioRun> MakeHoldScenario(const BenchOptions& options) {
  return std::make_unique<HoldScenario>(options);
}

}  // namespace allot::bench
