// allot-query-bench: the page latencies of issue 13's goals, on SQLite
// (synchronous=FULL), with the hot path running.
//
//   1. Fills a fresh database: `--hot N` reservations of one unit on one
//      hot item (its history then has N + 1 entries), `--whale M` of them
//      by one user, the rest by distinct users.
//   2. Starts the hot path: one thread reserving on the hot item as fast
//      as the engine commits (up to 32,768 in flight, as
//      allot-inprocess-bench does).
//   3. Meanwhile reads `--pages K` pages of 100 of each kind, each from a
//      random place: the hot item's history (GET /items/{id}/history) and
//      the whale's reservations (GET /reservations?userId=), through the
//      same reader and query code the server uses, one after the other.
//   4. Prints p50, p99 and max of each, and the hot path's rate meanwhile.
//
//   allot-query-bench [--hot 1000000] [--whale 100000] [--pages 2000] [--dir /tmp]
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "allot/commands.h"
#include "allot/engine.h"
#include "allot/sqlite_store.h"
#include "api/queries.h"

namespace allot {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::int64_t hot = 1'000'000;
  std::int64_t whale = 100'000;
  int pages = 2'000;
  std::string dir = std::filesystem::temp_directory_path().string();
};

Options Parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--hot") options.hot = std::stoll(value);
    else if (flag == "--whale") options.whale = std::stoll(value);
    else if (flag == "--pages") options.pages = std::stoi(value);
    else if (flag == "--dir") options.dir = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      std::exit(2);
    }
  }
  return options;
}

// Reserves 1 unit each, `users(i)` for the i-th, with up to `window` in
// flight; returns when all are answered (or `stop` is set).
template <typename Users>
std::int64_t ReserveMany(Engine& engine, std::int64_t count, Users users,
                     const std::atomic<bool>* stop = nullptr) {
  constexpr std::int64_t kWindow = 32'768;
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> refused{0};
  std::int64_t sent = 0;
  for (; sent < count && (stop == nullptr || !stop->load()); ++sent) {
    for (std::int64_t now = in_flight.load(); now >= kWindow; now = in_flight.load()) {
      in_flight.wait(now);
    }
    in_flight.fetch_add(1);
    engine.Submit(Command{.body = allot::Reserve{.user_id = users(sent),
                                          .lines = {Line{.item_id = "hot", .qty = 1}},
                                          .ttl_seconds = 604'800}},
                  [&](CommandResult result) {
                    if (!result) refused.fetch_add(1);
                    in_flight.fetch_sub(1);
                    in_flight.notify_one();
                  });
  }
  for (std::int64_t now = in_flight.load(); now > 0; now = in_flight.load()) in_flight.wait(now);
  if (refused.load() > 0) std::fprintf(stderr, "%lld refused\n", static_cast<long long>(refused.load()));
  return sent;
}

struct Latencies {
  std::vector<double> ms;
  void Add(Clock::duration d) { ms.push_back(std::chrono::duration<double, std::milli>(d).count()); }
  double At(double q) {
    std::sort(ms.begin(), ms.end());
    return ms.empty() ? 0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  }
};

int Run(const Options& options) {
  std::string pattern = options.dir + "/allot-query-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return 2;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } cleanup{pattern};
  auto db = OpenSqlite(SqliteOptions{.path = pattern + "/bench.db", .sync = SyncMode::kFull});
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 2;
  }
  std::unique_ptr<StoreReader> reader = std::move(db->reader);
  auto started = Engine::Start(std::move(db->writer), EngineOptions{});
  if (!started) return 2;
  std::unique_ptr<Engine> engine = std::move(*started);
  if (!engine->Execute(Command{.body = CreateItem{.id = "hot", .on_hand = 1'000'000'000}})) {
    return 2;
  }

  // 1. The history: every (hot / whale)-th reservation is the whale's.
  const std::int64_t every = std::max<std::int64_t>(1, options.hot / std::max<std::int64_t>(1, options.whale));
  auto fill_start = Clock::now();
  ReserveMany(*engine, options.hot, [&](std::int64_t i) {
    return i % every == 0 ? std::string("whale") : "u" + std::to_string(i);
  });
  const double fill_s = std::chrono::duration<double>(Clock::now() - fill_start).count();
  auto head = reader->JournalHead();
  if (!head) return 2;
  std::printf("filled: %lld reservations in %.1f s (%.0f/s), journal head %lld\n",
              static_cast<long long>(options.hot), fill_s, options.hot / fill_s,
              static_cast<long long>(*head));

  // 2. The hot path, alone for a second, then beside the reads.
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> hot_sent{0};
  auto hot_start = Clock::now();
  std::thread hot([&] {
    hot_sent = ReserveMany(*engine, INT64_MAX, [](std::int64_t i) { return "h" + std::to_string(i); },
                       &stop);
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));

  // 3. Pages from random places.
  std::mt19937_64 random(13);
  Latencies history, user;
  std::int64_t history_entries = 0, user_records = 0;
  const auto reads_start = Clock::now();
  for (int i = 0; i < options.pages; ++i) {
    const std::int64_t after = static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(*head));
    auto t0 = Clock::now();
    auto page = api::ReadHistory(*reader, "hot", after, 100, std::nullopt);
    history.Add(Clock::now() - t0);
    if (!page) {
      std::fprintf(stderr, "history: %s\n", page.error().message.c_str());
      return 1;
    }
    history_entries += static_cast<std::int64_t>(page->entries.size());
    t0 = Clock::now();
    auto list = api::ListReservations(*reader, {.user_id = "whale", .after = after, .limit = 100},
                                      std::nullopt, 0);
    user.Add(Clock::now() - t0);
    if (!list) {
      std::fprintf(stderr, "list: %s\n", list.error().message.c_str());
      return 1;
    }
    user_records += static_cast<std::int64_t>(list->records.size());
  }
  const double reads_s = std::chrono::duration<double>(Clock::now() - reads_start).count();
  stop = true;
  hot.join();
  const double hot_s = std::chrono::duration<double>(Clock::now() - hot_start).count();
  engine->Stop();

  std::printf("history page of 100 (item with %lld entries): p50 %.3f ms  p99 %.3f ms  max %.3f ms"
              "  (mean %.1f entries/page)\n",
              static_cast<long long>(options.hot + 1), history.At(0.5), history.At(0.99),
              history.At(1.0), static_cast<double>(history_entries) / options.pages);
  std::printf("user page of 100 (user with %lld reservations): p50 %.3f ms  p99 %.3f ms  max %.3f ms"
              "  (mean %.1f records/page)\n",
              static_cast<long long>((options.hot + every - 1) / every), user.At(0.5),
              user.At(0.99), user.At(1.0), static_cast<double>(user_records) / options.pages);
  std::printf("hot path meanwhile: %.0f reservations/s over %.1f s (%d + %d pages in %.1f s)\n",
              hot_sent.load() / hot_s, hot_s, options.pages, options.pages, reads_s);
  const bool ok = history.At(0.99) <= 5.0 && user.At(0.99) <= 5.0;
  std::printf("goal p99 <= 5 ms each: %s\n", ok ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace allot

int main(int argc, char** argv) { return allot::Run(allot::Parse(argc, argv)); }
