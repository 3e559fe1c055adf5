// GET /api/v1/changes and GET /api/v1/changes/stream: the journal, read
// through the change feed ("Changes" in docs/api.md).
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "http/change_json.h"
#include "http/change_query.h"
#include "http/change_stream.h"
#include "http/handler.h"
#include "http/json_codec.h"

namespace allot::http {

Expected<std::int64_t> Handler::ChangeCursor(std::optional<std::int64_t> after) {
  auto oldest = changes_->OldestKept(service_.NowMs());
  if (!oldest) return Fail(std::move(oldest.error()));
  if (!after) return *oldest - 1;
  if (*after > changes_->head()) {
    // The head this process knows may lag other processes' commits.
    auto head = changes_->RefreshHead();
    if (!head) return Fail(std::move(head.error()));
    if (*after > *head) {
      return Fail(InvalidField("after", "'after' is " + std::to_string(*after) +
                                            ", past the newest change (" + std::to_string(*head) +
                                            ")."));
    }
  }
  if (*after < *oldest - 1) {
    Error expired{ErrorCode::kCursorExpired,
                  "The changes after " + std::to_string(*after) +
                      " are no longer kept; the oldest kept is " + std::to_string(*oldest) + ".",
                  {}};
    expired.With("oldest", *oldest);
    return Fail(std::move(expired));
  }
  return *after;
}

void Handler::HandleChanges(const HttpRequest& request, const RouteMatch& route,
                            const RequestContext& context, const Respond& finish) {
  const bool stream = route.id == RouteId::kChangeStream;
  auto query = ParseChangeQuery(route.query, stream ? ChangeRoute::kStream : ChangeRoute::kList);
  if (!query) {
    finish(ErrorResponse(query.error()));
    return;
  }
  ChangeFilter filter{.types = std::move(query->types)};
  if (context.own_records_only) filter.owner = context.principal;
  if (stream) {
    finish(OpenChangeStream(request, filter, query->after));
    return;
  }
  auto after = ChangeCursor(query->after);
  if (!after) {
    finish(ErrorResponse(after.error()));
    return;
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(query->wait_ms);
  const bool taken =
      changes_->Read(*after, query->limit, std::move(filter), deadline,
                     [finish, feed = changes_](Expected<ChangePage> page) {
                       if (!page) {
                         finish(ErrorResponse(page.error()));
                         return;
                       }
                       HttpResponse response =
                           JsonResponse(200, EncodeChangePage(page->changes, page->next));
                       // Where "now" is, for a client that wants to follow
                       // from here on rather than from the start.
                       response.Set("Allot-Head",
                                    std::to_string(std::max(feed->head(), page->next)));
                       finish(std::move(response));
                     });
  if (!taken) {
    finish(ErrorResponse(Error{ErrorCode::kOverloaded,
                               "Too many requests wait for changes (" +
                                   std::to_string(changes_->options().max_waiters) +
                                   "); try again shortly.",
                               {}}));
  }
}

HttpResponse Handler::OpenChangeStream(const HttpRequest& request, const ChangeFilter& filter,
                                       std::optional<std::int64_t> after) {
  // EventSource sends the last id it saw when it reconnects, to the same
  // URL: the header wins over the query's `after`.
  if (const std::string* last = request.Header("Last-Event-ID"); last != nullptr && !last->empty()) {
    auto seen = ParseLastEventId(*last);
    if (!seen) return ErrorResponse(seen.error());
    after = *seen;
  }
  auto cursor = ChangeCursor(after);
  if (!cursor) return ErrorResponse(cursor.error());
  auto follow = changes_->Follow();
  if (!follow) {
    return ErrorResponse(Error{ErrorCode::kOverloaded,
                               "Too many change streams are open (" +
                                   std::to_string(changes_->options().max_followers) +
                                   "); try again shortly.",
                               {}});
  }
  HttpResponse response;
  response.Set("Content-Type", std::string(kEventStreamContentType));
  response.Set("Cache-Control", "no-cache");
  response.stream =
      std::make_shared<ChangeStream>(*changes_, std::move(follow), *cursor, filter,
                                     std::chrono::steady_clock::now(), ChangeStreamOptions{},
                                     &change_frames_);
  return response;
}

}  // namespace allot::http
