#include "crash_writes.h"

#include <algorithm>

namespace allot::testing {
namespace {

// Holds of one second expire during the run (often while the server is
// down); the rest keep the default ten minutes.
constexpr int kShortTtlPercent = 15;

}  // namespace

WriteMaker::WriteMaker(int thread, std::uint64_t seed, const CrashModel& model,
                       std::atomic<int>& keys)
    : thread_(thread), rng_(seed), model_(model), keys_(keys) {
  for (const auto& [item, stock] : model.initial_stock()) items_.push_back(item);
}

WriteRequest WriteMaker::Next() {
  const int roll = Roll(100);
  if (roll < 45) return Reserve(roll < 30);
  if (roll < 60) {
    if (auto id = model_.PickHeld(thread_, rng_)) return Confirm(*id);
  } else if (roll < 70) {
    if (auto id = model_.PickHeld(thread_, rng_)) {
      return Make(WriteKind::kCancelReservation, "/reservations/" + *id + "/cancel", "{}", *id);
    }
  } else if (roll < 85) {
    return Order(roll < 80);
  } else if (roll < 93) {
    if (auto id = model_.PickPlaced(thread_, rng_)) {
      return Make(WriteKind::kCancelOrder, "/orders/" + *id + "/cancel", R"({"reason":"returned"})",
                  *id);
    }
  } else {
    return Adjust();
  }
  return Reserve(true);  // nothing of its own to confirm or cancel yet
}

int WriteMaker::Roll(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

std::string WriteMaker::AnyItem() { return items_[Roll(static_cast<int>(items_.size()))]; }

std::string WriteMaker::User() const { return "u" + std::to_string(thread_); }

WriteRequest WriteMaker::Make(WriteKind kind, std::string path, std::string body,
                              std::string target) {
  return WriteRequest{.kind = kind,
                      .path = std::move(path),
                      .body = std::move(body),
                      .key = "crash-" + std::to_string(keys_.fetch_add(1)),
                      .target = std::move(target),
                      .thread = thread_};
}

// Two or three lines on distinct items.
json::array WriteMaker::Lines() {
  std::vector<std::string> items = items_;
  std::shuffle(items.begin(), items.end(), rng_);
  json::array lines;
  const int n = std::min<int>(2 + Roll(2), static_cast<int>(items.size()));
  for (int i = 0; i < n; ++i) lines.push_back(Line(items[i], 1 + Roll(3)));
  return lines;
}

WriteRequest WriteMaker::Reserve(bool one_line) {
  json::object body{{"userId", User()}};
  if (one_line) {
    body["itemId"] = Roll(2) == 0 ? std::string(kHotItem) : AnyItem();
    body["qty"] = 1 + Roll(3);
  } else {
    body["lines"] = Lines();
  }
  if (Roll(100) < kShortTtlPercent) body["ttlSeconds"] = 1;
  const char* path = one_line && Roll(4) == 0 ? "/reserve" : "/reservations";
  return Make(WriteKind::kReserve, path, json::serialize(body));
}

WriteRequest WriteMaker::Confirm(const std::string& id) {
  std::string body = Roll(2) == 0 ? "{}" : R"({"paymentRef":"pay-)" + id + R"("})";
  return Make(WriteKind::kConfirm, "/reservations/" + id + "/confirm", std::move(body), id);
}

WriteRequest WriteMaker::Order(bool one_line) {
  json::object body{{"userId", User()}};
  if (one_line) {
    body["itemId"] = Roll(2) == 0 ? std::string(kHotItem) : AnyItem();
    body["qty"] = 1 + Roll(3);
  } else {
    body["lines"] = Lines();
  }
  return Make(WriteKind::kOrder, "/orders", json::serialize(body));
}

WriteRequest WriteMaker::Adjust() {
  std::string item = Roll(2) == 0 ? std::string(kHotItem) : AnyItem();
  const std::int64_t delta =
      item == kHotItem ? 1 + Roll(4) : (Roll(2) == 0 ? -1 : 1) * (1 + Roll(5));
  json::object body{{"delta", delta}, {"reason", delta > 0 ? "restock" : "shrinkage"}};
  return Make(WriteKind::kAdjust, "/items/" + item + "/adjustments", json::serialize(body), item);
}

Response Send(HttpClient& client, const WriteRequest& request) {
  return client.Post(ApiPath(request.path), request.body, {{"Idempotency-Key", request.key}});
}

}  // namespace allot::testing
