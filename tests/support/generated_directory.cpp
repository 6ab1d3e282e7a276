#include "support/generated_directory.hpp"

#include <stdexcept>

#include "support/daemon_under_test.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/sample_directory.hpp"

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

std::string import_sample_directory(const DaemonUnderTest& daemon) {
  auto imported = http_multipart(daemon.url("/v1/directory/import"),
                                 {{"units", orgcast::fixtures::kSampleUnits}, {"contacts", orgcast::fixtures::kSampleContacts}});
  if (imported.status != 200) return "import answered " + std::to_string(imported.status) + ": " + imported.body;
  if (!eventually([&] { return daemon.get("/readyz").body.find("\"directory_version\":1") != std::string::npos; }, std::chrono::seconds(5)))
    return "the index did not load the import: " + daemon.get("/readyz").body;
  return "";
}

}  // namespace orgcast::testing
