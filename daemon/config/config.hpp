#pragma once
// The daemon's configuration, as validated by config/loader. Every field here
// has one row in config/schema.cpp, which is also what documents it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "time_rules/time_rules.hpp"

#include "core/log.hpp"

namespace orgcast {

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  int threads = 2;
  std::size_t body_limit_bytes = 1 << 20;
  std::size_t import_body_limit_bytes = std::size_t{512} << 20;
  int max_connections = 1024;
  int idle_timeout_ms = 30000;
  // A body that stalls (no byte for idle_timeout_ms), arrives slower than
  // this once past its first 10 s, or takes longer than body_max_seconds in
  // all is answered 408: a slow but steady upload completes, a stalled one
  // does not hold a connection.
  int body_min_bytes_per_second = 1024;
  int body_max_seconds = 600;
  int shutdown_grace_ms = 5000;
  // One client may not take the daemon from the others: connections per
  // TCP peer (a trusted proxy's are not counted), requests per client
  // address and per caller (token or user), each a bucket refilled at the
  // rate up to the burst; 0: no limit. Over: 429 with Retry-After.
  int max_connections_per_address = 256;
  int requests_per_second_per_address = 100;
  int request_burst_per_address = 200;
  int requests_per_second_per_caller = 50;
  int request_burst_per_caller = 100;
  // Origins (comma-separated, "*": any) whose web pages may call the API
  // (CORS); a page of any other origin is refused. The daemon's own origin
  // (the console) needs no entry.
  std::string allowed_origins;
  // Not read from the file: auth.trusted_proxies, whose connections carry
  // many clients and are not limited per address.
  std::vector<std::string> trusted_peers;

  bool operator==(const ServerConfig&) const = default;
};

struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password_file;  // empty: no AUTH
  std::string key_prefix = "orgcast:";
  int connect_timeout_ms = 2000;
  int command_timeout_ms = 5000;
  int reconnect_min_ms = 100;
  int reconnect_max_ms = 5000;

  bool operator==(const RedisConfig&) const = default;
};

/// A named group of tags: cells, departments, frontal organisations...
struct TagGroup {
  std::string name;
  std::vector<std::string> tags;
};

struct DirectoryConfig {
  std::vector<std::string> levels{"state", "district", "block", "mandal", "booth"};
  bool allow_level_skips = false;
  std::vector<std::string> roles{"president",      "vice_president", "general_secretary", "secretary",
                                 "treasurer",      "spokesperson",   "it_incharge",       "member",
                                 "chief_enroller", "enroller",       "booth_level_agent"};
  std::vector<TagGroup> tag_groups{
      {"cells", {"it_cell", "legal_cell", "media_cell", "social_media_cell", "minority_cell"}},
      {"departments", {"finance", "training", "election_management"}},
      {"frontal", {"yuva_morcha", "mahila_morcha", "kisan_morcha", "sc_morcha", "st_morcha", "obc_morcha"}}};
  std::vector<std::string> languages{"hi", "en"};
  std::string default_language = "hi";
  int change_poll_ms = 200;
  int max_errors_listed = 1000;

  /// Every tag of every group, in declaration order (bit positions in the index).
  std::vector<std::string> all_tags() const;
};

/// The dispatcher. `provider_url` is a shorthand: with no provider accounts
/// configured, one account speaking tools/provider-sim's API carries every channel.
struct DispatchConfig {
  std::string provider_url;        // empty: this instance does not dispatch
  std::string callback_base_url;   // how providers reach /v1/webhooks/{provider}
  int rate_per_second = 1000;      // token bucket for the provider
  int concurrency = 64;            // requests in flight to the provider
  int workers = 4;                 // chunks worked on at once
  int max_attempts = 6;            // per channel, for retryable failures
  int retry_base_ms = 1000;
  int retry_cap_ms = 300000;
  int lease_ms = 30000;            // an instance whose heartbeat stopped this long is dead: its chunks are taken over
  int request_timeout_ms = 10000;
  int report_timeout_s = 600;      // sent, no report by then: the policy's next channel, or unconfirmed on the last
  int drain_ms = 20000;            // SIGTERM: windows in flight finish and are recorded within this
};

/// Broadcasts as the API creates them.
struct BroadcastsConfig {
  int idempotency_lease_ms = 30000;  // a request holds its Idempotency-Key this long; then a retry may take it over
  int retention_days = 90;           // per-recipient records live this long after a broadcast is done
};

/// The daemon's automatic replies to inbound messages (docs/REPLIES.md).
struct RepliesConfig {
  bool sms_acknowledgements = true;  // acknowledge answers, STOP and START by SMS too (each costs money)
  int batch_ms = 1000;               // the reply lane sends what waits this often, grouped
  int most_per_hour = 10;            // automatic replies to one number an hour, at most
  std::string link_base_url;         // the one-tap reply links' base (https://host); "": dispatch.callback_base_url
};

