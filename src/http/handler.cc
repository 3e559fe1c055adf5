#include "http/handler.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <exception>
#include <memory>
#include <utility>

#include "api/validate.h"
#include "http/batch_request.h"
#include "http/json_codec.h"
#include "http/write_routes.h"
#include "web/web_assets.h"

namespace allot::http {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Room for the largest event the contract allows: every seat name at its
// longest, quoted and comma-separated, plus the rest of the body.
constexpr std::size_t kMaxEventBodyBytes =
    api::kMaxSeatsPerEvent * (api::kMaxSeatNameLength + 3) + 64 * 1024;

// Room for kMaxBatchRequests reservations at their largest: every line with
// the longest item id and quantity, the user id, ttl, an idempotency key
// and the entry's own fields.
constexpr std::size_t kMaxReservationBodyBytes =
    api::kMaxLinesPerRequest * (api::kMaxIdLength + 40) + api::kMaxIdLength + 64;
constexpr std::size_t kMaxBatchEntryBytes =
    kMaxReservationBodyBytes + api::kMaxIdempotencyKeyLength + 256;
constexpr std::size_t kMaxBatchBodyBytes = kMaxBatchRequests * kMaxBatchEntryBytes + 64 * 1024;

// Turns an Expected<T> of a record into 200 + its encoding or the error.
template <typename T, typename Encode>
HttpResponse ReadResponse(const Expected<T>& result, Encode encode) {
  if (!result) return Handler::ErrorResponse(result.error());
  return Handler::JsonResponse(200, encode(*result));
}

// Counts an answered request and writes its access-log line.
void Observe(Metrics& metrics, const AccessLog* access_log, const AccessRecord& record) {
  metrics.RecordRequest(record.route, record.status, record.latency_seconds);
  if (record.error) metrics.RecordRefusal(*record.error);
  if (access_log != nullptr) access_log->Record(record);
}

// The state shared by the paths that may answer a request; only the first
// answer is sent.
struct Pending {
  Handler::Respond respond;
  Metrics* metrics = nullptr;
  const AccessLog* access_log = nullptr;
  std::string request_id;
  std::string method;
  std::string principal;
  std::string_view route;
  SteadyClock::time_point start;
  std::atomic<bool> answered{false};

  void Answer(HttpResponse response) {
    if (answered.exchange(true)) return;
    std::chrono::duration<double> elapsed = SteadyClock::now() - start;
    Observe(
        *metrics, access_log,
        {request_id, method, route, response.status, elapsed.count(), principal, response.error});
    response.Set("X-Request-Id", std::move(request_id));  // answered once: it is not needed again
    respond(std::move(response));
  }
};

// Access control covers the API; health, readiness and metrics stay open
// for probes and scrapers.
bool IsApiTarget(std::string_view target) {
  constexpr std::string_view kApi = "/api/v1";
  return target.starts_with(kApi) &&
         (target.size() == kApi.size() || target[kApi.size()] == '/' || target[kApi.size()] == '?');
}

// A record a client may read only if it created it.
template <typename T, typename Encode>
HttpResponse OwnedReadResponse(const Expected<T>& result, const RequestContext& context,
                               std::string resource, Encode encode) {
  if (result && context.own_records_only && result->owner != context.principal) {
    return Handler::ErrorResponse(NotYours(std::move(resource), result->id));
  }
  return ReadResponse(result, encode);
}

Error BadQuery(std::string field, std::string message) {
  return InvalidField(std::move(field), std::move(message));
}

// The page is static and self-contained; the policy keeps it so (nothing
// from other origins, no plugins, no framing) and lets it talk only to us.
HttpResponse DashboardResponse() {
  HttpResponse response;
  response.body = std::string(web::DashboardPage());
  response.Set("Content-Type", std::string(kHtmlContentType));
  response.Set("Cache-Control", "no-cache");
  response.Set("X-Content-Type-Options", "nosniff");
  response.Set("Content-Security-Policy",
               "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
               "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'");
  return response;
}

}  // namespace

Handler::Handler(api::Service& service, Metrics& metrics, HandlerOptions options)
    : service_(service),
      metrics_(metrics),
      tokens_(options.tokens),
      access_log_(options.access_log),
      own_changes_(options.changes == nullptr
                       ? std::make_unique<api::ChangeFeed>(service.reader())
                       : nullptr),
      changes_(options.changes != nullptr ? options.changes : own_changes_.get()) {
  metrics_.AddGauge("allot_changes_head_seq", "The seq of the newest committed change.",
                    [feed = changes_] {
                      // Read from the store: other processes may have committed.
                      auto head = feed->RefreshHead();
                      return head ? *head : feed->head();
                    });
}

