// The service's queries and history: validation of the ids, 404s, the
// clock; the reading itself is api/queries.cc.
#include "api/service.h"
#include "api/validate.h"

namespace allot::api {

Expected<RecordPage<Reservation>> Service::ListReservations(
    const ListQuery& query, std::optional<ReservationStatus> status) {
  return api::ListReservations(reader_, query, status, clock_.NowMs());
}

Expected<RecordPage<Order>> Service::ListOrders(const ListQuery& query,
                                                std::optional<OrderStatus> status) {
  return api::ListOrders(reader_, query, status);
}

Expected<RecordPage<Transfer>> Service::ListTransfers(const ListQuery& query,
                                                      std::optional<TransferStatus> status) {
  return api::ListTransfers(reader_, query, status, clock_.NowMs());
}

Expected<HistoryPage> Service::ItemHistory(std::string_view item_id, std::int64_t after,
                                           std::size_t limit,
                                           const std::optional<std::string>& viewer) {
  auto item = GetItem(item_id);
  if (!item) return std::unexpected(item.error());
  return ReadHistory(reader_, item->id, after, limit, viewer);
}

Expected<HistoryPage> Service::AccountHistory(std::string_view account_id, std::int64_t after,
                                              std::size_t limit,
                                              const std::optional<std::string>& viewer) {
  auto account = GetAccount(account_id);
  if (!account) return std::unexpected(account.error());
  return ReadHistory(reader_, AccountItemId(account_id), after, limit, viewer);
}

Expected<Item> Service::GetItemAsOf(std::string_view id, std::int64_t at_ms) {
  auto item = GetItem(id);
  if (!item) return item;
  auto then = ItemAsOf(reader_, *item, at_ms);
  if (!then) return std::unexpected(then.error());
  if (!*then) {
    Error e = NotFound("item", std::string(id));
    e.message = "Item '" + std::string(id) + "' did not exist yet at that time.";
    return Fail(std::move(e));
  }
  return std::move(**then);
}

Expected<Account> Service::GetAccountAsOf(std::string_view id, std::int64_t at_ms) {
  if (!IsValidId(id)) return Fail(NotFound("account", std::string(id)));
  auto item = reader_.GetItem(AccountItemId(id), clock_.NowMs());
  if (!item) return std::unexpected(item.error());
  if (!*item) return Fail(NotFound("account", std::string(id)));
  auto then = ItemAsOf(reader_, **item, at_ms);
  if (!then) return std::unexpected(then.error());
  if (!*then) {
    Error e = NotFound("account", std::string(id));
    e.message = "Account '" + std::string(id) + "' did not exist yet at that time.";
    return Fail(std::move(e));
  }
  return AccountFromItem(**then);
}

}  // namespace allot::api
