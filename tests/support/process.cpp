#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <random>
#include <stdexcept>

namespace orgcast::testing {

Process::Process(std::vector<std::string> argv, std::string log_path) : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // If the test process dies (a crash, an abort from a sanitizer), its
    // servers go with it instead of lingering.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() {
  if (running()) kill();
}

bool Process::running() {
  if (status_ || pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

void Process::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  eventually([&] { return !running(); }, timeout);
  return status_;
}

void Process::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  status_ = 128 + SIGKILL;
}

std::string Process::log() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  auto dir = temp_dir("cmd");
  Process p(std::move(argv), dir + "/out.log");
  RunResult result;
  auto code = p.wait(timeout);
  if (!code) p.kill();
  result.code = code.value_or(-1);
  result.output = p.log();
  return result;
}

// Random ports below the kernel's ephemeral range (32768 and up): a port
// the kernel hands out with bind(0) may be taken by an outgoing connection's
// local side before the server that was meant to use it binds it.
int free_port() {
  static std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(15000, 32767);
  for (int attempt = 0; attempt < 200; ++attempt) {
    int port = pick(random);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free) return port;
  }
  throw std::runtime_error("no free port found below the ephemeral range");
}

std::string temp_dir(const std::string& tag) {
  std::string pattern = "/tmp/orgcast-" + tag + "-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string build_dir() { return ORGCAST_BUILD_DIR; }
std::string source_dir() { return ORGCAST_SOURCE_DIR; }

}  // namespace orgcast::testing
