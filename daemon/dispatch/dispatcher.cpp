#include "dispatch/dispatcher.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <random>

#include "broadcast/recipients.hpp"
#include "broadcast/spec.hpp"
#include "directory/codec.hpp"
#include "directory/phone.hpp"
#include "dispatch/report_script.hpp"
#include "metrics/registry.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
namespace orgcast::dispatch {

using broadcast::State;
using broadcast::StateRecord;

struct Dispatcher::Broadcast {
  std::string id;
  std::vector<adapters::Channel> channels;
  std::string sms, whatsapp, push;
  std::vector<std::string> units;  // breakdown index -> unit id
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

namespace {

constexpr std::array<const char*, 3> kPriorities = {"urgent", "normal", "bulk"};
constexpr auto kPromptly = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(kPromptly);
}

// Runs the tasks concurrently on the caller's executor and waits for all.
asio::awaitable<void> run_all(std::vector<asio::awaitable<void>> tasks) {
  auto executor = co_await asio::this_coro::executor;
  auto remaining = std::make_shared<std::size_t>(tasks.size());
  asio::steady_timer done(executor, asio::steady_timer::time_point::max());
  for (auto& task : tasks)
    asio::co_spawn(executor, std::move(task), [remaining, &done](std::exception_ptr) {
      if (--*remaining == 0) done.cancel();
    });
  if (*remaining > 0) co_await done.async_wait(kPromptly);
}

std::optional<adapters::Channel> channel_named(std::string_view n) {
  if (n == "sms") return adapters::Channel::sms;
  if (n == "whatsapp") return adapters::Channel::whatsapp;
  if (n == "push") return adapters::Channel::push;
  return std::nullopt;
}

std::string address_for(adapters::Channel channel, const directory::ContactRecord& c) {
  switch (channel) {
    case adapters::Channel::sms: return phone::to_e164(c.mobile);
    case adapters::Channel::whatsapp: return phone::to_e164(c.whatsapp);
    case adapters::Channel::push: return c.app_token;
  }
  return {};
}

// The chunk number a queue entry ([id, [field, value...]]) names, read from
// the reply that delivered it (no second round trip); nullopt if malformed
// or deleted meanwhile.
std::optional<std::size_t> chunk_of(const redis::Reply& entry) {
  if (entry.elements.size() < 2) return std::nullopt;
  const auto& fields = entry.elements[1].elements;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
    if (fields[i].str == "k" && fields[i + 1].as_integer() >= 0) return static_cast<std::size_t>(fields[i + 1].as_integer());
  return std::nullopt;
}

std::string encoded(const StateRecord& r) {
  std::string out;
  r.encode_into(out);
  return out;
}

// Counter moves of a window, summed per field so that a window costs a few
// HINCRBYs, not six per recipient.
class CounterMoves {
 public:
  void move(State from, State to, const char* channel, const std::string& unit) {
    for (const std::string& p : {std::string(), std::string("ch:") + channel + ":", "u:" + unit + ":"}) {
      --delta_[p + broadcast::name(from)];
      ++delta_[p + broadcast::name(to)];
    }
  }
  void flush_into(std::vector<redis::Args>& out, const std::string& key) {
    for (const auto& [field, delta] : delta_)
      if (delta != 0) out.push_back(redis::cmd("HINCRBY", key, field, std::to_string(delta)));
    delta_.clear();
  }

 private:
  std::map<std::string, long long> delta_;
};

}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor executor, std::shared_ptr<redis::Client> redis,
                       std::shared_ptr<adapters::Adapter> adapter, DispatcherOptions options, const Log& log,
                       metrics::Registry& metrics)
    : strand_(asio::make_strand(executor)), redis_(std::move(redis)), adapter_(std::move(adapter)),
      options_(std::move(options)), keys_{options_.key_prefix}, log_(log), metrics_(metrics),
      bucket_(options_.rate_per_second, std::max(1.0, options_.rate_per_second / 20), std::chrono::steady_clock::now()) {}

