// allot-state-bench: what the single-process store's state in memory costs,
// and how long a restart takes to rebuild it.
//
//   allot-state-bench fill --db PATH --journal N --live M
//       Writes a database whose journal holds at least N changes and M live
//       holds (7-day TTL) on one item. The very first hold stays live too,
//       so a restart must replay the whole journal to find every live hold:
//       the worst case. Prints the rate it wrote at.
//   allot-state-bench open --db PATH
//       Opens it as `allot serve` does (migrations, items, the journal
//       replay) and prints the seconds until it was ready and the process's
//       resident memory then, with every live hold in memory.
//
// Output: one JSON object per command on stdout.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include "allot/commands.h"
#include "allot/engine.h"
#include "allot/sqlite_store.h"

namespace allot {
namespace {

constexpr std::int64_t kHugeStock = 1'000'000'000'000;
constexpr std::int64_t kWeekSeconds = 7 * 24 * 3600;
constexpr std::int64_t kWindow = 16'384;  // commands in flight

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// The process's resident set, from /proc (kB there).
double ResidentMiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

// Submits commands with up to kWindow in flight; counts failures.
class Pump {
 public:
  explicit Pump(Engine& engine) : engine_(engine) {}
  void Submit(CommandBody body) {
    for (std::int64_t now = in_flight_.load(); now >= kWindow; now = in_flight_.load()) {
      in_flight_.wait(now);
    }
    in_flight_.fetch_add(1);
    engine_.Submit(Command{.body = std::move(body)}, [this](CommandResult result) {
      if (!result) failures_.fetch_add(1);
      if (in_flight_.fetch_sub(1) == kWindow) in_flight_.notify_one();
    });
  }
  void Drain() {
    for (std::int64_t now = in_flight_.load(); now > 0; now = in_flight_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  std::int64_t failures() const { return failures_.load(); }

 private:
  Engine& engine_;
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> failures_{0};
};

Reserve Hold(std::int64_t n) {
  return Reserve{.user_id = "u" + std::to_string(n),
                 .lines = {Line{.item_id = "hot", .qty = 1}},
                 .ttl_seconds = kWeekSeconds};
}

int Fill(const std::string& path, std::int64_t journal, std::int64_t live) {
  auto db = OpenSqlite({.path = path, .sync = SyncMode::kNormal});
  if (!db) {
    std::cerr << db.error().message << "\n";
    return 1;
  }
  auto engine = Engine::Start(std::move(db->writer), EngineOptions{});
  if (!engine) return 1;
  if (!(*engine)->Execute(Command{.body = CreateItem{.id = "hot", .on_hand = kHugeStock}})) {
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  Pump pump(**engine);
  // The first hold stays live: a restart replays from it.
  pump.Submit(Hold(0));
  pump.Drain();
  // Holds of one second: each is two changes a restart must decode (made,
  // then expired by a later batch), until the journal is long enough less
  // what the live holds will add.
  std::int64_t n = 1;
  for (std::int64_t changes = 2; changes < journal - live; changes += 2, ++n) {
    pump.Submit(Reserve{.user_id = "u" + std::to_string(n), .lines = {{"hot", 1}}, .ttl_seconds = 1});
  }
  // The last of them expire before the live holds are made.
  pump.Drain();
  std::this_thread::sleep_for(std::chrono::milliseconds(2'500));
  (*engine)->Execute(Command{.body = ExpireDue{.limit = 1'000'000}});
  for (std::int64_t i = 1; i < live; ++i) pump.Submit(Hold(n + i));
  pump.Drain();
  const double seconds = Seconds(std::chrono::steady_clock::now() - start);
  (*engine)->Stop();
  std::cout << "{\"command\":\"fill\",\"journalChanges\":" << journal << ",\"liveHolds\":" << live
            << ",\"seconds\":" << seconds << ",\"failures\":" << pump.failures() << "}\n";
  return pump.failures() == 0 ? 0 : 1;
}

int Open(const std::string& path) {
  const auto start = std::chrono::steady_clock::now();
  auto db = OpenSqlite({.path = path, .sync = SyncMode::kFull});
  const double seconds = Seconds(std::chrono::steady_clock::now() - start);
  if (!db) {
    std::cerr << db.error().message << "\n";
    return 1;
  }
  auto hot = db->reader->GetItem("hot", 0);
  std::cout << "{\"command\":\"open\",\"readySeconds\":" << seconds
            << ",\"residentMiB\":" << ResidentMiB()
            << ",\"hotHeld\":" << (hot && *hot ? (*hot)->held : -1) << "}\n";
  return 0;
}

}  // namespace
}  // namespace allot

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  std::string db;
  std::int64_t journal = 10'000'000, live = 1'000'000;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--db") db = argv[i + 1];
    if (flag == "--journal") journal = std::atoll(argv[i + 1]);
    if (flag == "--live") live = std::atoll(argv[i + 1]);
  }
  if (db.empty() || (command != "fill" && command != "open")) {
    std::cerr << "usage: allot-state-bench fill --db PATH [--journal N] [--live M]\n"
                 "       allot-state-bench open --db PATH\n";
    return 2;
  }
  return command == "fill" ? allot::Fill(db, journal, live) : allot::Open(db);
}
