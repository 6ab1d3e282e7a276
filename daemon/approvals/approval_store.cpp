#include "approvals/approval_store.hpp"

#include "core/utc_time.hpp"
#include "lua_scripts.hpp"

namespace orgcast::approvals {

namespace asio = boost::asio;

namespace {

// How long a request is kept after it would expire (decided or not): the approvers' list is recent history; the audit trail keeps it all.
constexpr std::chrono::hours kKeptAfterExpiry{24 * 30};

long long ms_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// An approval from its hash; a pending one past its expiry reads `expired`.
Approval approval_of(const redis::Reply& hash, long long now_ms) {
  Approval a;
  for (std::size_t i = 0; i + 1 < hash.elements.size(); i += 2) a.fields[hash.elements[i].str] = hash.elements[i + 1].str;
  if (a.field("state") == "pending_approval" && now_ms >= std::atoll(a.field("expires_ms").c_str())) a.fields["state"] = "expired";
  return a;
}

}  // namespace

ApprovalStore::ApprovalStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)), clock_(clock ? std::move(clock) : std::make_shared<SystemClock>()) {}

asio::awaitable<redis::Result<std::string>> ApprovalStore::hold(std::map<std::string, std::string> fields, std::vector<std::uint64_t> mobiles,
                                                                std::chrono::hours expires_after, AlsoWrite also) {
  auto next = redis::cmd("INCR", key("ap:seq"));  // named: GCC 12 and temporaries inside a co_await
  auto seq = co_await redis_->command(std::move(next));
  if (!seq) co_return seq.error();
  if (seq->is_error()) co_return make_error_code(redis::Errc::server_error);
  const auto id = "ap" + std::to_string(seq->integer);
  const auto now = clock_->system_now();
  fields["id"] = id;
  fields["state"] = "pending_approval";
  fields["created_at"] = format_utc(now);
  fields["expires_at"] = format_utc(now + expires_after);
  fields["expires_ms"] = std::to_string(ms_of(now + expires_after));
  // The people, 8 bytes each (little-endian): what an approval sends to, whatever the directory does meanwhile.
  std::string people;
  people.reserve(mobiles.size() * 8);
  for (auto m : mobiles)
    for (int b = 0; b < 8; ++b) people += static_cast<char>((m >> (8 * b)) & 0xFF);
  std::vector<redis::Args> writes;
  auto set = redis::cmd("HSET", key("ap:" + id));
  for (const auto& [field, value] : fields) set.push_back(field), set.push_back(value);
  writes.push_back(std::move(set));
  writes.push_back(redis::cmd("SET", key("ap:" + id + ":people"), people));
  writes.push_back(redis::cmd("ZADD", key("ap:all"), std::to_string(ms_of(now)), id));
  // Kept as long as it may matter: a decided or expired request is history for the approver's list a month on.
  const auto keep = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(expires_after + kKeptAfterExpiry).count());
  writes.push_back(redis::cmd("EXPIRE", key("ap:" + id), keep));
  writes.push_back(redis::cmd("EXPIRE", key("ap:" + id + ":people"), keep));
  const auto forgotten = ms_of(now - expires_after - kKeptAfterExpiry);
  writes.push_back(redis::cmd("ZREMRANGEBYSCORE", key("ap:all"), "-inf", std::to_string(forgotten)));
  if (also)
    for (auto& extra : also(id)) writes.push_back(std::move(extra));
  auto done = co_await redis_->pipeline(std::move(writes));
  if (!done) co_return done.error();
  for (const auto& r : *done)
    if (r.is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return id;
}

asio::awaitable<redis::Result<std::optional<Approval>>> ApprovalStore::get(std::string id) {
  auto ask = redis::cmd("HGETALL", key("ap:" + id));
  auto got = co_await redis_->command(std::move(ask));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  if (got->elements.empty()) co_return std::optional<Approval>{};
  co_return std::optional<Approval>(approval_of(*got, ms_of(clock_->system_now())));
}

asio::awaitable<redis::Result<std::vector<std::uint64_t>>> ApprovalStore::people(std::string id) {
  auto ask = redis::cmd("GET", key("ap:" + id + ":people"));
  auto got = co_await redis_->command(std::move(ask));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::vector<std::uint64_t> out;
  const auto& s = got->str;
  for (std::size_t at = 0; at + 8 <= s.size(); at += 8) {
    std::uint64_t m = 0;
    for (int b = 0; b < 8; ++b) m |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[at + b])) << (8 * b);
    out.push_back(m);
  }
  co_return out;
}

asio::awaitable<redis::Result<std::vector<Approval>>> ApprovalStore::newest(std::size_t count) {
  auto ask = redis::cmd("ZREVRANGE", key("ap:all"), "0", std::to_string(count - 1));
  auto ids = co_await redis_->command(std::move(ask));
  if (!ids) co_return ids.error();
  if (ids->is_error()) co_return make_error_code(redis::Errc::server_error);
  // Read in one round trip, not one per approval.
  std::vector<redis::Args> reads;
  for (const auto& id : ids->elements) reads.push_back(redis::cmd("HGETALL", key("ap:" + id.str)));
  std::vector<Approval> out;
  if (reads.empty()) co_return out;
  auto got = co_await redis_->pipeline(std::move(reads));
  if (!got) co_return got.error();
  const auto now = ms_of(clock_->system_now());
  for (const auto& reply : *got) {
    if (reply.is_error() || reply.elements.empty()) continue;
    out.push_back(approval_of(reply, now));
  }
  co_return out;
}

asio::awaitable<redis::Result<std::string>> ApprovalStore::decide(std::string id, std::string state, std::string who, std::string reason) {
  const auto now = clock_->system_now();
  auto ask = redis::cmd("EVAL", std::string(lua::decide_approval), "1", key("ap:" + id), state, who, format_utc(now), reason,
                        std::to_string(ms_of(now)));
  auto done = co_await redis_->command(std::move(ask));
  if (!done) co_return done.error();
  if (done->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return done->str;
}

asio::awaitable<redis::Result<std::size_t>> ApprovalStore::sent_as(std::string id, std::string broadcast, std::string meeting) {
  auto ask = redis::cmd("HSET", key("ap:" + id), "broadcast", broadcast, "meeting", meeting, "state", "sent");
  auto done = co_await redis_->command(std::move(ask));
  if (!done) co_return done.error();
  if (done->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return static_cast<std::size_t>(1);
}

asio::awaitable<redis::Result<std::size_t>> ApprovalStore::reopen(std::string id, std::string why) {
  auto ask = redis::cmd("HSET", key("ap:" + id), "state", "pending_approval", "decided_by", "", "decided_at", "", "reason", "", "last_failure", why);
  auto done = co_await redis_->command(std::move(ask));
  if (!done) co_return done.error();
  if (done->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return static_cast<std::size_t>(1);
}

}  // namespace orgcast::approvals