void Dispatcher::start() {
  for (int i = 0; i < options_.workers; ++i) {
    ++running_;
    asio::co_spawn(strand_, worker(shared_from_this(), i), asio::detached);
  }
}

void Dispatcher::stop() { stopping_ = true; }

asio::awaitable<void> Dispatcher::worker(std::shared_ptr<Dispatcher>, int) {
  while (!stopping_) {
    bool worked = false;
    if (redis_->connected()) {
      try {
        worked = co_await take_and_work();
      } catch (const std::exception& e) {
        log_.error("dispatch", std::string("worker failed: ") + e.what());
      }
    }
    if (!worked) co_await sleep_for(options_.idle_poll);
  }
  --running_;
}

asio::awaitable<void> Dispatcher::acquire_token() {
  while (true) {
    auto wait = bucket_.take(std::chrono::steady_clock::now());
    if (wait == std::chrono::steady_clock::duration::zero()) co_return;
    co_await sleep_for(wait);
  }
}

asio::awaitable<std::shared_ptr<const Dispatcher::Broadcast>> Dispatcher::broadcast_of(const std::string& id) {
  if (auto it = broadcasts_.find(id); it != broadcasts_.end()) co_return it->second;
  auto reply = co_await redis_->command(redis::cmd("HMGET", keys_.broadcast(id), "message", "units"));
  if (!reply || !reply->is_array() || reply->elements.size() < 2 || reply->elements[0].is_nil()) co_return nullptr;
  auto b = std::make_shared<Broadcast>();
  b->id = id;
  boost::system::error_code ec;
  auto message = json::parse(reply->elements[0].str, ec);
  if (ec || !message.is_object()) co_return nullptr;
  const auto& m = message.as_object();
  if (auto* channels = m.if_contains("channels"); channels && channels->is_array())
    for (const auto& c : channels->as_array())
      if (auto channel = c.is_string() ? channel_named(c.as_string()) : std::nullopt) b->channels.push_back(*channel);
  auto text = [&](const char* key) { return m.contains(key) && m.at(key).is_string() ? std::string(m.at(key).as_string()) : std::string(); };
  b->sms = text("sms");
  b->whatsapp = text("whatsapp");
  if (auto* push = m.if_contains("push"); push && push->is_object() && push->as_object().contains("body"))
    b->push = json::value_to<std::string>(push->as_object().at("body"));
  if (auto expires = text("expires_at"); !expires.empty()) b->expires_at = broadcast::parse_rfc3339(expires);
  auto units = json::parse(reply->elements[1].str, ec);
  if (!ec && units.is_array())
    for (const auto& u : units.as_array()) b->units.emplace_back(u.is_string() ? std::string(u.as_string()) : std::string());
  broadcasts_[id] = b;
  co_return b;
}

