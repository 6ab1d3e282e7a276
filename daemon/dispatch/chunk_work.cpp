#include "dispatch/chunk_work.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "broadcast/spec.hpp"
#include "directory/codec.hpp"
#include "directory/org_index.hpp"
#include "core/utc_time.hpp"
#include "directory/phone.hpp"
#include "dispatch/scripts.hpp"
#include "metrics/registry.hpp"

namespace json = boost::json;

namespace orgcast::dispatch {

using broadcast::State;
using broadcast::StateRecord;

namespace {

std::optional<adapters::Channel> channel_named(std::string_view n) {
  if (n == "sms") return adapters::Channel::sms;
  if (n == "whatsapp") return adapters::Channel::whatsapp;
  if (n == "push") return adapters::Channel::push;
  return std::nullopt;
}

std::string address_for(adapters::Channel channel, const directory::ContactView& c) {
  switch (channel) {
    case adapters::Channel::sms: return phone::to_e164(c.mobile);
    case adapters::Channel::whatsapp: return phone::to_e164(c.whatsapp);
    case adapters::Channel::push: return std::string(c.app_token);
  }
  return {};
}

std::string encoded(const StateRecord& r) {
  std::string out;
  r.encode_into(out);
  return out;
}

std::string code(State s) { return std::to_string(static_cast<int>(s)); }

// A failure as the recipients report shows it: "push: invalid_recipient (UNREGISTERED): ...".
std::string why(const char* channel, const adapters::SendResult& result) {
  if (result.provider_code == "opted_out") return std::string(channel) + ": opted out";
  return std::string(channel) + ": " + adapters::name(result.failure) +
         (result.provider_code.empty() ? "" : " (" + result.provider_code + ")") + (result.reason.empty() ? "" : ": " + result.reason);
}

// Counter moves of a window, summed per field so that a window costs a few
// HINCRBYs, not six per recipient.
class CounterMoves {
 public:
  void move(State from, const char* from_channel, State to, const char* to_channel, const std::string& unit) {
    add("", from, to);
    --delta_[std::string("ch:") + from_channel + ":" + broadcast::name(from)];
    ++delta_[std::string("ch:") + to_channel + ":" + broadcast::name(to)];
    add("u:" + unit + ":", from, to);
  }
  /// What an accepted message cost: "$:<channel>" in micros, "$:sms_segments".
  void cost(const char* channel, const pricing::MessageCost& cost) {
    delta_[std::string("$:") + channel] += cost.micros;
    if (cost.sms_segments > 0) delta_["$:sms_segments"] += static_cast<long long>(cost.sms_segments);
  }
  /// One more of something counted beside the states ("x:<name>").
  void note(const std::string& field) { ++delta_[field]; }
  /// Appends "field, delta" pairs to a script's arguments; returns how many.
  std::size_t flush_into(redis::Args& args) {
    std::size_t pairs = 0;
    for (const auto& [field, delta] : delta_)
      if (delta != 0) {
        args.push_back(field);
        args.push_back(std::to_string(delta));
        ++pairs;
      }
    delta_.clear();
    return pairs;
  }

