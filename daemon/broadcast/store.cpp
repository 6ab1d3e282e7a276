#include "broadcast/store.hpp"

#include <boost/json.hpp>

#include "broadcast/keys.hpp"
#include "lua_scripts.hpp"
#include "directory/codec.hpp"

namespace asio = boost::asio;
namespace json = boost::json;

namespace orgcast::broadcast {
namespace {

constexpr const char* kIdempotencyTtl = "86400";

}  // namespace

namespace {

// A broadcast's fields as its hash holds them.
BroadcastInfo info_of(const std::string& id, const std::vector<redis::Reply>& fields) {
  BroadcastInfo info;
  info.id = id;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const auto& key = fields[i].str;
    const auto& value = fields[i + 1].str;
    if (key == "state") info.state = value;
    else if (key == "priority") info.priority = value;
    else if (key == "created_at") info.created_at = value;
    else if (key == "message") info.message_json = value;
    else if (key == "audience") info.audience_json = value;
    else if (key == "author") info.author = value;
    else if (key == "root") info.root = value;
    else if (key == "total") info.total = static_cast<std::size_t>(fields[i + 1].as_integer());
    else if (key == "chunks") info.chunks = static_cast<std::size_t>(fields[i + 1].as_integer());
    else if (key == "version") info.version = fields[i + 1].as_integer();
    else if (key == "request") info.request_json = value;
    else if (key == "not_sent_because") info.not_sent_because = value;
  }
  return info;
}

}  // namespace

std::string message_json(const Spec& spec) {
  json::object o;
  json::array channels;
  for (auto c : spec.channels) channels.emplace_back(adapters::name(c));
  o["channels"] = std::move(channels);
  spec.content.store_into(o);
  o["priority"] = name(spec.priority);
  if (spec.send_at) o["send_at"] = format_rfc3339(*spec.send_at);
  if (spec.expires_at) o["expires_at"] = format_rfc3339(*spec.expires_at);
  if (spec.report_timeout) o["report_timeout_s"] = spec.report_timeout->count();
  return json::serialize(o);
}

Store::Store(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock, std::chrono::seconds retention)
    : redis_(std::move(redis)), clock_(clock ? std::move(clock) : system_clock()), retention_(retention), keys_{std::move(key_prefix)} {}

asio::awaitable<redis::Result<Store::IdempotencyClaim>> Store::claim_idempotency_key(const IdempotencyHold& hold,
                                                                                     std::chrono::milliseconds lease) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_->system_now().time_since_epoch()).count();
  auto reply = redis::ok_reply(co_await redis_->command(redis::cmd("EVAL", std::string(lua::idempotency_claim), "1",
                                                                   keys_.idempotency(hold.key), hold.owner, hold.body_hash,
                                                                   std::to_string(now_ms), std::to_string(lease.count()),
                                                                   kIdempotencyTtl)));
  if (!reply) co_return reply.error();
  if (!reply->is_array() || reply->elements.empty()) co_return make_error_code(redis::Errc::server_error);
  IdempotencyClaim claim;
  const auto& word = reply->elements[0].str;
  using Outcome = IdempotencyClaim::Outcome;
  claim.outcome = word == "done" ? Outcome::done : word == "in_progress" ? Outcome::in_progress : word == "mismatch" ? Outcome::mismatch
                                                                                                                     : Outcome::claimed;
  if (claim.outcome == Outcome::done && reply->elements.size() > 1) claim.id = reply->elements[1].str;
  co_return claim;
}

asio::awaitable<void> Store::release_idempotency_key(const IdempotencyHold& hold) {
  if (hold.key.empty()) co_return;
  co_await redis_->command(redis::cmd("EVAL", std::string(lua::idempotency_release), "1", keys_.idempotency(hold.key), hold.owner));
}

std::optional<redis::Args> Store::idempotency_done(const IdempotencyHold& hold, const std::string& made) const {
  if (hold.key.empty()) return std::nullopt;
  return redis::cmd("EVAL", std::string(lua::idempotency_done), "1", keys_.idempotency(hold.key), hold.owner, hold.body_hash, made,
                    kIdempotencyTtl);
}

asio::awaitable<redis::Result<std::string>> Store::new_id() {
  auto seq = redis::ok_reply(co_await redis_->command(redis::cmd("INCR", keys_.sequence())));
  if (!seq) co_return seq.error();
  co_return "b" + std::to_string(seq->integer);
}

