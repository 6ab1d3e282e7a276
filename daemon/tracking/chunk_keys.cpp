#include "tracking/chunk_keys.hpp"

#include <algorithm>
#include <charconv>

namespace orgcast::tracking {

void append_chunk_keys(redis::Args& args, const broadcast::Keys& keys, const std::string& id, std::size_t k, const std::string& priority) {
  args.push_back(keys.broadcast(id));
  args.push_back(keys.states(id, k));
  args.push_back(keys.counters(id));
  args.push_back(keys.failures(id));
  args.push_back(keys.requeued(id, k));
  args.push_back(keys.stream(priority, id));
  args.push_back(keys.active(priority));
}

bool parse_chunk_ref(const std::string& ref, std::string& id, std::size_t& k) {
  const auto colon = ref.find(':');
  if (colon == std::string::npos) return false;
  id = ref.substr(0, colon);
  const char* first = ref.data() + colon + 1;
  const char* last = ref.data() + ref.size();
  auto [end, ec] = std::from_chars(first, last, k);
  return ec == std::errc() && end != first && (end == last || *end == ':') && broadcast::Keys::is_broadcast_id(id);
}

Priorities::Priorities(std::shared_ptr<redis::Client> redis, broadcast::Keys keys) : redis_(std::move(redis)), keys_(std::move(keys)) {}

boost::asio::awaitable<redis::Result<Priorities::ById>> Priorities::of(const std::vector<std::string>& ids) {
  ById found;
  std::vector<std::string> unknown;
  {
    std::lock_guard lock(mutex_);
    for (const auto& id : ids) {
      if (id.empty() || found.contains(id)) continue;
      if (auto it = known_.find(id); it != known_.end()) {
        found.emplace(id, it->second);
      } else {
        found.emplace(id, "normal");
        unknown.push_back(id);
      }
    }
  }
  if (unknown.empty()) co_return found;
  std::vector<redis::Args> reads;
  for (const auto& id : unknown) reads.push_back(redis::cmd("HGET", keys_.broadcast(id), "priority"));
  auto replies = co_await redis_->pipeline(std::move(reads));
  if (!replies) co_return replies.error();
  for (const auto& r : *replies)
    if (r.is_error()) co_return make_error_code(redis::Errc::server_error);
  std::lock_guard lock(mutex_);
  if (known_.size() + unknown.size() > 10000) known_.clear();
  for (std::size_t n = 0; n < unknown.size() && n < replies->size(); ++n) {
    if ((*replies)[n].is_nil()) continue;
    known_[unknown[n]] = (*replies)[n].str;
    found[unknown[n]] = (*replies)[n].str;
  }
  co_return found;
}

}  // namespace orgcast::tracking