/// The words replies are read by (docs/REPLIES.md, "Vocabulary"), over the
/// shipped ones: language -> word list name (yes, no, stop, start, help,
/// report, honorifics, all) -> its words. A list given replaces that
/// language's shipped list; a new language adds its words.
struct KeywordsConfig {
  std::map<std::string, std::map<std::string, std::vector<std::string>>> languages;
};

/// Who may do what (docs/ACCESS.md).
struct AuthConfig {
  /// Every request but the open ones needs credentials. false only for a
  /// daemon listening on loopback (benchmarks comparing with auth off).
  bool required = true;
  /// Access profiles over the shipped ones: name -> permissions.
  std::map<std::string, std::vector<std::string>> profiles;
  int session_idle_minutes = 30;    // a console session ends this long after its last request
  int session_lifetime_hours = 12;  // ...and this long after its login, however busy
  int login_hashes_at_once = 2;     // password checks at a time (each takes 64 MiB)
  /// Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (comma-separated).
  std::string trusted_proxies;
  /// Profiles whose users log in with a second factor (TOTP) too: by default those that reach
  /// beyond a district and manage users.
  std::vector<std::string> totp_required{"state_admin"};
  /// The two-person rule: profile -> audience size above which its broadcasts wait for approval.
  std::map<std::string, long long> approval_over;
  int approval_expiry_hours = 24;  // undecided this long: expired, never sent
  int contact_reads_per_minute = 120;  // one caller's reads of single contacts, per instance (0: no limit)
  /// Profile -> recipients one user or token of it may send to per day (IST).
  std::map<std::string, long long> daily_quota;
};

/// The audit trail (docs/ACCESS.md, "Audit trail").
struct AuditConfig {
  /// The file holding the key of the trail's HMAC chain (never kept in
  /// Redis); required when auth.required. Every instance reads the same one.
  std::string key_file;
  int head_log_minutes = 5;  // how often the chain's head is written to the log
};

/// Daily reports by SMS or WhatsApp (REPORT <text>): who files them.
struct ReportsConfig {
  std::vector<std::string> levels{"district"};  // posts at these levels...
  std::vector<std::string> roles{"president"};  // ...with these roles may report
};

/// Message templates: where they are and what they may be.
struct TemplatesConfig {
  std::string dir = "templates";   // relative to the config file's folder
  int max_sms_segments = 4;        // an SMS template may not need more, every variable at its longest
  std::string dlt_entity_id;       // the principal entity ID registered on India's DLT platform
};

/// What sending costs, for estimates before a broadcast and its report after.
struct PricingConfig {
  std::string currency = "INR";
  double sms_per_message = 0;
  double sms_per_segment = 0.13;
  double whatsapp_per_message = 0.115;
  double push_per_message = 0;
};

/// One provider account: the adapter type, the channels it
/// carries, where it is, its limits, and the type's own settings (each
/// adapter's README lists them; secrets are given as *_file paths).
struct ProviderConfig {
  std::string name;  // in /v1/webhooks/{name}; unique
  std::string type;  // sim, kannel
  std::vector<std::string> channels;
  std::string url;
  int rate_per_second = 100;
  int concurrency = 16;
  std::map<std::string, std::string> settings;
  int line = 0;
};

/// When messages may go out (time_rules/): checked for each recipient at
/// the moment it would be sent.
struct TimeRulesConfig {
  std::vector<time_rules::QuietHours> quiet_hours;  // per template kind, IST; replies always exempt
  bool promotional_window = true;                   // DLT: promotional SMS only 10:00-21:00 IST
  std::vector<time_rules::Blackout> blackouts;      // beside those made through /v1/blackouts
  bool refuse_into_blackout = false;                // a broadcast posted into a blackout: 409 (true) or held until it ends
};

struct Config {
  std::string source_path;
  LogLevel log_level = LogLevel::info;
  ServerConfig server;
  RedisConfig redis;
  DirectoryConfig directory;
  DispatchConfig dispatch;
  BroadcastsConfig broadcasts;
  RepliesConfig replies;
  KeywordsConfig keywords;
  AuthConfig auth;
  AuditConfig audit;
  ReportsConfig reports;
  TemplatesConfig templates;
  PricingConfig pricing;
  TimeRulesConfig time_rules;
  /// Empty with dispatch.provider_url set: one `sim` account carries every channel.
  std::vector<ProviderConfig> providers;

  /// templates.dir made absolute against the config file's folder.
  std::string templates_dir() const;
  /// Where the one-tap reply links point (https://host, no trailing slash):
  /// replies.link_base_url, else dispatch.callback_base_url; "" neither.
  std::string reply_link_base() const;
};

}  // namespace orgcast
