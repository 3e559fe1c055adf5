// What the handler needs to know about the routes that write: which they
// are, which only an admin may use, and how a body becomes their command.
// Shared by single requests, pipelined ones and the entries of a /batch.
#ifndef ALLOT_HTTP_WRITE_ROUTES_H_
#define ALLOT_HTTP_WRITE_ROUTES_H_

#include <string_view>

#include "allot/commands.h"
#include "allot/error.h"
#include "http/router.h"

namespace allot::http {

// A route whose request is a command for the engine (every POST route but
// /batch, which carries such requests).
bool IsWrite(RouteId id);
// Routes only an admin may use: they create or change what is for sale.
bool IsAdminOnly(RouteId id);

// The command of a write route's body (see json_codec.h). `one_line_form`
// is set when a reservation or order used {"itemId","qty"} instead of lines.
Expected<CommandBody> DecodeCommand(const RouteMatch& route, std::string_view body,
                                    bool* one_line_form);

// Validation names the fields of the decoded command ("lines[0].qty"); a
// client that used the one-line form sent "qty", so that is the name it gets.
void NameOneLineFields(CommandResult& result);

}  // namespace allot::http

#endif  // ALLOT_HTTP_WRITE_ROUTES_H_
