// Runs the real allot server binary as a child process for black-box tests.
//
// Each ServerProcess owns a fresh temporary directory (removed in the
// destructor) that holds the database and is the server's working directory.
// Start() may be called again after the previous process exited, which
// restarts the server on the same database. The destructor SIGKILLs and reaps
// a process that is still running, so no test leaves a server behind.
//
// Not thread-safe: use one ServerProcess from one test thread.
#ifndef ALLOT_TESTS_SUPPORT_SERVER_PROCESS_H_
#define ALLOT_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace allot::testing {

// The server binary: $ALLOT_BINARY if set, else the path compiled in.
std::string ServerBinaryPath();

// A run of the binary to completion, for commands that exit by themselves
// (version, help, refused command lines, audit).
struct BinaryRun {
  int exit_status = -1;  // -1 unless it exited normally
  std::string output;    // stdout and stderr
};

// Runs the server binary with `args` (shell words, quoted by the caller).
BinaryRun RunBinary(const std::string& args);

class ServerProcess {
 public:
  ServerProcess();
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Runs `allot serve --listen 127.0.0.1:0 --db <db_path()> <extra_args>`
  // and waits (up to `timeout`) for the line `listening on http://HOST:PORT`.
  // On failure the result carries the captured output and the child is killed.
  ::testing::AssertionResult Start(const std::vector<std::string>& extra_args = {},
                                   std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // Sends `signal` to the running process; false if none is running.
  bool Terminate(int signal);
  // Waits up to `timeout` for the process to exit and reaps it. Returns the
  // raw wait status (use WIFEXITED/WEXITSTATUS), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // If the process has exited, reaps it and returns its wait status;
  // nullopt while it runs (or when none was started).
  std::optional<int> Poll();
  // SIGKILL and reap; no-op when nothing is running.
  void Kill();

  bool running() const { return pid_ > 0; }
  // The running process (to inspect it under /proc or set its limits); -1 if none.
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // The SQLite database Start() passes: <dir>/allot.db unless set_db_path()
  // chose another (e.g. on a file system the test mounted).
  std::string db_path() const { return db_path_.empty() ? dir_ + "/allot.db" : db_path_; }
  void set_db_path(std::string path) { db_path_ = std::move(path); }
  // Everything the process (and earlier runs) wrote to stdout and stderr,
  // truncated to the last few hundred KiB.
  std::string output() const;
  // True once output() contains `text`; false if it does not within `timeout`
  // (the output is read by a thread, so it may lag the server a little).
  bool WaitForOutput(std::string_view text,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  void ReadOutput(int fd);
  void JoinReader();

  std::string dir_;
  std::string db_path_;  // empty: the default in dir_
  pid_t pid_ = -1;
  int port_ = 0;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;         // guarded by mu_
  bool eof_ = false;           // guarded by mu_; the current child closed its output
  std::size_t run_start_ = 0;  // guarded by mu_; offset of this run's output
};

}  // namespace allot::testing

#endif  // ALLOT_TESTS_SUPPORT_SERVER_PROCESS_H_
