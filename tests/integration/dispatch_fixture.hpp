#pragma once
// A daemon dispatching to a provider simulator, both started by the test,
// with helpers to post broadcasts and read their counts.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"
#include "support/sample_directory.hpp"

namespace orgcast::testing {

namespace json = boost::json;
using namespace std::chrono_literals;

class DispatchTest : public ::testing::Test {
 public:
  /// A counter of a broadcast's JSON (group "counts", "by_channel" or "by_unit"), 0 if absent.
  static long long count_in(json::object b, const char* group, const std::string& key) {
    if (!b.contains(group) || !b[group].is_object()) return 0;
    auto& counts = b[group].as_object();
    return counts.contains(key) ? counts[key].as_int64() : 0;
  }

 protected:
  /// Starts the simulator with `sim_flags` and a daemon dispatching to it
  /// (`extra_dispatch`: more lines of its dispatch section), and imports the
  /// hand-written sample directory (11 recipients in RJ) or, with
  /// `generated`, the generated small one (1,326 contacts).
  void start(const std::vector<std::string>& sim_flags, const std::string& extra_dispatch = "", bool generated = false) {
    sim_ = std::make_unique<ProviderSim>(sim_flags);
    int port = free_port();
    daemon_ = std::make_unique<DaemonUnderTest>(
        shared_redis_port(), prefix_,
        dispatch_section(*sim_, port, "  workers: 2\n  concurrency: 8\n  retry_base_ms: 20\n  retry_cap_ms: 200\n  max_attempts: 10\n" + extra_dispatch),
        port);
    if (generated) {
      ASSERT_EQ(import_small_directory(*daemon_), "");
      daemon_->start();
      ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
      return;
    }
    daemon_->start();
    ASSERT_TRUE(daemon_->wait_ready(10s)) << daemon_->process().log();
    ASSERT_EQ(import_sample_directory(*daemon_), "");
  }

  std::string broadcast(const std::string& channels, const std::string& more = "") {
    return post(R"({"audience": {"units": ["RJ"]}, "template": "announcement", "variables": {"subject": "बैठक कल 10 बजे", "details": "ज़िला कार्यालय में"}, "channels": )" + channels + more + "}");
  }
  /// POSTs a broadcast; its id ("" if it was not accepted).
  std::string post(const std::string& body) {
    auto r = http("POST", daemon_->url("/v1/broadcasts"), body);
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202) return "";
    return std::string(json::parse(r.body).as_object()["id"].as_string());
  }

  json::object info(const std::string& id) {
    auto r = daemon_->get("/v1/broadcasts/" + id);
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec || !v.is_object()) {
      ADD_FAILURE() << "GET /v1/broadcasts/" << id << ": " << r.status << " " << r.body << "\n" << daemon_->process().log();
      return {};
    }
    return v.as_object();
  }
  long long count(const std::string& id, const char* state) { return count_in(info(id), "counts", state); }
  /// Recipients the provider took (sent, delivered, read or failed by report).
  long long reached(const std::string& id) {
    auto b = info(id);
    return count_in(b, "counts", "sent") + count_in(b, "counts", "delivered") + count_in(b, "counts", "read");
  }
  json::object sim_stats() { return json::parse(http("GET", sim_->url("/stats")).body).as_object(); }

  std::string prefix_ = unique_prefix();
  std::unique_ptr<ProviderSim> sim_;
  std::unique_ptr<DaemonUnderTest> daemon_;
};

}  // namespace orgcast::testing
