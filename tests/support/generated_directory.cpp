#include "support/generated_directory.hpp"

#include <stdexcept>

#include "support/process.hpp"

namespace orgcast::testing {

const std::string& small_directory() {
  static const std::string dir = [] {
    auto out = temp_dir("smalldir");
    auto gen = run_command({build_dir() + "/orgcast-gen-directory", "--preset", "small", "--out", out});
    if (gen.code != 0) throw std::runtime_error("orgcast-gen-directory failed: " + gen.output);
    return out;
  }();
  return dir;
}

std::string import_directory(const DaemonUnderTest& daemon, const std::string& dir) {
  auto imported = run_command({build_dir() + "/orgcast", "import", "--config", daemon.config_path(), "--units", dir + "/units.csv",
                               "--contacts", dir + "/contacts.csv"});
  return imported.code == 0 ? std::string() : "orgcast import failed: " + imported.output;
}

}  // namespace orgcast::testing
