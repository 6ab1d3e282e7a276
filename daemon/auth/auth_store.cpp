#include "auth/auth_store.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace orgcast::auth {

namespace {

std::map<std::string, std::string> fields_of(const redis::Reply& reply) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) out[reply.elements[i].str] = reply.elements[i + 1].str;
  return out;
}

TokenRecord token_of(std::map<std::string, std::string> f) {
  return TokenRecord{f["id"],         f["digest"],       f["name"],       f["profile"],    split_list(f["permissions"]), split_list(f["scope"]),
                     f["created_at"], f["created_by"], f["expires_at"], f["revoked_at"], f["last_used_at"]};
}

UserRecord user_of(std::map<std::string, std::string> f) {
  return UserRecord{f["username"], f["display_name"], f["password_hash"], f["profile"], f["language"], split_list(f["scope"]),
                    f["disabled"] == "1", f["created_at"], f["totp_secret"]};
}

}  // namespace

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= text.size() && !text.empty()) {
    const auto comma = text.find(',', from);
    out.push_back(text.substr(from, comma == std::string::npos ? std::string::npos : comma - from));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

AuthStore::AuthStore(std::shared_ptr<redis::Client> redis, std::string key_prefix) : redis_(std::move(redis)), prefix_(std::move(key_prefix)) {}

boost::asio::awaitable<redis::Result<std::string>> AuthStore::create_token(TokenRecord r) {
  auto seq = co_await redis_->command(redis::cmd("INCR", key("au:token-seq")));
  if (!seq) co_return seq.error();
  if (seq->is_error()) co_return make_error_code(redis::Errc::server_error);
  r.id = "tk" + std::to_string(seq->integer);
  std::vector<redis::Args> writes;
  writes.push_back(redis::cmd("HSET", key("au:token:" + r.digest), "id", r.id, "digest", r.digest, "name", r.name, "profile", r.profile,
                              "permissions", joined(r.permissions), "scope", joined(r.scope), "created_at", r.created_at, "created_by",
                              r.created_by, "expires_at", r.expires_at, "revoked_at", "", "last_used_at", ""));
  writes.push_back(redis::cmd("HSET", key("au:tokens"), r.id, r.digest));
  auto done = co_await redis_->pipeline(std::move(writes));
  if (!done) co_return done.error();
  for (const auto& reply : *done)
    if (reply.is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return r.id;
}

boost::asio::awaitable<redis::Result<std::optional<TokenRecord>>> AuthStore::token_by_digest(std::string digest) {
  auto got = co_await redis_->command(redis::cmd("HGETALL", key("au:token:" + digest)));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  if (got->elements.empty()) co_return std::optional<TokenRecord>{};
  co_return std::optional<TokenRecord>(token_of(fields_of(*got)));
}

boost::asio::awaitable<redis::Result<std::vector<TokenRecord>>> AuthStore::tokens() {
  auto ids = co_await redis_->command(redis::cmd("HGETALL", key("au:tokens")));
  if (!ids) co_return ids.error();
  if (ids->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::vector<redis::Args> reads;
  for (std::size_t i = 0; i + 1 < ids->elements.size(); i += 2) reads.push_back(redis::cmd("HGETALL", key("au:token:" + ids->elements[i + 1].str)));
  std::vector<TokenRecord> out;
  if (reads.empty()) co_return out;
  auto got = co_await redis_->pipeline(std::move(reads));
  if (!got) co_return got.error();
  for (const auto& r : *got)
    if (!r.is_error() && !r.elements.empty()) out.push_back(token_of(fields_of(r)));
  // Oldest first, one order for every read: a list paged by position needs it.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id); });
  co_return out;
}

boost::asio::awaitable<redis::Result<std::size_t>> AuthStore::revoke_token(std::string id, std::string at) {
  auto digest = co_await redis_->command(redis::cmd("HGET", key("au:tokens"), id));
  if (!digest) co_return digest.error();
  if (digest->is_error()) co_return make_error_code(redis::Errc::server_error);
  if (digest->is_nil()) co_return std::size_t{0};
  auto set = co_await redis_->command(redis::cmd("HSET", key("au:token:" + digest->str), "revoked_at", at));
  if (!set) co_return set.error();
  if (set->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return std::size_t{1};
}

boost::asio::awaitable<redis::Result<std::size_t>> AuthStore::token_used(std::string digest, std::string at) {
  auto set = co_await redis_->command(redis::cmd("HSET", key("au:token:" + digest), "last_used_at", at));
  if (!set) co_return set.error();
  co_return std::size_t{1};
}

boost::asio::awaitable<redis::Result<std::size_t>> AuthStore::add_user(UserRecord u) {
  auto added = co_await redis_->command(redis::cmd("SADD", key("au:users"), u.username));
  if (!added) co_return added.error();
  if (added->is_error()) co_return make_error_code(redis::Errc::server_error);
  if (added->integer == 0) co_return std::size_t{0};
  auto set = co_await redis_->command(redis::cmd("HSET", key("au:user:" + u.username), "username", u.username, "display_name", u.display_name,
                                                 "password_hash", u.password_hash, "profile", u.profile, "language", u.language, "scope",
                                                 joined(u.scope), "disabled", u.disabled ? "1" : "0", "created_at", u.created_at));
  if (!set) co_return set.error();
  if (set->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return std::size_t{1};
}

boost::asio::awaitable<redis::Result<std::optional<UserRecord>>> AuthStore::user(std::string username) {
  auto got = co_await redis_->command(redis::cmd("HGETALL", key("au:user:" + username)));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  if (got->elements.empty()) co_return std::optional<UserRecord>{};
  co_return std::optional<UserRecord>(user_of(fields_of(*got)));
}

boost::asio::awaitable<redis::Result<std::vector<UserRecord>>> AuthStore::users() {
  auto names = co_await redis_->command(redis::cmd("SMEMBERS", key("au:users")));
  if (!names) co_return names.error();
  if (names->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::vector<redis::Args> reads;
  for (const auto& n : names->elements) reads.push_back(redis::cmd("HGETALL", key("au:user:" + n.str)));
  std::vector<UserRecord> out;
  if (reads.empty()) co_return out;
  auto got = co_await redis_->pipeline(std::move(reads));
  if (!got) co_return got.error();
  for (const auto& r : *got)
    if (!r.is_error() && !r.elements.empty()) out.push_back(user_of(fields_of(r)));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.username < b.username; });  // one order for paging
  co_return out;
}

boost::asio::awaitable<redis::Result<std::size_t>> AuthStore::set_user_field(std::string username, std::string field, std::string value) {
  auto exists = co_await redis_->command(redis::cmd("SISMEMBER", key("au:users"), username));
  if (!exists) co_return exists.error();
  if (exists->is_error()) co_return make_error_code(redis::Errc::server_error);
  if (exists->integer == 0) co_return std::size_t{0};
  auto set = co_await redis_->command(redis::cmd("HSET", key("au:user:" + username), field, value));
  if (!set) co_return set.error();
  if (set->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return std::size_t{1};
}

}  // namespace orgcast::auth