 private:
  void add(const std::string& prefix, State from, State to) {
    --delta_[prefix + broadcast::name(from)];
    ++delta_[prefix + broadcast::name(to)];
  }
  std::map<std::string, long long> delta_;
};

// The state records a window wrote, by recipient: neighbours (a window is
// usually a run of the chunk) become one SETRANGE.
class StateWrites {
 public:
  void write(std::size_t i, const StateRecord& r) { records_.emplace_back(i, encoded(r)); }
  /// Appends the run count, then "first recipient, records" pairs, to a script's arguments.
  void flush_into(redis::Args& args) {
    std::sort(records_.begin(), records_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const auto count_at = args.size();
    args.emplace_back();
    std::size_t runs = 0;
    for (std::size_t n = 0; n < records_.size();) {
      std::string bytes = std::move(records_[n].second);
      std::size_t end = n + 1;
      for (; end < records_.size() && records_[end].first == records_[end - 1].first + 1; ++end) bytes += records_[end].second;
      args.push_back(std::to_string(records_[n].first));
      args.push_back(std::move(bytes));
      ++runs;
      n = end;
    }
    args[count_at] = std::to_string(runs);
    records_.clear();
  }

 private:
  std::vector<std::pair<std::size_t, std::string>> records_;
};

}  // namespace

std::optional<DispatchedBroadcast> DispatchedBroadcast::parse(std::string id, const std::string& message_json,
                                                              const std::string& units_json,
                                                              std::chrono::seconds default_report_timeout, std::string& error) {
  DispatchedBroadcast b;
  b.id = std::move(id);
  boost::system::error_code ec;
  auto message = json::parse(message_json, ec);
  if (ec || !message.is_object()) {
    error = "its message is not a JSON object";
    return std::nullopt;
  }
  const auto& m = message.as_object();
  if (auto* channels = m.if_contains("channels"); channels && channels->is_array())
    for (const auto& c : channels->as_array())
      if (auto channel = c.is_string() ? channel_named(c.as_string()) : std::nullopt) b.channels.push_back(*channel);
  if (b.channels.empty()) {
    error = "it has no channels";
    return std::nullopt;
  }
  auto content = broadcast::Content::load(m, error);
  if (!content) return std::nullopt;
  b.content = std::move(*content);
  auto text = [&](const char* key) { return m.contains(key) && m.at(key).is_string() ? std::string(m.at(key).as_string()) : std::string(); };
  if (auto expires = text("expires_at"); !expires.empty()) b.expires_at = broadcast::parse_rfc3339(expires);
  b.report_timeout = default_report_timeout;
  if (auto* timeout = m.if_contains("report_timeout_s"); timeout && timeout->is_int64())
    b.report_timeout = std::chrono::seconds(timeout->as_int64());
  auto units = json::parse(units_json, ec);
  if (!ec && units.is_array())
    for (const auto& u : units.as_array()) b.units.emplace_back(u.is_string() ? std::string(u.as_string()) : std::string());
  return b;
}

ChunkWork::ChunkWork(const broadcast::Keys& keys, std::string consumer, std::string stream, std::string entry, std::size_t k,
                     std::uint32_t token, std::string earlier_tokens)
    : keys_(keys), consumer_(std::move(consumer)), stream_(std::move(stream)), entry_(std::move(entry)), k_(k), token_(token),
      token_bytes_(StateRecord::token_bytes(token)), earlier_tokens_(std::move(earlier_tokens)) {
  keys_.stream_parts(stream_, priority_, id_);
}

std::vector<redis::Args> ChunkWork::load_commands() const {
  std::vector<redis::Args> load;
  load.push_back(redis::cmd("DEL", keys_.requeued(id_, k_)));
  load.push_back(redis::cmd("GET", keys_.records(id_, k_)));
  load.push_back(redis::cmd("GET", keys_.states(id_, k_)));
  load.push_back(redis::cmd("HGETALL", keys_.retry_due(id_, k_)));
  return load;
}

bool ChunkWork::load(std::vector<redis::Reply>& replies, SteadyTime now, std::chrono::system_clock::time_point wall_now) {
  if (replies.size() < 4 || replies[1].is_nil() || replies[2].is_nil() || replies[3].is_error()) return false;
  records_bytes_ = std::move(replies[1].str);
  directory::codec::ChunkReader reader(records_bytes_);
  directory::ContactView view;
  while (reader.next(view)) recipients_.push_back(view);
  costs_.resize(recipients_.size());
  const std::string& bytes = replies[2].str;
  for (std::size_t i = 0; i < recipients_.size(); ++i) {
    states_.push_back(StateRecord::decode(bytes, i));
    // `sending` under an earlier hold of this entry: that hold died
    // mid-send; nothing lost wins, it goes again. Under any other token it
    // belongs to a live hold of another entry of this chunk: not ours.
    const auto s = states_[i].state;
    if (s == State::queued || (s == State::sending && held_earlier(states_[i].owner))) pending_.push_back(i);
  }
  // Retries whose due time is still ahead (set by whichever hold sent them
  // last, perhaps on an instance that is gone) wait for it.
  const auto& due = replies[3].elements;
  for (std::size_t n = 0; n + 1 < due.size(); n += 2) {
    const auto i = static_cast<std::size_t>(due[n].as_integer());
    const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(due[n + 1].as_integer()));
    if (i < states_.size() && states_[i].state == State::queued && at > wall_now) not_before_[i] = now + (at - wall_now);
  }
  return true;
}

std::vector<redis::Args> ChunkWork::lookup_commands() const {
  std::vector<redis::Args> asks;
  const auto& channels = broadcast_->channels;
  if (std::find(channels.begin(), channels.end(), adapters::Channel::push) != channels.end()) {
    auto dead = redis::cmd("HMGET", keys_.dead_push_tokens());
    for (std::size_t i = 0; i < recipients_.size(); ++i)
      if (!recipients_[i].app_token.empty()) dead.emplace_back(recipients_[i].app_token);
    if (dead.size() > 2) asks.push_back(std::move(dead));
  }
  // Consent per channel of the policy, kept under the number the channel
  // uses: a WhatsApp STOP comes from the WhatsApp number, which may differ
  // from the mobile. (The confirmation of a STOP goes to the number that
  // just sent it.)
  for (const auto channel : channels) {
    if (broadcast_->content.confirms_opt_out) break;
    auto out = redis::cmd("HMGET", keys_.opted_out(adapters::name(channel)));
    for (const auto& r : recipients_)
      out.push_back(std::to_string(channel == adapters::Channel::whatsapp && r.whatsapp != 0 ? r.whatsapp : r.mobile));
    if (out.size() > 2) asks.push_back(std::move(out));
  }
  return asks;
}

void ChunkWork::apply_lookups(const std::vector<redis::Reply>& replies) {
  std::size_t at = 0;
  const auto& channels = broadcast_->channels;
  if (std::find(channels.begin(), channels.end(), adapters::Channel::push) != channels.end() &&
      std::any_of(recipients_.begin(), recipients_.end(), [](const auto& r) { return !r.app_token.empty(); })) {
    const auto& reply = replies.at(at++);
    std::size_t n = 0;
    for (std::size_t i = 0; i < recipients_.size(); ++i) {
      if (recipients_[i].app_token.empty()) continue;
      if (n < reply.elements.size() && !reply.elements[n].is_nil()) dead_tokens_[i] = reply.elements[n].str;
      ++n;
    }
  }
  opted_out_.assign(recipients_.size(), 0);
  if (recipients_.empty() || broadcast_->content.confirms_opt_out) return;
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const auto& reply = replies.at(at++);
    for (std::size_t i = 0; i < recipients_.size() && i < reply.elements.size(); ++i)
      if (!reply.elements[i].is_nil()) opted_out_[i] |= static_cast<std::uint8_t>(1u << c);
  }
}

