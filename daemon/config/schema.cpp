#include "config/schema.hpp"

#include <charconv>
#include <cstdlib>
#include <set>
#include <tuple>

#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "auth/permissions.hpp"
#include "keywords/vocabulary.hpp"

namespace orgcast::config_schema {
namespace {

using Apply = std::function<std::optional<std::string>(Config&, const YAML::Node&)>;

bool scalar(const YAML::Node& node, std::string& out) {
  if (!node.IsScalar()) return false;
  out = node.Scalar();
  return true;
}

template <typename Field>
Option string_option(std::string path, std::string doc, Field field) {
  return {path, Kind::string, std::move(doc), 0, 0, [field](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            std::string value;
            if (!scalar(n, value)) return "expected a string";
            field(c) = value;
            return std::nullopt;
          }};
}

template <typename Field>
Option int_option(std::string path, std::string doc, long long min, long long max, Field field) {
  return {path, Kind::integer, std::move(doc), min, max,
          [field, min, max](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            std::string text;
            long long value = 0;
            if (!scalar(n, text)) return "expected an integer";
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc{} || end != text.data() + text.size()) return "expected an integer, got " + quoted(text);
            if (value < min || value > max)
              return "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + text;
            field(c) = static_cast<std::remove_reference_t<decltype(field(c))>>(value);
            return std::nullopt;
          }};
}

// Prices: a decimal number from 0 to max (min and max are whole numbers).
template <typename Field>
Option decimal_option(std::string path, std::string doc, long long max, Field field) {
  return {path, Kind::decimal, std::move(doc), 0, max, [field, max](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            std::string text;
            if (!scalar(n, text)) return "expected a decimal number";
            char* end = nullptr;
            const double value = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size() || !(value >= 0) || value > static_cast<double>(max))
              return "expected a decimal number from 0 to " + std::to_string(max) + ", got " + quoted(text);
            field(c) = value;
            return std::nullopt;
          }};
}

template <typename Field>
Option bool_option(std::string path, std::string doc, Field field) {
  return {path, Kind::boolean, std::move(doc), 0, 0, [field](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            std::string text;
            if (!scalar(n, text)) return "expected true or false";
            if (text == "true") field(c) = true;
            else if (text == "false") field(c) = false;
            else return "expected true or false, got " + quoted(text);
            return std::nullopt;
          }};
}

std::optional<std::string> read_identifiers(const YAML::Node& n, std::vector<std::string>& out, bool allow_empty) {
  if (!n.IsSequence()) return "expected a list of names";
  std::vector<std::string> values;
  std::set<std::string> seen;
  for (const auto& item : n) {
    std::string text;
    if (!scalar(item, text) || !is_identifier(text))
      return "expected lower-case names ([a-z][a-z0-9_]*), got " + quoted(item.IsScalar() ? item.Scalar() : "a non-scalar");
    if (!seen.insert(text).second) return "the name " + quoted(text) + " is listed twice";
    values.push_back(text);
  }
  if (values.empty() && !allow_empty) return "expected at least one name";
  out = std::move(values);
  return std::nullopt;
}

template <typename Field>
Option identifiers_option(std::string path, std::string doc, Field field, bool allow_empty = false) {
  return {path, Kind::identifier_list, std::move(doc), 0, 0,
          [field, allow_empty](Config& c, const YAML::Node& n) { return read_identifiers(n, field(c), allow_empty); }};
}

Option listen_option() {
  return {"server.listen", Kind::endpoint, "address:port the HTTP API listens on (port 0 picks a free port)", 0, 0,
          [](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            std::string text;
            if (!scalar(n, text)) return "expected host:port";
            auto colon = text.rfind(':');
            if (colon == std::string::npos || colon == 0) return "expected host:port, got " + quoted(text);
            unsigned port = 0;
            auto port_text = text.substr(colon + 1);
            auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
            if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
              return "expected a port from 0 to 65535 after ':', got " + quoted(port_text);
            c.server.listen_host = text.substr(0, colon);
            c.server.listen_port = static_cast<std::uint16_t>(port);
            return std::nullopt;
          }};
}

