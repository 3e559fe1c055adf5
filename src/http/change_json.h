// A change of the journal as the contract's JSON ("Changes" in docs/api.md):
// {"seq", "type", "at", "data"}, where data is the record right after the
// change, encoded exactly as its GET answers it (an account item as an
// account, an event with its seat counts).
#ifndef ALLOT_HTTP_CHANGE_JSON_H_
#define ALLOT_HTTP_CHANGE_JSON_H_

#include <string>
#include <vector>

#include "allot/journal.h"

namespace allot::http {

std::string EncodeChange(const Change& change);
// {"changes": [...], "next": SEQ}
std::string EncodeChangePage(const std::vector<Change>& changes, std::int64_t next);

}  // namespace allot::http

#endif  // ALLOT_HTTP_CHANGE_JSON_H_