std::optional<adapters::SendResult> ChunkWork::known_refusal(std::size_t i) const {
  const auto c = states_[i].channel;
  if (i < opted_out_.size() && (opted_out_[i] & (1u << c)) != 0) {
    adapters::SendResult out;
    out.failure = adapters::SendFailure::invalid_recipient;
    out.provider_code = "opted_out";
    out.reason = "opted out";
    return out;
  }
  if (channel_of(i) != adapters::Channel::push) return std::nullopt;
  auto it = dead_tokens_.find(i);
  if (it == dead_tokens_.end()) return std::nullopt;
  adapters::SendResult dead;
  dead.failure = adapters::SendFailure::invalid_recipient;
  dead.provider_code = "dead_token";
  dead.reason = "the app token was refused before (" + it->second + "); not sent again";
  return dead;
}

std::vector<std::size_t> ChunkWork::take_due(SteadyTime now, std::size_t window) {
  std::vector<std::size_t> due, waiting;
  for (auto i : pending_) {
    auto retry = not_before_.find(i);
    auto held = rule_holds_.find(i);
    const bool ready = (retry == not_before_.end() || retry->second <= now) && (held == rule_holds_.end() || held->second <= now);
    (due.size() < window && ready ? due : waiting).push_back(i);
  }
  pending_ = std::move(waiting);
  return due;
}

void ChunkWork::hold_until(std::size_t i, SteadyTime until) {
  rule_holds_[i] = until;
  pending_.push_back(i);
}

SteadyTime ChunkWork::next_retry() const {
  auto soonest = SteadyTime::max();
  for (auto i : pending_) {
    auto retry = not_before_.find(i);
    auto held = rule_holds_.find(i);
    if (retry == not_before_.end() && held == rule_holds_.end()) continue;
    const auto at = std::max(retry == not_before_.end() ? SteadyTime::min() : retry->second, held == rule_holds_.end() ? SteadyTime::min() : held->second);
    soonest = std::min(soonest, at);
  }
  return soonest;
}

bool ChunkWork::held_earlier(std::uint32_t owner) const {
  for (std::size_t p = 0; p + 4 <= earlier_tokens_.size(); p += 4)
    if (StateRecord::token_at(earlier_tokens_, p) == owner) return true;
  return false;
}

