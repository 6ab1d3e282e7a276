// The WhatsApp Cloud API adapter, one row per documented case
// (adapters/whatsapp_cloud/README.md): the request, each error class, the
// webhook's verification, signature and payloads.
#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace orgcast::adapters;
using ::testing::HasSubstr;
namespace json = boost::json;

namespace {

WhatsAppCloudSettings settings() {
  WhatsAppCloudSettings s;
  s.name = "whatsapp";
  s.url = "https://graph.facebook.com";
  s.phone_number_id = "1234567890";
  s.access_token = "EAAG-token";
  s.app_secret = "app-secret";
  s.verify_token = "verify-me";
  return s;
}

TEST(WhatsAppCloudAdapter, TemplateAndFreeTextRequests) {
  WhatsAppCloudAdapter adapter(settings(), nullptr);
  OutboundMessage m;
  m.to = "+919829000001";
  m.reference = "b1:0:4";
  m.whatsapp_template = "meeting_summons";
  m.whatsapp_language = "hi";
  m.parameters = {"रमेश शर्मा", "ज़िला बैठक"};
  auto call = adapter.request_for(m);
  EXPECT_EQ(call.url, "https://graph.facebook.com/v20.0/1234567890/messages");
  EXPECT_THAT(call.headers, ::testing::Contains(std::pair<std::string, std::string>{"Authorization", "Bearer EAAG-token"}));
  EXPECT_EQ(call.body,
            R"({"messaging_product":"whatsapp","recipient_type":"individual","to":"919829000001","type":"template",)"
            R"("template":{"name":"meeting_summons","language":{"code":"hi"},"components":[{"type":"body","parameters":[)"
            R"({"type":"text","text":"रमेश शर्मा"},{"type":"text","text":"ज़िला बैठक"}]}]},"biz_opaque_callback_data":"b1:0:4"})");
  m.whatsapp_template.clear();
  m.text = "धन्यवाद";
  auto text = json::parse(adapter.request_for(m).body).as_object();
  EXPECT_EQ(text["type"].as_string(), "text");
  EXPECT_EQ(text["text"].as_object()["body"].as_string(), "धन्यवाद");
}

HttpReply graph_error(long status, long code, const char* message = "x") {
  return {HttpReply::Transport::ok, status,
          R"({"error":{"message":")" + std::string(message) + R"(","type":"OAuthException","code":)" + std::to_string(code) +
              R"(,"error_data":{"messaging_product":"whatsapp","details":"more"},"fbtrace_id":"A1"}})"};
}

TEST(WhatsAppCloudAdapter, AnswersAndErrorClasses) {
  auto ok = WhatsAppCloudAdapter::interpret({HttpReply::Transport::ok, 200,
                                             R"({"messaging_product":"whatsapp","contacts":[{"input":"919829000001","wa_id":"919829000001"}],"messages":[{"id":"wamid.HBgM"}]})"});
  EXPECT_TRUE(ok.accepted());
  EXPECT_EQ(ok.provider_message_id, "wamid.HBgM");
  struct Row {
    long status, code;
    SendFailure failure;
  } rows[] = {
      {400, 4, SendFailure::throttled},          {400, 80007, SendFailure::throttled},   {429, 130429, SendFailure::throttled},
      {400, 131048, SendFailure::throttled},     {400, 131056, SendFailure::throttled},  {400, 133016, SendFailure::throttled},
      {500, 1, SendFailure::transient},          {503, 2, SendFailure::transient},       {500, 131000, SendFailure::transient},
      {503, 131016, SendFailure::transient},     {503, 133004, SendFailure::transient},  {401, 190, SendFailure::unauthorized},
      {403, 10, SendFailure::unauthorized},      {400, 131026, SendFailure::invalid_recipient},
      {400, 131047, SendFailure::invalid_recipient}, {400, 131030, SendFailure::invalid_recipient},
      {404, 132001, SendFailure::rejected_content}, {400, 132000, SendFailure::rejected_content},
      {400, 132015, SendFailure::rejected_content}, {400, 100, SendFailure::bad_request},
  };
  for (const auto& row : rows) {
    auto r = WhatsAppCloudAdapter::interpret(graph_error(row.status, row.code, "Problem"));
    EXPECT_EQ(r.failure, row.failure) << row.code;
    EXPECT_EQ(r.provider_code, std::to_string(row.code));
    EXPECT_EQ(r.reason, "Problem: more");
    EXPECT_EQ(retryable(r.failure), row.failure == SendFailure::throttled || row.failure == SendFailure::transient) << row.code;
  }
}

TEST(WhatsAppCloudAdapter, WebhookVerification) {
  WhatsAppCloudAdapter adapter(settings(), nullptr);
  auto ok = adapter.parse_callback({"GET", "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444", {}, ""});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1158201444");
  auto wrong = adapter.parse_callback({"GET", "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1", {}, ""});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_FALSE(wrong.error.empty());
}

const std::string kStatuses = R"({"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{
  "messaging_product":"whatsapp","metadata":{"display_phone_number":"911140000000","phone_number_id":"1234567890"},
  "statuses":[{"id":"wamid.A","status":"delivered","timestamp":"1","recipient_id":"919829000001","biz_opaque_callback_data":"b1:0:4"},
              {"id":"wamid.B","status":"read","timestamp":"2","recipient_id":"919829000002"},
              {"id":"wamid.C","status":"sent","timestamp":"3","recipient_id":"919829000003"},
              {"id":"wamid.D","status":"failed","timestamp":"4","recipient_id":"919829000004",
               "errors":[{"code":131026,"title":"Message undeliverable","error_data":{"details":"not on WhatsApp"}}]}],
  "messages":[{"from":"919829000005","id":"wamid.IN","timestamp":"5","type":"text","text":{"body":"हाँ"}}]}}]}]})";

