#include "time_rules/blackout_store.hpp"

#include <boost/json.hpp>
#include <algorithm>

#include "core/json_text.hpp"
#include "core/utc_time.hpp"
#include "redis/errors.hpp"

namespace orgcast::time_rules {

namespace json = boost::json;

std::string to_json(const StoredBlackout& stored) {
  const auto& b = stored.blackout;
  return json_text(json::object{{"id", b.id},
                                {"name", b.name},
                                {"units", json::value_from(b.units)},
                                {"from", format_utc(b.from)},
                                {"to", format_utc(b.to)},
                                {"kinds", json::value_from(b.kinds)},
                                {"created_by", stored.created_by},
                                {"created_at", stored.created_at}});
}

std::optional<StoredBlackout> stored_blackout_from_json(std::string_view text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.as_object();
  auto text_of = [&](const char* key) -> std::string {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto list_of = [&](const char* key) {
    std::vector<std::string> out;
    if (const auto* v = o.if_contains(key); v && v->is_array())
      for (const auto& item : v->as_array())
        if (item.is_string()) out.emplace_back(item.as_string());
    return out;
  };
  auto from = parse_rfc3339(text_of("from")), to = parse_rfc3339(text_of("to"));
  if (!from || !to || text_of("id").empty()) return std::nullopt;
  StoredBlackout out;
  out.blackout = {text_of("id"), text_of("name"), list_of("units"), *from, *to, list_of("kinds")};
  out.created_by = text_of("created_by");
  out.created_at = text_of("created_at");
  return out;
}

BlackoutStore::BlackoutStore(std::shared_ptr<redis::Client> redis, std::string key_prefix)
    : redis_(std::move(redis)), key_(key_prefix + "blackouts"), sequence_key_(key_prefix + "blackouts:seq") {}

boost::asio::awaitable<redis::Result<std::string>> BlackoutStore::add(StoredBlackout stored) {
  auto next = co_await redis_->command(redis::cmd("INCR", sequence_key_));
  if (!next) co_return next.error();
  if (next->is_error()) co_return make_error_code(redis::Errc::server_error);
  stored.blackout.id = "bo" + std::to_string(next->as_integer());
  auto written = co_await redis_->command(redis::cmd("HSET", key_, stored.blackout.id, to_json(stored)));
  if (!written) co_return written.error();
  if (written->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return stored.blackout.id;
}

boost::asio::awaitable<redis::Result<std::vector<StoredBlackout>>> BlackoutStore::all() {
  auto reply = co_await redis_->command(redis::cmd("HGETALL", key_));
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::vector<StoredBlackout> out;
  for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2)
    if (auto stored = stored_blackout_from_json(reply->elements[i + 1].str)) out.push_back(std::move(*stored));
  // bo2 before bo10: by number.
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.blackout.id.size() != b.blackout.id.size() ? a.blackout.id.size() < b.blackout.id.size() : a.blackout.id < b.blackout.id;
  });
  co_return out;
}

boost::asio::awaitable<redis::Result<bool>> BlackoutStore::remove(std::string id) {
  auto reply = co_await redis_->command(redis::cmd("HDEL", key_, id));
  if (!reply) co_return redis::Result<bool>(boost::system::in_place_error, reply.error());  // bool would take an error_code too
  if (reply->is_error()) co_return redis::Result<bool>(boost::system::in_place_error, make_error_code(redis::Errc::server_error));
  co_return reply->as_integer() == 1;
}

}  // namespace orgcast::time_rules
