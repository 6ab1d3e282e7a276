#pragma once
// The secrets in provider callback paths (/v1/webhooks/{account}/{secret}):
// Kannel's dlr-url and get-url, provider-sim and HTTP aggregators call back
// with nothing else to prove who they are. An account's secret is the one
// configured (callback_secret_file) or else derived from the key every
// instance shares (HMAC-SHA256 of the account's name), so every instance
// accepts the callbacks of messages any instance sent. Thread-safe.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace orgcast::auth {

/// HMAC-SHA256 of "orgcast callback " + account under `key`, as 32 hex characters (128 bits).
std::string derive_callback_secret(std::string_view key, std::string_view account);

/// Compares in time that does not depend on where they differ.
bool same_secret(std::string_view a, std::string_view b);

class CallbackSecrets {
 public:
  CallbackSecrets() = default;
  /// The accounts whose callbacks carry a secret, each with its configured secret ("" derive it).
  explicit CallbackSecrets(std::map<std::string, std::string> configured) : configured_(std::move(configured)) {}
  /// The shared key, once it is loaded; until then derived secrets are unknown.
  void set_key(std::string key);
  /// Whether the account's callbacks must carry a secret in their path.
  bool guards(std::string_view account) const { return configured_.find(std::string(account)) != configured_.end(); }
  /// The account's secret; nullopt for an account not guarded, or while the key is not loaded.
  std::optional<std::string> of(std::string_view account) const;

 private:
  std::map<std::string, std::string> configured_;
  mutable std::mutex mutex_;
  std::string key_;
};

}  // namespace orgcast::auth