asio::awaitable<redis::Result<std::size_t>> Store::write_chunks(const std::string& id, std::size_t first_chunk, QueuedAudience& slice) {
  // Nothing refers to these until the commit: a crash before it leaves them unread.
  std::vector<redis::Args> writes;
  const auto count = slice.record_chunks.size();
  for (std::size_t k = 0; k < count; ++k) {
    writes.push_back(redis::cmd("SET", keys_.records(id, first_chunk + k), std::move(slice.record_chunks[k])));
    writes.push_back(redis::cmd("SET", keys_.states(id, first_chunk + k), std::move(slice.state_chunks[k])));
  }
  slice.record_chunks.clear();
  slice.state_chunks.clear();
  auto written = co_await redis::pipeline_in_batches(*redis_, std::move(writes));
  if (!written) co_return written.error();
  for (const auto& r : *written)
    if (r.is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return count;
}

asio::awaitable<redis::Result<std::string>> Store::commit(const Spec& spec, const std::string& id, QueuedAudience audience, std::size_t chunks,
                                                         const IdempotencyHold& hold, const Start* start) {
  // Atomically (lua/commit_broadcast.lua): the broadcast, its counters and its queue.
  json::array units;
  for (const auto& u : audience.breakdown_units) units.emplace_back(u);
  const auto queue = keys_.stream(name(spec.priority), id);
  const auto now = clock_->system_now();
  const bool later = spec.send_at && *spec.send_at > now;
  // The channel names once more on their own: the scripts that move
  // recipients between channels read them without decoding the message.
  std::string channel_names;
  for (auto c : spec.channels) channel_names += (channel_names.empty() ? "" : ",") + std::string(adapters::name(c));
  // A broadcast whose every recipient was skipped has nothing left to do.
  const bool nobody = !chunks || audience.total == audience.skipped;
  const std::string due = later ? std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(spec.send_at->time_since_epoch()).count()) : "";
  auto commit = redis::cmd("EVAL", std::string(lua::commit_broadcast), "7", keys_.broadcast(id), keys_.counters(id), queue,
                           keys_.active(name(spec.priority)), keys_.scheduled(), keys_.idempotency(hold.key), keys_.made(), hold.owner,
                           hold.body_hash, kIdempotencyTtl, id, std::to_string(chunks), due, name(spec.priority),
                           start ? std::to_string(start->version) : "", start ? start->owner : "");
  std::vector<std::pair<std::string, std::string>> fields = {
      {"state", nobody ? "done" : later ? "scheduled" : "queued"}, {"channels", channel_names},
      {"priority", name(spec.priority)}, {"total", std::to_string(audience.total)}, {"chunks", std::to_string(chunks)},
      {"message", message_json(spec)}, {"audience", spec.audience_json},
      {"author", spec.author}, {"root", spec.audience_root}, {"units", json::serialize(units)}, {"retention_s", std::to_string(retention_.count())}};
  // A planned broadcast keeps when it was made (and its key); it says when it started.
  if (start) fields.emplace_back("started_at", format_rfc3339(now));
  else fields.emplace_back("created_at", format_rfc3339(now)), fields.emplace_back("idempotency_key", hold.key);
  commit.push_back(std::to_string(fields.size()));
  for (const auto& [field, value] : fields) commit.push_back(field), commit.push_back(value);
  audience.counters["queued"] = static_cast<long long>(audience.total - audience.skipped);
  audience.counters["skipped"] = static_cast<long long>(audience.skipped);
  commit.push_back(std::to_string(audience.counters.size()));
  for (const auto& [field, value] : audience.counters) commit.push_back(field), commit.push_back(std::to_string(value));
  auto done = redis::ok_reply(co_await redis_->command(std::move(commit)));
  if (!done) co_return done.error();
  if (done->str == "lost") co_return std::string();
  if (done->str != "ok") co_return make_error_code(redis::Errc::server_error);
  co_return id;
}

asio::awaitable<redis::Result<std::string>> Store::plan(const Spec& spec, const std::string& id, std::size_t matched,
                                                       const std::string& request_json, const IdempotencyHold& hold) {
  // The same script as a queued broadcast's commit, with no chunks: no queue yet.
  const auto now = clock_->system_now();
  auto made = redis::cmd("EVAL", std::string(lua::commit_broadcast), "7", keys_.broadcast(id), keys_.counters(id), keys_.stream(name(spec.priority), id),
                         keys_.active(name(spec.priority)), keys_.scheduled(), keys_.idempotency(hold.key), keys_.made(), hold.owner,
                         hold.body_hash, kIdempotencyTtl, id, "0", "", name(spec.priority), "", "");
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"state", "scheduled"}, {"version", "1"}, {"request", request_json}, {"priority", name(spec.priority)},
      {"total", std::to_string(matched)}, {"chunks", "0"}, {"created_at", format_rfc3339(now)}, {"message", message_json(spec)},
      {"audience", spec.audience_json}, {"author", spec.author}, {"root", spec.audience_root}, {"idempotency_key", hold.key},
      {"retention_s", std::to_string(retention_.count())}};
  made.push_back(std::to_string(fields.size()));
  for (const auto& [field, value] : fields) made.push_back(field), made.push_back(value);
  made.push_back("0");
  auto done = redis::ok_reply(co_await redis_->command(std::move(made)));
  if (!done) co_return done.error();
  if (done->str == "lost") co_return std::string();
  if (done->str != "ok") co_return make_error_code(redis::Errc::server_error);
  co_return id;
}

