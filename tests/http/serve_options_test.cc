#include "http/serve_options.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

namespace allot::http {
namespace {

using namespace std::chrono_literals;

EnvLookup NoEnv() {
  return [](const char*) -> const char* { return nullptr; };
}

EnvLookup EnvOf(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

Expected<CommandLine> Parse(std::vector<std::string_view> args, EnvLookup env = NoEnv()) {
  return ParseCommandLine(args, env);
}

// A config file in a fresh temporary directory, removed with the object.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("allot_config_test_" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(dir_);
    std::ofstream(path()) << text;
  }
  ~ConfigFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string path() const { return (dir_ / "allot.conf").string(); }

 private:
  std::filesystem::path dir_;
};

// Every option the command line must have, with a valid value that is not
// its default. Written out here, apart from the table, so that an option
// dropped from the table fails the tests below.
const std::map<std::string, std::string>& SampleValues() {
  static const std::map<std::string, std::string> values = {
      {"listen", "127.0.0.2:9090"},
      {"db", "other.db"},
      {"batch-max", "7"},
      {"sync", "normal"},
      {"threads", "5"},
      {"queue-max", "77"},
      {"changes-retention-days", "30"},
      {"max-connections", "33"},
      {"max-body-bytes", "2048"},
      {"max-header-bytes", "4096"},
      {"max-headers", "12"},
      {"max-uri-bytes", "512"},
      {"idle-timeout-ms", "1500"},
      {"read-timeout-ms", "2500"},
      {"write-timeout-ms", "3500"},
      {"shutdown-grace-ms", "4500"},
      {"tokens", "tokens.txt"},
      {"log-level", "debug"},
      {"access-log", "off"},
      {"config", "unused.conf"},
      {"webhook-retry-hours", "5"},
      {"webhook-allow-hosts", "hooks.example.com,10.0.0.7"},
  };
  return values;
}

TEST(ServeOptionsTest, Defaults) {
  auto line = Parse({"serve"});
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->action, Action::kServe);
  const ServeOptions& o = line->serve;
  EXPECT_EQ(o.server.host, "127.0.0.1");
  EXPECT_EQ(o.server.port, 8080);
  EXPECT_EQ(o.db, "allot.db");
  EXPECT_EQ(o.batch_max, 10'000u);
  EXPECT_EQ(o.sync, SyncMode::kFull);
  EXPECT_EQ(o.server.threads, 2);
  EXPECT_EQ(o.queue_max, 100'000u);
  EXPECT_EQ(o.server.max_connections, 10'000u);
  EXPECT_EQ(o.server.body_limit_bytes, 64u * 1024);
  EXPECT_EQ(o.server.header_limit_bytes, 16u * 1024);
  EXPECT_EQ(o.server.max_header_count, 100u);
  EXPECT_EQ(o.server.max_target_bytes, 8u * 1024);
  EXPECT_EQ(o.server.idle_timeout, 30s);
  EXPECT_EQ(o.server.read_timeout, 10s);
  EXPECT_EQ(o.server.write_timeout, 10s);
  EXPECT_EQ(o.server.shutdown_grace, 10s);
  EXPECT_EQ(o.tokens_path, std::nullopt);
  EXPECT_EQ(o.log_level, "info");
  EXPECT_TRUE(o.access_log);
  EXPECT_EQ(o.config_path, std::nullopt);
  EXPECT_EQ(o.webhook_retry_hours, 72);
  EXPECT_EQ(o.webhook_allow_hosts, "");
}

TEST(ServeOptionsTest, WebhookRetryHoursIsZeroToAYear) {
  EXPECT_EQ(Parse({"serve", "--webhook-retry-hours", "0"})->serve.webhook_retry_hours, 0);
  EXPECT_EQ(Parse({"serve", "--webhook-retry-hours", "8760"})->serve.webhook_retry_hours, 8760);
  EXPECT_FALSE(Parse({"serve", "--webhook-retry-hours", "8761"}).has_value());
  EXPECT_FALSE(Parse({"serve", "--webhook-retry-hours", "-1"}).has_value());
  EXPECT_EQ(Parse({"serve"}, EnvOf({{"ALLOT_WEBHOOK_ALLOW_HOSTS", "a.example"}}))
                ->serve.webhook_allow_hosts,
            "a.example");
}

TEST(ServeOptionsTest, TheTableHasEveryOptionAndNoOther) {
  std::vector<std::string> names;
  for (const OptionSpec& spec : ServeOptionSpecs()) names.emplace_back(spec.name);
  std::vector<std::string> expected;
  for (const auto& [name, value] : SampleValues()) expected.push_back(name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, expected);
}

TEST(ServeOptionsTest, AllFlagsBothForms) {
  auto line = Parse({"serve",
                     "--listen",
                     "127.0.0.1:0",
                     "--db=/tmp/x.db",
                     "--batch-max",
                     "1",
                     "--sync=normal",
                     "--threads",
                     "4",
                     "--queue-max=50",
                     "--max-connections",
                     "9",
                     "--max-body-bytes=1000",
                     "--max-header-bytes",
                     "2000",
                     "--max-headers=10",
                     "--max-uri-bytes",
                     "300",
                     "--idle-timeout-ms=40",
                     "--read-timeout-ms",
                     "50",
                     "--write-timeout-ms=60",
                     "--shutdown-grace-ms",
                     "0",
                     "--tokens=t.txt",
                     "--log-level",
                     "warn",
                     "--access-log=off"});
  ASSERT_TRUE(line.has_value()) << line.error().message;
  const ServeOptions& o = line->serve;
  EXPECT_EQ(o.server.port, 0);
  EXPECT_EQ(o.db, "/tmp/x.db");
  EXPECT_EQ(o.batch_max, 1u);
  EXPECT_EQ(o.sync, SyncMode::kNormal);
  EXPECT_EQ(o.server.threads, 4);
  EXPECT_EQ(o.queue_max, 50u);
  EXPECT_EQ(o.server.max_connections, 9u);
  EXPECT_EQ(o.server.body_limit_bytes, 1000u);
  EXPECT_EQ(o.server.header_limit_bytes, 2000u);
  EXPECT_EQ(o.server.max_header_count, 10u);
  EXPECT_EQ(o.server.max_target_bytes, 300u);
  EXPECT_EQ(o.server.idle_timeout, 40ms);
  EXPECT_EQ(o.server.read_timeout, 50ms);
  EXPECT_EQ(o.server.write_timeout, 60ms);
  EXPECT_EQ(o.server.shutdown_grace, 0ms);
  EXPECT_EQ(o.tokens_path, "t.txt");
  EXPECT_EQ(o.log_level, "warn");
  EXPECT_FALSE(o.access_log);
}

// Each option, given in each of the three ways, ends up in ServeOptions.
TEST(ServeOptionsTest, EveryOptionWorksAsFlagEnvironmentAndFileLine) {
  const ServeOptions defaults;
  for (const OptionSpec& spec : ServeOptionSpecs()) {
    SCOPED_TRACE(std::string(spec.name));
    if (spec.name == "config") continue;  // names a file to read: its own tests below
    const std::string& value = SampleValues().at(std::string(spec.name));
    ASSERT_NE(spec.show(defaults), value) << "the sample must differ from the default";
    // --listen off loopback would need --tokens; the samples stay on it.
    std::string flag = "--" + std::string(spec.name) + "=" + value;
    auto by_flag = Parse({"serve", flag});
    ASSERT_TRUE(by_flag.has_value()) << by_flag.error().message;
    EXPECT_EQ(spec.show(by_flag->serve), value);

    auto by_env = Parse({"serve"}, EnvOf({{EnvName(spec.name), value}}));
    ASSERT_TRUE(by_env.has_value()) << by_env.error().message;
    EXPECT_EQ(spec.show(by_env->serve), value);

    ConfigFile file(std::string(spec.name) + " = " + value + "\n");
    auto by_file = Parse({"serve", "--config", file.path()});
    ASSERT_TRUE(by_file.has_value()) << by_file.error().message;
    EXPECT_EQ(spec.show(by_file->serve), value);
  }
}

TEST(ServeOptionsTest, EnvironmentNames) {
  EXPECT_EQ(EnvName("listen"), "ALLOT_LISTEN");
  EXPECT_EQ(EnvName("batch-max"), "ALLOT_BATCH_MAX");
  EXPECT_EQ(EnvName("shutdown-grace-ms"), "ALLOT_SHUTDOWN_GRACE_MS");
}

TEST(ServeOptionsTest, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  ConfigFile file("batch-max = 3\nqueue-max = 3\nthreads = 3\n");
  auto env = EnvOf({{"ALLOT_BATCH_MAX", "2"}, {"ALLOT_QUEUE_MAX", "2"}});
  auto line = Parse({"serve", "--config", file.path(), "--batch-max", "1"}, env);
  ASSERT_TRUE(line.has_value()) << line.error().message;
  EXPECT_EQ(line->serve.batch_max, 1u);          // flag, env and file
  EXPECT_EQ(line->serve.queue_max, 2u);          // env and file
  EXPECT_EQ(line->serve.server.threads, 3);      // file only
  EXPECT_EQ(line->serve.sync, SyncMode::kFull);  // none: the default
  // An empty variable counts as unset.
  auto empty = Parse({"serve", "--config", file.path()}, EnvOf({{"ALLOT_BATCH_MAX", ""}}));
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->serve.batch_max, 3u);
}

TEST(ServeOptionsTest, ConfigFileNamedByTheEnvironment) {
  ConfigFile file("# a comment\n\n   # an indented comment\n  db =  from-file.db  \n");
  auto line = Parse({"serve"}, EnvOf({{"ALLOT_CONFIG", file.path()}}));
  ASSERT_TRUE(line.has_value()) << line.error().message;
  EXPECT_EQ(line->serve.db, "from-file.db");
  EXPECT_EQ(line->serve.config_path, file.path());
  // The flag names another file and wins.
  ConfigFile other("db = other.db\n");
  auto flagged = Parse({"serve", "--config", other.path()}, EnvOf({{"ALLOT_CONFIG", file.path()}}));
  ASSERT_TRUE(flagged.has_value());
  EXPECT_EQ(flagged->serve.db, "other.db");
}

TEST(ServeOptionsTest, ConfigFileErrorsNameTheLine) {
  struct Case {
    std::string text;
    std::string message_part;
  };
  for (const Case& c : std::vector<Case>{
           {"db = a.db\nbach-max = 5\n", "line 2: unknown option 'bach-max'"},
           {"# ok\nthreads 4\n", "line 2: expected `name = value`"},
           {"threads = 4\n\nthreads = 5\n", "line 3: threads is already set on line 1"},
           {"config = another.conf\n", "line 1: unknown option 'config'"},
           {"--threads = 4\n", "line 1: unknown option '--threads'"},
           {"\nthreads = many\n", "line 2: threads must be an integer from 1 to 256"},
       }) {
    ConfigFile file(c.text);
    auto line = Parse({"serve", "--config", file.path()});
    ASSERT_FALSE(line.has_value()) << c.text;
    EXPECT_NE(line.error().message.find(file.path()), std::string::npos) << line.error().message;
    EXPECT_NE(line.error().message.find(c.message_part), std::string::npos) << line.error().message;
  }
  auto missing = Parse({"serve", "--config", "/nonexistent/allot.conf"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("Cannot read the config file"), std::string::npos);
}

TEST(ServeOptionsTest, BadValuesNameTheirSource) {
  auto flag = Parse({"serve", "--read-timeout-ms", "0"});
  ASSERT_FALSE(flag.has_value());
  EXPECT_NE(flag.error().message.find("--read-timeout-ms must be an integer from 1"),
            std::string::npos)
      << flag.error().message;
  auto env = Parse({"serve"}, EnvOf({{"ALLOT_LOG_LEVEL", "loud"}}));
  ASSERT_FALSE(env.has_value());
  EXPECT_NE(env.error().message.find("ALLOT_LOG_LEVEL must be one of debug|info|warn|error"),
            std::string::npos)
      << env.error().message;
  // A bad value that a stronger source overrides is never read.
  EXPECT_TRUE(Parse({"serve", "--log-level", "error"}, EnvOf({{"ALLOT_LOG_LEVEL", "loud"}})));
}

TEST(ServeOptionsTest, HelpAndVersion) {
  EXPECT_EQ(Parse({"--help"})->action, Action::kHelp);
  EXPECT_EQ(Parse({"help"})->action, Action::kHelp);
  EXPECT_EQ(Parse({"serve", "--help"})->action, Action::kHelp);
  EXPECT_EQ(Parse({"serve", "--db", "x.db", "-h"})->action, Action::kHelp);
  EXPECT_EQ(Parse({"--version"})->action, Action::kVersion);
  EXPECT_EQ(Parse({"version"})->action, Action::kVersion);
}

TEST(ServeOptionsTest, HelpListsEveryOptionWithItsEnvironmentNameAndDefault) {
  const std::string usage = Usage();
  EXPECT_NE(usage.find("allot serve"), std::string::npos);
  EXPECT_NE(usage.find("allot version"), std::string::npos);
  const ServeOptions defaults;
  for (const auto& [name, sample] : SampleValues()) {
    SCOPED_TRACE(name);
    std::size_t at = usage.find("\n  --" + name + " ");
    ASSERT_NE(at, std::string::npos);
    std::size_t end = usage.find("\n\n", at + 1);
    std::string entry = usage.substr(at, end - at);
    EXPECT_NE(entry.find("env " + EnvName(name)), std::string::npos) << entry;
    std::string shown = "";
    for (const OptionSpec& spec : ServeOptionSpecs()) {
      if (spec.name == name) shown = spec.show(defaults);
    }
    EXPECT_NE(entry.find("default " + (shown.empty() ? std::string("none") : shown)),
              std::string::npos)
        << entry;
  }
  EXPECT_NE(usage.find("default 65536; env ALLOT_MAX_BODY_BYTES"), std::string::npos);
  EXPECT_NE(usage.find("default 127.0.0.1:8080; env ALLOT_LISTEN"), std::string::npos);
}

TEST(ServeOptionsTest, BadArgumentsAreRefused) {
  for (std::vector<std::string_view> args :
       std::vector<std::vector<std::string_view>>{{},
                                                  {"run"},
                                                  {"serve", "--bogus"},
                                                  {"serve", "--bogus=1"},
                                                  {"serve", "stray"},
                                                  {"serve", "--listen"},
                                                  {"serve", "--batch-max", "0"},
                                                  {"serve", "--batch-max", "x"},
                                                  {"serve", "--sync", "off"},
                                                  {"serve", "--threads", "0"},
                                                  {"serve", "--queue-max", "-1"},
                                                  {"serve", "--max-connections", "0"},
                                                  {"serve", "--max-body-bytes", "0"},
                                                  {"serve", "--max-header-bytes", "100"},
                                                  {"serve", "--max-headers", "0"},
                                                  {"serve", "--max-uri-bytes", "10"},
                                                  {"serve", "--idle-timeout-ms", "0"},
                                                  {"serve", "--write-timeout-ms", "1.5"},
                                                  {"serve", "--shutdown-grace-ms", "-1"},
                                                  {"serve", "--tokens", ""},
                                                  {"serve", "--db="},
                                                  {"serve", "--access-log", "yes"},
                                                  {"serve", "--log-level", "INFO"},
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
  auto from_env = Parse({"serve"}, EnvOf({{"ALLOT_DB", "postgresql://db/allot"}}));
  ASSERT_TRUE(from_env.has_value());
  EXPECT_EQ(from_env->serve.db, "postgresql://db/allot");
}

TEST(ServeOptionsTest, LoopbackOnlyWithoutTokens) {
  for (std::string_view listen : {"0.0.0.0:8080", "10.1.2.3:80", "[::]:8080", "[2001:db8::1]:80"}) {
    auto line = Parse({"serve", "--listen", listen});
    ASSERT_FALSE(line.has_value()) << listen;
    EXPECT_NE(line.error().message.find("loopback"), std::string::npos);
    auto with_tokens = Parse({"serve", "--listen", listen, "--tokens", "tokens.txt"});
    ASSERT_TRUE(with_tokens.has_value()) << listen << ": " << with_tokens.error().message;
    EXPECT_EQ(with_tokens->serve.tokens_path, "tokens.txt");
  }
  for (std::string_view listen : {"127.0.0.1:1", "127.9.9.9:1", "[::1]:1", "localhost:1"}) {
    EXPECT_TRUE(Parse({"serve", "--listen", listen}).has_value()) << listen;
  }
  EXPECT_EQ(Parse({"serve", "--listen", "[::1]:9"})->serve.server.host, "::1");
  EXPECT_TRUE(IsLoopback("::ffff:127.0.0.1"));
  EXPECT_FALSE(IsLoopback("::ffff:10.0.0.1"));
}

TEST(ServeOptionsTest, EnvironmentFallbacks) {
  auto env = EnvOf({{"ALLOT_LISTEN", "127.0.0.1:9999"}, {"ALLOT_DB", "env.db"}});
  auto from_env = Parse({"serve"}, env);
  ASSERT_TRUE(from_env.has_value());
  EXPECT_EQ(from_env->serve.server.port, 9999);
  EXPECT_EQ(from_env->serve.db, "env.db");
  auto flags_win = Parse({"serve", "--listen", "127.0.0.1:1", "--db", "flag.db"}, env);
  ASSERT_TRUE(flags_win.has_value());
  EXPECT_EQ(flags_win->serve.server.port, 1);
  EXPECT_EQ(flags_win->serve.db, "flag.db");
}

TEST(ServeOptionsTest, ListenUrl) {
  EXPECT_EQ(ListenUrl("127.0.0.1", 8080), "http://127.0.0.1:8080");
  EXPECT_EQ(ListenUrl("::1", 80), "http://[::1]:80");
}

}  // namespace
}  // namespace allot::http
