#pragma once
// What the API handlers need, given to them explicitly by main: the Redis
// client, the directory store and watcher, the compute pool for CPU-heavy
// work, the current directory config and templates (they may change on
// SIGHUP), metrics, log.
#include <functional>
#include <atomic>
#include <map>
#include <chrono>
#include <memory>
#include <string>

#include "adapters/core/adapter.hpp"

#include <boost/asio/any_io_executor.hpp>

#include "auth/permissions.hpp"
#include "config/config.hpp"
#include "core/log.hpp"
#include "templates/loader.hpp"

namespace orgcast::tracking {
class ReportTracker;
}
namespace orgcast::inbound {
class InboundStore;
class InboundPath;
class SenderDirectory;
}

namespace orgcast::time_rules {
class BlackoutStore;
struct Rules;
}  // namespace orgcast::time_rules
namespace orgcast::redis {
class Client;
}
namespace orgcast::directory_store {
class Store;
class Watcher;
}  // namespace orgcast::directory_store
namespace orgcast::metrics {
class Registry;
}
namespace orgcast::broadcast {
class Store;
}

namespace orgcast::schedule {
class Scheduler;
class ScheduleStore;
}
namespace orgcast::reports {
class ReportStore;
}
namespace orgcast::meetings {
class MeetingStore;
}
namespace orgcast::auth {
class AuthStore;
class Authenticator;
class SessionStore;
class CallbackSecrets;
}
namespace orgcast::http {
struct Request;
}
namespace orgcast::audit {
class AuditLog;
}
namespace orgcast::approvals {
class ApprovalStore;
}
namespace orgcast::api {
class ContactReadLimit;
}
namespace orgcast::api {

/// The templates in force and what broadcasts take from the configuration
/// with them; replaced whole when a reload reads a valid set.
struct Messaging {
  templates::Catalog catalog;
  templates::Rules rules;
  std::string dlt_entity_id;
  PricingConfig prices;
};

struct Context {
  std::shared_ptr<redis::Client> redis;
  directory_store::Store* store = nullptr;
  broadcast::Store* broadcasts = nullptr;
  std::shared_ptr<directory_store::Watcher> watcher;
  boost::asio::any_io_executor compute;
  std::function<DirectoryConfig()> directory_config;
  std::function<std::shared_ptr<const Messaging>()> messaging;
  metrics::Registry* metrics = nullptr;
  const Log* log = nullptr;
  std::shared_ptr<tracking::ReportTracker> tracker;
  std::shared_ptr<inbound::InboundStore> inbound;
  std::shared_ptr<inbound::InboundPath> replies;  // inbound messages read, matched and kept
  std::shared_ptr<const inbound::SenderDirectory> senders;  // a mobile's person and current posts, from the index in memory
  std::shared_ptr<meetings::MeetingStore> meetings;
  std::shared_ptr<schedule::Scheduler> scheduler;  // work planned for a time: meetings' reminders
  std::shared_ptr<reports::ReportStore> reports;  // daily reports by REPORT
  std::string link_base;  // where the one-tap reply links point (https://host); "": no links
  std::shared_ptr<auth::AuthStore> auth;  // users and API tokens
  std::shared_ptr<auth::SessionStore> sessions;  // people logged in at the console, and failed logins
  std::shared_ptr<auth::Authenticator> authenticator;  // who a request is from (api/auth_guard)
  // Passwords are checked on a pool of their own, at most hashes_at_once at
  // a time (each takes 64 MiB), never on an I/O thread nor behind an import.
  boost::asio::any_io_executor hashing;
  std::shared_ptr<std::atomic<int>> hashes_in_flight = std::make_shared<std::atomic<int>>(0);
  int hashes_at_once = 2;
  std::string decoy_hash;  // a hash of a password nobody knows: an unknown user's login costs the same time
  long long session_lifetime_s = 12 * 3600;
  /// Through a trusted proxy: the client's address, and whether it came over TLS (the cookie is then Secure).
  std::function<std::string(const http::Request&)> client_address;
  std::function<bool(const http::Request&)> came_over_tls;
  std::function<std::map<std::string, auth::Profile>()> access_profiles;  // the access profiles in force
  std::function<std::vector<std::string>()> totp_required;  // profiles that log in with a TOTP code too
  std::string key_prefix;
  /// How long a request holds its Idempotency-Key before a retry may take it over.
  std::chrono::milliseconds idempotency_lease{30000};
  std::map<std::string, std::shared_ptr<adapters::Adapter>> adapters;  // by provider name, for webhooks
  std::shared_ptr<auth::CallbackSecrets> callback_secrets;
  std::shared_ptr<audit::AuditLog> audit;  // who did what (api/audit_trail); null: no audit.key_file
  std::shared_ptr<approvals::ApprovalStore> approvals;
  std::shared_ptr<ContactReadLimit> contact_reads;  // reads of single contacts per caller (api/contact_read_limit)
  /// The two-person rule in force: profile -> audience size above which its broadcasts wait for approval.
  std::function<std::map<std::string, long long>()> approval_over;
  std::chrono::hours approval_expiry{24};
  /// Profile -> recipients one user or token may send to per day (api/send_quota).
  std::function<std::map<std::string, long long>()> daily_quota;
  std::shared_ptr<time_rules::BlackoutStore> blackouts;  // blackouts made through /v1/blackouts
  std::shared_ptr<schedule::ScheduleStore> schedules;    // recurring schedules (/v1/schedules)
  /// The time rules in force (time_rules/): the config's and the API's blackouts; null: none.
  std::function<std::shared_ptr<const time_rules::Rules>()> time_rules;
  /// A broadcast posted into a blackout of its region: refused 409 (true) or held until it ends (false).
  std::function<bool()> refuse_into_blackout;
};

}  // namespace orgcast::api
