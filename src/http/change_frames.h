// The encoded events of the newest changes, shared by every change stream
// that follows the whole feed (no type filter, an admin's view).
//
// Ten streams following the head would otherwise each read, decode and
// encode every change: ten times the work for the same bytes, taken from
// the cores the hot path runs on. Here the first stream to reach a change
// reads and encodes it once; the others copy its event. The cache holds a
// contiguous run of seqs, the newest `capacity`: a stream far behind (a
// replay from an old cursor) reads the journal for itself and caches
// nothing, so it cannot push the head's events out.
//
// Thread-safe: streams poll from the server's I/O threads.
#ifndef ALLOT_HTTP_CHANGE_FRAMES_H_
#define ALLOT_HTTP_CHANGE_FRAMES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "allot/error.h"
#include "allot/store.h"

namespace allot::http {

class ChangeFrames {
 public:
  explicit ChangeFrames(std::size_t capacity = 16'384) : capacity_(capacity) {}

  // Appends to `out` the events of up to `limit` changes after `after`,
  // reading what the cache lacks through `reader`; returns the new cursor
  // (`after` when nothing new was committed, or the read failed: the
  // stream tries again at its next poll).
  std::int64_t AppendAfter(std::int64_t after, std::size_t limit, StoreReader& reader,
                           std::string& out);

  // The seqs cached now, [first, last]; empty when last < first.
  std::int64_t first() const;
  std::int64_t last() const;

 private:
  // Copies cached events after `after`; under mu_.
  std::int64_t CopyCached(std::int64_t after, std::size_t limit, std::string& out) const;

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::int64_t first_seq_ = 1;       // the seq of frames_.front(); guarded by mu_
  std::deque<std::string> frames_;  // consecutive seqs; guarded by mu_
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_CHANGE_FRAMES_H_