redis::Args ChunkWork::claim_command(const std::vector<std::size_t>& batch) const {
  auto args = redis::cmd("EVAL", kClaimScript, "4", keys_.states(id_, k_), keys_.broadcast(id_), keys_.counters(id_), keys_.holds(),
                         token_bytes_, broadcast::Keys::hold_field(stream_, entry_), earlier_tokens_);
  for (auto i : batch) {
    args.push_back(std::to_string(i));
    args.push_back(code(states_[i].state));
  }
  return args;
}

std::optional<std::vector<std::size_t>> ChunkWork::claimed(const std::vector<std::size_t>& batch, const redis::Reply& reply) {
  if (reply.type == redis::Reply::Type::integer && reply.integer < 0) return std::nullopt;
  std::vector<std::size_t> mine;
  for (const auto& e : reply.elements) {
    auto i = static_cast<std::size_t>(e.integer);
    if (std::find(batch.begin(), batch.end(), i) == batch.end()) continue;
    states_[i].state = State::sending;
    states_[i].owner = owner_token();
    mine.push_back(i);
  }
  return mine;
}

void ChunkWork::set_preclaimed(const std::vector<std::size_t>& batch, const redis::Reply& reply) {
  std::optional<std::vector<std::size_t>> mine;
  if (!reply.is_error()) mine = claimed(batch, reply);
  if (!mine) {
    put_back(batch);
    return;
  }
  preclaimed_ = std::move(*mine);
}

std::optional<std::vector<std::size_t>> ChunkWork::take_preclaimed() {
  auto out = std::move(preclaimed_);
  preclaimed_.reset();
  return out;
}

std::string ChunkWork::message_for(std::size_t i, const std::string& callback_url, adapters::OutboundMessage& m) {
  const auto& b = *broadcast_;
  m.channel = b.channels.at(states_[i].channel);
  m.reference = id_ + ":" + std::to_string(k_) + ":" + std::to_string(i);
  m.to = address_for(m.channel, recipients_[i]);
  m.callback_url = callback_url;
  auto error = b.content.fill(m, recipients_[i], b.index ? &b.index->units() : nullptr);
  costs_[i] = pricing::cost_of(m.channel, m.text, b.content.prices);
  return error;
}

