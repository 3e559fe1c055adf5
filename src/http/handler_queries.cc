// GET /reservations, /orders, /transfers (lists with filters and a
// cursor), /items/{id}/history, /accounts/{id}/history, and ?asOf= on an
// item or account. A client token lists only its own records, and reads in
// a history only its own records' ids (items and accounts are everyone's).
#include <charconv>
#include <optional>
#include <string>

#include "api/validate.h"
#include "core/time_format.h"
#include "http/handler.h"
#include "http/json_codec.h"
#include "http/query_json.h"

namespace allot::http {
namespace {

// The query parameters of one request, each at most once, none unknown.
class QueryParams {
 public:
  // nullopt (with the 400 in `error`) when a parameter is unknown or
  // repeated.
  static Expected<QueryParams> Of(const RouteMatch& route,
                                  std::initializer_list<std::string_view> known) {
    QueryParams params;
    for (const auto& [key, value] : route.query) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return Fail(InvalidField(key, "The query parameter '" + key + "' is not known here."));
      }
      for (const auto& [seen, unused] : params.values_) {
        if (seen == key) return Fail(InvalidField(key, "Give '" + key + "' once."));
      }
      params.values_.emplace_back(key, value);
    }
    return params;
  }

  // The value, nullopt when absent or empty.
  std::optional<std::string> Get(std::string_view key) const {
    for (const auto& [name, value] : values_) {
      if (name == key && !value.empty()) return value;
    }
    return std::nullopt;
  }

  Expected<std::size_t> Limit() const {
    auto text = Get("limit");
    if (!text) return api::kDefaultPageSize;
    std::size_t limit = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc() || end != text->data() + text->size() || limit < 1 ||
        limit > api::kMaxPageSize) {
      return Fail(InvalidField("limit", "'limit' must be an integer from 1 to 1000."));
    }
    return limit;
  }

  // A non-negative integer cursor (0 when absent).
  Expected<std::int64_t> After(std::string_view what) const {
    auto text = Get("after");
    if (!text) return 0;
    std::int64_t after = -1;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), after);
    if (ec != std::errc() || end != text->data() + text->size() || after < 0) {
      return Fail(InvalidField("after", "'after' must be " + std::string(what) + "."));
    }
    return after;
  }

  Expected<std::optional<std::string>> Id(std::string_view key) const {
    auto text = Get(key);
    if (text && !api::IsValidId(*text)) {
      return Fail(InvalidField(std::string(key), "'" + std::string(key) +
                                                     "' must be 1 to 128 characters of "
                                                     "A-Z a-z 0-9 . _ : -."));
    }
    return text;
  }

  template <typename Status, typename Parse>
  Expected<std::optional<Status>> StatusOf(Parse parse, std::string_view allowed) const {
    auto text = Get("status");
    if (!text) return std::nullopt;
    auto status = parse(*text);
    if (!status) {
      return Fail(InvalidField("status", "'status' must be one of " + std::string(allowed) + "."));
    }
    return status;
  }

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

constexpr std::string_view kCursor = "the 'next' of an earlier page";

}  // namespace

HttpResponse Handler::ListRecords(const RouteMatch& route, const RequestContext& context) {
  const bool reservations = route.id == RouteId::kListReservations;
  const bool orders = route.id == RouteId::kListOrders;
  auto params = reservations ? QueryParams::Of(route, {"userId", "itemId", "status", "limit",
                                                       "after"})
                : orders     ? QueryParams::Of(route, {"userId", "status", "limit", "after"})
                             : QueryParams::Of(route, {"accountId", "status", "limit", "after"});
  if (!params) return ErrorResponse(params.error());
  api::ListQuery query;
  if (context.own_records_only) query.owner = context.principal;
  auto limit = params->Limit();
  if (!limit) return ErrorResponse(limit.error());
  query.limit = *limit;
  auto after = params->After(kCursor);
  if (!after) return ErrorResponse(after.error());
  query.after = *after;
  for (auto [key, field] : {std::pair{"userId", &query.user_id}, {"itemId", &query.item_id},
                            {"accountId", &query.account_id}}) {
    auto id = params->Id(key);
    if (!id) return ErrorResponse(id.error());
    *field = std::move(*id);
  }
  if (reservations) {
    auto status = params->StatusOf<ReservationStatus>(ParseReservationStatus,
                                                      "held, confirmed, cancelled, expired");
    if (!status) return ErrorResponse(status.error());
    auto page = service_.ListReservations(query, *status);
    return page ? JsonResponse(200, EncodeReservationPage(*page)) : ErrorResponse(page.error());
  }
  if (orders) {
    auto status = params->StatusOf<OrderStatus>(ParseOrderStatus, "placed, cancelled");
    if (!status) return ErrorResponse(status.error());
    auto page = service_.ListOrders(query, *status);
    return page ? JsonResponse(200, EncodeOrderPage(*page)) : ErrorResponse(page.error());
  }
  auto status =
      params->StatusOf<TransferStatus>(ParseTransferStatus, "posted, held, cancelled, expired");
  if (!status) return ErrorResponse(status.error());
  auto page = service_.ListTransfers(query, *status);
  return page ? JsonResponse(200, EncodeTransferPage(*page)) : ErrorResponse(page.error());
}

HttpResponse Handler::History(const RouteMatch& route, const RequestContext& context) {
  auto params = QueryParams::Of(route, {"limit", "after"});
  if (!params) return ErrorResponse(params.error());
  auto limit = params->Limit();
  if (!limit) return ErrorResponse(limit.error());
  auto after = params->After("a seq (an integer of 0 or more)");
  if (!after) return ErrorResponse(after.error());
  std::optional<std::string> viewer;
  if (context.own_records_only) viewer = context.principal;
  const std::string_view id = route.Param("id");
  if (route.id == RouteId::kItemHistory) {
    auto page = service_.ItemHistory(id, *after, *limit, viewer);
    return page ? JsonResponse(200, EncodeItemHistory(*page)) : ErrorResponse(page.error());
  }
  auto page = service_.AccountHistory(id, *after, *limit, viewer);
  return page ? JsonResponse(200, EncodeAccountHistory(*page)) : ErrorResponse(page.error());
}

HttpResponse Handler::ReadAsOf(const RouteMatch& route) {
  auto params = QueryParams::Of(route, {"asOf"});
  if (!params) return ErrorResponse(params.error());
  const std::string_view id = route.Param("id");
  auto text = params->Get("asOf");
  std::optional<std::int64_t> at_ms;
  if (text) {
    at_ms = ParseTimestamp(*text);
    if (!at_ms) {
      return ErrorResponse(InvalidField(
          "asOf", "'asOf' must be an RFC 3339 UTC time with milliseconds, like "
                  "2026-11-23T10:00:00.000Z."));
    }
  }
  if (route.id == RouteId::kGetItem) {
    auto item = at_ms ? service_.GetItemAsOf(id, *at_ms) : service_.GetItem(id);
    return item ? JsonResponse(200, EncodeItem(*item)) : ErrorResponse(item.error());
  }
  auto account = at_ms ? service_.GetAccountAsOf(id, *at_ms) : service_.GetAccount(id);
  return account ? JsonResponse(200, EncodeAccount(*account)) : ErrorResponse(account.error());
}

}  // namespace allot::http
