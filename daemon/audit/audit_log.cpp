#include "audit/audit_log.hpp"

#include "core/utc_time.hpp"
#include "lua_scripts.hpp"

namespace orgcast::audit {

namespace asio = boost::asio;

AuditLog::AuditLog(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::string key, std::shared_ptr<const Clock> clock)
    : redis_(std::move(redis)),
      stream_(key_prefix + "au:audit"),
      head_key_(key_prefix + "au:audit:head"),
      key_(std::move(key)),
      clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()) {}

asio::awaitable<redis::Result<std::string>> AuditLog::head() {
  auto ask = redis::cmd("GET", head_key_);  // named: GCC 12 and temporaries inside a co_await
  auto got = co_await redis_->command(std::move(ask));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return got->is_nil() ? std::string("0:") : got->str;
}

asio::awaitable<redis::Result<std::string>> AuditLog::append(Entry entry) {
  entry.at = format_utc(clock_->system_now());
  auto current = co_await head();
  if (!current) co_return current.error();
  std::string head = *current;
  // Another instance may append between our read and our write: the script
  // then answers the head as it is, and the entry is chained to it instead.
  for (int attempt = 0; attempt < 50; ++attempt) {
    const auto colon = head.find(':');
    if (colon == std::string::npos) co_return make_error_code(redis::Errc::server_error);
    const auto seq = head.substr(0, colon);
    if (seq.empty() || seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos) co_return make_error_code(redis::Errc::server_error);
    entry.seq = std::stoll(seq) + 1;
    entry.prev = head.substr(colon + 1);
    entry.mac = mac_of(key_, entry);
    const auto next = head_of(entry.seq, entry.mac);
    auto ask = redis::cmd("EVAL", std::string(lua::append_audit), "2", stream_, head_key_, head, next, to_json(entry));
    auto done = co_await redis_->command(std::move(ask));
    if (!done) co_return done.error();
    if (done->is_error()) co_return make_error_code(redis::Errc::server_error);
    if (done->str == "ok") co_return next;
    head = done->str;
  }
  co_return make_error_code(redis::Errc::server_error);
}

asio::awaitable<redis::Result<std::vector<std::pair<std::string, std::string>>>> AuditLog::newest(std::string before, std::size_t count) {
  // Named, not a ?: inside the co_await (GCC 12 builds that wrongly).
  std::string end = "+";
  if (!before.empty()) end = "(" + before;
  auto ask = redis::cmd("XREVRANGE", stream_, end, "-", "COUNT", std::to_string(count));
  auto got = co_await redis_->command(std::move(ask));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : got->elements)
    if (item.elements.size() >= 2 && item.elements[1].elements.size() >= 2) out.emplace_back(item.elements[0].str, item.elements[1].elements[1].str);
  co_return out;
}

asio::awaitable<redis::Result<std::vector<std::string>>> AuditLog::all() {
  std::vector<std::string> out;
  std::string from = "-";
  for (;;) {
    auto ask = redis::cmd("XRANGE", stream_, from, "+", "COUNT", "10000");
    auto got = co_await redis_->command(std::move(ask));
    if (!got) co_return got.error();
    if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
    if (got->elements.empty()) break;
    for (const auto& item : got->elements)
      if (item.elements.size() >= 2 && item.elements[1].elements.size() >= 2) out.push_back(item.elements[1].elements[1].str);
    from = "(" + got->elements.back().elements[0].str;
    if (got->elements.size() < 10000) break;
  }
  co_return out;
}

}  // namespace orgcast::audit
