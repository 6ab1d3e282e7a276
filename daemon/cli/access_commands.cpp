#include "cli/access_commands.hpp"
#include "cli/redis_options.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include "app/secrets.hpp"
#include "audit/audit_log.hpp"
#include "auth/api_token.hpp"
#include "auth/auth_store.hpp"
#include "auth/password.hpp"
#include "auth/permissions.hpp"
#include "auth/totp.hpp"
#include "core/text.hpp"
#include "core/log.hpp"
#include "core/utc_time.hpp"
#include "redis/client.hpp"

namespace orgcast::cli {

namespace asio = boost::asio;

namespace {

// Who runs the CLI, as the audit trail names them: the operating system's user.
std::string operator_tag() {
  const auto* pw = getpwuid(geteuid());
  return "cli:" + std::string(pw && pw->pw_name ? pw->pw_name : std::to_string(geteuid()));
}

// Runs `task` with the auth store of the config's Redis. A change (`action`
// not empty; `target` read once the task is done) that succeeded goes into the audit trail, as one made over
// HTTP does; the CLI is refused when the trail's key cannot be read, so no
// change is made unrecorded where a trail is kept.
int with_store(const Config& config, const std::function<asio::awaitable<int>(auth::AuthStore&)>& task, const std::string& action = "",
               const std::string& target = "", const std::string& summary = "") {
  std::string key;
  if (!action.empty() && !config.audit.key_file.empty()) {
    std::string error;
    auto secret = read_secret(config.audit.key_file, &error);
    if (!secret) {
      std::cerr << "orgcast: audit.key_file: " << error << " (a change is recorded in the audit trail; nothing was changed)\n";
      return 1;
    }
    key = std::string(trim(*secret));
    if (key.size() < 32) {
      std::cerr << "orgcast: audit.key_file: the key must be at least 32 characters, as the daemon requires; nothing was changed\n";
      return 1;
    }
  }
  return with_redis(config, [&](std::shared_ptr<redis::Client> client) -> asio::awaitable<int> {
    auth::AuthStore store(client, config.redis.key_prefix);
    const int code = co_await task(store);
    if (code != 0 || key.empty()) co_return code;
    audit::Entry entry;
    entry.who = operator_tag();
    entry.action = action;
    entry.target = target;
    entry.summary = summary;
    entry.outcome = "ok";
    audit::AuditLog trail(client, config.redis.key_prefix, key);
    if (auto kept = co_await trail.append(std::move(entry)); !kept) {
      std::cerr << "orgcast: the change was made but not written to the audit trail: " << kept.error().message() << "\n";
      co_return 1;
    }
    co_return 0;
  });
}

int redis_failed(const boost::system::error_code& error) {
  std::cerr << "orgcast: Redis: " << error.message() << "\n";
  return 1;
}

std::string now_utc() { return format_utc(std::chrono::system_clock::now()); }

// A name as an operator's terminal shows it: control characters (escape codes set through the API) as '?'.
std::string printable(std::string text) {
  for (auto& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return text;
}

// --profile must name an access profile in force.
bool known_profile(const Config& config, const std::string& profile) {
  const auto profiles = auth::profiles_with(config.auth.profiles);
  if (profiles.contains(profile)) return true;
  std::cerr << "orgcast: no access profile \"" << profile << "\"; there are:";
  for (const auto& [name, _] : profiles) std::cerr << " " << name;
  std::cerr << "\n";
  return false;
}

// The password from --password-file, else the first line of standard input.
std::optional<std::string> password_from(std::map<std::string, std::string>& args) {
  std::string password;
  if (args.contains("password-file")) {
    std::string error;
    auto secret = read_secret(args["password-file"], &error);
    if (!secret) {
      std::cerr << "orgcast: " << error << "\n";
      return std::nullopt;
    }
    password = *secret;
  } else {
    // From a terminal: not echoed, asked twice.
    const bool terminal = isatty(STDIN_FILENO);
    termios before{};
    if (terminal && tcgetattr(STDIN_FILENO, &before) == 0) {
      termios quiet = before;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::cerr << "password: ";
    std::getline(std::cin, password);
    std::string again = password;
    if (terminal) {
      std::cerr << "\nagain: ";
      std::getline(std::cin, again);
      std::cerr << "\n";
      tcsetattr(STDIN_FILENO, TCSANOW, &before);
    }
    if (again != password) {
      std::cerr << "orgcast: the two passwords differ\n";
      return std::nullopt;
    }
  }
  while (!password.empty() && (password.back() == '\r' || password.back() == '\n')) password.pop_back();
  if (auto problem = auth::password_problem(password); !problem.empty()) {
    std::cerr << "orgcast: " << problem << "\n";
    return std::nullopt;
  }
  return password;
}

}  // namespace

int run_users(const std::string& what, const Config& config, std::map<std::string, std::string>& args) {
  if (what == "list") {
    return with_store(config, [](auth::AuthStore& store) -> asio::awaitable<int> {
      auto users = co_await store.users();
      if (!users) co_return redis_failed(users.error());
      for (const auto& u : *users)
        std::cout << printable(u.username) << "\t" << printable(u.display_name) << "\t" << u.profile << "\t" << printable(auth::joined(u.scope))
                  << "\t" << (u.disabled ? "disabled" : "active") << "\n";
      co_return 0;
    });
  }
  if (!args.contains("username")) return 2;
  const auto username = args["username"];
  if (what == "add") {
    if (!args.contains("profile") || !args.contains("scope") || !known_profile(config, args["profile"])) return 2;
    auto password = password_from(args);
    if (!password) return 2;
    auth::UserRecord user{username, args.contains("name") ? args["name"] : username, "", args["profile"],
                          args.contains("language") ? args["language"] : "hi", auth::split_list(args["scope"]), false, now_utc()};
    auto hash = auth::hash_password(*password);
    if (!hash) return 1;
    user.password_hash = *hash;
    return with_store(config, [&](auth::AuthStore& store) -> asio::awaitable<int> {
      auto added = co_await store.add_user(user);
      if (!added) co_return redis_failed(added.error());
      if (*added == 0) std::cerr << "orgcast: the username " << username << " is taken\n";
      else std::cout << "added " << username << " (" << user.profile << ", scope " << auth::joined(user.scope) << ")\n";
      co_return *added == 0 ? 1 : 0;
    }, "user_create", username, "profile " + user.profile + ", scope " + auth::joined(user.scope));
  }
  if (what == "totp") {  // a new second factor: shown this once, for the user's authenticator app
    const auto secret = auth::new_totp_secret();
    if (secret.empty()) return 1;
    return with_store(config, [&](auth::AuthStore& store) -> asio::awaitable<int> {
      const std::string field = "totp_secret";
      auto set = co_await store.set_user_field(username, field, secret);
      if (!set) co_return redis_failed(set.error());
      if (*set == 0) {
        std::cerr << "orgcast: no user " << username << "\n";
        co_return 1;
      }
      std::cout << auth::totp_uri(secret, username) << "\n";
      std::cerr << "scan it (or type the secret " << secret << ") into an authenticator app; it is shown this once\n";
      co_return 0;
    }, "user_totp", username, "a new second factor enrolled");
  }
  if (what == "passwd" || what == "disable" || what == "enable") {
    std::string field = "disabled", value = what == "disable" ? "1" : "0";
    if (what == "passwd") {
      auto password = password_from(args);
      auto hash = password ? auth::hash_password(*password) : std::nullopt;
      if (!hash) return 2;
      field = "password_hash";
      value = *hash;
    }
    return with_store(config, [&](auth::AuthStore& store) -> asio::awaitable<int> {
      auto set = co_await store.set_user_field(username, field, value);
      if (!set) co_return redis_failed(set.error());
      if (*set == 0) std::cerr << "orgcast: no user " << username << "\n";
      else std::cout << username << ": " << (what == "passwd" ? "password changed" : what + "d") << "\n";
      co_return *set == 0 ? 1 : 0;
    }, "user_" + what, username);
  }
  return 2;
}

int run_tokens(const std::string& what, const Config& config, std::map<std::string, std::string>& args) {
  if (what == "list") {
    return with_store(config, [](auth::AuthStore& store) -> asio::awaitable<int> {
      auto tokens = co_await store.tokens();
      if (!tokens) co_return redis_failed(tokens.error());
      for (const auto& t : *tokens)
        std::cout << t.id << "\t" << printable(t.name) << "\t" << t.profile << "\t" << printable(auth::joined(t.scope)) << "\texpires " << t.expires_at
                  << (t.revoked_at.empty() ? "" : "\trevoked " + t.revoked_at) << "\n";
      co_return 0;
    });
  }
  if (what == "revoke") {
    if (!args.contains("id")) return 2;
    return with_store(config, [&](auth::AuthStore& store) -> asio::awaitable<int> {
      auto done = co_await store.revoke_token(args["id"], now_utc());
      if (!done) co_return redis_failed(done.error());
      if (*done == 0) std::cerr << "orgcast: no token " << args["id"] << "\n";
      else std::cout << "revoked " << args["id"] << "\n";
      co_return *done == 0 ? 1 : 0;
    }, "token_revoke", args["id"]);
  }
  if (what != "create" || !args.contains("name") || !args.contains("profile") || !args.contains("scope")) return 2;
  if (!known_profile(config, args["profile"])) return 2;
  const auto days_text = args.contains("expires-days") ? args["expires-days"] : "90";
  const long days = days_text.size() <= 4 && days_text.find_first_not_of("0123456789") == std::string::npos ? std::stol(days_text) : 0;
  if (days < 1 || days > 3660) {
    std::cerr << "orgcast: --expires-days is 1 to 3660\n";
    return 2;
  }
  const auto token = auth::new_api_token();
  auth::TokenRecord record;
  record.digest = auth::api_token_digest(token);
  record.name = args["name"];
  record.profile = args["profile"];
  record.scope = auth::split_list(args["scope"]);
  record.created_at = now_utc();
  record.created_by = "cli";
  record.expires_at = format_utc(std::chrono::system_clock::now() + std::chrono::hours(24 * days));
  std::string made_id;  // the audit entry's target, once made
  return with_store(config, [&](auth::AuthStore& store) -> asio::awaitable<int> {
    auto id = co_await store.create_token(record);
    if (!id) co_return redis_failed(id.error());
    // The token on standard output alone (scripts take it); what it is on standard error.
    std::cerr << "token " << *id << " (" << record.profile << ", scope " << auth::joined(record.scope) << ", expires " << record.expires_at
              << "); shown this once:\n";
    std::cout << token << "\n";
    made_id = *id;
    co_return 0;
  }, "token_create", made_id, "profile " + record.profile + ", scope " + auth::joined(record.scope) + ", expires " + record.expires_at);
}

}  // namespace orgcast::cli
