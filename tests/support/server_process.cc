#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace allot::testing {
namespace {

constexpr std::size_t kMaxOutputBytes = 4 << 20;
constexpr std::string_view kListening = "listening on http://";

// The port of the first complete `listening on http://HOST:PORT` line in
// `text`, or 0.
int ParseListeningPort(std::string_view text) {
  std::size_t at = text.find(kListening);
  if (at == std::string_view::npos) return 0;
  std::size_t end = text.find('\n', at);
  if (end == std::string_view::npos) return 0;  // line not complete yet
  std::string_view address = text.substr(at + kListening.size(), end - at - kListening.size());
  std::size_t stop = address.find_first_of(" \t\r/");
  if (stop != std::string_view::npos) address = address.substr(0, stop);
  std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return -1;
  int port = std::atoi(std::string(address.substr(colon + 1)).c_str());
  return port > 0 && port < 65536 ? port : -1;
}

}  // namespace

std::string ServerBinaryPath() {
  if (const char* env = std::getenv("ALLOT_BINARY"); env != nullptr && *env != '\0') return env;
#ifdef ALLOT_BINARY
  return ALLOT_BINARY;
#else
  return "build/allot";
#endif
}

ServerProcess::ServerProcess() {
  std::string pattern = (std::filesystem::temp_directory_path() / "allot-bb-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
    return;
  }
  dir_ = pattern;
}

ServerProcess::~ServerProcess() {
  Kill();
  JoinReader();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

::testing::AssertionResult ServerProcess::Start(const std::vector<std::string>& extra_args,
                                                std::chrono::milliseconds timeout) {
  if (running()) return ::testing::AssertionFailure() << "server already running";
  if (dir_.empty()) return ::testing::AssertionFailure() << "no temporary directory";
  JoinReader();

  std::vector<std::string> args = {ServerBinaryPath(), "serve", "--listen",
                                   "127.0.0.1:0",      "--db",  db_path()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return ::testing::AssertionFailure() << "pipe2: " << std::strerror(errno);
  }
  {
    std::lock_guard lock(mu_);
    eof_ = false;
    run_start_ = output_.size();
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return ::testing::AssertionFailure() << "fork: " << std::strerror(errno);
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here to exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    if (chdir(dir_.c_str()) != 0) _exit(126);
    execv(argv[0], argv.data());
    const char msg[] = "exec of the server binary failed\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
  }
  close(fds[1]);
  pid_ = pid;
  port_ = 0;
  reader_ = std::thread([this, fd = fds[0]] { ReadOutput(fd); });

  std::unique_lock lock(mu_);
  bool ready = cv_.wait_for(lock, timeout, [&] {
    return eof_ || ParseListeningPort(std::string_view(output_).substr(run_start_)) != 0;
  });
  int port = ParseListeningPort(std::string_view(output_).substr(run_start_));
  std::string run_output = output_.substr(run_start_);
  lock.unlock();
  if (ready && port > 0) {
    port_ = port;
    return ::testing::AssertionSuccess();
  }
  Kill();
  return ::testing::AssertionFailure() << (port < 0 ? "unparsable listening line"
                                           : !ready ? "no `listening on` line within timeout"
                                                    : "server exited before listening")
                                       << " (binary " << args[0] << "); output:\n"
                                       << run_output;
}

void ServerProcess::ReadOutput(int fd) {
  char buffer[4096];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mu_);
    if (n <= 0) {
      eof_ = true;
      cv_.notify_all();
      break;
    }
    output_.append(buffer, static_cast<std::size_t>(n));
    if (output_.size() > kMaxOutputBytes) {
      std::size_t drop = output_.size() - kMaxOutputBytes / 2;
      output_.erase(0, drop);
      run_start_ = run_start_ > drop ? run_start_ - drop : 0;
    }
    cv_.notify_all();
  }
  close(fd);
}

void ServerProcess::JoinReader() {
  if (reader_.joinable()) reader_.join();
}

bool ServerProcess::Terminate(int signal) {
  if (!running()) return false;
  return kill(pid_, signal) == 0;
}

std::optional<int> ServerProcess::Wait(std::chrono::milliseconds timeout) {
  if (!running()) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      JoinReader();  // the output pipe closes when the process is gone
      return status;
    }
    if (done < 0 && errno != EINTR) {
      pid_ = -1;
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<int> ServerProcess::Poll() {
  if (!running()) return std::nullopt;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
  pid_ = -1;
  JoinReader();
  return status;
}

void ServerProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  JoinReader();
}

std::string ServerProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

bool ServerProcess::WaitForOutput(std::string_view text, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout,
                      [&] { return output_.find(text, run_start_) != std::string::npos; });
}

BinaryRun RunBinary(const std::string& args) {
  BinaryRun run;
  std::string command = "'" + ServerBinaryPath() + "' " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    run.output.append(buffer, n);
  int status = pclose(pipe);
  if (WIFEXITED(status)) run.exit_status = WEXITSTATUS(status);
  return run;
}

}  // namespace allot::testing