Option tags_option() {
  return {"directory.tags", Kind::tag_groups,
          "tag groups (cells, departments, frontal organisations...): a map of group name to a list of tags", 0, 0,
          [](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            if (!n.IsMap()) return "expected a map of group name to a list of tags";
            std::vector<TagGroup> groups;
            std::set<std::string> seen;
            for (const auto& entry : n) {
              TagGroup group;
              if (!scalar(entry.first, group.name) || !is_identifier(group.name)) return "group names must be lower-case names";
              if (auto error = read_identifiers(entry.second, group.tags, true)) return "in group " + quoted(group.name) + ": " + *error;
              for (const auto& tag : group.tags)
                if (!seen.insert(tag).second) return "the tag " + quoted(tag) + " is in two groups";
              groups.push_back(std::move(group));
            }
            // Tags are bits of a 64-bit mask in the org index.
            if (seen.size() > 64) return "at most 64 tags in all, got " + std::to_string(seen.size());
            c.directory.tag_groups = std::move(groups);
            return std::nullopt;
          }};
}

Option keywords_option() {
  return {"keywords", Kind::keywords,
          "the words replies are read by, over the shipped ones: per language (hi, en...), lists named yes, no, stop, start, help, "
          "report, honorifics, all; a list given replaces that language's shipped one",
          0, 0, [](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            if (!n.IsMap()) return "expected a map of language code to its word lists";
            KeywordsConfig out;
            for (const auto& language : n) {
              std::string code;
              if (!scalar(language.first, code) || code.size() < 2 || code.size() > 3 || !is_identifier(code))
                return "language codes are two or three lower-case letters (hi, en, mr), got " + quoted(language.first.IsScalar() ? language.first.Scalar() : "a non-scalar");
              if (!language.second.IsMap()) return code + ": expected a map of word list name to its words";
              auto& lists = out.languages[code];
              for (const auto& list : language.second) {
                std::string name;
                if (!scalar(list.first, name) || !keywords::is_word_list(name))
                  return code + ": unknown word list " + quoted(list.first.IsScalar() ? list.first.Scalar() : "a non-scalar") +
                         "; expected yes, no, stop, start, help, report, honorifics or all";
                if (!list.second.IsSequence()) return code + "." + name + ": expected a list of words";
                auto& words = lists[name];
                for (const auto& word : list.second) {
                  std::string text;
                  if (!scalar(word, text)) return code + "." + name + ": expected words";
                  words.push_back(text);
                }
              }
            }
            // The vocabulary it makes must be readable: every word one word, none meaning two keywords.
            if (auto problem = keywords::Vocabulary::configured(out.languages).check(); !problem.empty()) return problem;
            c.keywords = std::move(out);
            return std::nullopt;
          }};
}

Option profiles_option() {
  return {"auth.profiles", Kind::profiles,
          "access profiles over the shipped ones (state_admin, district_president, office_staff, scheduler): name -> list of "
          "permissions (view, view_contacts, send_announcement, send_summons, manage_meetings, approve, manage_directory, "
          "manage_users, manage_tokens)",
          0, 0, [](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            if (!n.IsMap()) return "expected a map of profile name to a list of permissions";
            std::map<std::string, std::vector<std::string>> out;
            for (const auto& entry : n) {
              std::string name;
              if (!scalar(entry.first, name) || !is_identifier(name)) return "profile names must be lower-case names";
              std::vector<std::string> permissions;
              if (auto error = read_identifiers(entry.second, permissions, true)) return "in profile " + quoted(name) + ": " + *error;
              for (const auto& p : permissions)
                if (!auth::parse_permission(p)) return "in profile " + quoted(name) + ": unknown permission " + quoted(p);
              out[name] = std::move(permissions);
            }
            c.auth.profiles = std::move(out);
            return std::nullopt;
          }};
}

