#include "app/providers.hpp"

#include "adapters/fcm/fcm_adapter.hpp"
#include "adapters/kannel/kannel_adapter.hpp"
#include "adapters/provider_sim/provider_sim_adapter.hpp"
#include "adapters/sms_http/sms_http_adapter.hpp"
#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "app/secrets.hpp"
#include "core/text.hpp"

namespace orgcast::app {
namespace {

std::optional<adapters::Channel> channel_named(const std::string& name) {
  if (name == "sms") return adapters::Channel::sms;
  if (name == "whatsapp") return adapters::Channel::whatsapp;
  if (name == "push") return adapters::Channel::push;
  return std::nullopt;
}

std::string setting(const ProviderConfig& p, const char* key, std::string fallback = "") {
  auto it = p.settings.find(key);
  return it == p.settings.end() ? fallback : it->second;
}

// The secret the account's setting `key` names (a file, or a systemd
// credential); nullopt and `error` naming the account and the setting.
std::optional<std::string> secret(const ProviderConfig& p, const char* key, std::string& error) {
  auto value = read_secret(setting(p, key), &error);
  if (!value) error = "provider " + p.name + ": " + key + ": " + error;
  return value;
}

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> out;
  for (auto item : split_trimmed(text, ',')) out.emplace_back(item);
  return out;
}

}  // namespace

std::vector<ProviderConfig> provider_accounts(const Config& config) {
  if (!config.providers.empty() || config.dispatch.provider_url.empty()) return config.providers;
  ProviderConfig sim;
  sim.name = "sim";
  sim.type = "sim";
  sim.channels = {"sms", "whatsapp", "push"};
  sim.url = config.dispatch.provider_url;
  sim.rate_per_second = config.dispatch.rate_per_second;
  sim.concurrency = config.dispatch.concurrency;
  return {sim};
}

std::optional<Providers> build_providers(const Config& config, const adapters::Transport& transport, std::string& error) {
  Providers out;
  const auto timeout = std::chrono::milliseconds(config.dispatch.request_timeout_ms);
  for (const auto& p : provider_accounts(config)) {
    std::shared_ptr<adapters::Adapter> adapter;
    if (p.type == "sim") {
      adapter = std::make_shared<adapters::ProviderSimAdapter>(p.name, p.url, transport, timeout);
    } else if (p.type == "kannel") {
      adapters::KannelSettings k;
      k.name = p.name;
      k.url = p.url;
      k.username = setting(p, "username");
      auto password = secret(p, "password_file", error);
      if (!password) return std::nullopt;
      k.password = *password;
      k.sender = setting(p, "sender", "ORGCST");
      k.smsc = setting(p, "smsc");
      k.dlr_mask = std::atoi(setting(p, "dlr_mask", "31").c_str());
      k.timeout = timeout;
      adapter = std::make_shared<adapters::KannelAdapter>(k, transport);
    } else if (p.type == "whatsapp_cloud") {
      adapters::WhatsAppCloudSettings w;
      w.name = p.name;
      w.url = p.url;
      w.api_version = setting(p, "api_version", w.api_version);
      w.phone_number_id = setting(p, "phone_number_id");
      for (auto [key, field] : {std::pair{"access_token_file", &w.access_token}, std::pair{"app_secret_file", &w.app_secret},
                                std::pair{"verify_token_file", &w.verify_token}}) {
        auto value = secret(p, key, error);
        if (!value) return std::nullopt;
        *field = *value;
      }
      w.timeout = timeout;
      adapter = std::make_shared<adapters::WhatsAppCloudAdapter>(w, transport);
    } else if (p.type == "sms_http") {
      adapters::SmsHttpSettings h;
      h.name = p.name;
      h.url = p.url;
      h.timeout = timeout;
      h.method = setting(p, "method", h.method);
      h.format = setting(p, "format", h.format);
      h.to_format = setting(p, "to_format", h.to_format);
      h.auth_header = setting(p, "auth_header");
      if (!setting(p, "auth_value_file").empty()) {
        auto value = secret(p, "auth_value_file", error);
        if (!value) return std::nullopt;
        h.auth_value = *value;
      }
      for (auto& [ours, field] : h.fields) field = setting(p, ("field_" + ours).c_str(), field);
      h.id_path = setting(p, "id_path", h.id_path);
      h.error_code_path = setting(p, "error_code_path", h.error_code_path);
      h.error_message_path = setting(p, "error_message_path", h.error_message_path);
      h.callback_id = setting(p, "callback_id", h.callback_id);
      h.callback_status = setting(p, "callback_status", h.callback_status);
      h.callback_code = setting(p, "callback_code", h.callback_code);
      h.mo_from = setting(p, "mo_from", h.mo_from);
      h.mo_text = setting(p, "mo_text", h.mo_text);
      h.mo_id = setting(p, "mo_id", h.mo_id);
      h.mo_time = setting(p, "mo_time", h.mo_time);
      if (!setting(p, "delivered_values").empty()) h.delivered_values = comma_list(setting(p, "delivered_values"));
      if (!setting(p, "failed_values").empty()) h.failed_values = comma_list(setting(p, "failed_values"));
      adapter = std::make_shared<adapters::SmsHttpAdapter>(h, transport);
    } else if (p.type == "fcm") {
      adapters::FcmSettings f;
      f.name = p.name;
      f.url = p.url;
      f.timeout = timeout;
      auto key = secret(p, "service_account_file", error);
      if (!key) return std::nullopt;
      f.service_account_json = *key;
      try {
        adapter = std::make_shared<adapters::FcmAdapter>(f, transport);
      } catch (const std::invalid_argument& e) {
        error = "provider " + p.name + ": " + e.what();
        return std::nullopt;
      }
    } else {
      error = "provider " + p.name + ": no adapter for type " + p.type;
      return std::nullopt;
    }
    dispatch::Route route;
    route.adapter = adapter;
    for (const auto& c : p.channels)
      if (auto channel = channel_named(c)) route.channels.push_back(*channel);
    route.rate_per_second = p.rate_per_second;
    route.concurrency = std::max(1, p.concurrency);
    route.callback_url = config.dispatch.callback_base_url.empty() ? "" : config.dispatch.callback_base_url + "/v1/webhooks/" + p.name;
    if (p.type == "sim" || p.type == "kannel" || p.type == "sms_http") {
      std::string configured;
      if (!setting(p, "callback_secret_file").empty()) {
        auto value = secret(p, "callback_secret_file", error);
        if (!value) return std::nullopt;
        configured = std::string(trim(*value));
        if (configured.size() < 16 || configured.find_first_not_of("0123456789abcdefABCDEFghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ-_") != std::string::npos) {
          error = "provider " + p.name + ": callback_secret_file: give at least 16 letters, digits, - or _ (it goes in a URL path)";
          return std::nullopt;
        }
      }
      out.callback_secrets[p.name] = configured;
    }
    out.routes.push_back(std::move(route));
    out.by_name[p.name] = std::move(adapter);
  }
  return out;
}

}  // namespace orgcast::app
