#include "allot_bench/item_api.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <mutex>

namespace allot::bench {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// Runs fn(client, index) for every index in [0, n) on up to
// kSetupConnections connections.
template <typename Fn>
void ForEachParallel(Runner& runner, std::size_t n, Fn fn) {
  if (n == 0) return;
  std::atomic<std::size_t> next{0};
  int connections = static_cast<int>(std::min<std::size_t>(n, kSetupConnections));
  runner.Run(
      connections,
      [&](Client& client, int) -> asio::awaitable<void> {
        for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
          co_await fn(client, i);
        }
      },
      false, false);
}

std::optional<std::int64_t> IntField(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_int64()) return std::nullopt;
  return value->as_int64();
}

}  // namespace

std::string UniquePrefix(Scenario scenario) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return "bench-" + std::string(ToString(scenario)) + "-" + std::to_string(ms) + "-" +
         std::to_string(getpid());
}

std::string CreateItems(Runner& runner, const std::vector<std::string>& ids, std::int64_t stock) {
  std::mutex mu;
  std::string failure;
  ForEachParallel(runner, ids.size(), [&](Client& client, std::size_t i) -> asio::awaitable<void> {
    std::string body = "{\"id\":\"" + ids[i] +
                       "\",\"name\":\"allot-bench\",\"onHand\":" + std::to_string(stock) + "}";
    Reply reply = co_await client.Send(Op::kCreateItem, "POST", "/api/v1/items", body);
    if (reply.status != 201) {
      std::lock_guard lock(mu);
      if (failure.empty()) {
        failure = "POST /api/v1/items " + ids[i] + " answered " + std::to_string(reply.status) +
                  " (expected 201): " + std::string(reply.body.substr(0, 300));
      }
    }
  });
  return failure;
}

std::vector<std::optional<ItemCounters>> FetchItems(Runner& runner,
                                                    const std::vector<std::string>& ids) {
  std::vector<std::optional<ItemCounters>> out(ids.size());
  ForEachParallel(runner, ids.size(), [&](Client& client, std::size_t i) -> asio::awaitable<void> {
    Reply reply = co_await client.Send(Op::kRead, "GET", "/api/v1/items/" + ids[i], "");
    if (reply.status != 200) co_return;
    boost::system::error_code ec;
    json::value parsed = json::parse(json::string_view(reply.body.data(), reply.body.size()), ec);
    if (ec || !parsed.is_object()) co_return;
    const json::object& item = parsed.as_object();
    auto on_hand = IntField(item, "onHand");
    auto held = IntField(item, "held");
    auto available = IntField(item, "available");
    auto sold = IntField(item, "sold");
    if (on_hand && held && available && sold) {
      out[i] = ItemCounters{*on_hand, *held, *available, *sold};
    }
  });
  return out;
}

std::vector<std::string> FetchReservationStatuses(Runner& runner,
                                                  const std::vector<std::string>& ids) {
  std::vector<std::string> out(ids.size());
  ForEachParallel(runner, ids.size(), [&](Client& client, std::size_t i) -> asio::awaitable<void> {
    Reply reply = co_await client.Send(Op::kRead, "GET", "/api/v1/reservations/" + ids[i], "");
    if (reply.status != 200) co_return;
    boost::system::error_code ec;
    json::value parsed = json::parse(json::string_view(reply.body.data(), reply.body.size()), ec);
    if (ec || !parsed.is_object()) co_return;
    if (const json::value* status = parsed.as_object().if_contains("status");
        status != nullptr && status->is_string()) {
      out[i] = std::string(status->as_string());
    }
  });
  return out;
}

void CheckItem(const std::string& id, const std::optional<ItemCounters>& got,
               const ItemExpectation& expected, CheckReport& report) {
  if (!got) {
    report.Expect(false,
                  "item " + id + ": GET /api/v1/items/" + id + " did not answer 200 with counters");
    return;
  }
  const ItemCounters& c = *got;
  auto show = [&] {
    return "item " + id + " {onHand " + std::to_string(c.on_hand) + ", held " +
           std::to_string(c.held) + ", available " + std::to_string(c.available) + ", sold " +
           std::to_string(c.sold) + "}: ";
  };
  auto range = [](std::int64_t lo, std::int64_t hi) {
    return lo == hi ? std::to_string(lo)
                    : std::string("[").append(std::to_string(lo)) + ", " + std::to_string(hi) + "]";
  };
  report.Expect(c.available >= 0, show() + "available is negative: OVERSOLD");
  report.Expect(c.held + c.sold <= expected.stock,
                show() + "held + sold exceeds the initial stock " + std::to_string(expected.stock) +
                    ": OVERSOLD");
  report.Expect(c.held >= 0 && c.held <= c.on_hand, show() + "held is outside [0, onHand]");
  report.Expect(c.available == c.on_hand - c.held, show() + "available != onHand - held");
  report.Expect(c.on_hand + c.sold == expected.stock,
                show() + "onHand + sold != initial stock " + std::to_string(expected.stock));
  report.Expect(c.held >= expected.held_min && c.held <= expected.held_max,
                show() + "held should be " + range(expected.held_min, expected.held_max) +
                    " from the answers the client got");
  report.Expect(c.sold >= expected.sold_min && c.sold <= expected.sold_max,
                show() + "sold should be " + range(expected.sold_min, expected.sold_max) +
                    " from the answers the client got");
}

}  // namespace allot::bench
