#include "inbound/inbound_store.hpp"

#include "core/digest.hpp"
#include "core/utc_time.hpp"
#include "text/ist_time.hpp"
#include "lua_scripts.hpp"

namespace orgcast::inbound {

InboundStore::InboundStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock)
    : redis_(std::move(redis)), keys_{std::move(key_prefix)}, clock_(clock ? std::move(clock) : system_clock()) {}

boost::asio::awaitable<redis::Result<std::vector<Received>>> InboundStore::store(std::string provider, std::vector<Received> messages) {
  std::vector<Received> fresh;
  if (messages.empty()) co_return fresh;
  const auto now = format_utc(clock_->system_now());
  const auto day = text::ist_day(clock_->system_now());  // the day a report counts for
  static const std::string script =
      std::string(lua::consent) + "\n" + std::string(lua::answer) + "\n" + std::string(lua::store_inbound);
  std::vector<redis::Args> stores;
  for (const auto& r : messages) {
    const auto& m = r.message;
    const auto& d = r.decision;
    const auto mobile = d.mobile != 0 ? std::to_string(d.mobile) : "";
    // Without a provider id, the same text from the same sender within
    // five minutes is the same message delivered twice.
    const bool has_id = !m.provider_message_id.empty();
    const auto seen = has_id ? m.provider_message_id : "text:" + sha1_hex(m.from + "\n" + m.text);
    auto args = redis::cmd("EVAL", script, std::to_string(9 + r.answer_keys.size()), keys_.prefix + "in:seen:" + provider + ":" + seen,
                           keys_.inbound_messages(), keys_.inbound_of(d.mobile), keys_.opted_out("sms"), keys_.opted_out("whatsapp"),
                           keys_.opted_out("push"), keys_.consent_log(d.mobile), keys_.prefix + "rp:" + day, keys_.prefix + "rp:" + day + ":who");
    args.insert(args.end(), r.answer_keys.begin(), r.answer_keys.end());
    for (auto& a : redis::cmd(provider, m.provider_message_id, m.from, m.text, now, m.via.empty() ? std::string(adapters::name(m.channel)) : m.via, d.outcome,
                              keywords::name(d.reading.intent), d.reading.code ? std::to_string(*d.reading.code) : "", mobile,
                              d.reading.all_channels ? "1" : "0", d.language, d.reading.text, has_id ? "86400" : "300",
                              r.answer_candidates.empty() ? "" : r.answer, d.report_unit, day, d.unit_chains, provider_time_as_rfc3339(m.sent_at)))
      args.push_back(std::move(a));
    args.insert(args.end(), r.answer_candidates.begin(), r.answer_candidates.end());
    stores.push_back(std::move(args));
  }
  auto stored = co_await redis_->pipeline(std::move(stores));
  if (!stored) co_return stored.error();
  for (std::size_t n = 0; n < stored->size(); ++n) {
    const auto& reply = (*stored)[n];
    if (reply.is_error()) co_return make_error_code(redis::Errc::server_error);
    if (!reply.is_array() || reply.elements.empty()) continue;  // 0: seen before
    // {entry id, then what came of an answer: outcome, meetings...}
    auto& r = messages[n];
    if (reply.elements.size() > 1) {
      r.answered = reply.elements[1].str;
      for (std::size_t i = 2; i < reply.elements.size(); ++i) r.answered_meetings.push_back(reply.elements[i].str);
    }
    fresh.push_back(std::move(r));
  }
  co_return fresh;
}

boost::asio::awaitable<redis::Result<redis::Reply>> InboundStore::latest(std::size_t limit, std::string before) {
  // Built before the co_await: GCC 12 mishandles temporaries with destructors inside one.
  auto newest_first = redis::cmd("XREVRANGE", keys_.inbound_messages(), before.empty() ? std::string("+") : "(" + before, "-", "COUNT",
                                 std::to_string(limit));
  co_return co_await redis_->command(std::move(newest_first));
}

boost::asio::awaitable<redis::Result<InboundStore::PersonPage>> InboundStore::of_person(std::uint64_t mobile, std::string after, std::size_t count) {
  // Where `after` is now, and the page after it, in one step.
  static const std::string script =
      "local from = 0\n"
      "if ARGV[1] ~= '' then\n"
      "  local at = redis.call('LPOS', KEYS[1], ARGV[1])\n"
      "  if not at then return {{}, redis.call('LLEN', KEYS[1])} end\n"
      "  from = at + 1\n"
      "end\n"
      "return {redis.call('LRANGE', KEYS[1], from, from + tonumber(ARGV[2]) - 1), redis.call('LLEN', KEYS[1]), from}";
  auto listed = co_await redis_->command(redis::cmd("EVAL", script, "1", keys_.inbound_of(mobile), std::move(after), std::to_string(count)));
  if (!listed) co_return listed.error();
  if (listed->is_error() || listed->elements.size() < 2) co_return make_error_code(redis::Errc::server_error);
  const auto* ids = &listed->elements[0];
  PersonPage out;
  out.kept = static_cast<std::size_t>(listed->elements[1].integer);
  if (ids->elements.empty()) co_return out;
  const auto from = listed->elements.size() > 2 ? static_cast<std::size_t>(listed->elements[2].integer) : 0;
  if (from + ids->elements.size() < out.kept) out.last = ids->elements.back().str;
  std::vector<redis::Args> reads;
  for (const auto& id : ids->elements) reads.push_back(redis::cmd("XRANGE", keys_.inbound_messages(), id.str, id.str));
  auto entries = co_await redis_->pipeline(std::move(reads));
  if (!entries) co_return entries.error();
  for (auto& e : *entries)
    if (e.is_array() && !e.elements.empty()) out.messages.push_back(std::move(e.elements[0]));  // gone when the stream was trimmed
  co_return out;
}

boost::asio::awaitable<redis::Result<std::size_t>> InboundStore::record_consent(std::uint64_t mobile, std::string consent, std::string channel,
                                                                        std::string who, std::string note) {
  static const std::string script = std::string(lua::consent) + "\n" + std::string(lua::record_consent);
  auto record = redis::cmd("EVAL", script, "4", keys_.opted_out("sms"), keys_.opted_out("whatsapp"), keys_.opted_out("push"),
                           keys_.consent_log(mobile), std::to_string(mobile), std::move(consent), std::move(channel),
                           format_utc(clock_->system_now()), std::move(who), std::move(note));
  auto done = co_await redis_->command(std::move(record));
  if (!done) co_return done.error();
  if (done->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return std::size_t{1};
}

boost::asio::awaitable<redis::Result<InboundStore::Consent>> InboundStore::consent_of(std::uint64_t mobile) {
  const auto who = std::to_string(mobile);
  std::vector<redis::Args> reads;
  for (const char* channel : {"sms", "whatsapp", "push"}) reads.push_back(redis::cmd("HGET", keys_.opted_out(channel), who));
  reads.push_back(redis::cmd("LRANGE", keys_.consent_log(mobile), "0", "199"));
  auto replies = co_await redis_->pipeline(std::move(reads));
  if (!replies) co_return replies.error();
  Consent out;
  const char* channels[] = {"sms", "whatsapp", "push"};
  for (std::size_t c = 0; c < 3; ++c) {
    const auto& r = (*replies)[c];
    if (r.is_error()) co_return make_error_code(redis::Errc::server_error);
    if (!r.is_nil()) out.opted_out[channels[c]] = r.str;
  }
  for (auto& entry : (*replies)[3].elements) out.history.push_back(std::move(entry.str));
  co_return out;
}

}  // namespace orgcast::inbound