asio::awaitable<bool> Dispatcher::take_and_work() {
  // Scheduled broadcasts whose send_at has come become active. Idempotent,
  // so every instance may do it.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto due = co_await redis_->command(redis::cmd("ZRANGEBYSCORE", keys_.scheduled(), "-inf", std::to_string(now_ms), "LIMIT", "0", "100"));
  if (due && due->is_array() && !due->elements.empty()) {
    std::vector<redis::Args> activate;
    for (const auto& member : due->elements) {
      auto bar = member.str.find('|');
      if (bar == std::string::npos) continue;
      activate.push_back(redis::cmd("SADD", keys_.active(member.str.substr(0, bar)), member.str.substr(bar + 1)));
      activate.push_back(redis::cmd("ZREM", keys_.scheduled(), member.str));
    }
    co_await redis_->pipeline(std::move(activate));
  }
  std::vector<std::vector<std::string>> active(kPriorities.size());  // streams per priority, read once a pass
  for (std::size_t p = 0; p < kPriorities.size(); ++p) {
    auto members = co_await redis_->command(redis::cmd("SMEMBERS", keys_.active(kPriorities[p])));
    if (!members || !members->is_array() || members->elements.empty()) continue;
    for (const auto& m : members->elements) active[p].push_back(m.str);
    redis::Args read = redis::cmd("XREADGROUP", "GROUP", broadcast::kConsumerGroup, options_.consumer, "COUNT", "1", "STREAMS");
    for (const auto& stream : active[p]) read.push_back(stream);
    for (std::size_t i = 0; i < active[p].size(); ++i) read.emplace_back(">");
    auto reply = co_await redis_->command(std::move(read));
    if (!reply || reply->is_error() || !reply->is_array() || reply->elements.empty()) continue;
    // One entry from each stream that had one: round-robin between broadcasts.
    for (const auto& stream : reply->elements)
      for (const auto& entry : stream.elements.at(1).elements)
        if (auto k = chunk_of(entry)) co_await work_chunk(stream.elements.at(0).str, entry.elements.at(0).str, *k);
    co_return true;
  }
  // Nothing new: take over chunks whose instance stopped working on them.
  for (const auto& streams : active) {
    for (const auto& stream : streams) {
      auto claimed = co_await redis_->command(redis::cmd("XAUTOCLAIM", stream, broadcast::kConsumerGroup, options_.consumer,
                                                         std::to_string(options_.lease.count()), "0-0", "COUNT", "1"));
      if (!claimed || !claimed->is_array() || claimed->elements.size() < 2 || claimed->elements[1].elements.empty()) continue;
      const auto& entry = claimed->elements[1].elements[0];
      auto k = chunk_of(entry);
      if (!k) continue;
      log_.warn("dispatch", "taking over chunk " + entry.elements[0].str + " of " + stream + " (its instance stopped)");
      metrics_.counter("orgcast_dispatch_chunks_reclaimed_total", "queue chunks taken over from a stopped instance").inc();
      co_await work_chunk(stream, entry.elements[0].str, *k);
      co_return true;
    }
  }
  co_return false;
}

