#include "auth/session_store.hpp"

#include <sodium.h>

#include <stdexcept>

#include "core/digest.hpp"

namespace orgcast::auth {

std::string random_secret() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not start: no random bytes");
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

SessionStore::SessionStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::chrono::milliseconds idle,
                           std::chrono::milliseconds lifetime)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)), idle_(idle), lifetime_(lifetime) {}

boost::asio::awaitable<redis::Result<Session>> SessionStore::create(std::string username, long long now_ms) {
  Session s{random_secret(), random_secret(), std::move(username), now_ms};
  const auto digest = sha256_hex(s.id);
  std::vector<redis::Args> writes;
  writes.push_back(redis::cmd("HSET", key("au:session:" + digest), "username", s.username, "csrf", s.csrf, "created_ms", std::to_string(now_ms)));
  writes.push_back(redis::cmd("PEXPIRE", key("au:session:" + digest), std::to_string(idle_.count())));
  writes.push_back(redis::cmd("SADD", key("au:sessions:" + s.username), digest));
  writes.push_back(redis::cmd("PEXPIRE", key("au:sessions:" + s.username), std::to_string(lifetime_.count())));
  auto done = co_await redis_->pipeline(std::move(writes));
  if (!done) co_return done.error();
  for (const auto& r : *done)
    if (r.is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return s;
}

boost::asio::awaitable<redis::Result<std::optional<Session>>> SessionStore::find(std::string id, long long now_ms) {
  const auto digest = sha256_hex(id);
  std::vector<redis::Args> reads;
  reads.push_back(redis::cmd("HMGET", key("au:session:" + digest), "username", "csrf", "created_ms"));
  reads.push_back(redis::cmd("PEXPIRE", key("au:session:" + digest), std::to_string(idle_.count())));  // used: idle again from now
  auto got = co_await redis_->pipeline(std::move(reads));
  if (!got) co_return got.error();
  const auto& fields = (*got)[0];
  if (fields.is_error()) co_return make_error_code(redis::Errc::server_error);
  if (fields.elements.size() < 3 || fields.elements[0].is_nil()) co_return std::optional<Session>{};
  Session s{std::move(id), fields.elements[1].str, fields.elements[0].str, std::atoll(fields.elements[2].str.c_str())};
  if (now_ms - s.created_ms >= lifetime_.count()) {  // past its lifetime however busy
    co_await remove(s.id);
    co_return std::optional<Session>{};
  }
  co_return std::optional<Session>(std::move(s));
}

boost::asio::awaitable<redis::Result<std::size_t>> SessionStore::remove(std::string id) {
  auto done = co_await redis_->command(redis::cmd("DEL", key("au:session:" + sha256_hex(id))));
  if (!done) co_return done.error();
  co_return static_cast<std::size_t>(done->integer);
}

boost::asio::awaitable<redis::Result<std::size_t>> SessionStore::remove_all(std::string username) {
  auto digests = co_await redis_->command(redis::cmd("SMEMBERS", key("au:sessions:" + username)));
  if (!digests) co_return digests.error();
  auto del = redis::cmd("DEL", key("au:sessions:" + username));
  for (const auto& d : digests->elements) del.push_back(key("au:session:" + d.str));
  auto done = co_await redis_->command(std::move(del));
  if (!done) co_return done.error();
  co_return digests->elements.size();
}

boost::asio::awaitable<redis::Result<std::size_t>> SessionStore::use_totp_step(std::string username, long long step) {
  static constexpr const char* kTake =
      "local last = tonumber(redis.call('GET', KEYS[1]) or '-1') "
      "if tonumber(ARGV[1]) <= last then return 0 end "
      "redis.call('SET', KEYS[1], ARGV[1], 'EX', 300) return 1";
  auto ask = redis::cmd("EVAL", kTake, "1", key("au:totp-step:" + username), std::to_string(step));
  auto taken = co_await redis_->command(std::move(ask));
  if (!taken) co_return taken.error();
  if (taken->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return static_cast<std::size_t>(taken->integer);
}

boost::asio::awaitable<redis::Result<LoginFailures>> SessionStore::failures(std::string username, std::string address) {
  std::vector<redis::Args> reads;
  reads.push_back(redis::cmd("GET", key("au:fail:" + username)));
  reads.push_back(redis::cmd("GET", key("au:fail:" + username + ":" + address)));
  auto got = co_await redis_->pipeline(std::move(reads));
  if (!got) co_return got.error();
  LoginFailures f;
  f.account = (*got)[0].is_nil() ? 0 : std::atol((*got)[0].str.c_str());
  f.pair = (*got)[1].is_nil() ? 0 : std::atol((*got)[1].str.c_str());
  co_return f;
}

boost::asio::awaitable<redis::Result<std::size_t>> SessionStore::failed(std::string username, std::string address) {
  const auto window = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kFailureWindow).count());
  std::vector<redis::Args> writes;
  for (const auto& k : {key("au:fail:" + username), key("au:fail:" + username + ":" + address)}) {
    writes.push_back(redis::cmd("INCR", k));
    writes.push_back(redis::cmd("EXPIRE", k, window));
  }
  auto done = co_await redis_->pipeline(std::move(writes));
  if (!done) co_return done.error();
  co_return std::size_t{1};
}

boost::asio::awaitable<redis::Result<std::size_t>> SessionStore::succeeded(std::string username, std::string address) {
  auto done = co_await redis_->command(redis::cmd("DEL", key("au:fail:" + username + ":" + address)));
  if (!done) co_return done.error();
  co_return std::size_t{1};
}

}  // namespace orgcast::auth
