// SMS through a real Kannel: orgcastd → smsbox →
// bearerbox → fakesmsc. Hindi arrives as UCS-2 and long messages in
// concatenated parts; delivery reports come back through the dlr-url; an
// inbound message sent by fakesmsc reaches orgcastd's inbound store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <boost/json.hpp>
#include <map>

#include "support/daemon_under_test.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/kannel.hpp"
#include "support/redis_server.hpp"
#include "support/sample_directory.hpp"

using namespace orgcast::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// The one message `to` received (its parts put together), and how many parts.
std::pair<std::string, int> text_received(const Kannel& kannel, const std::string& to) {
  for (const auto& m : kannel.messages())
    if (m.to == to) return {m.text, m.parts};
  return {"", 0};
}

TEST(Kannel, HindiReminderThroughKannelWithReportsAndAnInboundReply) {
  ASSERT_TRUE(kannel_installed()) << "tools/setup installs kannel and kannel-extras";
  const int daemon_port = free_port();
  // Kannel's get-url carries the account's callback secret, as its dlr-url does.
  const std::string callback_secret = "kannel-callback-0123456789";
  const auto secrets = temp_dir("kannel-secret");
  std::ofstream(secrets + "/callback") << callback_secret;
  Kannel kannel("http://127.0.0.1:" + std::to_string(daemon_port) + "/v1/webhooks/kannel/" + callback_secret);
  DaemonUnderTest daemon(shared_redis_port(), unique_prefix(),
                         "dispatch:\n  callback_base_url: http://127.0.0.1:" + std::to_string(daemon_port) +
                             "\n  retry_base_ms: 50\n  retry_cap_ms: 500\n"
                             "providers:\n  - name: kannel\n    type: kannel\n    channels: [sms]\n    url: " + kannel.sendsms_url() +
                             "\n    username: " + Kannel::kUsername + "\n    password_file: " + kannel.password_file() +
                             "\n    callback_secret_file: " + secrets + "/callback\n    rate_per_second: 200\n",
                         daemon_port);
  daemon.start();
  ASSERT_TRUE(daemon.wait_ready(10s)) << daemon.process().log();
  ASSERT_EQ(import_sample_directory(daemon), "");

  // The phone network connects, and Ramesh answers "हाँ" (UCS-2).
  kannel.connect_phone_network("919829000001 5566 ucs2 %09%39%09%3E%09%01");
  ASSERT_TRUE(eventually([&] { return daemon.get("/v1/inbound").body.find("हाँ") != std::string::npos; }, 10s))
      << daemon.get("/v1/inbound").body << kannel.logs();
  auto inbound = json::parse(daemon.get("/v1/inbound").body).as_object()["messages"].as_array()[0].as_object();
  EXPECT_EQ(inbound["from"].as_string(), "+919829000001");
  EXPECT_EQ(inbound["provider"].as_string(), "kannel");

  auto posted = http("POST", daemon.url("/v1/broadcasts"), R"({"audience": {"units": ["RJ"]}, "template": "meeting_reminder", "channels": ["sms"],
      "variables": {"meeting.title": "ज़िला बैठक", "meeting.venue": "ज़िला कार्यालय", "meeting.time": "2026-11-25T10:00:00+05:30"}})");
  ASSERT_EQ(posted.status, 202) << posted.body;
  const std::string id(json::parse(posted.body).as_object()["id"].as_string());
  auto delivered = [&] {
    auto b = json::parse(daemon.get("/v1/broadcasts/" + id).body).as_object();
    auto& counts = b["counts"].as_object();
    return counts.contains("delivered") ? counts["delivered"].as_int64() : 0;
  };
  ASSERT_TRUE(eventually([&] { return delivered() == 11; }, 30s)) << daemon.get("/v1/broadcasts/" + id).body << kannel.logs();

  // Ramesh's reminder arrived whole: Hindi in UCS-2, in concatenated parts.
  auto [text, parts] = text_received(kannel, "919829000001");
  EXPECT_EQ(text, "रमेश शर्मा जी, याद दिला दें: ज़िला बैठक बुधवार, 25 नवंबर 2026 को सुबह 10:00 बजे, ज़िला कार्यालय। "
                  "कृपया YES या NO भेजें। -संगठन कार्यालय");
  EXPECT_EQ(parts, 3) << "135 UCS-2 characters: 67 + 67 + 1";
  // Anita (English) got GSM text.
  auto [english, english_parts] = text_received(kannel, "919829000003");
  EXPECT_THAT(english, ::testing::StartsWith("Reminder, Anita Gupta: "));
  // The segments the broadcast's cost counts are the parts the network carried.
  const auto report = json::parse(daemon.get("/v1/broadcasts/" + id).body);
  EXPECT_EQ(report.at("cost").at("sms_segments").as_int64(), static_cast<std::int64_t>(kannel.received().size()));
}

}  // namespace
