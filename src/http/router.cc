#include "http/router.h"

#include <array>

namespace allot::http {
namespace {

constexpr std::array<RouteSpec, 48> kRoutes = {{
    {"POST", "/api/v1/items", RouteId::kCreateItem},
    {"GET", "/api/v1/items", RouteId::kListItems},
    {"GET", "/api/v1/items/{id}", RouteId::kGetItem},
    {"POST", "/api/v1/items/{id}/adjustments", RouteId::kAdjustItem},
    {"POST", "/api/v1/reservations", RouteId::kReserve},
    {"POST", "/api/v1/reserve", RouteId::kReserve},
    {"GET", "/api/v1/reservations/{id}", RouteId::kGetReservation},
    {"POST", "/api/v1/reservations/{id}/confirm", RouteId::kConfirmReservation},
    {"POST", "/api/v1/reservations/{id}/cancel", RouteId::kCancelReservation},
    {"POST", "/api/v1/reservations/{id}/extend", RouteId::kExtendReservation},
    {"GET", "/api/v1/reservations", RouteId::kListReservations},
    {"GET", "/api/v1/orders", RouteId::kListOrders},
    {"GET", "/api/v1/transfers", RouteId::kListTransfers},
    {"GET", "/api/v1/items/{id}/history", RouteId::kItemHistory},
    {"GET", "/api/v1/accounts/{id}/history", RouteId::kAccountHistory},
    {"POST", "/api/v1/orders", RouteId::kPlaceOrder},
    {"GET", "/api/v1/orders/{id}", RouteId::kGetOrder},
    {"POST", "/api/v1/orders/{id}/cancel", RouteId::kCancelOrder},
    {"POST", "/api/v1/accounts", RouteId::kCreateAccount},
    {"GET", "/api/v1/accounts/{id}", RouteId::kGetAccount},
    {"POST", "/api/v1/transfers", RouteId::kCreateTransfer},
    {"GET", "/api/v1/transfers/{id}", RouteId::kGetTransfer},
    {"POST", "/api/v1/transfers/{id}/confirm", RouteId::kConfirmTransfer},
    {"POST", "/api/v1/transfers/{id}/cancel", RouteId::kCancelTransfer},
    {"POST", "/api/v1/events", RouteId::kCreateEvent},
    {"GET", "/api/v1/events/{id}", RouteId::kGetEvent},
    {"GET", "/api/v1/events/{id}/seats", RouteId::kListSeats},
    {"GET", "/healthz", RouteId::kHealthz},
    {"GET", "/readyz", RouteId::kReadyz},
    {"GET", "/metrics", RouteId::kMetrics},
    {"GET", "/api/v1/openapi.json", RouteId::kOpenApi},
    {"GET", "/", RouteId::kDashboard},
    {"POST", "/api/v1/batch", RouteId::kBatch},
    {"GET", "/api/v1/changes", RouteId::kListChanges},
    {"GET", "/api/v1/changes/stream", RouteId::kChangeStream},
    {"POST", "/api/v1/webhooks", RouteId::kCreateWebhook},
    {"GET", "/api/v1/webhooks/{id}", RouteId::kGetWebhook},
    {"POST", "/api/v1/webhooks/{id}/replay", RouteId::kReplayWebhook},
    {"POST", "/api/v1/webhooks/{id}/disable", RouteId::kDisableWebhook},
    {"POST", "/api/v1/webhooks/{id}/enable", RouteId::kEnableWebhook},
    {"POST", "/api/v1/items/{id}/waitlist", RouteId::kJoinWaitlist},
    {"GET", "/api/v1/items/{id}/waitlist", RouteId::kListWaitlist},
    {"GET", "/api/v1/waitlist/{id}", RouteId::kGetWaitlistEntry},
    {"POST", "/api/v1/waitlist/{id}/leave", RouteId::kLeaveWaitlist},
    {"POST", "/api/v1/draws", RouteId::kCreateDraw},
    {"GET", "/api/v1/draws/{id}", RouteId::kGetDraw},
    {"POST", "/api/v1/draws/{id}/entries", RouteId::kEnterDraw},
    {"POST", "/api/v1/draws/{id}/run", RouteId::kRunDraw},
}};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// No route has more segments than this; a longer path matches none.
constexpr std::size_t kMaxSegments = 8;

// The segments of "/a/b": {"a", "b"}; "/" gives {""}, "" gives none. Stops
// at kMaxSegments + 1 (enough to know the path is too long for any route).
struct Segments {
  std::array<std::string_view, kMaxSegments + 1> parts;
  std::size_t count = 0;
};

Segments SplitPath(std::string_view path) {
  Segments out;
  if (path.empty()) return out;
  if (path.front() == '/') path.remove_prefix(1);
  while (out.count < out.parts.size()) {
    std::size_t slash = path.find('/');
    out.parts[out.count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// The templates split once, at first use (the table is static).
const std::array<Segments, kRoutes.size()>& TemplateSegments() {
  static const auto table = [] {
    std::array<Segments, kRoutes.size()> out;
    for (std::size_t i = 0; i < kRoutes.size(); ++i) out[i] = SplitPath(kRoutes[i].route);
    return out;
  }();
  return table;
}

bool IsParam(std::string_view part) {
  return part.size() > 2 && part.front() == '{' && part.back() == '}';
}

// Whether decoded path segments fit a template (no allocation).
bool MatchTemplate(const Segments& parts, const Segments& segments) {
  if (parts.count != segments.count) return false;
  for (std::size_t i = 0; i < parts.count; ++i) {
    if (IsParam(parts.parts[i])) {
      if (segments.parts[i].empty()) return false;
    } else if (parts.parts[i] != segments.parts[i]) {
      return false;
    }
  }
  return true;
}

ParamList ParamsOf(const Segments& parts, const Segments& segments) {
  ParamList params;
  for (std::size_t i = 0; i < parts.count; ++i) {
    std::string_view part = parts.parts[i];
    if (IsParam(part)) {
      params.emplace_back(std::string(part.substr(1, part.size() - 2)),
                          std::string(segments.parts[i]));
    }
  }
  return params;
}

std::optional<ParamList> ParseQuery(std::string_view query) {
  ParamList out;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

RouteMiss BadPath(std::string_view path) {
  return RouteMiss{InvalidField("path", "The request path is not valid percent-encoding."), "",
                   kUnmatchedRoute};
}

}  // namespace

std::span<const RouteSpec> RouteTable() { return kRoutes; }

std::string_view RouteMatch::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::expected<RouteMatch, RouteMiss> Route(std::string_view method, std::string_view target) {
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (std::size_t hash = query.find('#'); hash != std::string_view::npos) {
    query = query.substr(0, hash);
  }

  // Segments are views into the path; only those with a '%' are decoded,
  // into `decoded` (sized up front, so the views into it stay valid).
  Segments segments = SplitPath(path);
  std::array<std::string, kMaxSegments + 1> decoded;
  for (std::size_t i = 0; i < segments.count; ++i) {
    if (segments.parts[i].find('%') == std::string_view::npos) continue;
    auto text = PercentDecode(segments.parts[i], false);
    if (!text) return std::unexpected(BadPath(path));
    decoded[i] = std::move(*text);
    segments.parts[i] = decoded[i];
  }
  if (segments.count > kMaxSegments) {
    // Too long for any route; the rest must still be valid percent-encoding.
    std::string_view rest = path;
    for (std::size_t i = 0; i < kMaxSegments; ++i) rest.remove_prefix(rest.find('/') + 1);
    if (!PercentDecode(rest, false)) return std::unexpected(BadPath(path));
  }

  const bool rooted = !path.empty() && path.front() == '/';
  const auto& templates = TemplateSegments();
  std::string allow;
  std::string_view allowed_route;
  for (std::size_t r = 0; r < kRoutes.size() && rooted; ++r) {
    const RouteSpec& spec = kRoutes[r];
    if (!MatchTemplate(templates[r], segments)) continue;
    if (spec.method == method) {
      auto parsed_query = ParseQuery(query);
      if (!parsed_query) return std::unexpected(BadPath(path));
      return RouteMatch{spec.id, spec.route, std::string(path), ParamsOf(templates[r], segments),
                        std::move(*parsed_query)};
    }
    if (allow.find(spec.method) == std::string::npos) {
      if (!allow.empty()) allow += ", ";
      allow += spec.method;
    }
    allowed_route = spec.route;
  }
  if (!allow.empty()) {
    Error error{ErrorCode::kMethodNotAllowed,
                "The method " + std::string(method) + " is not allowed here; use " + allow + ".",
                {}};
    return std::unexpected(RouteMiss{std::move(error), std::move(allow), allowed_route});
  }
  Error error = NotFound("route", std::string(path));
  error.message = "No route matches the path '" + std::string(path) + "'.";
  return std::unexpected(RouteMiss{std::move(error), "", kUnmatchedRoute});
}

}  // namespace allot::http
