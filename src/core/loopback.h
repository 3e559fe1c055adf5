// Whether a host names this machine: what `allot serve` allows to listen
// without tokens, and where webhooks may deliver without
// --webhook-allow-hosts.
#ifndef ALLOT_CORE_LOOPBACK_H_
#define ALLOT_CORE_LOOPBACK_H_

#include <string_view>

namespace allot {

// 127.0.0.0/8, ::1, ::ffff:127.x.x.x or "localhost": literal forms only
// (inet_pton takes dotted quads, not "127.1" or "0x7f.1").
bool IsLoopback(std::string_view host);

}  // namespace allot

#endif  // ALLOT_CORE_LOOPBACK_H_
