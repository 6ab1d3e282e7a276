// Push, then WhatsApp, then SMS: FCM through its
// fake with the OAuth2 token exchange, an unregistered token falling back,
// every person reached once on the first channel that worked.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

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

TEST(Fallback, PushThenWhatsAppThenSmsEachPersonOnce) {
  const auto dir = temp_dir("fallback");
  // fake-fcm serves the token endpoint too; its URL is known once it runs, so the key names it after.
  auto key_file = dir + "/public.pem";
  ServiceAccount account = make_service_account("pending");
  std::ofstream(key_file) << account.public_key_pem;
  FakeProvider fcm("fake-fcm", {"--public-key", key_file, "--unregistered", "tokB", "--quota-first", "1"});
  account.json.replace(account.json.find("\"pending\""), 9, "\"" + fcm.url("/token") + "\"");
  std::ofstream(dir + "/service-account.json") << account.json;
  const int daemon_port = free_port();
  FakeProvider whatsapp("fake-whatsapp", {"--token", "t", "--app-secret", "s", "--statuses", "0"});
  ProviderSim sms({"--report-delay-ms", "20"});
  std::ofstream(dir + "/t") << "t";
  std::ofstream(dir + "/s") << "s";
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(),
                         "dispatch:\n  callback_base_url: http://127.0.0.1:" + std::to_string(daemon_port) +
                             "\n  retry_base_ms: 50\n  retry_cap_ms: 500\n"
                             "providers:\n"
                             "  - {name: fcm, type: fcm, channels: [push], url: \"" + fcm.url() + "\", service_account_file: " + dir +
                             "/service-account.json}\n"
                             "  - {name: whatsapp, type: whatsapp_cloud, channels: [whatsapp], url: \"" + whatsapp.url() +
                             "\", phone_number_id: \"1\", access_token_file: " + dir + "/t, app_secret_file: " + dir + "/s, verify_token_file: " +
                             dir + "/s}\n"
                             "  - {name: sim, type: sim, channels: [sms], url: \"" + sms.url("") + "\"}\n",
                         daemon_port);
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  ASSERT_EQ(import_sample_directory(daemon), "");

  auto posted = http("POST", daemon.url("/v1/broadcasts"), R"({"audience": {"units": ["RJ"]}, "template": "announcement",
      "channels": ["push", "whatsapp", "sms"], "variables": {"subject": "सदस्यता अभियान", "details": "कल से"}})");
  ASSERT_EQ(posted.status, 202) << posted.body;
  const std::string id(json::parse(posted.body).as_object()["id"].as_string());
  auto by_channel = [&] { return json::parse(daemon.get("/v1/broadcasts/" + id).body).as_object()["by_channel"].as_object(); };
  auto n = [](json::object o, const char* key) { return o.contains(key) ? o[key].as_int64() : 0; };
  // C1 and C10 by push (tokA, tokC; the first push is throttled once and retried);
  // C5's tokB is unregistered and she has no WhatsApp: SMS. Six more by WhatsApp
  // (C4 and C7 are one person), C2 and C9 by SMS.
  ASSERT_TRUE(eventually([&] {
    auto c = by_channel();
    return n(c, "push:unconfirmed") == 2 && n(c, "whatsapp:sent") == 6 && n(c, "sms:delivered") == 3;
  }, 20s)) << daemon.get("/v1/broadcasts/" + id).body << daemon.process().log();
  auto stats = json::parse(http("GET", fcm.url("/stats")).body).as_object();
  EXPECT_EQ(stats["token_exchanges"].as_int64(), 1) << "one access token for every push, not one per message";
  EXPECT_EQ(stats["accepted"].as_int64(), 2);
  auto pushed = json::parse(http("GET", fcm.url("/messages")).body).as_array();
  ASSERT_EQ(pushed.size(), 2u);
  EXPECT_EQ(pushed[0].as_object()["message"].as_object()["notification"].as_object()["title"].as_string(), "सदस्यता अभियान");
  // Nobody twice: 11 people, 11 messages accepted across the three providers.
  auto wa = json::parse(http("GET", whatsapp.url("/stats")).body).as_object();
  auto sim = json::parse(http("GET", sms.url("/stats")).body).as_object();
  EXPECT_EQ(stats["accepted"].as_int64() + wa["accepted"].as_int64() + sim["accepted"].as_int64(), 11);
  // The report shows, per person, each channel of the policy and what came of it.
  auto tried = [&](const std::string& broadcast, const std::string& contact) {
    auto rows = json::parse(daemon.get("/v1/broadcasts/" + broadcast + "/recipients").body).as_object()["recipients"].as_array();
    std::vector<std::string> out;
    for (const auto& r : rows)
      if (r.as_object().at("contact_id").as_string() == contact)
        for (const auto& step : r.as_object().at("channels_tried").as_array())
          out.push_back(std::string(step.as_object().at("channel").as_string()) + " -> " + std::string(step.as_object().at("result").as_string()));
    return out;
  };
  EXPECT_THAT(tried(id, "C5"), ::testing::ElementsAre(::testing::StartsWith("push -> invalid_recipient (UNREGISTERED)"),
                                                      "whatsapp -> no address", "sms -> delivered"));
  EXPECT_THAT(tried(id, "C1"), ::testing::ElementsAre("push -> unconfirmed"));
  EXPECT_THAT(tried(id, "C2"), ::testing::ElementsAre("push -> no address", "whatsapp -> no address", "sms -> delivered"));
  auto csv = daemon.get("/v1/broadcasts/" + id + "/recipients?format=csv").body;
  EXPECT_THAT(csv, ::testing::HasSubstr("push -> no address; whatsapp -> sent"));

  // FCM's UNREGISTERED marks Geeta's token dead on her contact: a later
  // broadcast does not send to it and goes on to SMS at once.
  auto contact = daemon.get("/v1/directory/contacts/C5");
  ASSERT_EQ(contact.status, 200) << contact.body;
  auto geeta = json::parse(contact.body).as_object();
  EXPECT_THAT(std::string(geeta["app_token_dead"].as_string()), ::testing::StartsWith("UNREGISTERED at "));
  const auto requests_before = stats["requests"].as_int64();
  auto again = http("POST", daemon.url("/v1/broadcasts"), R"({"audience": {"units": ["M-JAI-2"]}, "template": "announcement",
      "channels": ["push", "sms"], "variables": {"subject": "बैठक", "details": "कल"}})");
  ASSERT_EQ(again.status, 202) << again.body;
  const std::string second(json::parse(again.body).as_object()["id"].as_string());
  ASSERT_TRUE(eventually([&] {
    auto b = json::parse(daemon.get("/v1/broadcasts/" + second).body).as_object()["by_channel"].as_object();
    return n(b, "push:unconfirmed") == 1 && n(b, "sms:delivered") == 1;
  }, 20s)) << daemon.get("/v1/broadcasts/" + second).body;
  auto after = json::parse(http("GET", fcm.url("/stats")).body).as_object();
  EXPECT_EQ(after["requests"].as_int64(), requests_before + 1) << "only Sunil's live token went to FCM";
  EXPECT_THAT(tried(second, "C5"), ::testing::ElementsAre(::testing::StartsWith("push -> invalid_recipient (dead_token)"), "sms -> delivered"));
}

}  // namespace
