// sellout: one item with --stock units and ten times as many distinct
// buyers (or --requests), each asking for one unit. Exactly --stock must
// win; everyone else must be told out_of_stock (or overloaded).
#include <atomic>

#include "allot_bench/item_api.h"
#include "allot_bench/scenario.h"

namespace allot::bench {
namespace {

namespace asio = boost::asio;

constexpr std::int64_t kDefaultStock = 100;
constexpr std::int64_t kBuyersPerUnit = 10;

class SelloutScenario : public ScenarioRun {
 public:
  explicit SelloutScenario(const BenchOptions& options)
      : options_(options),
        stock_(options.stock > 0 ? options.stock : kDefaultStock),
        id_(UniquePrefix(options.scenario)) {}

  std::string Setup(Runner& runner) override { return CreateItems(runner, {id_}, stock_); }

  std::optional<std::int64_t> DefaultOperations() const override { return stock_ * kBuyersPerUnit; }

  asio::awaitable<void> Drive(Client& client, int connection, LoadControl& control) override {
    std::string body;
    std::uint64_t seq = 0;
    while (control.TakeOperation()) {
      // Every request is a new buyer: user ids never repeat.
      BuildReserveBody(body, connection, seq++, id_, options_.ttl_seconds);
      co_await client.Send(Op::kReserve, "POST", "/api/v1/reservations", body);
    }
  }

  void Check(Runner& runner, const LoadFacts& facts, CheckReport& report) override {
    auto wins = static_cast<std::int64_t>(facts.stats.Count(Op::kReserve, 201));
    auto attempts = static_cast<std::int64_t>(facts.stats.requests.load());
    auto slack = static_cast<std::int64_t>(facts.unanswered_writes);
    report.Expect(wins <= stock_, std::to_string(wins) + " buyers got 201 for " +
                                      std::to_string(stock_) + " units: OVERSOLD");
    report.Expect(attempts > stock_,
                  "only " + std::to_string(attempts) + " buyers tried for " +
                      std::to_string(stock_) +
                      " units: the run proves nothing (raise --requests or --duration)");
    report.Expect(wins >= stock_ - slack,
                  "only " + std::to_string(wins) + " of " + std::to_string(stock_) +
                      " units were won although " + std::to_string(attempts) + " buyers tried" +
                      (facts.time_ran_out ? " (--duration ran out first: raise it)" : ""));
    auto item = FetchItems(runner, {id_});
    CheckItem(id_, item[0],
              ItemExpectation{.stock = stock_,
                              .held_min = wins,
                              .held_max = std::min(stock_, wins + slack),
                              .sold_min = 0,
                              .sold_max = 0},
              report);
    if (item[0] && wins >= stock_ - slack) {
      report.Expect(item[0]->held == stock_ && item[0]->available == 0,
                    "item " + id_ + " is not sold out: held " + std::to_string(item[0]->held) +
                        ", available " + std::to_string(item[0]->available) + " (expected " +
                        std::to_string(stock_) + " and 0)");
    }
  }

  boost::json::object Facts() const override {
    boost::json::object facts;
    facts["itemId"] = id_;
    facts["stock"] = stock_;
    facts["ttlSeconds"] = options_.ttl_seconds;
    return facts;
  }

  bool Allowed(const Outcome& outcome) const override {
    if (outcome.op == Op::kReserve && outcome.status == 201) return true;
    if (outcome.status == 409 && outcome.code == "out_of_stock") return true;
    return outcome.status == 503 && outcome.code == "overloaded";
  }

 private:
  const BenchOptions& options_;
  std::int64_t stock_;
  std::string id_;
};

}  // namespace

std::unique_ptr<ScenarioRun> MakeSelloutScenario(const BenchOptions& options) {
  return std::make_unique<SelloutScenario>(options);
}

}  // namespace allot::bench
