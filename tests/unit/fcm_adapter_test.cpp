// The FCM adapter, one row per documented case (adapters/fcm/README.md),
// and the RS256 JWT it signs.
#include "adapters/fcm/fcm_adapter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/fcm/jwt.hpp"
#include "support/fake_provider.hpp"

using namespace orgcast::adapters;
namespace json = boost::json;

namespace {

TEST(Jwt, SignedAndVerifiedWithTheKeyPair) {
  auto account = orgcast::testing::make_service_account("https://oauth2.googleapis.com/token");
  auto key = json::parse(account.json).as_object();
  std::string error;
  auto jwt = sign_rs256_jwt(R"({"alg":"RS256","typ":"JWT"})", R"({"iss":"a@b","exp":1})", std::string(key["private_key"].as_string()), error);
  ASSERT_TRUE(jwt) << error;
  EXPECT_EQ(std::count(jwt->begin(), jwt->end(), '.'), 2);
  EXPECT_EQ(*base64url_decode(jwt->substr(0, jwt->find('.'))), R"({"alg":"RS256","typ":"JWT"})");
  EXPECT_TRUE(verify_rs256_jwt(*jwt, account.public_key_pem));
  auto other = orgcast::testing::make_service_account("x");
  EXPECT_FALSE(verify_rs256_jwt(*jwt, other.public_key_pem)) << "another key's signature";
  EXPECT_FALSE(sign_rs256_jwt("{}", "{}", "not a key", error));
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
}

TEST(FcmAdapter, RequestAndAnswers) {
  auto account = orgcast::testing::make_service_account("https://oauth2.googleapis.com/token");
  FcmAdapter adapter({"fcm", "https://fcm.googleapis.com", account.json}, nullptr);
  OutboundMessage m;
  m.to = "device-token-1";
  m.title = "बैठक";
  m.text = "कल 10 बजे";
  m.reference = "b1:0:2";
  auto call = adapter.request_for(m, "ya29.x");
  EXPECT_EQ(call.url, "https://fcm.googleapis.com/v1/projects/orgcast-test/messages:send");
  EXPECT_EQ(call.body, R"({"message":{"token":"device-token-1","notification":{"body":"कल 10 बजे","title":"बैठक"},)"
                       R"("data":{"reference":"b1:0:2"},"android":{"priority":"high"}}})");
  EXPECT_FALSE(adapter.reports_delivery());
  auto ok = FcmAdapter::interpret({HttpReply::Transport::ok, 200, R"({"name":"projects/orgcast-test/messages/0:1500415314455276"})"});
  EXPECT_TRUE(ok.accepted());
  EXPECT_EQ(ok.provider_message_id, "projects/orgcast-test/messages/0:1500415314455276");
  auto error = [](long status, const char* grpc, const char* code) {
    return HttpReply{HttpReply::Transport::ok, status,
                     std::string(R"({"error":{"code":)") + std::to_string(status) + R"(,"message":"m","status":")" + grpc +
                         R"(","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":")" + code + R"("}]}})"};
  };
  struct Row {
    long status;
    const char *grpc, *code;
    SendFailure failure;
  } rows[] = {
      {404, "NOT_FOUND", "UNREGISTERED", SendFailure::invalid_recipient},
      {400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", SendFailure::invalid_recipient},
      {403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", SendFailure::invalid_recipient},
      {429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", SendFailure::throttled},
      {503, "UNAVAILABLE", "UNAVAILABLE", SendFailure::transient},
      {500, "INTERNAL", "INTERNAL", SendFailure::transient},
      {401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", SendFailure::unauthorized},
  };
  for (const auto& row : rows) {
    auto r = FcmAdapter::interpret(error(row.status, row.grpc, row.code));
    EXPECT_EQ(r.failure, row.failure) << row.code;
    EXPECT_EQ(r.provider_code, row.code);
  }
  auto quota = error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED");
  quota.headers = {{"retry-after", "30"}};
  EXPECT_EQ(FcmAdapter::interpret(quota).retry_after, std::chrono::milliseconds(30000));
  EXPECT_THROW(FcmAdapter({"fcm", "x", R"({"project_id":"p"})"}, nullptr), std::invalid_argument);
}

}  // namespace
