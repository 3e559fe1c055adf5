#include "http/serve_options.h"

#include <gtest/gtest.h>

#include <map>

namespace allot::http {
namespace {

EnvLookup NoEnv() {
  return [](const char*) -> const char* { return nullptr; };
}

Expected<CommandLine> Parse(std::vector<std::string_view> args, EnvLookup env = NoEnv()) {
  return ParseCommandLine(args, env);
}

TEST(ServeOptionsTest, Defaults) {
  auto line = Parse({"serve"});
  ASSERT_TRUE(line.has_value());
  EXPECT_FALSE(line->help);
  EXPECT_EQ(line->serve.host, "127.0.0.1");
  EXPECT_EQ(line->serve.port, 8080);
  EXPECT_EQ(line->serve.db, "allot.db");
  EXPECT_EQ(line->serve.batch_max, 10'000u);
  EXPECT_EQ(line->serve.sync, SyncMode::kFull);
  EXPECT_EQ(line->serve.threads, 2);
  EXPECT_EQ(line->serve.queue_max, 100'000u);
}

TEST(ServeOptionsTest, AllFlagsBothForms) {
  auto line = Parse({"serve", "--listen", "127.0.0.1:0", "--db=/tmp/x.db", "--batch-max", "1",
                     "--sync=normal", "--threads", "4", "--queue-max=50"});
  ASSERT_TRUE(line.has_value()) << line.error().message;
  EXPECT_EQ(line->serve.port, 0);
  EXPECT_EQ(line->serve.db, "/tmp/x.db");
  EXPECT_EQ(line->serve.batch_max, 1u);
  EXPECT_EQ(line->serve.sync, SyncMode::kNormal);
  EXPECT_EQ(line->serve.threads, 4);
  EXPECT_EQ(line->serve.queue_max, 50u);
}

TEST(ServeOptionsTest, Help) {
  EXPECT_TRUE(Parse({"--help"})->help);
  EXPECT_TRUE(Parse({"serve", "--help"})->help);
  EXPECT_NE(Usage().find("allot serve"), std::string::npos);
}

TEST(ServeOptionsTest, BadArgumentsAreRefused) {
  for (std::vector<std::string_view> args :
       std::vector<std::vector<std::string_view>>{{},
                                                  {"run"},
                                                  {"serve", "--bogus"},
                                                  {"serve", "--listen"},
                                                  {"serve", "--batch-max", "0"},
                                                  {"serve", "--batch-max", "x"},
                                                  {"serve", "--sync", "off"},
                                                  {"serve", "--threads", "0"},
                                                  {"serve", "--queue-max", "-1"},
                                                  {"serve", "--listen", "127.0.0.1"},
                                                  {"serve", "--listen", "127.0.0.1:70000"},
                                                  {"serve", "--listen", "example.com:80"},
                                                  {"serve", "--listen", "::1:80"}}) {
    auto line = Parse(args);
    EXPECT_FALSE(line.has_value()) << (args.empty() ? "" : args.back());
  }
}

TEST(ServeOptionsTest, PostgresUrlIsTheDatabase) {
  auto line = Parse({"serve", "--db", "postgres://allot@localhost:5432/allot"});
  ASSERT_TRUE(line.has_value()) << line.error().message;
  EXPECT_EQ(line->serve.db, "postgres://allot@localhost:5432/allot");
  auto from_env = Parse({"serve"}, [](const char* name) -> const char* {
    return std::string_view(name) == "ALLOT_DB" ? "postgresql://db/allot" : nullptr;
  });
  ASSERT_TRUE(from_env.has_value());
  EXPECT_EQ(from_env->serve.db, "postgresql://db/allot");
}

TEST(ServeOptionsTest, LoopbackOnly) {
  for (std::string_view listen : {"0.0.0.0:8080", "10.1.2.3:80", "[::]:8080", "[2001:db8::1]:80"}) {
    auto line = Parse({"serve", "--listen", listen});
    ASSERT_FALSE(line.has_value()) << listen;
    EXPECT_NE(line.error().message.find("loopback"), std::string::npos);
  }
  for (std::string_view listen : {"127.0.0.1:1", "127.9.9.9:1", "[::1]:1", "localhost:1"}) {
    EXPECT_TRUE(Parse({"serve", "--listen", listen}).has_value()) << listen;
  }
  EXPECT_EQ(Parse({"serve", "--listen", "[::1]:9"})->serve.host, "::1");
  EXPECT_TRUE(IsLoopback("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopback("::ffff:10.0.0.1"));
}

TEST(ServeOptionsTest, EnvironmentFallbacks) {
  std::map<std::string, std::string> vars = {{"ALLOT_LISTEN", "127.0.0.1:9999"},
                                             {"ALLOT_DB", "env.db"}};
  EnvLookup env = [&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
  auto from_env = Parse({"serve"}, env);
  ASSERT_TRUE(from_env.has_value());
  EXPECT_EQ(from_env->serve.port, 9999);
  EXPECT_EQ(from_env->serve.db, "env.db");
  auto flags_win = Parse({"serve", "--listen", "127.0.0.1:1", "--db", "flag.db"}, env);
  ASSERT_TRUE(flags_win.has_value());
  EXPECT_EQ(flags_win->serve.port, 1);
  EXPECT_EQ(flags_win->serve.db, "flag.db");
}

TEST(ServeOptionsTest, ListenUrl) {
  EXPECT_EQ(ListenUrl("127.0.0.1", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(ListenUrl("::1", 80), "http://[::1]:80");
}

}  // namespace
}  // namespace allot::http