TEST(WhatsAppCloudAdapter, SignedWebhookStatusesAndMessages) {
  WhatsAppCloudAdapter adapter(settings(), nullptr);
  auto signature = whatsapp_signature("app-secret", kStatuses);
  EXPECT_THAT(signature, ::testing::MatchesRegex("sha256=[0-9a-f]{64}"));
  auto r = adapter.parse_callback({"POST", "", {{"x-hub-signature-256", signature}}, kStatuses});
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.reports.size(), 4u);
  EXPECT_EQ(r.reports[0].status, ReportStatus::delivered);
  EXPECT_EQ(r.reports[0].reference, "b1:0:4");
  EXPECT_EQ(r.reports[1].status, ReportStatus::read);
  EXPECT_EQ(r.reports[2].status, ReportStatus::accepted);
  EXPECT_EQ(r.reports[3].status, ReportStatus::failed);
  EXPECT_EQ(r.reports[3].provider_code, "131026");
  EXPECT_EQ(r.reports[3].reason, "Message undeliverable: not on WhatsApp");
  ASSERT_EQ(r.inbound.size(), 1u);
  EXPECT_EQ(r.inbound[0].from, "+919829000005");
  EXPECT_EQ(r.inbound[0].text, "हाँ");
}

// A tap on a summons' quick-reply button, an interactive button and a list
// row: each comes in as the payload or id the button was given, read like
// a typed reply; the channel is WhatsApp.
TEST(WhatsAppCloudAdapter, ButtonRepliesComeInAsTheirPayload) {
  WhatsAppCloudAdapter adapter(settings(), nullptr);
  const std::string body = R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[)"
                           R"({"from":"919829000005","id":"wamid.B1","type":"button","button":{"payload":"YES 47","text":"मैं आऊँगा"},"context":{"id":"wamid.S1"}},)"
                           R"({"from":"919829000005","id":"wamid.B2","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"NO 47","title":"नहीं"}}},)"
                           R"({"from":"919829000005","id":"wamid.B3","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"","title":"YES"}}},)"
                           R"({"from":"919829000005","id":"wamid.B4","type":"button","button":{"text":"हाँ"}},)"
                           R"({"from":"919829000005","id":"wamid.B5","type":"sticker","sticker":{}}]}}]}]})";
  auto r = adapter.parse_callback({"POST", "", {{"x-hub-signature-256", whatsapp_signature("app-secret", body)}}, body});
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.inbound.size(), 5u);
  EXPECT_EQ(r.inbound[0].text, "YES 47");
  EXPECT_EQ(r.inbound[1].text, "NO 47");
  EXPECT_EQ(r.inbound[2].text, "YES") << "no id: the title";
  EXPECT_EQ(r.inbound[3].text, "हाँ") << "no payload: the button's text";
  EXPECT_EQ(r.inbound[4].text, "[sticker]");
  EXPECT_EQ(r.inbound[0].channel, Channel::whatsapp);
}

TEST(WhatsAppCloudAdapter, UnsignedOrForgedWebhooksAreRefused) {
  WhatsAppCloudAdapter adapter(settings(), nullptr);
  auto missing = adapter.parse_callback({"POST", "", {}, kStatuses});
  EXPECT_EQ(missing.status, 401);
  EXPECT_TRUE(missing.reports.empty());
  auto forged = adapter.parse_callback({"POST", "", {{"x-hub-signature-256", whatsapp_signature("other-secret", kStatuses)}}, kStatuses});
  EXPECT_EQ(forged.status, 401);
  auto tampered = adapter.parse_callback({"POST", "", {{"x-hub-signature-256", whatsapp_signature("app-secret", kStatuses)}}, kStatuses + " "});
  EXPECT_EQ(tampered.status, 401);
  EXPECT_TRUE(tampered.reports.empty() && tampered.inbound.empty());
}

}  // namespace
