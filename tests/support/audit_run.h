// `allot audit` run on a database, as an operator would: the real binary,
// for tests that check a database after load.
#ifndef ALLOT_TESTS_SUPPORT_AUDIT_RUN_H_
#define ALLOT_TESTS_SUPPORT_AUDIT_RUN_H_

#include <gtest/gtest.h>

#include <string>

namespace allot::testing {

// What `allot audit --db DB [--json]` printed (stdout and stderr), and its
// exit code (-1 if it could not run).
struct AuditRun {
  int exit_code = -1;
  std::string output;
};
AuditRun RunAudit(const std::string& db, bool json);

// Success when the audit exits 0 (clean), else a failure with its output.
::testing::AssertionResult AuditsClean(const std::string& db);

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_AUDIT_RUN_H_
