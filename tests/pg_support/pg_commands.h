// The commands behind PgCluster: running PostgreSQL's programs (as the
// `postgres` OS user when the tests run as root), free ports, and the
// temporary directories the clusters live in.
#ifndef ALLOT_TESTS_PG_SUPPORT_PG_COMMANDS_H_
#define ALLOT_TESTS_PG_SUPPORT_PG_COMMANDS_H_

#include <string>
#include <vector>

namespace allot::testing::pg_commands {

inline constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

bool IsRoot();

// argv prefixed with `runuser -u postgres --` when running as root: the
// server refuses to run as root.
std::vector<std::string> AsPostgres(std::vector<std::string> argv);

// Runs argv to completion; returns its exit status (-1 if it did not exit
// normally) and appends its stdout and stderr to *output (if not null).
int RunCommand(const std::vector<std::string>& argv, std::string* output);

// A port nobody listens on right now (the kernel's pick for port 0).
int FreePort();

// A new directory /tmp/allot-pg-XXXXXX, mode 0700, owned by the user the
// server runs as. "" on failure, with the reason in *error.
std::string MakeClusterDir(std::string* error);

// The path of a PostgreSQL program ("pg_ctl").
std::string Program(const char* name);

}  // namespace allot::testing::pg_commands

#endif  // ALLOT_TESTS_PG_SUPPORT_PG_COMMANDS_H_
