#include "http/change_frames.h"

#include <algorithm>

#include "http/change_stream.h"

namespace allot::http {

std::int64_t ChangeFrames::first() const {
  std::lock_guard lock(mu_);
  return first_seq_;
}

std::int64_t ChangeFrames::last() const {
  std::lock_guard lock(mu_);
  return first_seq_ + static_cast<std::int64_t>(frames_.size()) - 1;
}

std::int64_t ChangeFrames::CopyCached(std::int64_t after, std::size_t limit,
                                      std::string& out) const {
  const std::int64_t last = first_seq_ + static_cast<std::int64_t>(frames_.size()) - 1;
  if (after < first_seq_ - 1 || after >= last) return after;
  const std::int64_t until = std::min(last, after + static_cast<std::int64_t>(limit));
  for (std::int64_t seq = after + 1; seq <= until; ++seq) {
    out.append(frames_[static_cast<std::size_t>(seq - first_seq_)]);
  }
  return until;
}

std::int64_t ChangeFrames::AppendAfter(std::int64_t after, std::size_t limit,
                                       StoreReader& reader, std::string& out) {
  // Held across the read: a stream that reaches the newest changes while
  // another reads them waits and copies, rather than reading them too.
  std::lock_guard lock(mu_);
  if (const std::int64_t copied = CopyCached(after, limit, out); copied != after) return copied;
  // Every change is kept without a filter, so a page's seqs are after+1,
  // after+2, ... without a gap.
  auto page = reader.ReadChanges(after, limit, ChangeFilter{}, limit);
  if (!page || page->changes.empty()) return after;
  const std::int64_t last = first_seq_ + static_cast<std::int64_t>(frames_.size()) - 1;
  // The newest events are cached: a page that continues the cache extends
  // it, one past it (the cache fell behind the head) starts it again, and
  // one before it (a replay far behind the head) is not kept.
  bool cache = true;
  if (frames_.empty() || after > last) {
    frames_.clear();
    first_seq_ = after + 1;
  } else if (after != last) {
    cache = false;
  }
  std::int64_t expected = after + 1;
  for (const Change& change : page->changes) {
    const std::size_t start = out.size();
    AppendChangeEvent(change, out);
    if (cache && change.seq != expected++) {  // never with no filter; kept safe
      frames_.clear();
      cache = false;
    }
    if (cache) frames_.emplace_back(out, start);
  }
  if (frames_.empty()) first_seq_ = page->next + 1;
  while (frames_.size() > capacity_) {
    frames_.pop_front();
    ++first_seq_;
  }
  return page->next;
}

}  // namespace allot::http
