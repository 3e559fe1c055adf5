// Maps a method and request target to one of the service's routes.
//
// The target is split into path and query; the path is split on '/' and each
// segment percent-decoded after splitting (so "%2F" stays inside a segment).
// Route templates name their parameters in braces: "/api/v1/items/{id}".
//
// A miss is either an unknown path (404 not_found, resource "route", id = the
// path as sent), a known path with another method (405 method_not_allowed,
// with the methods that path allows), or a target that is not valid
// percent-encoding (400 invalid_request, field "path"). Stateless and
// thread-safe.
#ifndef ALLOT_HTTP_ROUTER_H_
#define ALLOT_HTTP_ROUTER_H_

#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "allot/error.h"

namespace allot::http {

enum class RouteId {
  kCreateItem,
  kListItems,
  kGetItem,
  kAdjustItem,
  kReserve,  // POST /reservations and POST /reserve
  kGetReservation,
  kConfirmReservation,
  kCancelReservation,
  kExtendReservation,
  kListReservations,
  kListOrders,
  kListTransfers,
  kItemHistory,
  kAccountHistory,
  kPlaceOrder,
  kGetOrder,
  kCancelOrder,
  kCreateAccount,
  kGetAccount,
  kCreateTransfer,
  kGetTransfer,
  kConfirmTransfer,
  kCancelTransfer,
  kCreateEvent,
  kGetEvent,
  kListSeats,
  kHealthz,
  kReadyz,
  kMetrics,
  kOpenApi,    // GET /api/v1/openapi.json: the API document
  kDashboard,  // GET /: the live dashboard page
  kBatch,        // POST /api/v1/batch: up to 1,000 writes in one request
  kListChanges,  // GET /api/v1/changes: the journal, paged, with long polling
  kChangeStream,  // GET /api/v1/changes/stream: the journal as server-sent events
  kCreateWebhook,
  kGetWebhook,
  kReplayWebhook,
  kDisableWebhook,
  kEnableWebhook,
  kJoinWaitlist,
  kListWaitlist,
  kGetWaitlistEntry,
  kLeaveWaitlist,
  kCreateDraw,
  kGetDraw,
  kEnterDraw,
  kRunDraw,
};

// One (method, template) pair the router answers; see RouteTable().
struct RouteSpec {
  std::string_view method;
  std::string_view route;
  RouteId id;
};

using ParamList = std::vector<std::pair<std::string, std::string>>;

struct RouteMatch {
  RouteId id = RouteId::kHealthz;
  std::string_view route;  // the template, e.g. "/api/v1/items/{id}" (static storage)
  std::string path;        // the path as sent, without the query
  ParamList params;        // decoded path parameters, by template name
  ParamList query;         // decoded query parameters, in order sent

  // The named path parameter, or "" if the template has none by that name.
  std::string_view Param(std::string_view name) const;
};

struct RouteMiss {
  Error error;
  std::string allow;       // for 405: "GET, POST"; else empty
  std::string_view route;  // metrics label: the template on 405, else "unmatched"
};

inline constexpr std::string_view kUnmatchedRoute = "unmatched";

std::expected<RouteMatch, RouteMiss> Route(std::string_view method, std::string_view target);

// Every (method, template) the router knows, in matching order (static
// storage). The API document is checked against it, both ways.
std::span<const RouteSpec> RouteTable();

// Percent-decodes `text`; with `plus_is_space` (query strings) '+' means ' '.
// Nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace allot::http

#endif  // ALLOT_HTTP_ROUTER_H_