Expected<Principal> Handler::Authenticate(const HttpRequest& request,
                                          const RouteMatch* route) const {
  auto token = BearerToken(request);
  if (!token && route != nullptr && route->id == RouteId::kChangeStream) {
    // EventSource cannot send headers: the stream alone takes ?token=.
    for (const auto& [key, value] : route->query) {
      if (key == "token") token = value;
    }
  }
  const Principal* principal = token ? tokens_->Find(*token) : nullptr;
  if (principal != nullptr) return *principal;
  return Fail(ErrorCode::kUnauthorized,
              token ? "The bearer token is not known."
                    : "This service needs 'Authorization: Bearer <token>'.");
}

HttpResponse Handler::JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.headers.reserve(4);  // Content-Type, X-Request-Id and room for two more
  response.status = status;
  response.body = std::move(body);
  response.Set("Content-Type", std::string(kJsonContentType));
  return response;
}

HttpResponse Handler::ErrorResponse(const Error& error) {
  HttpResponse response = JsonResponse(HttpStatusOf(error.code), EncodeError(error));
  response.error = error.code;
  if (error.code == ErrorCode::kOverloaded) response.Set("Retry-After", "1");
  return response;
}

HttpResponse Handler::ResultResponse(const CommandResult& result) {
  if (!result) return ErrorResponse(result.error());
  if (const auto* replay = std::get_if<Replay>(&result->value)) {
    HttpResponse response = JsonResponse(replay->status, replay->body);
    response.Set("Idempotent-Replayed", "true");
    if (replay->status >= 400) response.error = DecodeErrorCode(replay->body);
    return response;
  }
  return JsonResponse(result->created ? 201 : 200, EncodeOutcome(*result));
}

HttpResponse Handler::Refuse(const HttpRequest& request, const Error& error) {
  auto start = SteadyClock::now();
  auto route = Route(request.method, request.target);
  std::string_view label = route ? route->route : route.error().route;
  HttpResponse response = ErrorResponse(error);
  const std::string request_id = request_ids_.For(request);
  response.Set("X-Request-Id", request_id);
  std::chrono::duration<double> elapsed = SteadyClock::now() - start;
  // Refused before any credentials were looked at: no principal.
  Observe(metrics_, access_log_,
          {request_id, request.method, label, response.status, elapsed.count(), "", error.code});
  return response;
}

std::size_t Handler::BodyLimit(std::string_view method, std::string_view target,
                               std::size_t default_limit) const {
  auto route = Route(method, target);
  if (!route) return default_limit;
  if (route->id == RouteId::kCreateEvent) return std::max(default_limit, kMaxEventBodyBytes);
  if (route->id == RouteId::kBatch) return std::max(default_limit, kMaxBatchBodyBytes);
  return default_limit;
}

bool Handler::MayStream(std::string_view method, std::string_view target) const {
  auto route = Route(method, target);
  return route && route->id == RouteId::kChangeStream;
}

void Handler::Handle(HttpRequest request, Respond respond) {
  PendingWrites writes;
  Dispatch(request, std::move(respond), writes);
  SubmitWrites(writes);
}

void Handler::HandleMany(std::vector<HttpRequest> requests, RespondAt respond) {
  PendingWrites writes;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    Dispatch(
        requests[i], [respond, i](HttpResponse response) { respond(i, std::move(response)); },
        writes);
  }
  SubmitWrites(writes);
}

void Handler::SubmitWrites(PendingWrites& writes) {
  if (writes.submissions.empty()) return;
  if (writes.submissions.size() == 1) {
    // A refusal at the queue comes back through `done`.
    service_.Submit(std::move(writes.submissions[0].command),
                    std::move(writes.submissions[0].done));
    return;
  }
  Status queued = service_.SubmitMany(std::move(writes.submissions));
  if (queued) return;
  // None was queued: each gets the refusal it would have got on its own (a
  // request already answered by validation keeps that answer).
  for (Respond& answer : writes.answers) answer(ErrorResponse(queued.error()));
}

