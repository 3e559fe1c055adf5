// libFuzzer target: the JSON decoder of every POST body. The input is the
// body, given to each decoder in turn; a decoded command must then go through
// api::Validate (which sees values the decoder does not range-check) without
// crashing or tripping UBSan, and a refusal must say why.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "allot/commands.h"
#include "api/validate.h"
#include "http/json_codec.h"

namespace {

template <typename T>
void Revalidate(const allot::Expected<T>& decoded) {
  if (!decoded) {
    if (decoded.error().message.empty()) std::abort();
    return;
  }
  (void)allot::api::Validate(allot::CommandBody(*decoded));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace h = allot::http;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  // Path ids come from the router; one plausible id keeps the decoders'
  // id-taking paths covered without spending input on it.
  constexpr std::string_view kId = "r-1";

  bool one_line = false;
  Revalidate(h::DecodeCreateItem(body));
  Revalidate(h::DecodeAdjustItem(kId, body));
  Revalidate(h::DecodeReserve(body, &one_line));
  Revalidate(h::DecodeReserve(body));
  Revalidate(h::DecodeConfirmReservation(kId, body));
  Revalidate(h::DecodeCancelReservation(kId, body));
  Revalidate(h::DecodePlaceOrder(body, &one_line));
  Revalidate(h::DecodeCancelOrder(kId, body));
  Revalidate(h::DecodeCreateAccount(body));
  Revalidate(h::DecodeCreateTransfer(body));
  Revalidate(h::DecodeConfirmTransfer(kId, body));
  Revalidate(h::DecodeCancelTransfer(kId, body));
  Revalidate(h::DecodeCreateEvent(body));
  return 0;
}