asio::awaitable<redis::Result<std::string>> Store::take_start(const std::string& id, long long version, const std::string& owner,
                                                             std::chrono::milliseconds lease) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_->system_now().time_since_epoch()).count();
  auto reply = redis::ok_reply(co_await redis_->command(redis::cmd("EVAL", std::string(lua::start_scheduled), "1", keys_.broadcast(id),
                                                                   std::to_string(version), owner, std::to_string(now_ms),
                                                                   std::to_string(lease.count()))));
  if (!reply) co_return reply.error();
  co_return reply->str;
}

asio::awaitable<void> Store::release_start(const std::string& id, const std::string& owner) {
  co_await redis_->command(redis::cmd("EVAL", std::string(lua::release_start), "1", keys_.broadcast(id), owner));
}

asio::awaitable<redis::Result<std::string>> Store::edit_scheduled(const std::string& id, long long version,
                                                                 std::vector<std::pair<std::string, std::string>> fields) {
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_->system_now().time_since_epoch()).count();
  auto args = redis::cmd("EVAL", std::string(lua::edit_scheduled), "1", keys_.broadcast(id), std::to_string(version), std::to_string(now_ms));
  for (auto& [field, value] : fields) args.push_back(std::move(field)), args.push_back(std::move(value));
  auto reply = redis::ok_reply(co_await redis_->command(std::move(args)));
  if (!reply) co_return reply.error();
  if (reply->type == redis::Reply::Type::integer) co_return std::to_string(reply->integer);
  co_return reply->str;
}

asio::awaitable<redis::Result<bool>> Store::end_scheduled(const std::string& id, long long version, const std::string& owner, std::string why) {
  auto reply = redis::ok_reply(co_await redis_->command(redis::cmd("EVAL", std::string(lua::end_scheduled), "1", keys_.broadcast(id),
                                                                   std::to_string(version), owner, std::move(why),
                                                                   format_rfc3339(clock_->system_now()))));
  if (!reply) co_return redis::Result<bool>(boost::system::in_place_error, reply.error());
  co_return reply->integer == 1;
}

asio::awaitable<void> Store::discard_chunks(const std::string& id, std::size_t chunks) {
  std::vector<redis::Args> deletes;
  for (std::size_t first = 0; first < chunks; first += 256) {
    const auto end = std::min(chunks, first + 256);
    auto discard = redis::cmd("EVAL", std::string(lua::discard_start), std::to_string(1 + 2 * (end - first)), keys_.broadcast(id));
    for (auto k = first; k < end; ++k) discard.push_back(keys_.records(id, k)), discard.push_back(keys_.states(id, k));
    deletes.push_back(std::move(discard));
  }
  co_await redis::pipeline_in_batches(*redis_, std::move(deletes));
}

asio::awaitable<redis::Result<bool>> Store::holds_start(const std::string& id, const std::string& owner) {
  auto starting = redis::ok_reply(co_await redis_->command(redis::cmd("HGET", keys_.broadcast(id), "starting")));
  if (!starting) co_return redis::Result<bool>(boost::system::in_place_error, starting.error());
  co_return starting->str.starts_with(owner + "|");
}

asio::awaitable<redis::Result<std::optional<std::string>>> Store::cancel(const std::string& id) {
  if (!Keys::is_broadcast_id(id)) co_return std::optional<std::string>{};
  auto args = redis::cmd("EVAL", std::string(lua::cancel), "11", keys_.broadcast(id), keys_.scheduled(), keys_.cancel_sequence(),
                         keys_.cancelled());
  for (const char* priority : {"urgent", "normal", "bulk"}) args.push_back(keys_.stream(priority, id));
  for (const char* priority : {"urgent", "normal", "bulk"}) args.push_back(keys_.active(priority));
  args.push_back(keys_.retries());
  args.push_back(id);
  args.push_back(format_rfc3339(clock_->system_now()));
  auto reply = redis::ok_reply(co_await redis_->command(std::move(args)));
  if (!reply) co_return reply.error();
  if (reply->is_nil()) co_return std::optional<std::string>{};
  co_return std::optional<std::string>(reply->str);
}

