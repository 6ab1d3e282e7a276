// SMS through the configurable HTTP aggregator adapter against
// fake-sms-http: the DLT fields reach the aggregator, an
// unregistered DLT template is refused with its code and a readable reason,
// delivery callbacks in the aggregator's own field names deliver or fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "support/daemon_under_test.hpp"
#include "support/fake_provider.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/redis_server.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char* kEntity = "1101000000000000001";

json::object sent_to(const json::array& messages, const std::string& to) {
  for (const auto& m : messages)
    if (m.as_object().at("to").as_string() == to) return m.as_object();
  ADD_FAILURE() << "the aggregator got nothing for " << to;
  return {};
}

TEST(SmsHttp, DltFieldsCallbacksAndDltRejections) {
  // The aggregator knows the entity, the header and only the Hindi
  // announcement's template (…011); the English one (…012) is not registered.
  // C9's handset never takes the message.
  FakeProvider aggregator("fake-sms-http", {"--api-key", "k-123", "--entity", kEntity, "--headers", "ORGCST", "--templates",
                                            "1107172300000000011", "--undelivered", "919829000009"});
  const auto dir = temp_dir("sms-http");
  std::ofstream(dir + "/auth") << "Bearer k-123\n";
  const int daemon_port = free_port();
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(),
                         "templates:\n  dir: " + std::string(ORGCAST_SOURCE_DIR) + "/templates\n  dlt_entity_id: \"" + kEntity +
                             "\"\n"
                             "dispatch:\n  callback_base_url: http://127.0.0.1:" + std::to_string(daemon_port) +
                             "\n  retry_base_ms: 50\n  retry_cap_ms: 500\n"
                             "providers:\n"
                             "  - name: aggregator\n    type: sms_http\n    channels: [sms]\n    url: " + aggregator.url("/v1/sms") +
                             "\n    auth_header: Authorization\n    auth_value_file: " + dir + "/auth" +
                             "\n    id_path: data.message_id\n",
                         daemon_port);
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  ASSERT_EQ(import_sample_directory(daemon), "");

  auto posted = http("POST", daemon.url("/v1/broadcasts"), R"({"audience": {"units": ["RJ"]}, "template": "announcement",
      "channels": ["sms"], "variables": {"subject": "सदस्यता अभियान", "details": "कल से"}})");
  ASSERT_EQ(posted.status, 202) << posted.body;
  const std::string id(json::parse(posted.body).as_object()["id"].as_string());
  auto count = [&](const char* state) {
    auto c = json::parse(daemon.get("/v1/broadcasts/" + id).body).as_object()["counts"].as_object();
    return c.contains(state) ? c[state].as_int64() : 0;
  };
  // 11 people: Anita and Sunil read English (template not registered: failed
  // at once), Ravi's report says undelivered; the 8 others delivered.
  ASSERT_TRUE(eventually([&] { return count("delivered") == 8 && count("failed") == 3; }, 20s))
      << daemon.get("/v1/broadcasts/" + id).body << daemon.process().log();

  auto stats = json::parse(http("GET", aggregator.url("/stats")).body).as_object();
  EXPECT_EQ(stats["accepted"].as_int64(), 9);
  EXPECT_EQ(stats["rejected"].as_int64(), 2) << "a DLT rejection is permanent: not retried";
  EXPECT_EQ(stats["reports_sent"].as_int64(), 9);
  auto ramesh = sent_to(json::parse(http("GET", aggregator.url("/messages")).body).as_array(), "919829000001");
  EXPECT_EQ(ramesh["pe_id"].as_string(), kEntity);
  EXPECT_EQ(ramesh["sender"].as_string(), "ORGCST");
  EXPECT_EQ(ramesh["template_id"].as_string(), "1107172300000000011");
  EXPECT_THAT(std::string(ramesh["text"].as_string()), ::testing::HasSubstr("सदस्यता अभियान"));
  EXPECT_THAT(std::string(ramesh["callback_url"].as_string()), ::testing::MatchesRegex(".*/v1/webhooks/aggregator/[0-9a-f]{32}")) << "with the account's secret";

  auto failed = json::parse(daemon.get("/v1/broadcasts/" + id + "/recipients?state=failed").body).as_object()["recipients"].as_array();
  ASSERT_EQ(failed.size(), 3u);
  std::map<std::string, std::string> reason;
  for (const auto& r : failed) reason[std::string(r.as_object().at("contact_id").as_string())] = r.as_object().at("reason").as_string();
  EXPECT_THAT(reason["C3"], ::testing::HasSubstr("rejected_content (TEMPLATE_NOT_FOUND): DLT: the DLT template id is not registered"));
  EXPECT_THAT(reason["C10"], ::testing::HasSubstr("TEMPLATE_NOT_FOUND"));
  EXPECT_THAT(reason["C9"], ::testing::HasSubstr("UNDELIV"));
}

}  // namespace
