#include "api/change_feed.h"

#include <algorithm>

namespace allot::api {

ChangeFeed::ChangeFeed(StoreReader& reader, ChangeFeedOptions options)
    : reader_(reader), options_(options) {
  RefreshHead();
  thread_ = std::thread([this] { Run(); });
}

ChangeFeed::~ChangeFeed() { Stop(); }

void ChangeFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ChangeFeed::RaiseHead(std::int64_t seen) {
  // Never backwards: a read that raced a newer one keeps the newer.
  std::int64_t known = head_.load(std::memory_order_relaxed);
  while (seen > known && !head_.compare_exchange_weak(known, seen, std::memory_order_relaxed)) {
  }
}

void ChangeFeed::Poke(std::int64_t last_seq) {
  RaiseHead(last_seq);
  {
    std::lock_guard lock(mu_);
    // Nobody waits: the head alone moved, and streams poll it.
    if (waiters_.empty()) return;
    poked_ = true;
  }
  wake_.notify_all();
}

std::shared_ptr<void> ChangeFeed::Follow() {
  {
    std::lock_guard lock(mu_);
    if (followers_.load(std::memory_order_relaxed) >= options_.max_followers) return nullptr;
    followers_.fetch_add(1, std::memory_order_relaxed);
  }
  wake_.notify_all();
  // A non-null pointer (the feed itself) so the handle tests true; the
  // deleter only counts.
  return std::shared_ptr<void>(static_cast<void*>(this), [this](void*) {
    followers_.fetch_sub(1, std::memory_order_relaxed);
  });
}

Expected<std::int64_t> ChangeFeed::RefreshHead() {
  auto head = reader_.JournalHead();
  if (head) RaiseHead(*head);
  return head;
}

Expected<std::int64_t> ChangeFeed::FirstSeqSince(std::int64_t since_ms) {
  auto head = RefreshHead();
  if (!head) return head;
  // The answer is in [1, head + 1]: the first seq whose time is since_ms or
  // later. Each probe reads the change at `middle`.
  std::int64_t low = 1, high = *head + 1;
  while (low < high) {
    const std::int64_t middle = low + (high - low) / 2;
    auto page = reader_.ReadChanges(middle - 1, 1, {}, 1);
    if (!page) return Fail(std::move(page.error()));
    if (page->changes.empty()) {
      high = middle;  // not visible here yet: as if it were new
    } else if (page->changes.front().at_ms >= since_ms) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return low;
}

Expected<std::int64_t> ChangeFeed::OldestKept(std::int64_t now_ms) {
  if (options_.retention_ms <= 0) return 1;
  std::lock_guard lock(oldest_mu_);
  const SteadyTime now = std::chrono::steady_clock::now();
  if (oldest_computed_ != SteadyTime{} && now - oldest_computed_ < options_.oldest_refresh) {
    return oldest_;
  }
  auto first = FirstSeqSince(now_ms - options_.retention_ms);
  if (!first) return first;
  oldest_ = std::max(oldest_, *first);  // what left the feed stays gone
  oldest_computed_ = now;
  return oldest_;
}

std::size_t ChangeFeed::waiters() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

bool ChangeFeed::Watching() const {
  return !waiters_.empty() || followers_.load(std::memory_order_relaxed) > 0;
}

bool ChangeFeed::Read(std::int64_t after, std::size_t limit, ChangeFilter filter,
                      SteadyTime deadline, Answer answer) {
  auto page = reader_.ReadChanges(after, limit, filter, options_.max_scan);
  if (!page || !page->changes.empty() || deadline <= std::chrono::steady_clock::now()) {
    answer(std::move(page));
    return true;
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_ || waiters_.size() >= options_.max_waiters) return false;
    waiters_.push_back(Waiter{page->next, limit, std::move(filter), deadline, std::move(answer)});
  }
  wake_.notify_all();
  return true;
}

void ChangeFeed::Serve(std::list<Waiter>& waiting, SteadyTime now) {
  auto head = RefreshHead();
  for (auto it = waiting.begin(); it != waiting.end();) {
    Waiter& waiter = *it;
    bool done = false;
    if (!head) {
      waiter.answer(std::unexpected(head.error()));
      done = true;
    } else if (*head > waiter.after) {
      auto page = reader_.ReadChanges(waiter.after, waiter.limit, waiter.filter, options_.max_scan);
      if (!page || !page->changes.empty()) {
        waiter.answer(std::move(page));
        done = true;
      } else {
        waiter.after = page->next;  // nothing it wants: wait past them
      }
    }
    if (!done && waiter.deadline <= now) {
      waiter.answer(ChangePage{.next = waiter.after});
      done = true;
    }
    it = done ? waiting.erase(it) : std::next(it);
  }
}

void ChangeFeed::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (!Watching()) {
      wake_.wait(lock, [this] { return stopping_ || Watching(); });
    } else {
      SteadyTime wake_at = std::chrono::steady_clock::now() + options_.head_poll;
      for (const Waiter& waiter : waiters_) wake_at = std::min(wake_at, waiter.deadline);
      wake_.wait_until(lock, wake_at, [this] { return stopping_ || poked_; });
    }
    poked_ = false;
    if (stopping_) break;
    std::list<Waiter> waiting;
    waiting.splice(waiting.end(), waiters_);
    if (waiting.empty()) {
      // Only streams follow: keep the head fresh for them (other
      // processes' changes included).
      lock.unlock();
      RefreshHead();
      lock.lock();
      continue;
    }
    lock.unlock();
    Serve(waiting, std::chrono::steady_clock::now());
    lock.lock();
    waiters_.splice(waiters_.begin(), waiting);
  }
  std::list<Waiter> left;
  left.splice(left.end(), waiters_);
  lock.unlock();
  for (Waiter& waiter : left) waiter.answer(ChangePage{.next = waiter.after});
}

}  // namespace allot::api