asio::awaitable<redis::Result<std::vector<Store::Made>>> Store::made_between(long long max_ms, long long min_ms, std::size_t count) {
  auto ask = redis::cmd("ZREVRANGEBYSCORE", keys_.made(), std::to_string(max_ms), std::to_string(min_ms), "WITHSCORES", "LIMIT", "0",
                        std::to_string(count));
  auto ids = redis::ok_reply(co_await redis_->command(std::move(ask)));
  if (!ids) co_return ids.error();
  std::vector<Made> out;
  std::vector<redis::Args> reads;
  for (std::size_t i = 0; i + 1 < ids->elements.size(); i += 2) {
    out.push_back(Made{std::atoll(ids->elements[i + 1].str.c_str()), BroadcastInfo{}});
    out.back().info.id = ids->elements[i].str;
    reads.push_back(redis::cmd("HGETALL", keys_.broadcast(out.back().info.id)));
  }
  if (reads.empty()) co_return out;
  auto replies = co_await redis_->pipeline(std::move(reads));
  if (!replies) co_return replies.error();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto& fields = (*replies)[i].elements;
    if (!fields.empty()) out[i].info = info_of(out[i].info.id, fields);  // else gone: only its id, no state
  }
  co_return out;
}

asio::awaitable<redis::Result<std::optional<BroadcastInfo>>> Store::get(const std::string& id) {
  if (!Keys::is_broadcast_id(id)) co_return std::optional<BroadcastInfo>{};
  std::vector<redis::Args> reads;
  reads.push_back(redis::cmd("HGETALL", keys_.broadcast(id)));
  reads.push_back(redis::cmd("HGETALL", keys_.counters(id)));
  auto replies = co_await redis_->pipeline(std::move(reads));
  if (!replies) co_return replies.error();
  const auto& fields = (*replies)[0].elements;
  if (fields.empty()) co_return std::optional<BroadcastInfo>{};
  auto info = info_of(id, fields);
  const auto& counters = (*replies)[1].elements;
  for (std::size_t i = 0; i + 1 < counters.size(); i += 2) info.counters[counters[i].str] = counters[i + 1].as_integer();
  co_return std::optional<BroadcastInfo>(std::move(info));
}

asio::awaitable<redis::Result<std::vector<Store::RecipientRow>>> Store::recipients(const std::string& id, std::size_t chunks,
                                                                                  std::optional<State> state,
                                                                                  std::size_t offset, std::size_t limit, std::size_t first_chunk) {
  const Keys& keys = keys_;
  std::vector<RecipientRow> rows;
  std::size_t skipped = 0;
  constexpr std::size_t kChunksPerRead = 16;
  for (std::size_t first = first_chunk; first < chunks && rows.size() < limit; first += kChunksPerRead) {
    std::vector<redis::Args> reads;
    const auto last = std::min(chunks, first + kChunksPerRead);
    for (auto k = first; k < last; ++k) {
      reads.push_back(redis::cmd("GET", keys.states(id, k)));
      reads.push_back(redis::cmd("GET", keys.records(id, k)));
    }
    auto replies = co_await redis_->pipeline(std::move(reads));
    if (!replies) co_return replies.error();
    for (auto k = first; k < last && rows.size() < limit; ++k) {
      const auto& states = (*replies)[2 * (k - first)].str;
      directory::codec::ChunkReader reader((*replies)[2 * (k - first) + 1].str);
      directory::ContactView view;
      for (std::size_t i = 0; reader.next(view) && rows.size() < limit; ++i) {
        auto s = StateRecord::decode(states, i);
        if (state && s.state != *state) continue;
        if (skipped++ < offset) continue;
        rows.push_back({k * kRecipientsPerChunk + i, directory::to_record(view), s, {}});
      }
    }
  }
  // Why each left the channels before its current one, and why the failed failed.
  redis::Args fields = redis::cmd("HMGET", keys.failures(id));
  std::vector<std::pair<std::size_t, std::size_t>> asked;  // row, channel
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& s = rows[r].state;
    // Skipped at enqueue (no address): nothing tried. Skipped at dispatch
    // (opted out of every channel it could take): each channel says so.
    if (s.state == State::skipped && s.usable == 0) continue;
    rows[r].left_because.resize(s.channel + 1u);
    for (std::size_t c = 0; c <= s.channel; ++c)
      if ((s.usable >> c) & 1u && (c < s.channel || s.state == State::failed || s.state == State::skipped)) {
        fields.push_back(Keys::failure_field(rows[r].number, c));
        asked.emplace_back(r, c);
      }
  }
  if (!asked.empty()) {
    auto reasons = co_await redis_->command(std::move(fields));
    if (reasons && reasons->is_array())
      for (std::size_t n = 0; n < asked.size() && n < reasons->elements.size(); ++n)
        rows[asked[n].first].left_because[asked[n].second] = reasons->elements[n].str;
  }
  for (auto& row : rows)
    if ((row.state.state == State::failed || row.state.state == State::skipped) && !row.left_because.empty())
      row.reason = row.left_because.back();
  co_return rows;
}

}  // namespace orgcast::broadcast
