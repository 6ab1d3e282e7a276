// The configurable HTTP SMS adapter (adapters/sms_http/README.md): DLT fields
// in the request, no send without a DLT template id, promotional hours,
// DLT rejections permanent with a readable reason, delivery callbacks.
#include "adapters/sms_http/sms_http_adapter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/utc_time.hpp"

using namespace orgcast::adapters;
using ::testing::HasSubstr;

namespace {

OutboundMessage message() {
  OutboundMessage m;
  m.to = "+919829000001";
  m.text = "बैठक कल";
  m.sender = "ORGCST";
  m.dlt_entity_id = "1101000000000000001";
  m.dlt_template_id = "1107172300000000021";
  m.dlt_category = "service";
  m.reference = "b1:0:1";
  m.callback_url = "http://127.0.0.1:8080/v1/webhooks/aggregator";
  return m;
}

SmsHttpSettings settings() {
  SmsHttpSettings s;
  s.name = "aggregator";
  s.url = "https://api.aggregator.example/v1/sms";
  s.auth_header = "Authorization";
  s.auth_value = "Bearer key";
  return s;
}

TEST(SmsHttpAdapter, JsonFormAndGetRequestsCarryTheDltFields) {
  SmsHttpAdapter json_adapter(settings(), nullptr);
  auto call = json_adapter.request_for(message());
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.body, R"({"to":"919829000001","text":"बैठक कल","sender":"ORGCST","pe_id":"1101000000000000001",)"
                       R"("template_id":"1107172300000000021","callback_url":"http://127.0.0.1:8080/v1/webhooks/aggregator","reference":"b1:0:1"})");
  EXPECT_THAT(call.headers, ::testing::Contains(std::pair<std::string, std::string>{"Authorization", "Bearer key"}));
  auto form = settings();
  form.format = "form";
  form.fields["entity_id"] = "entityid";
  form.fields["template_id"] = "dlttemplateid";
  auto body = SmsHttpAdapter(form, nullptr).request_for(message()).body;
  EXPECT_THAT(body, HasSubstr("entityid=1101000000000000001&dlttemplateid=1107172300000000021"));
  auto get = settings();
  get.method = "GET";
  get.to_format = "e164";
  EXPECT_THAT(SmsHttpAdapter(get, nullptr).request_for(message()).url, HasSubstr("?to=+919829000001&text="));
}

TEST(SmsHttpAdapter, NoDltTemplateNoSendAndPromotionalHours) {
  auto now = *orgcast::parse_rfc3339("2026-11-23T14:00:00+05:30");
  auto m = message();
  EXPECT_FALSE(SmsHttpAdapter::hold_or_refuse(m, now));
  m.dlt_template_id.clear();
  auto refused = SmsHttpAdapter::hold_or_refuse(m, now);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->failure, SendFailure::rejected_content);
  EXPECT_THAT(refused->reason, HasSubstr("no DLT template ID"));
  m = message();
  m.dlt_category = "promotional";
  EXPECT_FALSE(SmsHttpAdapter::hold_or_refuse(m, now)) << "14:00 IST is inside the window";
  auto late = SmsHttpAdapter::hold_or_refuse(m, *orgcast::parse_rfc3339("2026-11-23T21:30:00+05:30"));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->failure, SendFailure::throttled) << "held, not failed";
  EXPECT_EQ(late->retry_after, std::chrono::milliseconds((12 * 60 + 30) * 60000 + 1000)) << "until 10:00 the next morning";
  auto early = SmsHttpAdapter::hold_or_refuse(m, *orgcast::parse_rfc3339("2026-11-23T07:00:00+05:30"));
  EXPECT_EQ(early->retry_after, std::chrono::milliseconds(3 * 3600000 + 1000));
  m.dlt_category = "transactional";
  EXPECT_FALSE(SmsHttpAdapter::hold_or_refuse(m, *orgcast::parse_rfc3339("2026-11-23T23:00:00+05:30"))) << "transactional is not held";
}

TEST(SmsHttpAdapter, AnswersAndDltRejections) {
  SmsHttpAdapter adapter(settings(), nullptr);
  auto ok = adapter.interpret({HttpReply::Transport::ok, 200, R"({"message_id":"AGG-1"})"});
  EXPECT_TRUE(ok.accepted());
  EXPECT_EQ(ok.provider_message_id, "AGG-1");
  struct Row {
    long status;
    const char* body;
    SendFailure failure;
    const char* reason;
  } rows[] = {
      {400, R"({"error":{"code":"ENTITY_NOT_REGISTERED","message":"PE ID invalid"}})", SendFailure::rejected_content, "DLT: the principal entity is not registered on DLT (PE ID invalid)"},
      {400, R"({"error":{"code":"HEADER_NOT_REGISTERED"}})", SendFailure::rejected_content, "DLT: the sender header is not registered on DLT"},
      {400, R"({"error":{"code":"PE_HEADER_MISMATCH"}})", SendFailure::rejected_content, "DLT: the sender header does not belong to the principal entity"},
      {400, R"({"error":{"code":"TEMPLATE_NOT_FOUND"}})", SendFailure::rejected_content, "DLT: the DLT template id is not registered"},
      {400, R"({"error":{"code":"PROMOTIONAL_TIME"}})", SendFailure::rejected_content, "DLT: promotional SMS may only be sent from 10:00 to 21:00 IST"},
      {429, R"({"error":{"code":"RATE_LIMIT","message":"slow down"}})", SendFailure::throttled, "slow down"},
      {503, "", SendFailure::transient, "HTTP 503"},
      {401, R"({"error":{"code":"AUTH","message":"bad key"}})", SendFailure::unauthorized, "bad key"},
  };
  for (const auto& row : rows) {
    auto r = adapter.interpret({HttpReply::Transport::ok, row.status, row.body});
    EXPECT_EQ(r.failure, row.failure) << row.body;
    EXPECT_EQ(r.reason, row.reason) << row.body;
  }
  auto nested = settings();
  nested.id_path = "data.id";
  EXPECT_EQ(SmsHttpAdapter(nested, nullptr).interpret({HttpReply::Transport::ok, 200, R"({"data":{"id":"N-7"}})"}).provider_message_id, "N-7");
}

