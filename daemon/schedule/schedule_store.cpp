#include "schedule/schedule_store.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/json_text.hpp"
#include "redis/errors.hpp"

namespace orgcast::schedule {

namespace json = boost::json;

namespace {

template <class T>
redis::Result<T> failed(boost::system::error_code ec) {
  return redis::Result<T>(boost::system::in_place_error, ec);  // in place: a bool would take an error_code too
}

}  // namespace

std::string to_json(const StoredSchedule& s) {
  return json_text(json::object{{"id", s.id},           {"name", s.name},         {"cron", s.cron},
                                {"grace_s", s.grace_s}, {"kind", s.kind},         {"meeting", s.meeting},
                                {"body", s.body_json},  {"author", s.author},     {"created_at", s.created_at},
                                {"last_occurrence", s.last_occurrence}, {"last_outcome", s.last_outcome}, {"last_at", s.last_at}});
}

std::optional<StoredSchedule> stored_schedule_from_json(std::string_view text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.as_object();
  auto field = [&](const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  StoredSchedule s{field("id"), field("name"), field("cron")};
  if (const auto* g = o.if_contains("grace_s"); g && g->is_int64()) s.grace_s = g->as_int64();
  s.kind = field("kind");
  s.meeting = field("meeting");
  s.body_json = field("body");
  s.author = field("author");
  s.created_at = field("created_at");
  s.last_occurrence = field("last_occurrence");
  s.last_outcome = field("last_outcome");
  s.last_at = field("last_at");
  if (s.id.empty() || s.cron.empty()) return std::nullopt;
  return s;
}

ScheduleStore::ScheduleStore(std::shared_ptr<redis::Client> redis, std::string key_prefix)
    : redis_(std::move(redis)), key_(key_prefix + "schedules"), sequence_key_(key_prefix + "schedules:seq") {}

boost::asio::awaitable<redis::Result<std::string>> ScheduleStore::add(StoredSchedule s) {
  auto next = co_await redis_->command(redis::cmd("INCR", sequence_key_));
  if (!next) co_return next.error();
  if (next->is_error()) co_return make_error_code(redis::Errc::server_error);
  s.id = "sc" + std::to_string(next->as_integer());
  auto written = co_await redis_->command(redis::cmd("HSET", key_, s.id, to_json(s)));
  if (!written) co_return written.error();
  if (written->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return s.id;
}

boost::asio::awaitable<redis::Result<std::optional<StoredSchedule>>> ScheduleStore::get(std::string id) {
  auto reply = co_await redis_->command(redis::cmd("HGET", key_, id));
  if (!reply) co_return failed<std::optional<StoredSchedule>>(reply.error());
  if (reply->is_error()) co_return failed<std::optional<StoredSchedule>>(make_error_code(redis::Errc::server_error));
  if (reply->is_nil()) co_return std::optional<StoredSchedule>();
  co_return stored_schedule_from_json(reply->str);
}

boost::asio::awaitable<redis::Result<std::vector<StoredSchedule>>> ScheduleStore::all() {
  auto reply = co_await redis_->command(redis::cmd("HGETALL", key_));
  if (!reply) co_return reply.error();
  if (reply->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::vector<StoredSchedule> out;
  for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2)
    if (auto s = stored_schedule_from_json(reply->elements[i + 1].str)) out.push_back(std::move(*s));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id.size() != b.id.size() ? a.id.size() < b.id.size() : a.id < b.id; });
  co_return out;
}

boost::asio::awaitable<redis::Result<bool>> ScheduleStore::update(StoredSchedule s) {
  // HSETEX-like "only if it still exists": a deleted schedule is not brought back.
  static const std::string script = "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end return 0";
  auto reply = co_await redis_->command(redis::cmd("EVAL", script, "1", key_, s.id, to_json(s)));
  if (!reply) co_return failed<bool>(reply.error());
  if (reply->is_error()) co_return failed<bool>(make_error_code(redis::Errc::server_error));
  co_return reply->as_integer() == 1;
}

boost::asio::awaitable<redis::Result<bool>> ScheduleStore::remove(std::string id) {
  auto reply = co_await redis_->command(redis::cmd("HDEL", key_, id));
  if (!reply) co_return failed<bool>(reply.error());
  if (reply->is_error()) co_return failed<bool>(make_error_code(redis::Errc::server_error));
  co_return reply->as_integer() == 1;
}

}  // namespace orgcast::schedule
