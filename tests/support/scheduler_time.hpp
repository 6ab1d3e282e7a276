#pragma once
// Moving a durable scheduler item's time in a test (the daemons share the
// test Redis): its due time is written into the scheduler's keys, as the
// clock would bring it, instead of sleeping until then.
#include <hiredis/hiredis.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/redis_server.hpp"

namespace orgcast::testing {

/// One command on the shared test Redis; its reply's array elements (or its one string) as text.
inline std::vector<std::string> shared_redis(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  redisContext* c = redisConnect("127.0.0.1", shared_redis_port());
  if (!c || c->err) {
    if (c) redisFree(c);
    return out;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& a : args) argv.push_back(a.c_str()), lengths.push_back(a.size());
  auto* reply = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply && reply->type == REDIS_REPLY_ARRAY)
    for (std::size_t i = 0; i < reply->elements; ++i) out.emplace_back(reply->element[i]->str ? reply->element[i]->str : "");
  else if (reply && reply->str)
    out.emplace_back(reply->str);
  if (reply) freeReplyObject(reply);
  redisFree(c);
  return out;
}

inline long long ms_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// The scheduler's items under `prefix` whose id starts with `start`.
inline std::vector<std::string> scheduled_items(const std::string& prefix, const std::string& start) {
  std::vector<std::string> out;
  for (const auto& item : shared_redis({"ZRANGE", prefix + "sch:due", "0", "-1"}))
    if (item.starts_with(start)) out.push_back(item);
  return out;
}

/// The item comes due at `at`.
inline void make_due(const std::string& prefix, const std::string& item, std::chrono::system_clock::time_point at) {
  const auto ms = std::to_string(ms_since_epoch(at));
  shared_redis({"HSET", prefix + "sch:item:" + item, "due", ms});
  shared_redis({"ZADD", prefix + "sch:due", ms, item});
}

}  // namespace orgcast::testing
