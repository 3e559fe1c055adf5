// The HTTP semantics of the service, without sockets: route, decode, call
// api::Service, encode. The server feeds it parsed requests; tests call it
// directly.
//
// Every response carries X-Request-Id (the client's, echoed, or a new one),
// is counted in Metrics under its route template (and, for an error, its
// code) and, when an AccessLog is given, gets its access-log line. Writes carry the
// request's principal ("" while the service is open) and, when the request
// has an Idempotency-Key header, an IdempotencyKey whose renderer uses the
// same encoding as the live answer, so a replay is byte-identical.
//
// Thread-safe: Handle may be called from many threads at once. `respond` is
// called exactly once, either inline (reads, refusals) or on the engine's
// sequencer thread after the commit (writes); it must not block and must be
// safe to call from any thread. The Service and Metrics must outlive the
// handler (as must the AccessLog, if any), and the handler must outlive every
// pending `respond`.
#ifndef ALLOT_HTTP_HANDLER_H_
#define ALLOT_HTTP_HANDLER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "allot/commands.h"
#include "allot/error.h"
#include "api/change_feed.h"
#include "api/service.h"
#include "http/access_log.h"
#include "http/auth.h"
#include "http/change_frames.h"
#include "http/http_message.h"
#include "http/metrics.h"
#include "http/request_handler.h"
#include "http/request_id.h"
#include "http/router.h"

namespace allot::http {

// Who asks. While the service is open (no
// tokens) the principal is "" and may act on everything.
struct RequestContext {
  std::string principal;
  bool own_records_only = false;  // a `client` token
};

// What the handler may be given; each, when set, must outlive it.
struct HandlerOptions {
  // With tokens, every /api/v1 request needs a bearer token: 401 without a
  // known one; a `client` may not create or adjust items, accounts or
  // events, and may see and act on only its own reservations, orders and
  // transfers (403). Without, the service is open.
  const TokenTable* tokens = nullptr;
  // One line per answered request; none when null.
  const AccessLog* access_log = nullptr;
  // The change feed of GET /api/v1/changes and its stream (the engine pokes
  // it after each commit). When null the handler keeps one of its own over
  // the service's reader, which learns of commits by polling.
  api::ChangeFeed* changes = nullptr;
};

class Handler final : public RequestHandler {
 public:
  Handler(api::Service& service, Metrics& metrics, HandlerOptions options = {});

  void Handle(HttpRequest request, Respond respond) override;
  // Pipelined requests: each answered as by Handle, and the writes among
  // them submitted together (api::Service::SubmitMany), so they share an
  // engine batch; if the queue cannot take them all, each is answered 503
  // `overloaded`, as it would have been on its own.
  void HandleMany(std::vector<HttpRequest> requests, RespondAt respond) override;

  // The answer to a request the server refuses before handling it (body or
  // headers too large, malformed HTTP, too many connections): the error
  // response with X-Request-Id, counted in metrics. `request` may hold only
  // method, target and headers.
  HttpResponse Refuse(const HttpRequest& request, const Error& error) override;
  // POST /events may carry up to kMaxSeatsPerEvent seat names, and POST
  // /batch up to kMaxBatchRequests reservations at their largest, far past
  // the default limit; every other request keeps the default.
  std::size_t BodyLimit(std::string_view method, std::string_view target,
                        std::size_t default_limit) const override;
  // GET /api/v1/changes/stream.
  bool MayStream(std::string_view method, std::string_view target) const override;
  void ConnectionOpened() override { metrics_.ConnectionOpened(); }
  void ConnectionClosed() override { metrics_.ConnectionClosed(); }

  // The status and body a command result is answered with: 201 when a
  // resource was created, else 200; a Replay's stored status and body; an
  // error's status and error body. Used for live answers and stored ones.
  static HttpResponse ResultResponse(const CommandResult& result);
  static HttpResponse ErrorResponse(const Error& error);
  // `status` with `body` as application/json.
  static HttpResponse JsonResponse(int status, std::string body);

 private:
  // The principal of a request to /api/v1, or the 401 to answer. `route`
  // (null for an unknown path) lets the stream take its token from the query.
  Expected<Principal> Authenticate(const HttpRequest& request, const RouteMatch* route) const;

  // Writes gathered from requests handled together, submitted at once;
  // `answers[i]` answers `submissions[i]` if the queue refuses them.
  struct PendingWrites {
    std::vector<Submission> submissions;
    std::vector<Respond> answers;
  };
  // Authenticates, routes and answers `request` through `respond`, except a
  // write, which is added to `writes` (its completion answers it).
  void Dispatch(HttpRequest& request, Respond respond, PendingWrites& writes);
  void SubmitWrites(PendingWrites& writes);
  void HandleRead(const RouteMatch& route, const RequestContext& context, const Respond& finish);
  void HandleWrite(const HttpRequest& request, const RouteMatch& route,
                   const RequestContext& context, const Respond& finish, PendingWrites& writes);
  // POST /api/v1/batch (handler_batch.cc).
  void HandleBatch(const HttpRequest& request, const RouteMatch& route,
                   const RequestContext& context, const Respond& finish);
  HttpResponse ListItems(const RouteMatch& route);
  // Queries and history (handler_queries.cc): the three lists, item and
  // account history, and GET /items/{id} or /accounts/{id} with a query
  // (?asOf=).
  HttpResponse ListRecords(const RouteMatch& route, const RequestContext& context);
  HttpResponse History(const RouteMatch& route, const RequestContext& context);
  HttpResponse ReadAsOf(const RouteMatch& route);
  HttpResponse ListSeats(const RouteMatch& route);
  // GET /items/{id}/waitlist (admin): entries in queue order.
  HttpResponse ListWaitlist(const RouteMatch& route);
  // GET /api/v1/changes (answered now or when a change commits) and GET
  // /api/v1/changes/stream (handler_changes.cc).
  void HandleChanges(const HttpRequest& request, const RouteMatch& route,
                     const RequestContext& context, const Respond& finish);
  HttpResponse OpenChangeStream(const HttpRequest& request, const ChangeFilter& filter,
                                std::optional<std::int64_t> after);
  // Where a change read starts: `after` when the feed still keeps what
  // follows it (400 past the head, 410 cursor_expired before the oldest
  // kept), else, when absent, just before the oldest kept change.
  Expected<std::int64_t> ChangeCursor(std::optional<std::int64_t> after);

  api::Service& service_;
  Metrics& metrics_;
  const TokenTable* tokens_;
  const AccessLog* access_log_;
  RequestIds request_ids_;
  std::unique_ptr<api::ChangeFeed> own_changes_;  // when none was given
  api::ChangeFeed* changes_;
  // The newest changes' events, shared by the streams of the whole feed.
  ChangeFrames change_frames_;
};

}  // namespace allot::http

#endif  // ALLOT_HTTP_HANDLER_H_
