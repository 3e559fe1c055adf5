// The `allot audit` command: recomputes every counter of a database from
// its records (see audit/audit.h) and prints what disagrees.
//
//   allot audit --db PATH | --db postgres://...
//
// Reads one consistent snapshot and changes nothing (a live server may keep
// running). Prints one line per drift, "drift: <what>: stored <value>,
// recomputed <value>", then a summary line of what was checked.
#ifndef ALLOT_AUDIT_AUDIT_COMMAND_H_
#define ALLOT_AUDIT_AUDIT_COMMAND_H_

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "core/progress.h"

namespace allot::audit {

// Exit codes of `allot audit`.
inline constexpr int kExitClean = 0;       // every counter agrees with its records
inline constexpr int kExitDrift = 1;       // at least one drift (printed)
inline constexpr int kExitUsage = 2;       // bad command line
inline constexpr int kExitUnreadable = 3;  // the database cannot be opened or read

// Runs the command; `args` are the words after "audit". Results go to `out`,
// errors and usage to `err`, and so does progress when `progress` says `err`
// is a terminal (core/progress.h). Returns the exit code.
int RunAuditCommand(std::span<const std::string_view> args, std::ostream& out, std::ostream& err,
                    const ProgressOptions& progress = {});

std::string AuditUsage();

}  // namespace allot::audit

#endif  // ALLOT_AUDIT_AUDIT_COMMAND_H_