void Handler::Dispatch(HttpRequest& request, Respond respond, PendingWrites& writes) {
  auto pending = std::make_shared<Pending>();
  pending->respond = std::move(respond);
  pending->metrics = &metrics_;
  pending->access_log = access_log_;
  pending->start = SteadyClock::now();
  RequestContext context;
  pending->request_id = request_ids_.For(request);
  pending->method = request.method;
  Respond finish = [pending](HttpResponse response) { pending->Answer(std::move(response)); };

  auto route = Route(request.method, request.target);
  pending->route = route ? route->route : route.error().route;
  if (tokens_ != nullptr && IsApiTarget(request.target)) {
    auto principal = Authenticate(request, route ? &*route : nullptr);
    if (!principal) {
      HttpResponse response = ErrorResponse(principal.error());
      response.Set("WWW-Authenticate", "Bearer realm=\"allot\"");
      finish(std::move(response));
      return;
    }
    context.principal = std::move(principal->name);
    context.own_records_only = principal->role == Role::kClient;
    pending->principal = context.principal;
  }
  if (!route) {
    HttpResponse response = ErrorResponse(route.error().error);
    if (!route.error().allow.empty()) response.Set("Allow", route.error().allow);
    finish(std::move(response));
    return;
  }
  if (context.own_records_only && IsAdminOnly(route->id)) {
    finish(ErrorResponse(Error{ErrorCode::kForbidden,
                               "Only an admin token may create or change items, accounts "
                               "and events, or manage webhooks.",
                               {}}));
    return;
  }
  try {
    if (IsWrite(route->id)) {
      HandleWrite(request, *route, context, finish, writes);
    } else if (route->id == RouteId::kBatch) {
      // Writes pipelined ahead of the batch go first: order is kept.
      SubmitWrites(writes);
      writes = {};
      HandleBatch(request, *route, context, finish);
    } else if (route->id == RouteId::kListChanges || route->id == RouteId::kChangeStream) {
      HandleChanges(request, *route, context, finish);
    } else {
      HandleRead(*route, context, finish);
    }
  } catch (const std::exception& e) {
    // Only reached before an answer was handed on; Pending drops a second one.
    finish(ErrorResponse(Unavailable(std::string("The request failed: ") + e.what())));
  }
}

void Handler::HandleRead(const RouteMatch& route, const RequestContext& context,
                         const Respond& finish) {
  std::string_view id = route.Param("id");
  switch (route.id) {
    case RouteId::kListItems:
      finish(ListItems(route));
      return;
    case RouteId::kGetItem:
      if (!route.query.empty()) {
        finish(ReadAsOf(route));
        return;
      }
      finish(ReadResponse(service_.GetItem(id), EncodeItem));
      return;
    case RouteId::kListReservations:
    case RouteId::kListOrders:
    case RouteId::kListTransfers:
      finish(ListRecords(route, context));
      return;
    case RouteId::kItemHistory:
    case RouteId::kAccountHistory:
      finish(History(route, context));
      return;
    case RouteId::kGetReservation:
      finish(OwnedReadResponse(service_.GetReservation(id), context, "reservation",
                               EncodeReservation));
      return;
    case RouteId::kGetOrder:
      finish(OwnedReadResponse(service_.GetOrder(id), context, "order", EncodeOrder));
      return;
    case RouteId::kGetAccount:
      if (!route.query.empty()) {
        finish(ReadAsOf(route));
        return;
      }
      finish(ReadResponse(service_.GetAccount(id), EncodeAccount));
      return;
    case RouteId::kGetTransfer:
      finish(OwnedReadResponse(service_.GetTransfer(id), context, "transfer", EncodeTransfer));
      return;
    case RouteId::kGetEvent:
      finish(ReadResponse(service_.GetEvent(id), EncodeEvent));
      return;
    case RouteId::kListSeats:
      finish(ListSeats(route));
      return;
    case RouteId::kHealthz:
      finish(JsonResponse(200, EncodeStatus("ok")));
      return;
    case RouteId::kReadyz: {
      Status ready = service_.Ready();
      if (!ready) {
        Error error = ready.error();
        error.code = ErrorCode::kUnavailable;
        finish(ErrorResponse(error));
      } else {
        finish(JsonResponse(200, EncodeStatus("ready")));
      }
      return;
    }
    case RouteId::kMetrics: {
      HttpResponse response;
      response.body = metrics_.Render(service_.QueueDepth());
      response.Set("Content-Type", std::string(kPrometheusContentType));
      finish(std::move(response));
      return;
    }
    case RouteId::kOpenApi:
      finish(JsonResponse(200, std::string(web::OpenApiDocument())));
      return;
    case RouteId::kDashboard:
      finish(DashboardResponse());
      return;
    case RouteId::kGetWebhook:
      finish(ReadResponse(service_.GetWebhook(id), EncodeWebhook));
      return;
    case RouteId::kGetWaitlistEntry:
      finish(OwnedReadResponse(service_.GetWaitlistEntry(id), context, "waitlist",
                               EncodeWaitlistEntry));
      return;
    case RouteId::kListWaitlist:
      finish(ListWaitlist(route));
      return;
    case RouteId::kGetDraw:
      finish(ReadResponse(service_.GetDraw(id), EncodeDraw));
      return;
    default:
      break;
  }
  finish(ErrorResponse(Unavailable("The route has no reader.")));
}