TEST(SmsHttpAdapter, DeliveryCallbacks) {
  SmsHttpAdapter adapter(settings(), nullptr);
  auto one = adapter.parse_callback({"POST", "", {}, R"({"message_id":"AGG-1","status":"DELIVRD"})"});
  ASSERT_EQ(one.reports.size(), 1u);
  EXPECT_EQ(one.reports[0].status, ReportStatus::delivered);
  auto batch = adapter.parse_callback({"POST", "", {}, R"({"reports":[{"message_id":"A","status":"UNDELIV","error_code":"TEMPLATE_MISMATCH"},{"message_id":"B","status":"ACCEPTD"}]})"});
  ASSERT_EQ(batch.reports.size(), 2u);
  EXPECT_EQ(batch.reports[0].status, ReportStatus::failed);
  EXPECT_EQ(batch.reports[0].reason, "DLT: the text does not match the registered DLT template");
  EXPECT_EQ(batch.reports[1].status, ReportStatus::accepted);
  auto get = adapter.parse_callback({"GET", "message_id=AGG-2&status=DELIVERED", {}, ""});
  ASSERT_EQ(get.reports.size(), 1u);
  EXPECT_EQ(get.reports[0].provider_message_id, "AGG-2");
  EXPECT_EQ(adapter.parse_callback({"POST", "", {}, R"({"status":"DELIVRD"})"}).status, 400);
}

// Replies come to the same callback URL, named by the account's mapping:
// an item with a sender and a text is a person's message, not a report.
TEST(SmsHttpAdapter, RepliesAreReadByTheConfiguredFieldNames) {
  auto gupshup = settings();
  gupshup.mo_from = "msisdn";
  gupshup.mo_text = "content";
  gupshup.mo_id = "messageId";
  gupshup.mo_time = "timestamp";
  SmsHttpAdapter adapter(gupshup, nullptr);
  auto mo = adapter.parse_callback({"GET", "msisdn=919829000001&content=YES%2047&messageId=MO-1&timestamp=1795400000", {}, ""});
  ASSERT_EQ(mo.inbound.size(), 1u) << mo.error;
  EXPECT_TRUE(mo.reports.empty());
  EXPECT_EQ(mo.inbound[0].from, "919829000001");
  EXPECT_EQ(mo.inbound[0].text, "YES 47");
  EXPECT_EQ(mo.inbound[0].provider_message_id, "MO-1");
  EXPECT_EQ(mo.inbound[0].sent_at, "1795400000");
  EXPECT_EQ(mo.inbound[0].channel, Channel::sms);
  auto kaleyra = settings();
  kaleyra.mo_from = "source";
  kaleyra.mo_text = "message";
  SmsHttpAdapter other(kaleyra, nullptr);
  auto posted = other.parse_callback({"POST", "", {}, R"({"source": 919829000004, "message": "नहीं", "id": "K-9"})"});
  ASSERT_EQ(posted.inbound.size(), 1u) << posted.error;
  EXPECT_EQ(posted.inbound[0].from, "919829000004") << "a number given as a JSON number";
  EXPECT_EQ(posted.inbound[0].text, "नहीं");
  // A report on the same URL is still a report, even one that carries a
  // sender and its text; an empty text is a message too.
  EXPECT_EQ(other.parse_callback({"POST", "", {}, R"({"message_id":"AGG-1","status":"DELIVRD"})"}).reports.size(), 1u);
  auto echoing = settings();
  echoing.mo_from = "from";
  SmsHttpAdapter echo(echoing, nullptr);
  auto report = echo.parse_callback({"POST", "", {}, R"({"message_id":"AGG-2","status":"DELIVRD","from":"ORGCST","text":"बैठक कल"})"});
  EXPECT_EQ(report.reports.size(), 1u);
  EXPECT_TRUE(report.inbound.empty()) << "a status makes it a report";
  SmsHttpAdapter without_replies(settings(), nullptr);
  EXPECT_TRUE(without_replies.parse_callback({"GET", "from=919829000001&text=YES&message_id=X&status=X", {}, ""}).inbound.empty())
      << "no mo_from: the account takes no replies";
  EXPECT_EQ(other.parse_callback({"POST", "", {}, R"({"source":"919829000004","message":""})"}).inbound.size(), 1u);
}

}  // namespace
