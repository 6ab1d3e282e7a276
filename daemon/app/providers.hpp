#pragma once
// Builds the provider accounts of the configuration (`providers`, or the
// `dispatch.provider_url` shorthand: one simulator account for every
// channel) into the dispatcher's routes; each adapter also answers its
// webhook at /v1/webhooks/{name} (/v1/webhooks/{name}/{secret} for the
// accounts whose callbacks prove nothing else: auth/callback_secrets.hpp).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/core/adapter.hpp"
#include "config/config.hpp"
#include "dispatch/dispatcher.hpp"

namespace orgcast::app {

struct Providers {
  std::vector<dispatch::Route> routes;
  std::map<std::string, std::shared_ptr<adapters::Adapter>> by_name;
  /// The accounts whose callbacks carry a secret in their path (every type
  /// but WhatsApp, which signs its own, and FCM, which calls none), each
  /// with its configured callback_secret_file's secret, or "" (derived).
  std::map<std::string, std::string> callback_secrets;
};

/// nullopt (and `error`) when an account cannot be built, e.g. a secret file is unreadable.
std::optional<Providers> build_providers(const Config& config, const adapters::Transport& transport, std::string& error);

/// The accounts a configuration names, the shorthand included.
std::vector<ProviderConfig> provider_accounts(const Config& config);

}  // namespace orgcast::app