// time_rules.quiet_hours: template kind -> "21:00-08:00" (IST).
Option quiet_hours_option() {
  return {"time_rules.quiet_hours", Kind::quiet_hours,
          "per template kind (announcement, summons, reminder), a daily IST window when none is sent, e.g. \"21:00-08:00\"; replies are "
          "always exempt",
          0, 0, [](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            if (!n.IsMap()) return "expected a map of template kind to a window such as \"21:00-08:00\"";
            std::vector<time_rules::QuietHours> out;
            for (const auto& entry : n) {
              std::string kind, text;
              if (!scalar(entry.first, kind) || (kind != "announcement" && kind != "summons" && kind != "reminder"))
                return "kinds are announcement, summons or reminder (replies are never held)";
              auto window = scalar(entry.second, text) ? time_rules::parse_daily_window(text) : std::nullopt;
              if (!window) return "in " + quoted(kind) + ": expected an IST window \"HH:MM-HH:MM\", e.g. \"21:00-08:00\"";
              out.push_back({kind, *window});
            }
            c.time_rules.quiet_hours = std::move(out);
            return std::nullopt;
          }};
}

// time_rules.blackouts: [{name, units: [...], from, to, kinds: [...]}].
Option blackouts_option() {
  return {"time_rules.blackouts", Kind::blackouts,
          "windows when nothing (or only some kinds) is sent to some units and below: a list of {name, units, from, to (RFC 3339), kinds}",
          0, 0, [](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            if (!n.IsSequence()) return "expected a list of blackouts";
            std::vector<time_rules::Blackout> out;
            for (std::size_t i = 0; i < n.size(); ++i) {
              const auto& entry = n[i];
              const std::string at = "blackout " + std::to_string(i + 1);
              if (!entry.IsMap()) return at + ": expected a map with name, units, from, to and kinds";
              time_rules::Blackout b;
              b.id = "config:" + std::to_string(i + 1);
              std::string from, to;
              for (const auto& field : entry) {
                std::string key;
                scalar(field.first, key);
                if (key == "name") {
                  if (!scalar(field.second, b.name)) return at + ": name must be a text";
                } else if (key == "from" || key == "to") {
                  if (!scalar(field.second, key == "from" ? from : to)) return at + ": " + key + " must be an RFC 3339 time";
                } else if (key == "units" || key == "kinds") {
                  if (!field.second.IsSequence()) return at + ": " + key + " must be a list";
                  for (const auto& item : field.second) {
                    std::string text;
                    if (!scalar(item, text) || text.empty()) return at + ": " + key + " must be a list of texts";
                    if (key == "kinds" && text != "announcement" && text != "summons" && text != "reminder")
                      return at + ": kinds are announcement, summons or reminder (replies are never held), not " + quoted(text);
                    (key == "units" ? b.units : b.kinds).push_back(text);
                  }
                } else {
                  return at + ": unknown key " + quoted(key) + "; expected name, units, from, to, kinds";
                }
              }
              auto f = parse_rfc3339(from), t = parse_rfc3339(to);
              if (!f || !t) return at + ": from and to must be RFC 3339 times, e.g. 2027-02-05T17:00:00+05:30";
              if (*t <= *f) return at + ": to must be later than from";
              if (b.units.empty()) return at + ": units must name at least one unit (the state's id for all)";
              b.from = *f, b.to = *t;
              out.push_back(std::move(b));
            }
            c.time_rules.blackouts = std::move(out);
            return std::nullopt;
          }};
}

// A map of profile name to a whole number (a count of recipients).
Option profile_counts_option(std::string path, std::string doc, std::map<std::string, long long> AuthConfig::*field) {
  return {path, Kind::profile_counts, std::move(doc), 0, 0, [field](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            if (!n.IsMap()) return "expected a map of profile name to a number of recipients";
            std::map<std::string, long long> out;
            for (const auto& entry : n) {
              std::string name, text;
              if (!scalar(entry.first, name) || !is_identifier(name)) return "profile names must be lower-case names";
              long long count = -1;
              if (scalar(entry.second, text)) {
                try {
                  std::size_t used = 0;
                  count = std::stoll(text, &used);
                  if (used != text.size()) count = -1;
                } catch (const std::exception&) {
                }
              }
              if (count < 0 || count > 100000000) return "in " + quoted(name) + ": expected a number of recipients from 0 to 100000000";
              out[name] = count;
            }
            c.auth.*field = std::move(out);
            return std::nullopt;
          }};
}

