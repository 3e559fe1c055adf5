#include "http/router.h"

#include <array>

namespace allot::http {
namespace {

constexpr std::array<RouteSpec, 27> kRoutes = {{
    {"POST", "/api/v1/items", RouteId::kCreateItem},
    {"GET", "/api/v1/items", RouteId::kListItems},
    {"GET", "/api/v1/items/{id}", RouteId::kGetItem},
    {"POST", "/api/v1/items/{id}/adjustments", RouteId::kAdjustItem},
    {"POST", "/api/v1/reservations", RouteId::kReserve},
    {"POST", "/api/v1/reserve", RouteId::kReserve},
    {"GET", "/api/v1/reservations/{id}", RouteId::kGetReservation},
    {"POST", "/api/v1/reservations/{id}/confirm", RouteId::kConfirmReservation},
    {"POST", "/api/v1/reservations/{id}/cancel", RouteId::kCancelReservation},
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
    {"GET", "/api/v1/stream", RouteId::kStream},
}};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits "/a/b" into {"a", "b"}; "/" gives {""}, "" gives {}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty()) return segments;
  if (path.front() == '/') path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// Matches decoded path segments against a template; fills `params` on success.
bool MatchTemplate(std::string_view route, const std::vector<std::string>& segments,
                   ParamList& params) {
  std::vector<std::string_view> parts = SplitPath(route);
  if (parts.size() != segments.size()) return false;
  ParamList found;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      if (segments[i].empty()) return false;
      found.emplace_back(std::string(part.substr(1, part.size() - 2)), segments[i]);
    } else if (part != segments[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
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

  std::vector<std::string> segments;
  for (std::string_view raw : SplitPath(path)) {
    auto decoded = PercentDecode(raw, false);
    if (!decoded) return std::unexpected(BadPath(path));
    segments.push_back(std::move(*decoded));
  }

  std::string allow;
  std::string_view allowed_route;
  for (const RouteSpec& spec : kRoutes) {
    ParamList params;
    if (path.empty() || path.front() != '/' || !MatchTemplate(spec.route, segments, params)) {
      continue;
    }
    if (spec.method == method) {
      auto parsed_query = ParseQuery(query);
      if (!parsed_query) return std::unexpected(BadPath(path));
      return RouteMatch{spec.id, spec.route, std::string(path), std::move(params),
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