redis::Args ChunkWork::record(const std::vector<std::size_t>& batch, const std::vector<adapters::SendResult>& results,
                              const std::vector<const adapters::Adapter*>& via, const BackoffPolicy& backoff, std::mt19937& random,
                              metrics::Registry& metrics, SteadyTime now, std::chrono::system_clock::time_point wall_now) {
  const auto& b = *broadcast_;
  CounterMoves moves;
  StateWrites writes;
  std::vector<std::pair<std::string, std::string>> failures;       // field, why
  std::vector<std::pair<std::string, std::string>> dead_tokens;    // app token, why
  std::map<std::uint8_t, std::string> report_waits;                // channel index -> "<i>,<i>,..."
  std::vector<std::pair<std::size_t, std::int64_t>> retries;       // recipient, due (ms since the epoch)
  // Per provider account: its message ids and our refs.
  std::map<std::string_view, std::vector<std::pair<std::string, std::string>>> sent_refs;
  std::array<std::size_t, broadcast::kStateCount> outcomes{};
  for (std::size_t n = 0; n < batch.size(); ++n) {
    const auto i = batch[n];
    auto& s = states_[i];
    const auto& result = results[n];
    const char* channel = adapters::name(b.channels.at(s.channel));
    const std::string unit = s.breakdown < b.units.size() ? b.units[s.breakdown] : "";
    if (auto w = withheld_.find(i); w != withheld_.end()) {  // cancelled or expired before its request
      s.state = w->second;
      withheld_.erase(w);
      moves.move(State::sending, channel, s.state, channel, unit);
      writes.write(i, s);
      ++outcomes[static_cast<std::size_t>(s.state)];
      continue;
    }
    if (auto d = deferred_.find(i); d != deferred_.end()) {  // a time rule began before its request: queued again, held
      s.state = State::queued;
      hold_until(i, d->second);
      deferred_.erase(d);
      moves.move(State::sending, channel, State::queued, channel, unit);
      writes.write(i, s);
      continue;
    }
    // FCM said the token is gone: no broadcast sends to it again.
    if (b.channels.at(s.channel) == adapters::Channel::push && result.failure == adapters::SendFailure::invalid_recipient &&
        result.provider_code != "opted_out" && !dead_tokens_.contains(i)) {
      dead_tokens_[i] = result.provider_code;
      dead_tokens.emplace_back(std::string(recipients_[i].app_token),
                               (result.provider_code.empty() ? std::string("refused") : result.provider_code) + " at " + format_utc(wall_now));
    }
    // A timeout or an interrupted answer: the provider may have sent it
    // anyway, so a retry or the next channel may reach the person twice.
    if (!result.accepted() && adapters::may_have_been_sent(result.failure)) {
      moves.note("x:possible_duplicates");
      metrics.counter("orgcast_dispatch_possible_duplicates_total",
                      "sends that failed in a way after which the provider may have sent anyway (a timeout), then retried or moved on")
          .inc();
    }
    if (result.accepted()) {
      if (via[n]->reports_delivery()) {
        s.state = State::sent;
        const auto ref = id_ + ":" + std::to_string(k_) + ":" + std::to_string(i) + ":" + std::to_string(s.channel) + ":" +
                         channel + ":" + unit;
        sent_refs[via[n]->name()].emplace_back(result.provider_message_id, ref);
        auto& waiting = report_waits[s.channel];
        waiting += (waiting.empty() ? "" : ",") + std::to_string(i);
      } else {
        s.state = State::unconfirmed;  // accepted; no report will ever say more
      }
      moves.move(State::sending, channel, s.state, channel, unit);
      moves.cost(channel, costs_[i]);
    } else if (adapters::retryable(result.failure) && s.attempts + 1 < backoff.max_attempts) {
      ++s.attempts;
      s.state = State::queued;
      std::uniform_real_distribution<double> draw(0, 1);
      const auto delay = retry_delay(backoff, s.attempts, result.retry_after, draw(random));
      not_before_[i] = now + delay;
      retries.emplace_back(i, std::chrono::duration_cast<std::chrono::milliseconds>((wall_now + delay).time_since_epoch()).count());
      pending_.push_back(i);
      moves.move(State::sending, channel, State::queued, channel, unit);
      metrics.counter("orgcast_dispatch_retries_total", "sends retried", {{"failure", adapters::name(result.failure)}}).inc();
    } else if (int next = broadcast::first_usable_channel(b.channels, recipients_[i], s.channel + 1); next >= 0) {
      // Permanent on this channel (or out of attempts): the policy's next channel.
      failures.emplace_back(failure_field(i, s.channel), why(channel, result) + " (fell back)");
      s.channel = static_cast<std::uint8_t>(next);
      s.attempts = 0;
      s.state = State::queued;
      not_before_.erase(i);
      pending_.push_back(i);
      moves.move(State::sending, channel, State::queued, adapters::name(b.channels.at(s.channel)), unit);
      metrics.counter("orgcast_dispatch_fallbacks_total", "recipients moved to the next channel of the policy").inc();
    } else {
      // Opted out of every channel it could take: skipped, not failed.
      s.state = result.provider_code == "opted_out" ? State::skipped : State::failed;
      failures.emplace_back(failure_field(i, s.channel), why(channel, result));
      moves.move(State::sending, channel, s.state, channel, unit);
    }
    writes.write(i, s);
    if (s.state != State::queued) ++outcomes[static_cast<std::size_t>(s.state)];
  }
  // Counted per window: a labelled counter lookup per message showed in profiles.
  for (std::size_t state = 0; state < outcomes.size(); ++state)
    if (outcomes[state] > 0)
      metrics.counter("orgcast_dispatch_outcomes_total", "recipients leaving the queue", {{"state", broadcast::name(static_cast<State>(state))}})
          .inc(outcomes[state]);

  // lua/record_window.lua: keys first (the pm and pm-early keys after the
  // fixed eleven), then the sections, each a count and its groups.
  auto args = redis::cmd("EVAL", kRecordWindowScript, "", keys_.states(id_, k_), keys_.counters(id_), keys_.failures(id_),
                         keys_.report_wait(), keys_.dead_push_tokens(), keys_.broadcast(id_), keys_.requeued(id_, k_), stream_,
                         keys_.active(priority_), keys_.retry_due(id_, k_), keys_.ended());
  redis::Args argv = redis::cmd(token_bytes_, std::to_string(k_), "604800");
  auto count_at = [&argv] {
    argv.emplace_back();
    return argv.size() - 1;
  };
  writes.flush_into(argv);
  auto at = count_at();
  argv[at] = std::to_string(moves.flush_into(argv));
  at = count_at();
  for (auto& [field, reason] : failures) argv.push_back(field), argv.push_back(std::move(reason));
  argv[at] = std::to_string(failures.size());
  at = count_at();
  const auto due = std::chrono::duration_cast<std::chrono::milliseconds>((wall_now + b.report_timeout).time_since_epoch()).count();
  for (auto& [channel_index, list] : report_waits)
    argv.push_back(std::to_string(due)), argv.push_back(id_ + ":" + std::to_string(k_) + ":" + std::to_string(channel_index) + ":" + list);
  argv[at] = std::to_string(report_waits.size());
  argv.push_back(std::to_string(retries.size()));
  for (auto [i, due_ms] : retries) argv.push_back(std::to_string(i)), argv.push_back(std::to_string(due_ms));
  at = count_at();
  for (auto& [token, reason] : dead_tokens) argv.push_back(std::move(token)), argv.push_back(std::move(reason));
  argv[at] = std::to_string(dead_tokens.size());
  argv.push_back(std::to_string(sent_refs.size()));
  for (auto& [provider, refs] : sent_refs) {
    args.push_back(keys_.early_reports(provider));
    argv.push_back(std::to_string(args.size() - 3));  // KEYS index (1-based) of what was just added
    argv.push_back(std::to_string(refs.size()));
    for (auto& [message_id, ref] : refs) {
      args.push_back(keys_.provider_message(provider, message_id));
      argv.push_back(std::to_string(args.size() - 3));
      argv.push_back(std::move(message_id));
      argv.push_back(std::move(ref));
    }
  }
  args[2] = std::to_string(args.size() - 3);
  for (auto& a : argv) args.push_back(std::move(a));
  return args;
}