Option providers_option() {
  return {"providers", Kind::providers,
          "provider accounts: a list of {name, type, channels, url, rate_per_second, concurrency, and the type's settings}", 0, 0,
          [](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            if (!n.IsSequence()) return "expected a list of provider accounts";
            std::vector<ProviderConfig> out;
            std::set<std::string> names;
            for (std::size_t i = 0; i < n.size(); ++i) {
              const auto& item = n[i];
              ProviderConfig p;
              p.line = item.Mark().line + 1;
              const std::string at = "provider " + std::to_string(i + 1) + " (line " + std::to_string(p.line) + "): ";
              if (!item.IsMap()) return at + "expected a map";
              std::string value;
              if (!item["name"] || !scalar(item["name"], p.name) || !is_identifier(p.name)) return at + "name: expected a lower-case name";
              if (!names.insert(p.name).second) return at + "the name " + quoted(p.name) + " is used twice";
              if (!item["type"] || !scalar(item["type"], p.type) || !provider_settings().contains(p.type)) {
                std::string types;
                for (const auto& [type, _] : provider_settings()) types += (types.empty() ? "" : ", ") + type;
                return at + "type: expected one of " + types;
              }
              if (!item["url"] || !scalar(item["url"], p.url) || p.url.empty()) return at + "url: missing";
              if (!item["channels"] || read_identifiers(item["channels"], p.channels, false)) return at + "channels: expected a list of sms, whatsapp, push";
              for (const auto& channel : p.channels)
                if (channel != "sms" && channel != "whatsapp" && channel != "push") return at + "channels: unknown channel " + quoted(channel);
              for (auto [key, field, max] : {std::tuple{"rate_per_second", &p.rate_per_second, 1000000}, std::tuple{"concurrency", &p.concurrency, 10000}}) {
                if (!item[key]) continue;
                if (!scalar(item[key], value) || value.empty() || value.find_first_not_of("0123456789") != std::string::npos ||
                    value.size() > 7 || std::stoi(value) < 1 || std::stoi(value) > max)
                  return at + key + ": expected an integer from 1 to " + std::to_string(max);
                *field = std::stoi(value);
              }
              const auto& allowed = provider_settings().at(p.type);
              for (const auto& kv : item) {
                const auto key = kv.first.as<std::string>("");
                if (key == "name" || key == "type" || key == "url" || key == "channels" || key == "rate_per_second" || key == "concurrency")
                  continue;
                bool known = false;
                for (const auto& [k, _] : allowed) known |= k == key;
                if (!known) return at + "unknown key " + quoted(key) + " for a " + p.type + " account";
                if (!scalar(kv.second, value)) return at + key + ": expected a text";
                p.settings[key] = value;
              }
              for (const auto& [k, required] : allowed)
                if (required && !p.settings.contains(k)) return at + k + ": missing (a " + p.type + " account needs it)";
              out.push_back(std::move(p));
            }
            c.providers = std::move(out);
            return std::nullopt;
          }};
}

Option log_level_option() {
  return {"log.level", Kind::log_level, "debug, info, warn or error", 0, 0,
          [](Config& c, const YAML::Node& n) -> std::optional<std::string> {
            std::string text;
            if (!scalar(n, text) || !parse_log_level(text, c.log_level))
              return "expected one of debug, info, warn, error";
            return std::nullopt;
          }};
}

}  // namespace

