// `allot audit` as an operator runs it: the real build/allot binary on the
// SQLite file that a real server wrote, while the server still runs (clean,
// exit 0), then after the file is tampered with (exit 1 and the drift
// line), and with a bad command line (exit 2) or a missing file (exit 3).
#include <gmock/gmock.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <filesystem>
#include <string>

#include "api.h"
#include "server_process.h"

namespace allot::testing {
namespace {

using ::testing::HasSubstr;

struct Finished {
  int exit_code = -1;  // -1: did not exit normally
  std::string output;  // stdout and stderr together
};

// Runs `allot audit <args>` and waits for it (the ctest timeout bounds it).
Finished RunAudit(const std::string& args) {
  const std::string command = "'" + ServerBinaryPath() + "' audit " + args + " 2>&1";
  Finished finished;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed: " << command;
    return finished;
  }
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) {
    finished.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  if (WIFEXITED(status)) finished.exit_code = WEXITSTATUS(status);
  return finished;
}

void Tamper(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

constexpr std::string_view kChecked =
    "checked 1 item, 2 accounts, 1 event (2 seats), 2 reservations, 0 orders, 1 transfer, "
    "7 changes\n";

TEST(AuditBlackboxTest, CleanWhileServingThenTheTamperedCounter) {
  ServerProcess server;
  ASSERT_TRUE(server.Start());
  Api api(server.port());
  ASSERT_EQ(api.CreateItem("mug", 5).status, 201);
  ASSERT_EQ(api.Reserve("ann", "mug", 2, 600).status, 201);
  ASSERT_EQ(api.Post("/accounts", R"({"id":"ann","balance":100})").status, 201);
  ASSERT_EQ(api.Post("/accounts", R"({"id":"bob","balance":0})").status, 201);
  ASSERT_EQ(api.Post("/transfers", R"({"fromId":"ann","toId":"bob","amount":30})").status, 201);
  ASSERT_EQ(api.Post("/events", R"({"id":"gig","seats":["A-1","A-2"]})").status, 201);
  ASSERT_EQ(
      api.Post("/reservations", R"({"userId":"cat","lines":[{"eventId":"gig","seat":"A-1"}]})")
          .status,
      201);

  // A live database: the server keeps running and keeps answering.
  const std::string db = "'" + server.db_path() + "'";
  Finished clean = RunAudit("--db " + db);
  EXPECT_EQ(clean.exit_code, 0) << clean.output;
  EXPECT_EQ(clean.output, "allot audit: clean; " + std::string(kChecked));
  EXPECT_EQ(api.Counts("mug"), (ItemCounts{5, 2, 3, 0}));

  ASSERT_TRUE(server.Terminate(SIGTERM));
  ASSERT_TRUE(server.Wait().has_value());
  Tamper(server.db_path(), "UPDATE items SET held = held + 1 WHERE id = 'mug'");
  Finished drift = RunAudit("--db " + db);
  EXPECT_EQ(drift.exit_code, 1) << drift.output;
  EXPECT_EQ(drift.output,
            "drift: item mug held: stored 3, recomputed 2\n"
            "allot audit: 1 drift; " +
                std::string(kChecked));
}

TEST(AuditBlackboxTest, ABadCommandLineExitsTwo) {
  for (const std::string args : {"", "--db", "--db x.db --bogus", "--listen 127.0.0.1:0"}) {
    Finished run = RunAudit(args);
    EXPECT_EQ(run.exit_code, 2) << args << ": " << run.output;
    EXPECT_THAT(run.output, HasSubstr("usage: allot audit --db")) << args;
  }
}

TEST(AuditBlackboxTest, AFileThatCannotBeOpenedExitsThree) {
  const std::string path = std::filesystem::temp_directory_path() / UniqueId("allot-audit-none");
  Finished run = RunAudit("--db '" + path + "'");
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_THAT(run.output, HasSubstr("allot audit: cannot read " + path));
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace allot::testing
