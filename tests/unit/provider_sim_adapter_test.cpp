// adapters/provider_sim: one row per documented case of the simulator's API
// (tools/provider_sim/README.md): success, each error class, each report.
#include "adapters/provider_sim/provider_sim_adapter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace orgcast::adapters;
using namespace std::chrono_literals;

namespace {

HttpReply reply(long status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

HttpReply broken(HttpReply::Transport how) {
  HttpReply r;
  r.transport = how;
  r.error = "boom";
  return r;
}

TEST(ProviderSimAdapter, SendCases) {
  struct Row {
    const char* name;
    HttpReply reply;
    SendFailure failure;
    std::string id, code;
    std::optional<std::chrono::milliseconds> retry_after;
  };
  const Row rows[] = {
      {"accepted", reply(200, R"({"message_id":"sim-7"})"), SendFailure::none, "sim-7", "", std::nullopt},
      {"accepted without id", reply(200, R"({})"), SendFailure::transient, "", "", std::nullopt},
      {"throttled", reply(429, R"({"error":{"code":"throttled","message":"too many"}})", {{"retry-after", "2"}}),
       SendFailure::throttled, "", "throttled", 2000ms},
      {"unavailable", reply(503, R"({"error":{"code":"unavailable","message":"later"}})"), SendFailure::transient, "",
       "unavailable", std::nullopt},
      {"invalid recipient", reply(400, R"({"error":{"code":"invalid_recipient","message":"no"}})"),
       SendFailure::invalid_recipient, "", "invalid_recipient", std::nullopt},
      {"bad request", reply(400, R"({"error":{"code":"bad_request","message":"no"}})"), SendFailure::bad_request, "",
       "bad_request", std::nullopt},
      {"not JSON", reply(502, "<html>bad gateway</html>"), SendFailure::transient, "", "", std::nullopt},
      {"unreachable", broken(HttpReply::Transport::unreachable), SendFailure::unreachable, "", "", std::nullopt},
      {"interrupted", broken(HttpReply::Transport::interrupted), SendFailure::timeout, "", "", std::nullopt},
  };
  for (const auto& row : rows) {
    auto result = ProviderSimAdapter::interpret(row.reply);
    EXPECT_EQ(result.failure, row.failure) << row.name;
    EXPECT_EQ(result.provider_message_id, row.id) << row.name;
    EXPECT_EQ(result.provider_code, row.code) << row.name;
    EXPECT_EQ(result.retry_after, row.retry_after) << row.name;
    if (!result.accepted()) {
      EXPECT_FALSE(result.reason.empty()) << row.name;
    }
  }
}

TEST(ProviderSimAdapter, RequestCarriesTheMessage) {
  ProviderSimAdapter adapter("sim", "http://127.0.0.1:9", nullptr, 3s);
  OutboundMessage m;
  m.reference = "b1:42:1";
  m.channel = Channel::whatsapp;
  m.to = "+919829012345";
  m.text = "बैठक कल";
  m.callback_url = "http://127.0.0.1:8080/v1/webhooks/sim";
  m.whatsapp_template = "meeting_summons";
  m.whatsapp_language = "hi";
  m.parameters = {"रमेश", "बैठक"};
  auto call = adapter.request_for(m);
  EXPECT_EQ(call.url, "http://127.0.0.1:9/send");
  EXPECT_EQ(call.timeout, 3s);
  auto body = boost::json::parse(call.body).as_object();
  EXPECT_EQ(body["to"].as_string(), "+919829012345");
  EXPECT_EQ(body["channel"].as_string(), "whatsapp");
  EXPECT_EQ(body["text"].as_string(), "बैठक कल");
  EXPECT_EQ(body["reference"].as_string(), "b1:42:1");
  EXPECT_EQ(body["callback_url"].as_string(), "http://127.0.0.1:8080/v1/webhooks/sim");
  EXPECT_EQ(boost::json::serialize(body["template"]), R"({"name":"meeting_summons","language":"hi","parameters":["रमेश","बैठक"]})");
  EXPECT_FALSE(body.contains("dlt"));  // SMS only
}

TEST(ProviderSimAdapter, CallbackCases) {
  ProviderSimAdapter adapter("sim", "http://x", nullptr);
  auto delivered = adapter.parse_callback({"POST", "", {}, R"({"message_id":"sim-1","reference":"b1:2:1","status":"delivered","error_code":""})"});
  ASSERT_EQ(delivered.reports.size(), 1u);
  EXPECT_EQ(delivered.status, 200);
  EXPECT_EQ(delivered.reports[0].status, ReportStatus::delivered);
  EXPECT_EQ(delivered.reports[0].reference, "b1:2:1");
  auto failed = adapter.parse_callback({"POST", "", {}, R"({"message_id":"sim-2","status":"undelivered","error_code":"absent_subscriber"})"});
  ASSERT_EQ(failed.reports.size(), 1u);
  EXPECT_EQ(failed.reports[0].status, ReportStatus::failed);
  EXPECT_EQ(failed.reports[0].provider_code, "absent_subscriber");
  auto garbage = adapter.parse_callback({"POST", "", {}, "nope"});
  EXPECT_EQ(garbage.status, 400);
  EXPECT_TRUE(garbage.reports.empty());
  auto unknown = adapter.parse_callback({"POST", "", {}, R"({"message_id":"sim-3","status":"exploded"})"});
  EXPECT_EQ(unknown.status, 400);
  auto batch = adapter.parse_callback(
      {"POST", "", {}, R"({"reports":[{"message_id":"sim-4","status":"delivered"},{"message_id":"sim-5","status":"undelivered","error_code":"x"}]})"});
  ASSERT_EQ(batch.reports.size(), 2u);
  EXPECT_EQ(batch.reports[1].provider_message_id, "sim-5");
  EXPECT_EQ(batch.reports[1].status, ReportStatus::failed);
  auto bad_item = adapter.parse_callback({"POST", "", {}, R"({"reports":[{"message_id":"sim-6","status":"delivered"},{"status":"read"}]})"});
  EXPECT_EQ(bad_item.status, 400);
  EXPECT_THAT(bad_item.error, ::testing::HasSubstr("reports[1]"));
  EXPECT_TRUE(bad_item.reports.empty()) << "all or nothing: the provider retries the whole batch";
}

}  // namespace
