#include "http/live_feed.h"

#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/time_format.h"
#include "http/json_codec.h"

namespace allot::http {
namespace {

struct SequencedReservation {
  std::uint64_t seq = 0;
  Reservation reservation;
};

struct RateSample {
  std::uint64_t seq = 0;
  std::int64_t at_ms = 0;
  std::uint64_t reservations = 0;
  std::int64_t interval_ms = 0;
};

std::int64_t Milliseconds(EventStream::SteadyTime::duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

void AppendEvent(std::string& out, std::string_view name, std::string_view data) {
  out += "event: ";
  out += name;
  out += "\ndata: ";
  out += data;  // compact JSON: never a raw line break
  out += "\n\n";
}

std::string EncodeSamples(const std::vector<RateSample>& samples) {
  std::string out = "{\"samples\":[";
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const RateSample& sample = samples[i];
    if (i > 0) out += ',';
    out += "{\"at\":\"" + FormatTimestamp(sample.at_ms) +
           "\",\"reservations\":" + std::to_string(sample.reservations) +
           ",\"intervalMs\":" + std::to_string(sample.interval_ms) + "}";
  }
  out += "]}";
  return out;
}

}  // namespace

struct LiveFeed::State {
  State(ItemReader read, WallClock clock, LiveFeedOptions opts)
      : read_items(std::move(read)), now_ms(std::move(clock)), options(opts) {}

  // Takes the items snapshot and the rate sample if they are due. At most
  // one caller reads the items at a time; the others keep the last snapshot.
  void Refresh(SteadyTime now);

  const ItemReader read_items;
  const WallClock now_ms;
  const LiveFeedOptions options;

  std::atomic<std::uint64_t> created_total{0};
  std::atomic<std::size_t> clients{0};

  std::mutex mu;
  std::deque<SequencedReservation> recent;  // guarded by mu; ascending seq
  std::uint64_t next_reservation_seq = 1;   // guarded by mu
  // The items page as encoded ({"items":[...],"next":...}), its version
  // (bumped only when it changed) and the wall time it was read at.
  std::shared_ptr<const std::string> items;  // guarded by mu; null before the first read
  std::uint64_t items_version = 0;           // guarded by mu
  std::int64_t items_read_at_ms = 0;         // guarded by mu
  SteadyTime items_due{};                    // guarded by mu
  bool refreshing = false;                   // guarded by mu
  std::deque<RateSample> samples;            // guarded by mu; ascending seq
  std::uint64_t next_sample_seq = 1;         // guarded by mu
  SteadyTime rate_since{};                   // guarded by mu
  std::uint64_t rate_base = 0;               // guarded by mu: created_total at rate_since
};

void LiveFeed::State::Refresh(SteadyTime now) {
  bool read_now = false;
  {
    std::lock_guard lock(mu);
    if (now - rate_since >= options.rate_interval) {
      std::uint64_t total = created_total.load(std::memory_order_relaxed);
      samples.push_back(
          {next_sample_seq++, now_ms(), total - rate_base, Milliseconds(now - rate_since)});
      if (samples.size() > options.rate_history) samples.pop_front();
      rate_since = now;
      rate_base = total;
    }
    if (!refreshing && now >= items_due) {
      refreshing = true;
      items_due = now + options.snapshot_interval;
      read_now = true;
    }
  }
  if (!read_now) return;
  // The read runs outside the lock: publishers and other streams go on.
  std::shared_ptr<const std::string> fresh;
  std::int64_t read_at_ms = now_ms();
  try {
    auto page = read_items(options.max_items);
    if (page) fresh = std::make_shared<const std::string>(EncodeItemPage(*page));
  } catch (const std::exception&) {
    // Keep the last snapshot; the next one is due soon.
  }
  std::lock_guard lock(mu);
  refreshing = false;
  if (!fresh) return;
  items_read_at_ms = read_at_ms;
  if (!items || *items != *fresh) {
    items = std::move(fresh);
    ++items_version;
  }
}

// One client's cursors into the shared state.
class LiveFeed::Stream final : public EventStream {
 public:
  Stream(std::shared_ptr<State> state, SteadyTime now)
      : state_(std::move(state)), last_sent_(now) {}
  ~Stream() override { state_->clients.fetch_sub(1); }

