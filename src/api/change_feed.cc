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

void ChangeFeed::Poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  wake_.notify_all();
}

Expected<std::int64_t> ChangeFeed::RefreshHead() {
  auto head = reader_.JournalHead();
  if (head) {
    // Never backwards: a read that raced a newer one keeps the newer.
    std::int64_t known = head_.load(std::memory_order_relaxed);
    while (*head > known && !head_.compare_exchange_weak(known, *head)) {
    }
  }
  return head;
}

std::size_t ChangeFeed::waiters() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
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
    if (waiters_.empty()) {
      wake_.wait(lock, [this] { return stopping_ || poked_ || !waiters_.empty(); });
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
      // Nobody waits: a poke only moves the head.
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
