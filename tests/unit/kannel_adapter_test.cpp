// The Kannel adapter, one row per documented case (adapters/kannel/README.md):
// smsbox's answers to sendsms, the dlr-url report types, inbound messages.
#include "adapters/kannel/kannel_adapter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace orgcast::adapters;
using ::testing::HasSubstr;

namespace {

KannelSettings settings() {
  KannelSettings s;
  s.name = "kannel";
  s.url = "http://127.0.0.1:13013";
  s.username = "orgcast";
  s.password = "p&w";
  s.sender = "ORGCST";
  return s;
}

TEST(KannelAdapter, SendsmsRequestCarriesTextCodingDlrAndDlt) {
  KannelAdapter adapter(settings(), nullptr);
  OutboundMessage m;
  m.to = "+919829000001";
  m.text = "बैठक कल";
  m.sender = "PARTYS";
  m.dlt_entity_id = "1101000000000000001";
  m.dlt_template_id = "1107172300000000021";
  m.callback_url = "http://127.0.0.1:8080/v1/webhooks/kannel";
  auto call = adapter.request_for(m, "0a1b2c3d-7");
  EXPECT_EQ(call.method, "GET");
  EXPECT_THAT(call.url, ::testing::StartsWith("http://127.0.0.1:13013/cgi-bin/sendsms?username=orgcast&password=p%26w&to=919829000001&from=PARTYS&text=%E0%A4%AC"));
  EXPECT_THAT(call.url, HasSubstr("&charset=UTF-8&coding=2&dlr-mask=31&"));
  // '&' and '%' inside a value are escaped ('=' and '?' need not be): Kannel decodes them back.
  EXPECT_THAT(call.url, HasSubstr("&dlr-url=http://127.0.0.1:8080/v1/webhooks/kannel?id=0a1b2c3d-7%26type=%25d%26smsc_id=%25F%26reply=%25A&"));
  EXPECT_THAT(call.url, HasSubstr("&meta-data=?smpp?PE_ID=1101000000000000001%26TEMPLATE_ID=1107172300000000021"));
  m.text = "Meeting at 10";
  m.sender.clear();
  EXPECT_THAT(adapter.request_for(m, "x").url, HasSubstr("from=ORGCST&text=Meeting%20at%2010&charset=UTF-8&coding=0"));
}

TEST(KannelAdapter, SendsmsAnswers) {
  struct Row {
    const char* what;
    HttpReply reply;
    SendFailure failure;
  } rows[] = {
      {"accepted", {HttpReply::Transport::ok, 202, "0: Accepted for delivery"}, SendFailure::none},
      {"queued for later", {HttpReply::Transport::ok, 202, "3: Queued for later delivery"}, SendFailure::none},
      {"wrong password", {HttpReply::Transport::ok, 403, "Authorization failed for sendsms"}, SendFailure::unauthorized},
      {"missing receiver", {HttpReply::Transport::ok, 400, "Missing receiver number, rejected"}, SendFailure::bad_request},
      {"queue full", {HttpReply::Transport::ok, 503, "4: Temporal failure, try again later."}, SendFailure::transient},
      {"smsbox down", {HttpReply::Transport::unreachable, 0, "", {}, "connection refused"}, SendFailure::unreachable},
      {"no answer in time", {HttpReply::Transport::interrupted, 0, "", {}, "timeout"}, SendFailure::timeout},
  };
  for (const auto& row : rows) {
    auto result = KannelAdapter::interpret(row.reply, "id-1");
    EXPECT_EQ(result.failure, row.failure) << row.what;
    if (result.accepted()) EXPECT_EQ(result.provider_message_id, "id-1") << row.what;
    else EXPECT_FALSE(result.reason.empty()) << row.what;
  }
}

TEST(KannelAdapter, ReportTypes) {
  KannelAdapter adapter(settings(), nullptr);
  struct Row {
    const char* query;
    ReportStatus status;
  } rows[] = {
      {"id=0a1b2c3d-7&type=1&smsc_id=abc&reply=id%3Aabc+stat%3ADELIVRD", ReportStatus::delivered},
      {"id=0a1b2c3d-7&type=2&smsc_id=abc&reply=stat%3AUNDELIV", ReportStatus::failed},
      {"id=0a1b2c3d-7&type=4&smsc_id=&reply=", ReportStatus::accepted},
      {"id=0a1b2c3d-7&type=8&smsc_id=&reply=", ReportStatus::accepted},
      {"id=0a1b2c3d-7&type=16&smsc_id=&reply=", ReportStatus::failed},
  };
  for (const auto& row : rows) {
    auto r = adapter.parse_callback({"GET", row.query, {}, ""});
    ASSERT_EQ(r.error, "") << row.query;
    ASSERT_EQ(r.reports.size(), 1u) << row.query;
    EXPECT_EQ(r.reports[0].status, row.status) << row.query;
    EXPECT_EQ(r.reports[0].provider_message_id, "0a1b2c3d-7");
  }
  EXPECT_EQ(adapter.parse_callback({"GET", "id=0A1B2C3D-7&type=1", {}, ""}).reports[0].provider_message_id, "0a1b2c3d-7")
      << "ids are matched whatever their case";
  EXPECT_THAT(adapter.parse_callback({"GET", "id=x&type=3", {}, ""}).error, HasSubstr("unknown Kannel report type 3"));
  EXPECT_EQ(adapter.parse_callback({"GET", "nothing=here", {}, ""}).status, 400);
}

TEST(KannelAdapter, InboundMessages) {
  KannelAdapter adapter(settings(), nullptr);
  auto text = adapter.parse_callback({"GET", "from=919829000001&to=5566&text=%E0%A4%B9%E0%A4%BE%E0%A4%81&coding=0&ts=2026-11-23+03:08:03", {}, ""});
  ASSERT_EQ(text.inbound.size(), 1u);
  EXPECT_EQ(text.inbound[0].from, "+919829000001");
  EXPECT_EQ(text.inbound[0].text, "हाँ");
  EXPECT_EQ(text.body, "") << "Kannel sends no reply SMS";
  EXPECT_THAT(text.inbound[0].provider_message_id, ::testing::StartsWith("+919829000001@2026-11-23 03:08:03:"))
      << "sender, time and text stand in for an id";
  // Two messages from one sender in one second (STOP, then START) are two
  // messages; the same one sent again by Kannel is the same.
  auto mo = [&](const std::string& text) {
    return adapter.parse_callback({"GET", "from=919829000001&to=5566&text=" + text + "&coding=0&ts=2026-11-23+03:08:03", {}, ""}).inbound.at(0).provider_message_id;
  };
  EXPECT_NE(mo("STOP"), mo("START"));
  EXPECT_EQ(mo("STOP"), mo("STOP"));
  // Without mo-recode, Hindi arrives as UCS-2 bytes (coding 2).
  auto ucs2 = adapter.parse_callback({"GET", "from=919829000001&binary=%09%39%09%3E%09%01&coding=2&text=x", {}, ""});
  ASSERT_EQ(ucs2.inbound.size(), 1u);
  EXPECT_EQ(ucs2.inbound[0].provider_message_id, "") << "no time, no id: the inbound store de-duplicates by sender and text";
  EXPECT_EQ(ucs2.inbound[0].text, "हाँ");
}

TEST(KannelAdapter, MessageIdsMatchHoweverSpelled) {
  struct Row {
    const char* a;
    const char* b;
  } same[] = {{"ABCDEF12", "abcdef12"}, {"000123", "123"}, {"1F", "31"}, {"0x1f", "31"}, {" 42 ", "42"}, {"0a1b-7", "0A1B-7"}};
  for (const auto& row : same) EXPECT_EQ(normalise_message_id(row.a), normalise_message_id(row.b)) << row.a << " vs " << row.b;
  EXPECT_NE(normalise_message_id("123"), normalise_message_id("124"));
}

}  // namespace
