// WhatsApp through the Cloud API adapter against fake-whatsapp: template messages with their parameters, signed status
// webhooks arriving out of order and twice (a state only moves forward), an
// undeliverable recipient (131026) falling back to SMS, the webhook's GET
// verification, and unsigned webhooks refused without effect.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/fake_provider.hpp"
#include "support/http_client.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"
#include "support/sample_directory.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

TEST(WhatsAppCloud, TemplatesStatusesAndFallbackToSms) {
  const int daemon_port = free_port();
  const std::string webhook = "http://127.0.0.1:" + std::to_string(daemon_port) + "/v1/webhooks/whatsapp";
  FakeProvider whatsapp("fake-whatsapp", {"--token", "EAAG-test", "--app-secret", "s3cret", "--callback", webhook, "--undeliverable", "919829000003"});
  ProviderSim sms({"--report-delay-ms", "20"});
  const auto secrets = temp_dir("wa-secrets");
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(),
                         "dispatch:\n  callback_base_url: http://127.0.0.1:" + std::to_string(daemon_port) +
                             "\n  retry_base_ms: 50\n  retry_cap_ms: 500\n"
                             "providers:\n"
                             "  - name: whatsapp\n    type: whatsapp_cloud\n    channels: [whatsapp]\n    url: " + whatsapp.url() +
                             "\n    phone_number_id: \"1234567890\"\n    access_token_file: " + secret_file(secrets, "token", "EAAG-test") +
                             "\n    app_secret_file: " + secret_file(secrets, "secret", "s3cret") +
                             "\n    verify_token_file: " + secret_file(secrets, "verify", "verify-me") +
                             "\n  - name: sim\n    type: sim\n    channels: [sms]\n    url: " + sms.url("") + "\n",
                         daemon_port);
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  ASSERT_EQ(import_sample_directory(daemon), "");

  // Meta's subscription check.
  EXPECT_EQ(daemon.get("/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=8472").body, "8472");
  EXPECT_EQ(daemon.get("/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=8472").status, 403);

  auto posted = http("POST", daemon.url("/v1/broadcasts"), R"({"audience": {"units": ["RJ"]}, "template": "meeting_reminder",
      "channels": ["whatsapp", "sms"],
      "variables": {"meeting.title": "ज़िला बैठक", "meeting.venue": "ज़िला कार्यालय", "meeting.time": "2026-11-25T10:00:00+05:30"}})");
  ASSERT_EQ(posted.status, 202) << posted.body;
  const std::string id(json::parse(posted.body).as_object()["id"].as_string());
  auto counts = [&] { return json::parse(daemon.get("/v1/broadcasts/" + id).body).as_object()["counts"].as_object(); };
  auto count = [&](const char* state) {
    auto c = counts();
    return c.contains(state) ? c[state].as_int64() : 0;
  };
  // 8 have WhatsApp; Anita's number is not on WhatsApp: she and the 3 without it get SMS.
  ASSERT_TRUE(eventually([&] { return count("read") == 7 && count("delivered") == 4; }, 20s))
      << daemon.get("/v1/broadcasts/" + id).body << daemon.process().log();
  auto b = json::parse(daemon.get("/v1/broadcasts/" + id).body).as_object();
  EXPECT_EQ(b["by_channel"].as_object()["whatsapp:read"].as_int64(), 7) << "read before delivered did not move a state back";
  EXPECT_EQ(b["by_channel"].as_object()["sms:delivered"].as_int64(), 4);

  auto sent = json::parse(http("GET", whatsapp.url("/messages")).body).as_array();
  ASSERT_EQ(sent.size(), 7u);
  auto t = sent[0].as_object()["template"].as_object();
  EXPECT_EQ(t["name"].as_string(), "meeting_reminder");
  EXPECT_EQ(t["components"].as_array()[0].as_object()["parameters"].as_array().size(), 4u);

  // A webhook without a valid signature is refused and changes nothing.
  const std::string forged = R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[{"id":"wamid.FAKE1","status":"failed"}]}}]}]})";
  EXPECT_EQ(http("POST", daemon.url("/v1/webhooks/whatsapp"), forged).status, 401);
  EXPECT_EQ(count("read"), 7);
  EXPECT_EQ(count("failed"), 0);

  // An inbound reply, delivered twice by a retrying webhook, is stored once.
  const std::string inbound = R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[)"
                              R"({"from":"919829000004","id":"wamid.IN1","timestamp":"1","type":"text","text":{"body":"हाँ"}}]}}]}]})";
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(http("POST", daemon.url("/v1/webhooks/whatsapp"), inbound, "application/json", {{"X-Hub-Signature-256", orgcast::adapters::whatsapp_signature("s3cret", inbound)}}).status, 200);
  auto stored = json::parse(daemon.get("/v1/inbound").body).as_object()["messages"].as_array();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].as_object()["text"].as_string(), "हाँ");
  EXPECT_EQ(stored[0].as_object()["from"].as_string(), "+919829000004");
}

}  // namespace
