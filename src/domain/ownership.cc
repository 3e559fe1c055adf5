// Who may act on a reservation, order or transfer: its creator, or anyone
// when the context is not limited to its own records (an admin token, or the
// open service).
#include "domain/decisions.h"

namespace allot::domain {

Status RequireOwner(const Context& ctx, std::string_view owner, std::string_view resource,
                    std::string_view id) {
  if (!ctx.own_records_only || owner == ctx.principal) return {};
  return Fail(NotYours(std::string(resource), std::string(id)));
}

}  // namespace allot::domain
