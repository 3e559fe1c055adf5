// The binary's command line: version, help, exit status 2 for a bad command
// line, and options reaching the server from a config file and from the
// environment.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>

#include "blackbox.h"

namespace allot::testing {
namespace {

TEST(CliTest, VersionPrintsTheProjectVersionAndExitsZero) {
  for (const char* args : {"--version", "version"}) {
    SCOPED_TRACE(args);
    BinaryRun run = RunBinary(args);
    EXPECT_EQ(run.exit_status, 0);
    EXPECT_TRUE(std::regex_match(run.output, std::regex("allot [0-9]+\\.[0-9]+\\.[0-9]+\n")))
        << run.output;
    EXPECT_EQ(run.output, "allot " ALLOT_PROJECT_VERSION "\n");  // CMake's project(VERSION)
  }
}

TEST(CliTest, HelpListsEveryOptionWithItsEnvironmentName) {
  for (const char* args : {"--help", "serve --help"}) {
    SCOPED_TRACE(args);
    BinaryRun run = RunBinary(args);
    EXPECT_EQ(run.exit_status, 0);
    for (const char* option :
         {"listen", "db", "batch-max", "sync", "threads", "queue-max", "max-connections",
          "max-body-bytes", "max-header-bytes", "max-headers", "max-uri-bytes", "idle-timeout-ms",
          "read-timeout-ms", "write-timeout-ms", "shutdown-grace-ms", "tokens", "log-level",
          "access-log", "config"}) {
      std::string env = "ALLOT_" + std::string(option);
      for (char& c : env) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
      EXPECT_NE(run.output.find("--" + std::string(option) + " "), std::string::npos) << option;
      EXPECT_NE(run.output.find("env " + env), std::string::npos) << env;
    }
  }
}

TEST(CliTest, ABadCommandLineExitsTwoAndSaysWhy) {
  struct Case {
    const char* args;
    const char* says;
  };
  for (const Case& c : {Case{"", "Missing command"}, Case{"frobnicate", "Unknown command"},
                        Case{"serve --bogus 1", "Unknown option '--bogus'"},
                        Case{"serve --max-headers 0", "--max-headers must be an integer"},
                        Case{"serve --listen 0.0.0.0:0", "loopback"},
                        Case{"serve --config /nonexistent/allot.conf", "Cannot read"}}) {
    SCOPED_TRACE(c.args);
    BinaryRun run = RunBinary(c.args);
    EXPECT_EQ(run.exit_status, 2) << run.output;
    EXPECT_NE(run.output.find(c.says), std::string::npos) << run.output;
  }
}

// A small header-count limit from a config file, and a small URI limit
// from the environment, both reach the running server.
TEST(CliTest, ConfigFileAndEnvironmentReachTheServer) {
  ServerProcess server;
  std::string config = server.dir() + "/allot.conf";
  std::ofstream(config) << "# limits for this test\nmax-headers = 3\n";
  setenv("ALLOT_MAX_URI_BYTES", "100", 1);
  ::testing::AssertionResult started = server.Start({"--config", config});
  unsetenv("ALLOT_MAX_URI_BYTES");
  ASSERT_TRUE(started);

  HttpClient client(server.port());
  EXPECT_EQ(client.Get("/healthz").status, 200);  // Host only
  Response many = client.Get("/healthz", {{"A", "1"}, {"B", "2"}, {"C", "3"}});
  EXPECT_TRUE(IsError(many, 431, "headers_too_large")) << Describe(many);
  HttpClient other(server.port());
  Response long_uri = other.Get(ApiPath("/items/" + std::string(100, 'a')));
  EXPECT_TRUE(IsError(long_uri, 414, "uri_too_long")) << Describe(long_uri);
  server.Terminate(SIGTERM);
  server.Wait();
}

}  // namespace
}  // namespace allot::testing
