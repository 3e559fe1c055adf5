#include "http/change_stream.h"

#include <utility>

#include "http/change_json.h"

namespace allot::http {

void AppendChangeEvent(const Change& change, std::string& out) {
  out.append("id: ").append(std::to_string(change.seq));
  out.append("\nevent: ").append(ToString(change.type));
  // The JSON has no raw newline (strings escape it): one data line.
  out.append("\ndata: ").append(EncodeChange(change)).append("\n\n");
}

ChangeStream::ChangeStream(api::ChangeFeed& feed, std::shared_ptr<void> follow,
                           std::int64_t after, ChangeFilter filter, SteadyTime now,
                           ChangeStreamOptions options, ChangeFrames* frames)
    : feed_(feed),
      follow_(std::move(follow)),
      cursor_(after),
      filter_(std::move(filter)),
      options_(options),
      frames_(filter_.types.empty() && !filter_.owner ? frames : nullptr),
      last_sent_(now) {}

std::string ChangeStream::Poll(SteadyTime now) {
  std::string out;
  if (!greeted_) {
    greeted_ = true;
    out.append("retry: ").append(std::to_string(options_.client_retry.count())).append("\n\n");
  }
  if (feed_.head() > cursor_ && frames_ != nullptr) {
    cursor_ = frames_->AppendAfter(cursor_, options_.max_per_poll, feed_.reader(), out);
  } else if (feed_.head() > cursor_) {
    auto page = feed_.reader().ReadChanges(cursor_, options_.max_per_poll, filter_,
                                           feed_.options().max_scan);
    // A failed read is tried again at the next poll, from the same cursor.
    if (page) {
      for (const Change& change : page->changes) AppendChangeEvent(change, out);
      cursor_ = page->next;
    }
  }
  if (out.empty() && now - last_sent_ >= options_.keepalive) out = ": keepalive\n\n";
  if (!out.empty()) last_sent_ = now;
  return out;
}

}  // namespace allot::http
