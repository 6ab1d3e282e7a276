#pragma once
// Child processes for integration tests: started by us, stopped by their
// PID, never left behind (the destructor kills what is still running).
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace orgcast::testing {

class Process {
 public:
  /// Starts argv[0] with the given arguments; stdout and stderr go to `log_path`.
  Process(std::vector<std::string> argv, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  /// Waits for exit; nullopt on timeout. Returns the exit code (128+signal if killed).
  std::optional<int> wait(std::chrono::milliseconds timeout);
  /// SIGKILL and reap.
  void kill();
  std::string log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

/// Runs a command to completion (bounded); returns exit code and output.
struct RunResult {
  int code = -1;
  std::string output;
};
RunResult run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();

/// A fresh temporary directory.
std::string temp_dir(const std::string& tag);

/// Polls `condition` every 20 ms until true or the timeout; returns its last value.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    struct timespec ts {0, 20'000'000};
    nanosleep(&ts, nullptr);
  }
}

/// Where the built binaries are (set by CMake for the tests).
std::string build_dir();
std::string source_dir();

}  // namespace orgcast::testing
