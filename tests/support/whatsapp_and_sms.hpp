#pragma once
// An orgcastd with two provider accounts, fake-whatsapp (signed webhooks,
// as Meta's Cloud API) for WhatsApp and provider-sim for SMS, the sample
// directory imported; and replies sent to it as WhatsApp text messages.
// Shared by the tests of replies and meetings.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "support/daemon_under_test.hpp"
#include "support/fake_provider.hpp"
#include "support/generated_directory.hpp"
#include "support/http_client.hpp"
#include "support/provider_sim_process.hpp"
#include "support/redis_server.hpp"

namespace orgcast::testing {

struct WhatsAppAndSms {
  /// `dispatch_more`: lines added to the dispatch section; `whatsapp_more`: fake-whatsapp's further flags.
  void start(const std::string& prefix, const std::string& dispatch_more = "", std::vector<std::string> whatsapp_more = {}) {
    using namespace std::chrono_literals;
    const int port = free_port();
    const std::string webhook = "http://127.0.0.1:" + std::to_string(port) + "/v1/webhooks/whatsapp";
    std::vector<std::string> flags{"--token", "EAAG-test", "--app-secret", "s3cret", "--callback", webhook};
    flags.insert(flags.end(), whatsapp_more.begin(), whatsapp_more.end());
    whatsapp = std::make_unique<FakeProvider>("fake-whatsapp", flags);
    sms = std::make_unique<ProviderSim>(std::vector<std::string>{"--report-delay-ms", "20"});
    const auto secrets = temp_dir("wa-sms-secrets");
    daemon = std::make_unique<DaemonUnderTest>(
        shared_redis_port(), prefix,
        "dispatch:\n  callback_base_url: http://127.0.0.1:" + std::to_string(port) + "\n" + dispatch_more +
            "providers:\n"
            "  - name: whatsapp\n    type: whatsapp_cloud\n    channels: [whatsapp]\n    url: " + whatsapp->url() +
            "\n    phone_number_id: \"1234567890\"\n    access_token_file: " + secret_file(secrets, "token", "EAAG-test") +
            "\n    app_secret_file: " + secret_file(secrets, "secret", "s3cret") +
            "\n    verify_token_file: " + secret_file(secrets, "verify", "verify-me") +
            "\n  - name: sim\n    type: sim\n    channels: [sms]\n    url: " + sms->url("") + "\n",
        port);
    daemon->start();
    ASSERT_TRUE(daemon->wait_ready(10s)) << daemon->process().log();
    ASSERT_EQ(import_sample_directory(*daemon), "");
  }
  // A WhatsApp text message from `from` (E.164 digits), signed as Meta signs
  // it; with `id` "none", without a message id. The webhook's status.
  int reply(const std::string& from, const std::string& text, const std::string& id = "") {
    const auto message_id = id == "none" ? std::string() : "wamid.IN" + std::to_string(++sent);
    const std::string body = R"({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"from":")" + from +
                             R"(","id":")" + message_id + R"(","timestamp":"1","type":"text","text":{"body":)" +
                             boost::json::serialize(boost::json::string(text)) + "}}]}}]}]}";
    return http("POST", daemon->url("/v1/webhooks/whatsapp"), body, "application/json",
                {{"X-Hub-Signature-256", orgcast::adapters::whatsapp_signature("s3cret", body)}})
        .status;
  }

  std::unique_ptr<FakeProvider> whatsapp;
  std::unique_ptr<ProviderSim> sms;
  std::unique_ptr<DaemonUnderTest> daemon;
  int sent = 0;
};

}  // namespace orgcast::testing
