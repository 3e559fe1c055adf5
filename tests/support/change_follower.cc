#include "change_follower.h"

#include <random>
#include <sstream>

#include "api.h"
#include "http_client.h"
#include "prometheus_text.h"

namespace allot::testing {
namespace {

std::int64_t IntOf(const json::object& object, std::string_view key) {
  auto value = GetInt(object, key);
  return value.value_or(0);
}

std::string StringOf(const json::object& object, std::string_view key) {
  return GetString(object, key).value_or("");
}

// The head as the first server's /metrics reports it (it reads the store).
std::optional<std::int64_t> HeadOf(int port) {
  HttpClient client(port);
  Response metrics = client.Get("/metrics");
  if (metrics.status != 200) return std::nullopt;
  Exposition scraped = ParseExposition(metrics.body);
  auto head = scraped.Value("allot_changes_head_seq");
  if (!head) return std::nullopt;
  return static_cast<std::int64_t>(*head);
}

}  // namespace

ChangeFollower::ChangeFollower(std::vector<int> ports, std::int64_t after, int limit, int wait_ms)
    : ports_(std::move(ports)), limit_(limit), wait_ms_(wait_ms), last_seq_(after) {
  thread_ = std::thread([this] { Run(); });
}

ChangeFollower::~ChangeFollower() { Stop(); }

void ChangeFollower::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ChangeFollower::Violation(std::string text) {
  std::lock_guard lock(mu_);
  if (violations_.size() < 20) violations_.push_back(std::move(text));
}

std::vector<json::object> ChangeFollower::changes() const {
  std::lock_guard lock(mu_);
  return changes_;
}

std::vector<std::string> ChangeFollower::violations() const {
  std::lock_guard lock(mu_);
  return violations_;
}

void ChangeFollower::Run() {
  std::vector<HttpClient> clients;
  for (int port : ports_) clients.emplace_back(port, std::chrono::milliseconds(wait_ms_ + 15'000));
  std::size_t turn = 0;
  while (!stop_) {
    HttpClient& client = clients[turn++ % clients.size()];
    const std::int64_t after = last_seq_.load();
    Response page = client.Get(ApiPath("/changes?after=" + std::to_string(after) +
                                       "&limit=" + std::to_string(limit_) +
                                       "&waitMs=" + std::to_string(wait_ms_)));
    polls_++;
    if (page.status != 200) {
      Violation("GET /changes after " + std::to_string(after) + ": " + Describe(page));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    boost::system::error_code ec;
    json::value parsed = json::parse(page.body, ec);
    if (ec || !parsed.is_object() || !parsed.as_object().contains("changes")) {
      Violation("not a page: " + page.body.substr(0, 200));
      continue;
    }
    const json::object& body = parsed.as_object();
    const json::array& list = body.at("changes").as_array();
    std::int64_t expected = after + 1;
    std::vector<json::object> read;
    for (const json::value& value : list) {
      const json::object& change = value.as_object();
      const std::int64_t seq = IntOf(change, "seq");
      if (seq != expected) {
        Violation("after " + std::to_string(after) + " expected seq " + std::to_string(expected) +
                  ", got " + std::to_string(seq));
      }
      expected = seq + 1;
      read.push_back(change);
    }
    if (static_cast<int>(list.size()) > limit_) Violation("a page longer than its limit");
    const std::int64_t next = IntOf(body, "next");
    if (next != expected - 1) {
      Violation("next " + std::to_string(next) + " but the page ended at " +
                std::to_string(expected - 1));
    }
    {
      std::lock_guard lock(mu_);
      for (json::object& change : read) changes_.push_back(std::move(change));
    }
    if (next > after) last_seq_ = next;
  }
}

bool ChangeFollower::CatchUp(std::chrono::milliseconds timeout) {
  auto head = HeadOf(ports_.front());
  if (!head) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (last_seq_.load() < *head) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

Replayed ReplayChanges(const std::vector<json::object>& changes) {
  Replayed out;
  auto problem = [&](const json::object& change, const std::string& text) {
    if (out.problems.size() < 20) {
      out.problems.push_back("seq " + std::to_string(IntOf(change, "seq")) + ": " + text);
    }
  };
  // Applies `sign` times each item line of a reservation or order.
  auto for_lines = [&](const json::object& change, const json::object& data, auto apply) {
    const json::value* lines = data.if_contains("lines");
    if (lines == nullptr || !lines->is_array()) {
      problem(change, "no lines");
      return;
    }
    for (const json::value& line : lines->as_array()) {
      const json::object& l = line.as_object();
      if (!l.contains("itemId")) continue;  // a seat
      auto item = out.items.find(StringOf(l, "itemId"));
      if (item == out.items.end()) {
        problem(change, "a line of an unknown item " + StringOf(l, "itemId"));
        continue;
      }
      apply(item->second, IntOf(l, "qty"));
    }
  };
  auto account = [&](const json::object& change, const std::string& id) -> ReplayedAccount* {
    auto found = out.accounts.find(id);
    if (found == out.accounts.end()) {
      problem(change, "an unknown account " + id);
      return nullptr;
    }
    return &found->second;
  };
  for (const json::object& change : changes) {
    const std::string type = StringOf(change, "type");
    const json::value* data_value = change.if_contains("data");
    if (data_value == nullptr || !data_value->is_object()) {
      problem(change, "no data");
      continue;
    }
    const json::object& data = data_value->as_object();
    const std::string id = StringOf(data, "id");
    if (type == "item.created") {
      out.items[id] = {IntOf(data, "onHand"), 0, 0};
    } else if (type == "account.created") {
      out.accounts[id] = {IntOf(data, "balance"), 0};
    } else if (type == "item.adjusted") {
      auto item = out.items.find(id);
      if (item == out.items.end()) {
        problem(change, "adjusted an unknown item " + id);
        continue;
      }
      // The adjustment's delta is not in the change: onHand is taken from
      // it, and the rest must agree with what the replay made of it.
      item->second.on_hand = IntOf(data, "onHand");
      if (IntOf(data, "held") != item->second.held || IntOf(data, "sold") != item->second.sold) {
        std::ostringstream text;
        text << "item " << id << " says held " << IntOf(data, "held") << " sold "
             << IntOf(data, "sold") << ", the replay has held " << item->second.held << " sold "
             << item->second.sold;
        problem(change, text.str());
      }
    } else if (type == "reservation.created") {
      for_lines(change, data, [](ReplayedItem& item, std::int64_t qty) { item.held += qty; });
    } else if (type == "reservation.confirmed") {
      for_lines(change, data, [](ReplayedItem& item, std::int64_t qty) {
        item.held -= qty;
        item.on_hand -= qty;
        item.sold += qty;
      });
    } else if (type == "reservation.cancelled" || type == "reservation.expired") {
      for_lines(change, data, [](ReplayedItem& item, std::int64_t qty) { item.held -= qty; });
    } else if (type == "order.placed") {
      const json::value* from = data.if_contains("reservationId");
      if (from != nullptr && !from->is_null()) continue;  // counted by its confirm
      for_lines(change, data, [](ReplayedItem& item, std::int64_t qty) {
        item.on_hand -= qty;
        item.sold += qty;
      });
    } else if (type == "order.cancelled") {
      for_lines(change, data, [](ReplayedItem& item, std::int64_t qty) {
        item.on_hand += qty;
        item.sold -= qty;
      });
    } else if (type.starts_with("transfer.")) {
      ReplayedAccount* from = account(change, StringOf(data, "fromId"));
      ReplayedAccount* to = account(change, StringOf(data, "toId"));
      if (from == nullptr || to == nullptr) continue;
      const std::int64_t amount = IntOf(data, "amount");
      if (type == "transfer.posted") {
        from->balance -= amount;
        to->balance += amount;
      } else if (type == "transfer.held") {
        from->held += amount;
      } else if (type == "transfer.confirmed") {
        from->held -= amount;
        from->balance -= amount;
        to->balance += amount;
      } else if (type == "transfer.cancelled" || type == "transfer.expired") {
        from->held -= amount;
      } else {
        problem(change, "an unknown type " + type);
      }
    } else if (type != "event.created" && type != "reservation.extended") {
      problem(change, "an unknown type " + type);
    }
  }
  return out;
}

MixedWriteCounts MixedWrites(const std::vector<int>& ports, int threads, int writes_each,
                             const std::string& tag, unsigned seed) {
  MixedWriteCounts counts;
  std::mutex mu;
  auto fail = [&](const std::string& what, const Response& response) {
    std::lock_guard lock(mu);
    if (counts.failures.size() < 20) counts.failures.push_back(what + ": " + Describe(response));
  };
  Api setup(ports.front());
  for (int i = 0; i < 4; ++i) {
    counts.items.push_back(tag + "-item" + std::to_string(i));
    counts.accounts.push_back(tag + "-acct" + std::to_string(i));
    Response item = setup.CreateItem(counts.items.back(), 40);
    if (item.status != 201) fail("create item", item);
    Response account = setup.Post(
        "/accounts", R"({"id":")" + counts.accounts.back() + R"(","balance":1000})");
    if (account.status != 201) fail("create account", account);
  }
  const std::string event = tag + "-event";
  {
    json::array seats;
    for (int s = 0; s < 20; ++s) seats.emplace_back("S-" + std::to_string(s));
    Response created =
        setup.Post("/events", json::serialize(json::object{{"id", event}, {"seats", seats}}));
    if (created.status != 201) fail("create event", created);
  }

  std::atomic<std::int64_t> writes{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Api api(ports[static_cast<std::size_t>(t) % ports.size()]);
      std::mt19937 random(seed * 7919u + static_cast<unsigned>(t));
      auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
      std::vector<std::string> held, orders, held_transfers;
      const std::string user = tag + "-u" + std::to_string(t);
      auto take = [&](std::vector<std::string>& ids) {
        std::size_t at = static_cast<std::size_t>(pick(static_cast<int>(ids.size())));
        std::string id = ids[at];
        ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(at));
        return id;
      };
      auto check = [&](const std::string& what, const Response& response) {
        writes++;
        if (response.status / 100 != 2 && response.status != 409) fail(what, response);
        return response.status / 100 == 2;
      };
      for (int n = 0; n < writes_each; ++n) {
        const std::string& item = counts.items[static_cast<std::size_t>(pick(4))];
        const int source = pick(4);
        const std::string& from = counts.accounts[static_cast<std::size_t>(source)];
        const std::string& to = counts.accounts[static_cast<std::size_t>((source + 1 + pick(3)) % 4)];
        switch (pick(11)) {
          case 0:
          case 1: {
            // Some expire within the test; a sweep then writes reservation.expired.
            Response r = api.ReserveLines(user, json::array{Line(item, 1 + pick(3))},
                                          pick(3) == 0 ? 1 : 600);
            if (check("reserve", r)) held.push_back(StringOf(JsonBody(r), "id"));
            break;
          }
          case 2:
            if (!held.empty()) check("confirm", api.Confirm(take(held)));
            break;
          case 3:
            if (!held.empty()) check("cancel", api.CancelReservation(take(held)));
            break;
          case 4: {
            Response o = api.Order(user, item, 1 + pick(2));
            if (check("order", o)) orders.push_back(StringOf(JsonBody(o), "id"));
            break;
          }
          case 5:
            if (!orders.empty()) check("cancel order", api.CancelOrder(take(orders)));
            break;
          case 6:
            check("adjust", api.Adjust(item, pick(2) == 0 ? 3 : -1));
            break;
          case 7:
            check("transfer", api.Post("/transfers", R"({"fromId":")" + from + R"(","toId":")" +
                                                         to + R"(","amount":)" +
                                                         std::to_string(1 + pick(20)) + "}"));
            break;
          case 8: {
            Response h = api.Post("/transfers", R"({"fromId":")" + from + R"(","toId":")" + to +
                                                    R"(","amount":)" +
                                                    std::to_string(1 + pick(20)) +
                                                    R"(,"hold":true,"ttlSeconds":)" +
                                                    (pick(3) == 0 ? "1" : "600") + "}");
            if (check("hold transfer", h)) held_transfers.push_back(StringOf(JsonBody(h), "id"));
            break;
          }
          case 9:
            if (!held_transfers.empty()) {
              const std::string id = take(held_transfers);
              check("end transfer", api.Post("/transfers/" + id +
                                                 (pick(2) == 0 ? "/confirm" : "/cancel"),
                                             "{}"));
            }
            break;
          default: {
            json::array lines{json::object{{"eventId", event},
                                           {"seat", "S-" + std::to_string(pick(20))}}};
            Response r = api.ReserveLines(user, lines, 1);
            check("reserve a seat", r);
            break;
          }
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  counts.writes = writes.load();
  return counts;
}

}  // namespace allot::testing