namespace {

// `?after=ID&limit=N` of a list paged by id, each at most once; any
// other parameter is refused. `what` names the id in the error.
struct IdPageQuery {
  std::string after;
  std::size_t limit = api::kDefaultPageSize;
};
Expected<IdPageQuery> ParseIdPageQuery(const RouteMatch& route, std::string_view what) {
  IdPageQuery page;
  bool seen_limit = false, seen_after = false;
  for (const auto& [key, value] : route.query) {
    if (key == "limit") {
      if (seen_limit) return Fail(BadQuery("limit", "Give 'limit' once."));
      seen_limit = true;
      if (value.empty()) continue;
      std::size_t parsed = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (ec != std::errc() || end != value.data() + value.size() || parsed < 1 ||
          parsed > api::kMaxPageSize) {
        return Fail(BadQuery("limit", "'limit' must be an integer from 1 to 1000."));
      }
      page.limit = parsed;
    } else if (key == "after") {
      if (seen_after) return Fail(BadQuery("after", "Give 'after' once."));
      seen_after = true;
      if (value.empty()) continue;
      if (!api::IsValidId(value)) {
        return Fail(BadQuery("after", "'after' must be " + std::string(what) + "."));
      }
      page.after = value;
    } else {
      return Fail(BadQuery(key, "The query parameter '" + key + "' is not known here."));
    }
  }
  return page;
}

}  // namespace

HttpResponse Handler::ListItems(const RouteMatch& route) {
  auto page = ParseIdPageQuery(route, "an item id");
  if (!page) return ErrorResponse(page.error());
  return ReadResponse(service_.ListItems(page->after, page->limit), EncodeItemPage);
}

HttpResponse Handler::ListWaitlist(const RouteMatch& route) {
  auto page = ParseIdPageQuery(route, "a waiting-list entry id");
  if (!page) return ErrorResponse(page.error());
  return ReadResponse(service_.ListWaitlist(route.Param("id"), page->after, page->limit),
                      EncodeWaitlistPage);
}

HttpResponse Handler::ListSeats(const RouteMatch& route) {
  std::optional<SeatStatus> status;
  bool seen_status = false;
  for (const auto& [key, value] : route.query) {
    if (key != "status") {
      return ErrorResponse(BadQuery(key, "The query parameter '" + key + "' is not known here."));
    }
    if (seen_status) return ErrorResponse(BadQuery("status", "Give 'status' once."));
    seen_status = true;
    if (value.empty()) continue;
    status = ParseSeatStatus(value);
    if (!status) {
      return ErrorResponse(BadQuery("status", "'status' must be one of available, held, sold."));
    }
  }
  return ReadResponse(service_.ListSeats(route.Param("id"), status), EncodeSeats);
}

void Handler::HandleWrite(const HttpRequest& request, const RouteMatch& route,
                          const RequestContext& context, const Respond& finish,
                          PendingWrites& writes) {
  Command command;
  command.principal = context.principal;
  command.own_records_only = context.own_records_only;
  if (const std::string* key = request.Header("Idempotency-Key")) {
    if (!api::IsValidIdempotencyKey(*key)) {
      finish(ErrorResponse(
          InvalidField("Idempotency-Key",
                       "The Idempotency-Key header must be 1..255 printable ASCII characters.")));
      return;
    }
    command.idempotency =
        IdempotencyKey{*key, api::Fingerprint(request.method, route.path, request.body),
                       [](const CommandResult& result) {
                         HttpResponse response = ResultResponse(result);
                         IdempotencyRecord record;
                         record.status = response.status;
                         record.body = std::move(response.body);
                         return record;
                       }};
  }
  bool one_line_form = false;
  auto body = DecodeCommand(route, request.body, &one_line_form);
  if (!body) {
    finish(ErrorResponse(body.error()));
    return;
  }
  command.body = std::move(*body);
  writes.answers.push_back(finish);
  writes.submissions.push_back(
      {std::move(command), [finish, one_line_form](CommandResult result) {
         if (one_line_form) NameOneLineFields(result);
         finish(ResultResponse(result));
       }});
}

}  // namespace allot::http