  std::string Poll(SteadyTime now) override {
    state_->Refresh(now);
    std::shared_ptr<const std::string> items;
    std::int64_t items_read_at_ms = 0;
    std::vector<Reservation> reservations;
    std::vector<RateSample> samples;
    {
      std::lock_guard lock(state_->mu);
      if (state_->items && state_->items_version != items_sent_) {
        items = state_->items;
        items_read_at_ms = state_->items_read_at_ms;
        items_sent_ = state_->items_version;
      }
      // Entries older than the ring were dropped: a lagging client skips them.
      for (const SequencedReservation& entry : state_->recent) {
        if (entry.seq >= next_reservation_) reservations.push_back(entry.reservation);
      }
      if (!state_->recent.empty()) next_reservation_ = state_->recent.back().seq + 1;
      for (const RateSample& sample : state_->samples) {
        if (sample.seq >= next_sample_) samples.push_back(sample);
      }
      if (!state_->samples.empty()) next_sample_ = state_->samples.back().seq + 1;
    }

    std::string out;
    if (!started_) {
      out += "retry: " + std::to_string(state_->options.client_retry.count()) + "\n\n";
      started_ = true;
    }
    if (items) {
      // {"items":...} becomes {"serverTime":"...","items":...}.
      std::string data = "{\"serverTime\":\"" + FormatTimestamp(items_read_at_ms) + "\",";
      data.append(*items, 1);
      AppendEvent(out, "items", data);
    }
    for (const Reservation& reservation : reservations) {
      AppendEvent(out, "reservation", EncodeReservation(reservation));
    }
    if (!samples.empty()) AppendEvent(out, "rate", EncodeSamples(samples));
    if (out.empty() && now - last_sent_ >= state_->options.heartbeat) out = ": heartbeat\n\n";
    if (!out.empty()) last_sent_ = now;
    return out;
  }

  std::chrono::milliseconds poll_interval() const override { return state_->options.poll_interval; }
  std::chrono::milliseconds write_timeout() const override { return state_->options.write_timeout; }

 private:
  std::shared_ptr<State> state_;
  bool started_ = false;
  std::uint64_t items_sent_ = 0;
  std::uint64_t next_reservation_ = 0;  // everything in the ring, at first
  std::uint64_t next_sample_ = 0;
  SteadyTime last_sent_;
};

LiveFeed::LiveFeed(ItemReader read_items, WallClock now_ms, LiveFeedOptions options)
    : state_(std::make_shared<State>(std::move(read_items), std::move(now_ms), options)) {}

LiveFeed::~LiveFeed() = default;

void LiveFeed::Publish(const Reservation& reservation, bool created) {
  if (created) state_->created_total.fetch_add(1, std::memory_order_relaxed);
  if (state_->clients.load(std::memory_order_relaxed) == 0) return;
  SequencedReservation entry{0, reservation};  // the copy is made outside the lock
  std::lock_guard lock(state_->mu);
  entry.seq = state_->next_reservation_seq++;
  state_->recent.push_back(std::move(entry));
  if (state_->recent.size() > state_->options.recent_reservations) state_->recent.pop_front();
}

std::shared_ptr<EventStream> LiveFeed::Subscribe(SteadyTime now) {
  std::size_t open = state_->clients.load();
  do {
    if (open >= state_->options.max_clients) return nullptr;
  } while (!state_->clients.compare_exchange_weak(open, open + 1));
  if (open == 0) {
    // Nothing was sampled while nobody watched: start the rate afresh, and
    // read the items now rather than show a snapshot from the last watcher.
    std::lock_guard lock(state_->mu);
    state_->rate_since = now;
    state_->rate_base = state_->created_total.load(std::memory_order_relaxed);
    state_->items_due = now;
  }
  return std::make_shared<Stream>(state_, now);
}

std::size_t LiveFeed::clients() const { return state_->clients.load(); }

const LiveFeedOptions& LiveFeed::options() const { return state_->options; }

}  // namespace allot::http