const std::map<std::string, std::vector<std::pair<std::string, bool>>>& provider_settings() {
  static const std::map<std::string, std::vector<std::pair<std::string, bool>>> table = {
      {"sim", {{"callback_secret_file", false}}},
      // adapters/kannel/README.md
      {"kannel", {{"username", true}, {"password_file", true}, {"sender", false}, {"smsc", false}, {"dlr_mask", false}, {"callback_secret_file", false}}},
      // adapters/sms_http/README.md
      {"sms_http",
       {{"method", false}, {"format", false}, {"auth_header", false}, {"auth_value_file", false}, {"to_format", false},
        {"field_to", false}, {"field_text", false}, {"field_sender", false}, {"field_entity_id", false}, {"field_template_id", false},
        {"field_callback", false}, {"field_reference", false}, {"id_path", false}, {"error_code_path", false},
        {"error_message_path", false}, {"callback_id", false}, {"callback_status", false}, {"callback_code", false},
        {"delivered_values", false}, {"failed_values", false}, {"mo_from", false}, {"mo_text", false}, {"mo_id", false},
        {"mo_time", false}, {"callback_secret_file", false}}},
      // adapters/fcm/README.md
      {"fcm", {{"service_account_file", true}}},
      // adapters/whatsapp_cloud/README.md
      {"whatsapp_cloud",
       {{"phone_number_id", true}, {"access_token_file", true}, {"app_secret_file", true}, {"verify_token_file", true}, {"api_version", false}}},
  };
  return table;
}