// Each recipient as the settle and release scripts take it: index, channel name, unit.
void ChunkWork::add_recipient_args(redis::Args& args, std::size_t i) const {
  const auto& s = states_[i];
  args.push_back(std::to_string(i));
  args.push_back(adapters::name(broadcast_->channels.at(s.channel)));
  args.push_back(s.breakdown < broadcast_->units.size() ? broadcast_->units[s.breakdown] : "");
}

redis::Args ChunkWork::settle_command(const std::vector<std::size_t>& batch, State to) {
  auto args = redis::cmd("EVAL", kSettleScript, "4", keys_.states(id_, k_), keys_.counters(id_), keys_.broadcast(id_), keys_.ended(), code(to),
                         token_bytes_, earlier_tokens_);
  for (auto i : batch) add_recipient_args(args, i);
  for (auto i : pending_) add_recipient_args(args, i);
  pending_.clear();
  if (preclaimed_)
    for (auto i : *preclaimed_) add_recipient_args(args, i);
  preclaimed_.reset();
  return args;
}

redis::Args ChunkWork::release_command() {
  auto args = redis::cmd("EVAL", kReleaseScript, "6", stream_, keys_.active(priority_), keys_.holds(), keys_.states(id_, k_),
                         keys_.counters(id_), keys_.broadcast(id_), broadcast::kConsumerGroup, entry_,
                         broadcast::Keys::hold_field(stream_, entry_), token_bytes_, std::to_string(k_), consumer_);
  if (preclaimed_)
    for (auto i : *preclaimed_) add_recipient_args(args, i);
  preclaimed_.reset();
  pending_.clear();
  return args;
}

redis::Args ChunkWork::finish_command(SteadyTime now, std::chrono::system_clock::time_point wall_now) const {
  std::string soonest_due;
  if (has_pending()) {
    auto soonest = next_retry();
    if (soonest == SteadyTime::max() || soonest < now) soonest = now;  // one is due already: queued again at once
    auto due = wall_now + (soonest - now);
    // An expiry before the retry ends them then, not at the retry.
    if (broadcast_ && broadcast_->expires_at && *broadcast_->expires_at < due) due = std::max(wall_now, *broadcast_->expires_at);
    soonest_due = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(due.time_since_epoch()).count());
  }
  return redis::cmd("EVAL", kFinishChunkScript, "7", stream_, keys_.active(priority_), keys_.states(id_, k_), keys_.holds(),
                    keys_.retries(), keys_.broadcast(id_), keys_.requeued(id_, k_), broadcast::kConsumerGroup, entry_,
                    broadcast::Keys::hold_field(stream_, entry_), broadcast::Keys::retry_member(stream_, k_), soonest_due, consumer_,
                    std::to_string(k_));
}

}  // namespace orgcast::dispatch