asio::awaitable<void> Dispatcher::work_chunk(std::string stream, std::string entry, std::size_t k) {
  // The stream is <prefix>q:<priority>:<id>.
  const auto tail = stream.substr(keys_.prefix.size() + 2);
  const auto priority = tail.substr(0, tail.find(':'));
  const auto id = tail.substr(tail.find(':') + 1);

  auto b = co_await broadcast_of(id);
  if (!b) {
    log_.error("dispatch", "broadcast " + id + " is missing or unreadable; its chunk stays queued");
    co_return;
  }
  const auto records_key = keys_.records(id, k), states_key = keys_.states(id, k), counters_key = keys_.counters(id);
  // Argument lists are named locals: GCC 12 mishandles braced lists inside co_await.
  std::vector<redis::Args> load;
  load.push_back(redis::cmd("GET", records_key));
  load.push_back(redis::cmd("GET", states_key));
  auto loaded = co_await redis_->pipeline(std::move(load));
  if (!loaded || (*loaded)[0].is_nil() || (*loaded)[1].is_nil()) co_return;  // retried later (lease)
  std::vector<directory::ContactRecord> recipients;
  {
    directory::codec::ChunkReader reader((*loaded)[0].str);
    directory::ContactView view;
    while (reader.next(view)) recipients.push_back(directory::to_record(view));
  }
  const std::string states_bytes = std::move((*loaded)[1].str);
  std::vector<StateRecord> states;
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    states.push_back(StateRecord::decode(states_bytes, i));
    // `sending`: an instance died mid-send; nothing lost wins, it goes again.
    if (states[i].state == State::queued || states[i].state == State::sending) pending.push_back(i);
  }
  std::map<std::size_t, std::chrono::steady_clock::time_point> not_before;
  std::mt19937 random(std::random_device{}());
  const std::size_t window = static_cast<std::size_t>(std::max(1, options_.window));

  while (!pending.empty() && !stopping_) {
    // Those whose retry is not due yet wait; the rest go now, window by window.
    auto now = std::chrono::steady_clock::now();
    std::vector<std::size_t> due, later;
    for (auto i : pending) (not_before.count(i) && not_before[i] > now ? later : due).push_back(i);
    if (due.empty()) {
      auto soonest = std::chrono::steady_clock::time_point::max();
      for (auto i : later) soonest = std::min(soonest, not_before[i]);
      co_await sleep_for(std::min<std::chrono::steady_clock::duration>(soonest - now, options_.lease / 3));
      co_await redis_->command(redis::cmd("XCLAIM", stream, broadcast::kConsumerGroup, options_.consumer, "0", entry, "JUSTID"));
      continue;
    }
    pending = later;
    for (std::size_t first = 0; first < due.size() && !stopping_; first += window) {
      std::vector<std::size_t> batch(due.begin() + static_cast<std::ptrdiff_t>(first),
                                     due.begin() + static_cast<std::ptrdiff_t>(std::min(due.size(), first + window)));
      const bool expired = b->expires_at && std::chrono::system_clock::now() >= *b->expires_at;
      std::vector<redis::Args> writes;
      if (!expired) {
        // Write-ahead: `sending` is on record before any provider sees the message.
        for (auto i : batch) {
          auto s = states[i];
          s.state = State::sending;
          writes.push_back(redis::cmd("SETRANGE", states_key, std::to_string(i * StateRecord::kBytes), encoded(s)));
        }
        auto marked = co_await redis_->pipeline(std::move(writes));
        if (!marked) co_return;  // Redis is away: the chunk stays pending and is taken over later
        writes.clear();
      }
      std::vector<adapters::SendResult> results(batch.size());
      if (!expired) {
        std::vector<asio::awaitable<void>> sends;
        for (std::size_t n = 0; n < batch.size(); ++n) {
          auto i = batch[n];
          auto channel = b->channels.at(states[i].channel);
          adapters::OutboundMessage message{id + ":" + std::to_string(k) + ":" + std::to_string(i), channel,
                                            address_for(channel, recipients[i]),
                                            channel == adapters::Channel::sms        ? b->sms
                                            : channel == adapters::Channel::whatsapp ? b->whatsapp
                                                                                     : b->push,
                                            options_.callback_url};
          sends.push_back([](Dispatcher* self, adapters::OutboundMessage m, adapters::SendResult* out) -> asio::awaitable<void> {
            co_await self->acquire_token();
            *out = co_await self->adapter_->send(m);
          }(this, std::move(message), &results[n]));
        }
        co_await run_all(std::move(sends));
      }
      std::vector<std::string> early_checks;
      CounterMoves moves;
      for (std::size_t n = 0; n < batch.size(); ++n) {
        auto i = batch[n];
        auto& s = states[i];
        const auto& result = results[n];
        const char* channel = adapters::name(b->channels.at(s.channel));
        const std::string unit = s.breakdown < b->units.size() ? b->units[s.breakdown] : "";
        State next;
        if (expired) {
          next = State::expired;
        } else if (result.accepted()) {
          next = State::sent;
          // id:k:i:channel:unit, for the report script.
          writes.push_back(redis::cmd("SET", keys_.provider_message(std::string(adapter_->name()), result.provider_message_id),
                                      id + ":" + std::to_string(k) + ":" + std::to_string(i) + ":" + channel + ":" + unit,
                                      "EX", "604800"));
          early_checks.push_back(result.provider_message_id);
        } else if (adapters::retryable(result.failure) && s.attempts + 1 < options_.backoff.max_attempts) {
          ++s.attempts;
          s.state = State::queued;
          std::uniform_real_distribution<double> draw(0, 1);
          not_before[i] = std::chrono::steady_clock::now() + retry_delay(options_.backoff, s.attempts, result.retry_after, draw(random));
          pending.push_back(i);
          writes.push_back(redis::cmd("SETRANGE", states_key, std::to_string(i * StateRecord::kBytes), encoded(s)));
          metrics_.counter("orgcast_dispatch_retries_total", "sends retried", {{"failure", adapters::name(result.failure)}}).inc();
          continue;
        } else if (int fallback = broadcast::first_usable_channel(b->channels, recipients[i], s.channel + 1); fallback >= 0) {
          // Permanent on this channel (or out of attempts): the policy's next channel.
          s.channel = static_cast<std::uint8_t>(fallback);
          s.attempts = 0;
          s.state = State::queued;
          pending.push_back(i);
          writes.push_back(redis::cmd("SETRANGE", states_key, std::to_string(i * StateRecord::kBytes), encoded(s)));
          metrics_.counter("orgcast_dispatch_fallbacks_total", "recipients moved to the next channel of the policy").inc();
          continue;
        } else {
          next = State::failed;
          writes.push_back(redis::cmd("HSET", keys_.failures(id), std::to_string(k * broadcast::kRecipientsPerChunk + i),
                                      std::string(channel) + ": " + adapters::name(result.failure) +
                                          (result.provider_code.empty() ? "" : " (" + result.provider_code + ")") +
                                          (result.reason.empty() ? "" : ": " + result.reason)));
        }
        s.state = next;
        writes.push_back(redis::cmd("SETRANGE", states_key, std::to_string(i * StateRecord::kBytes), encoded(s)));
        moves.move(State::queued, next, channel, unit);
        metrics_.counter("orgcast_dispatch_outcomes_total", "recipients leaving the queue", {{"state", broadcast::name(next)}}).inc();
      }
      moves.flush_into(writes, counters_key);
      for (const auto& message_id : early_checks)
        writes.push_back(redis::cmd("GETDEL", keys_.early_report(std::string(adapter_->name()), message_id)));
      writes.push_back(redis::cmd("XCLAIM", stream, broadcast::kConsumerGroup, options_.consumer, "0", entry, "JUSTID"));
      auto written = co_await redis_->pipeline(std::move(writes));
      if (!written) co_return;  // taken over later; `sending` recipients go again
      // Reports that beat the write above: apply them now.
      const auto early_base = written->size() - 1 - early_checks.size();
      for (std::size_t e = 0; e < early_checks.size(); ++e) {
        const auto& parked = (*written)[early_base + e];
        if (parked.is_nil() || parked.str.empty()) continue;
        auto bar = parked.str.find('|');
        co_await redis_->command(redis::cmd("EVAL", kApplyReportScript, "2",
                                            keys_.provider_message(std::string(adapter_->name()), early_checks[e]),
                                            keys_.early_report(std::string(adapter_->name()), early_checks[e]),
                                            parked.str.substr(0, bar), keys_.prefix,
                                            bar == std::string::npos ? "" : parked.str.substr(bar + 1)));
      }
    }
  }
  if (stopping_ && !pending.empty()) co_return;
  // Every recipient of the chunk is recorded: the chunk is done.
  std::vector<redis::Args> finish;
  finish.push_back(redis::cmd("XACK", stream, broadcast::kConsumerGroup, entry));
  finish.push_back(redis::cmd("XDEL", stream, entry));
  finish.push_back(redis::cmd("XLEN", stream));
  finish.push_back(redis::cmd("XPENDING", stream, broadcast::kConsumerGroup));
  auto acked = co_await redis_->pipeline(std::move(finish));
  if (acked && (*acked)[2].integer == 0 && (*acked)[3].is_array() && !(*acked)[3].elements.empty() &&
      (*acked)[3].elements[0].integer == 0) {
    std::vector<redis::Args> done;
    done.push_back(redis::cmd("SREM", keys_.active(priority), stream));
    done.push_back(redis::cmd("HSET", keys_.broadcast(id), "state", "dispatched"));
    co_await redis_->pipeline(std::move(done));
    broadcasts_.erase(id);
    log_.info("dispatch", "broadcast " + id + ": every recipient dispatched");
  }
}

}  // namespace orgcast::dispatch