const std::vector<Option>& options() {
  static const std::vector<Option> table = {
      log_level_option(),
      listen_option(),
      int_option("server.threads", "I/O threads serving HTTP and Redis", 1, 64, [](Config& c) -> int& { return c.server.threads; }),
      int_option("server.body_limit_bytes", "largest request body accepted, except imports", 1024, 64ll << 20,
                 [](Config& c) -> std::size_t& { return c.server.body_limit_bytes; }),
      int_option("server.import_body_limit_bytes", "largest body accepted by POST /v1/directory/import", 1024, 4ll << 30,
                 [](Config& c) -> std::size_t& { return c.server.import_body_limit_bytes; }),
      int_option("server.max_connections", "connections served at once; more wait in the accept queue", 1, 100000,
                 [](Config& c) -> int& { return c.server.max_connections; }),
      int_option("server.idle_timeout_ms", "a connection idle this long is closed", 100, 3600000,
                 [](Config& c) -> int& { return c.server.idle_timeout_ms; }),
      int_option("server.body_min_bytes_per_second", "a request body arriving slower than this (after its first 10 s) is answered 408", 1,
                 1 << 30, [](Config& c) -> int& { return c.server.body_min_bytes_per_second; }),
      int_option("server.body_max_seconds", "the longest a request body may take to arrive; past it 408", 1, 86400,
                 [](Config& c) -> int& { return c.server.body_max_seconds; }),
      int_option("server.max_connections_per_address", "connections one client address may hold open (0: no limit); more are answered 429", 0,
                 100000, [](Config& c) -> int& { return c.server.max_connections_per_address; }),
      int_option("server.requests_per_second_per_address", "requests one client address may make each second, over its burst (0: no limit); more: 429", 0,
                 1000000, [](Config& c) -> int& { return c.server.requests_per_second_per_address; }),
      int_option("server.request_burst_per_address", "requests one client address may make at once before its rate applies", 1, 1000000,
                 [](Config& c) -> int& { return c.server.request_burst_per_address; }),
      int_option("server.requests_per_second_per_caller", "requests one token or user may make each second, over its burst (0: no limit); more: 429", 0,
                 1000000, [](Config& c) -> int& { return c.server.requests_per_second_per_caller; }),
      int_option("server.request_burst_per_caller", "requests one token or user may make at once before its rate applies", 1, 1000000,
                 [](Config& c) -> int& { return c.server.request_burst_per_caller; }),
      string_option("server.allowed_origins", "origins (comma-separated, * any) whose web pages may call the API (CORS); others are refused",
                    [](Config& c) -> std::string& { return c.server.allowed_origins; }),
      int_option("server.shutdown_grace_ms", "on SIGTERM, how long requests in flight may take to finish", 0, 600000,
                 [](Config& c) -> int& { return c.server.shutdown_grace_ms; }),
      string_option("redis.host", "Redis server address", [](Config& c) -> std::string& { return c.redis.host; }),
      int_option("redis.port", "Redis server port", 1, 65535, [](Config& c) -> int& { return c.redis.port; }),
      int_option("redis.db", "Redis database number", 0, 15, [](Config& c) -> int& { return c.redis.db; }),
      string_option("redis.password_file", "file holding the Redis password (or $CREDENTIALS_DIRECTORY/name); empty: no AUTH",
                    [](Config& c) -> std::string& { return c.redis.password_file; }),
      string_option("redis.key_prefix", "prefix of every key orgcast writes", [](Config& c) -> std::string& { return c.redis.key_prefix; }),
      int_option("redis.connect_timeout_ms", "deadline for connecting to Redis", 10, 600000,
                 [](Config& c) -> int& { return c.redis.connect_timeout_ms; }),
      int_option("redis.command_timeout_ms", "deadline for any Redis reply; past it the connection is reset", 10, 600000,
                 [](Config& c) -> int& { return c.redis.command_timeout_ms; }),
      int_option("redis.reconnect_min_ms", "first reconnect delay (doubles up to the max)", 1, 600000,
                 [](Config& c) -> int& { return c.redis.reconnect_min_ms; }),
      int_option("redis.reconnect_max_ms", "largest reconnect delay", 1, 600000,
                 [](Config& c) -> int& { return c.redis.reconnect_max_ms; }),
      identifiers_option("directory.levels", "hierarchy level names, top first",
                         [](Config& c) -> std::vector<std::string>& { return c.directory.levels; }),
      bool_option("directory.allow_level_skips", "may a unit sit more than one level below its parent",
                  [](Config& c) -> bool& { return c.directory.allow_level_skips; }),
      identifiers_option("directory.roles", "roles a contact may hold in a unit",
                         [](Config& c) -> std::vector<std::string>& { return c.directory.roles; }),
      tags_option(),
      identifiers_option("directory.languages", "language codes contacts may have (ISO 639-1)",
                         [](Config& c) -> std::vector<std::string>& { return c.directory.languages; }),
      string_option("directory.default_language", "language for contacts whose language is empty",
                    [](Config& c) -> std::string& { return c.directory.default_language; }),
      int_option("directory.change_poll_ms", "how often the daemon looks for directory changes in Redis", 10, 1000,
                 [](Config& c) -> int& { return c.directory.change_poll_ms; }),
      int_option("directory.max_errors_listed", "how many import errors are listed before the rest are only counted", 1,
                 1000000, [](Config& c) -> int& { return c.directory.max_errors_listed; }),
      string_option("dispatch.provider_url", "base URL of the provider (tools/provider-sim's API); empty: do not dispatch",
                    [](Config& c) -> std::string& { return c.dispatch.provider_url; }),
      string_option("dispatch.callback_base_url", "base URL providers use to reach this daemon's /v1/webhooks/...",
                    [](Config& c) -> std::string& { return c.dispatch.callback_base_url; }),
      int_option("dispatch.rate_per_second", "messages per second to the provider (token bucket)", 1, 1000000,
                 [](Config& c) -> int& { return c.dispatch.rate_per_second; }),
      int_option("dispatch.concurrency", "requests in flight to the provider", 1, 10000,
                 [](Config& c) -> int& { return c.dispatch.concurrency; }),
      int_option("dispatch.workers", "queue chunks worked on at once by this instance", 1, 256,
                 [](Config& c) -> int& { return c.dispatch.workers; }),
      int_option("dispatch.max_attempts", "attempts per channel for retryable failures", 1, 100,
                 [](Config& c) -> int& { return c.dispatch.max_attempts; }),
      int_option("dispatch.retry_base_ms", "first retry delay (doubles, with jitter)", 1, 3600000,
                 [](Config& c) -> int& { return c.dispatch.retry_base_ms; }),
      int_option("dispatch.retry_cap_ms", "largest retry delay", 1, 86400000, [](Config& c) -> int& { return c.dispatch.retry_cap_ms; }),
      int_option("dispatch.lease_ms", "an instance whose heartbeat stopped this long is dead: its chunks are taken over", 1000, 3600000,
                 [](Config& c) -> int& { return c.dispatch.lease_ms; }),
      int_option("dispatch.report_timeout_s",
                 "a sent message with no delivery report after this long falls back to the policy's next channel, or on the last "
                 "one ends unconfirmed; a broadcast's report_timeout_s overrides it",
                 1, 604800, [](Config& c) -> int& { return c.dispatch.report_timeout_s; }),
      int_option("dispatch.request_timeout_ms", "deadline of one provider request", 100, 600000,
                 [](Config& c) -> int& { return c.dispatch.request_timeout_ms; }),
      int_option("dispatch.drain_ms",
                 "on SIGTERM, how long the windows in flight may take to finish and be recorded (at least request_timeout_ms is "
                 "used; keep it below the unit's TimeoutStopSec)",
                 100, 600000, [](Config& c) -> int& { return c.dispatch.drain_ms; }),
      int_option("broadcasts.idempotency_lease_ms",
                 "how long a POST holds its Idempotency-Key while it creates the broadcast; a retry after a failure takes it "
                 "over once this has passed",
                 1000, 3600000, [](Config& c) -> int& { return c.broadcasts.idempotency_lease_ms; }),
      int_option("broadcasts.retention_days",
                 "how long a broadcast's per-recipient records and failure reasons are kept after it is done (its summary, "
                 "counters and cost are kept for good)",
                 1, 3650, [](Config& c) -> int& { return c.broadcasts.retention_days; }),
      bool_option("replies.sms_acknowledgements",
                  "acknowledge answers, STOP and START by SMS too (each costs money); HELP and \"which meeting?\" are answered either way",
                  [](Config& c) -> bool& { return c.replies.sms_acknowledgements; }),
      int_option("replies.batch_ms", "how often the reply lane sends the automatic replies waiting, grouped into broadcasts", 100, 60000,
                 [](Config& c) -> int& { return c.replies.batch_ms; }),
      int_option("replies.most_per_hour", "automatic replies to one number in an hour, at most", 1, 1000,
                 [](Config& c) -> int& { return c.replies.most_per_hour; }),
      string_option("replies.link_base_url",
                    "where the one-tap reply links in a summons point (https://host, reaching this daemon's /r/); empty: "
                    "dispatch.callback_base_url; neither: no links",
                    [](Config& c) -> std::string& { return c.replies.link_base_url; }),
      identifiers_option("reports.levels", "levels whose posts (with one of reports.roles) file a daily report by REPORT",
                         [](Config& c) -> std::vector<std::string>& { return c.reports.levels; }),
      identifiers_option("reports.roles", "roles whose posts (at one of reports.levels) file a daily report by REPORT",
                         [](Config& c) -> std::vector<std::string>& { return c.reports.roles; }),
      keywords_option(),
      bool_option("auth.required",
                  "every request but health, metrics, the reply link and provider webhooks needs a token or a session; false only "
                  "when server.listen is on loopback (benchmarks)",
                  [](Config& c) -> bool& { return c.auth.required; }),
      profiles_option(),
      profile_counts_option("auth.approval_over",
                            "the two-person rule: profile name -> the audience size above which that profile's broadcasts wait for a "
                            "second person's approval (a profile not named never waits)",
                            &AuthConfig::approval_over),
      profile_counts_option("auth.daily_quota",
                            "profile name -> how many recipients one user or token of it may send to in a day (IST); a profile not "
                            "named has no quota",
                            &AuthConfig::daily_quota),
      identifiers_option("auth.totp_required", "profiles whose users log in with a TOTP code as well as the password (state_admin by default)",
                         [](Config& c) -> std::vector<std::string>& { return c.auth.totp_required; }, true),
      int_option("auth.contact_reads_per_minute",
                 "reads of single contacts (a contact, its consent, inbound, attendance, a preview for it) one caller may make a minute; 0: "
                 "no limit",
                 0, 100000, [](Config& c) -> int& { return c.auth.contact_reads_per_minute; }),
      int_option("auth.approval_expiry_hours", "a broadcast waiting for approval is dropped when nobody decided within this", 1, 720,
                 [](Config& c) -> int& { return c.auth.approval_expiry_hours; }),
      string_option("audit.key_file", "file (or $CREDENTIALS_DIRECTORY/name) holding the audit trail's HMAC key; required when auth.required",
                    [](Config& c) -> std::string& { return c.audit.key_file; }),
      int_option("audit.head_log_minutes", "how often the audit chain's head is written to the log", 1, 1440,
                 [](Config& c) -> int& { return c.audit.head_log_minutes; }),
      int_option("auth.session_idle_minutes", "a console session ends this long after its last request", 1, 1440,
                 [](Config& c) -> int& { return c.auth.session_idle_minutes; }),
      int_option("auth.session_lifetime_hours", "a console session ends this long after its login, however busy", 1, 168,
                 [](Config& c) -> int& { return c.auth.session_lifetime_hours; }),
      int_option("auth.login_hashes_at_once", "password checks at a time (Argon2id, 64 MiB each); more logins at once wait with 503", 1, 64,
                 [](Config& c) -> int& { return c.auth.login_hashes_at_once; }),
      string_option("auth.trusted_proxies",
                    "addresses of reverse proxies whose X-Forwarded-For (the client's address) and X-Forwarded-Proto: https (a "
                    "Secure cookie) are believed, comma-separated; empty: none",
                    [](Config& c) -> std::string& { return c.auth.trusted_proxies; }),
      providers_option(),
      quiet_hours_option(),
      bool_option("time_rules.promotional_window", "promotional SMS only from 10:00 to 21:00 IST (DLT), held at send time outside it",
                  [](Config& c) -> bool& { return c.time_rules.promotional_window; }),
      blackouts_option(),
      bool_option("time_rules.refuse_into_blackout", "a broadcast posted into a blackout of its region and kind is refused 409 (true) or held until it ends",
                  [](Config& c) -> bool& { return c.time_rules.refuse_into_blackout; }),
      string_option("templates.dir", "folder of the message templates (*.yaml), relative to this file's folder",
                    [](Config& c) -> std::string& { return c.templates.dir; }),
      int_option("templates.max_sms_segments", "most SMS segments a template may need with every variable at its longest", 1, 10,
                 [](Config& c) -> int& { return c.templates.max_sms_segments; }),
      string_option("templates.dlt_entity_id", "principal entity ID registered on India's DLT platform (sent with every SMS)",
                    [](Config& c) -> std::string& { return c.templates.dlt_entity_id; }),
      string_option("pricing.currency", "currency of the prices below, e.g. INR", [](Config& c) -> std::string& { return c.pricing.currency; }),
      decimal_option("pricing.sms_per_message", "price of one SMS message, besides its segments", 1000,
                     [](Config& c) -> double& { return c.pricing.sms_per_message; }),
      decimal_option("pricing.sms_per_segment", "price of one SMS segment", 1000, [](Config& c) -> double& { return c.pricing.sms_per_segment; }),
      decimal_option("pricing.whatsapp_per_message", "price of one WhatsApp template message", 1000,
                     [](Config& c) -> double& { return c.pricing.whatsapp_per_message; }),
      decimal_option("pricing.push_per_message", "price of one push notification", 1000,
                     [](Config& c) -> double& { return c.pricing.push_per_message; }),
  };
  return table;
}

std::string expected(const Option& option) {
  switch (option.kind) {
    case Kind::string: return "a string";
    case Kind::integer: return "an integer from " + std::to_string(option.min) + " to " + std::to_string(option.max);
    case Kind::providers: return "a list of provider accounts";
    case Kind::decimal: return "a decimal number from 0 to " + std::to_string(option.max);
    case Kind::boolean: return "true or false";
    case Kind::endpoint: return "host:port";
    case Kind::identifier_list: return "a list of lower-case names";
    case Kind::tag_groups: return "a map of group name to a list of tags";
    case Kind::log_level: return "debug, info, warn or error";
    case Kind::keywords: return "a map of language code to its word lists";
    case Kind::profiles: return "a map of profile name to a list of permissions";
    case Kind::profile_counts: return "a map of profile name to a whole number";
    case Kind::quiet_hours: return "a map of template kind to an IST window \"HH:MM-HH:MM\"";
    case Kind::blackouts: return "a list of blackouts: name, units, from, to, kinds";
  }
  return "a value";
}

}  // namespace orgcast::config_schema
