// An LD_PRELOAD shim for redis-server that notes what is durable: after
// every fsync or fdatasync of an append-only file, it appends the file's
// name and size to the file named by ORGCAST_FSYNC_LOG. A test then
// simulates a power cut: SIGKILL Redis, cut each AOF back to the size its
// last fsync reached, and start Redis again (tests/integration/power_cut_test.cpp).
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void note_synced(int fd) {
  const char* log = std::getenv("ORGCAST_FSYNC_LOG");
  if (!log) return;
  char link[64], path[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const auto n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = '\0';
  if (!std::strstr(path, ".aof")) return;
  struct stat st{};
  if (fstat(fd, &st) != 0) return;
  char line[4200];
  const int size = std::snprintf(line, sizeof line, "%s %lld\n", path, static_cast<long long>(st.st_size));
  // One write(2) per line with O_APPEND: lines from Redis's threads do not interleave.
  const int out = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (out < 0) return;
  [[maybe_unused]] auto written = write(out, line, static_cast<std::size_t>(size));
  close(out);
}

}  // namespace

extern "C" int fsync(int fd) {
  static auto real = reinterpret_cast<int (*)(int)>(dlsym(RTLD_NEXT, "fsync"));
  const int r = real(fd);
  if (r == 0) note_synced(fd);
  return r;
}

extern "C" int fdatasync(int fd) {
  static auto real = reinterpret_cast<int (*)(int)>(dlsym(RTLD_NEXT, "fdatasync"));
  const int r = real(fd);
  if (r == 0) note_synced(fd);
  return r;
}
