#include "http/change_json.h"

#include "core/time_format.h"
#include "http/json_codec.h"

namespace allot::http {
namespace {

std::string DataJson(const ChangeData& data) {
  return std::visit(
      [](const auto& record) -> std::string {
        using T = std::decay_t<decltype(record)>;
        if constexpr (std::is_same_v<T, Item>) {
          if (AccountOfItem(record.id)) return EncodeAccount(AccountFromItem(record));
          return EncodeItem(record);
        } else if constexpr (std::is_same_v<T, Reservation>) {
          return EncodeReservation(record);
        } else if constexpr (std::is_same_v<T, Order>) {
          return EncodeOrder(record);
        } else if constexpr (std::is_same_v<T, Transfer>) {
          return EncodeTransfer(record);
        } else if constexpr (std::is_same_v<T, WaitlistEntry>) {
          return EncodeWaitlistEntry(record);
        } else if constexpr (std::is_same_v<T, Draw>) {
          return EncodeDraw(record);
        } else if constexpr (std::is_same_v<T, DrawEntry>) {
          return EncodeDrawEntry(record);
        } else {
          return EncodeEvent(record);
        }
      },
      data);
}

}  // namespace

std::string EncodeChange(const Change& change) {
  std::string out;
  const std::string data = DataJson(change.data);
  out.reserve(data.size() + 96);
  out.append(R"({"seq":)").append(std::to_string(change.seq));
  out.append(R"(,"type":")").append(ToString(change.type));
  out.append(R"(","at":")").append(FormatTimestamp(change.at_ms));
  out.append(R"(","data":)").append(data).push_back('}');
  return out;
}

std::string EncodeChangePage(const std::vector<Change>& changes, std::int64_t next) {
  std::string out = R"({"changes":[)";
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(EncodeChange(changes[i]));
  }
  out.append(R"(],"next":)").append(std::to_string(next)).push_back('}');
  return out;
}

}  // namespace allot::http
