// The API document (daemon/openapi/spec/) and the daemon say the same:
// the same routes; the README's table is the document's operations; and
// the running daemon answers every example as documented and refuses
// mutated copies with 400 (tests/contract/contract.mjs, with Redocly's lint
// and Ajv, pinned by tests/contract/package-lock.json).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/routes.hpp"
#include "openapi/document.hpp"
#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;

namespace {

std::set<std::string> as_lines(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::set<std::string> out;
  for (const auto& [method, pattern] : pairs) out.insert(method + " " + pattern);
  return out;
}

std::string missing_from(const std::set<std::string>& from, const std::set<std::string>& other) {
  std::string out;
  for (const auto& line : from)
    if (!other.contains(line)) out += "  " + line + "\n";
  return out;
}

TEST(ApiDocument, TheRoutesAndTheDocumentsOperationsAreTheSameSet) {
  orgcast::http::Router router;
  orgcast::api::add_all_routes(router, orgcast::api::Context{}, orgcast::ServerConfig{});
  const auto routes = as_lines(router.routes());
  const auto documented = as_lines(orgcast::openapi::operations());
  EXPECT_EQ(missing_from(routes, documented), "") << "routes the document does not describe";
  EXPECT_EQ(missing_from(documented, routes), "") << "operations the daemon does not have";
}

// The README's API table, one row per operation, from the document's summaries.
std::string table_from_the_document() {
  std::string out = "| method and path | what |\n| --- | --- |\n";
  for (const auto& [method, pattern] : orgcast::openapi::operations()) {
    std::string summary(orgcast::openapi::operation(method, pattern)->at("summary").as_string());
    for (std::size_t at = 0; (at = summary.find('|', at)) != std::string::npos; at += 2) summary.replace(at, 1, "\\|");
    out += "| `" + method + " " + pattern + "` | " + summary + " |\n";
  }
  return out;
}

TEST(ApiDocument, TheReadmeTableIsTheDocumentsOperations) {
  const std::string path = std::string(ORGCAST_SOURCE_DIR) + "/README.md";
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string readme = buffer.str();
  const std::string begin = "<!-- api-table: made from daemon/openapi/spec/ -->\n", end = "<!-- end of api-table -->";
  const auto from = readme.find(begin), to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "README.md lacks " << begin;
  ASSERT_NE(to, std::string::npos) << "README.md lacks " << end;
  const auto table = table_from_the_document();
  const auto current = readme.substr(from + begin.size(), to - from - begin.size());
  if (current != table && std::getenv("ORGCAST_WRITE_README")) {
    readme.replace(from + begin.size(), to - from - begin.size(), table);
    std::ofstream(path) << readme;
    return;
  }
  EXPECT_EQ(current, table) << "the README's API table differs from the document's operations; "
                               "ORGCAST_WRITE_README=1 orgcast_integration_tests --gtest_filter=ApiDocument.TheReadmeTable* rewrites it";
}

TEST(ApiDocument, EveryExampleIsAnsweredAsDocumentedAndMutatedCopiesAreRefused) {
  const std::string dir = std::string(ORGCAST_SOURCE_DIR) + "/tests/contract";
  ASSERT_TRUE(std::filesystem::exists(dir + "/node_modules/@redocly/openapi-core"))
      << "tests/contract has no node_modules: tools/test runs `npm ci` there";
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix());
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s));
  ASSERT_EQ(import_sample_directory(daemon), "");
  auto result = run_command({"node", dir + "/contract.mjs", daemon.url(""), daemon.token()}, 240s);
  EXPECT_EQ(result.code, 0) << result.output;
  EXPECT_NE(result.output.find("failures=0"), std::string::npos) << result.output;
}

}  // namespace
