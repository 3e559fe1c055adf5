#include "audit_run.h"

#include <sys/wait.h>

#include <cstdio>

namespace allot::testing {

AuditRun RunAudit(const std::string& db, bool json) {
  AuditRun run;
  const std::string command =
      std::string(ALLOT_BINARY) + " audit" + (json ? " --json" : "") + " --db '" + db + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, n);
  const int status = pclose(pipe);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

::testing::AssertionResult AuditsClean(const std::string& db) {
  const AuditRun run = RunAudit(db, false);
  if (run.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "allot audit exited " << run.exit_code << ":\n"
                                       << run.output;
}

}  // namespace allot::testing
