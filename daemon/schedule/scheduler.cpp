#include "schedule/scheduler.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/utc_time.hpp"
#include "lua_scripts.hpp"

namespace asio = boost::asio;
namespace orgcast::schedule {

namespace {

std::string ms_of(std::chrono::system_clock::time_point t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

}  // namespace

Scheduler::Scheduler(asio::any_io_executor executor, std::shared_ptr<redis::Client> redis, SchedulerOptions options, const Log& log)
    : executor_(std::move(executor)), redis_(std::move(redis)), options_(std::move(options)),
      clock_(options_.clock ? options_.clock : system_clock()), log_(log) {}

asio::awaitable<redis::Result<std::size_t>> Scheduler::add(std::string id, std::string kind, std::chrono::system_clock::time_point due,
                                                           std::string payload) {
  auto args = redis::cmd("EVAL", std::string(lua::schedule_add), "2", key("sch:due"), key("sch:item:" + id), id, ms_of(due),
                         std::move(kind), std::move(payload), format_utc(clock_->system_now()));
  auto added = co_await redis_->command(std::move(args));
  if (!added) co_return added.error();
  if (added->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return static_cast<std::size_t>(added->integer == 1 ? 1 : 0);
}

asio::awaitable<redis::Result<std::optional<Scheduler::State>>> Scheduler::state_of(std::string id) {
  auto read = redis::cmd("HMGET", key("sch:item:" + id), "state", "last_error", "attempts");
  auto fields = co_await redis_->command(std::move(read));
  if (!fields) co_return fields.error();
  if (fields->is_error() || fields->elements.size() != 3) co_return make_error_code(redis::Errc::server_error);
  if (fields->elements[0].is_nil()) co_return std::optional<State>{};
  // A claimed item shows as running until it is finished.
  auto running = co_await redis_->command(redis::cmd("ZSCORE", key("sch:running"), id));
  if (!running) co_return running.error();
  State s{running->is_nil() ? fields->elements[0].str : "running", fields->elements[1].str,
          static_cast<int>(fields->elements[2].as_integer())};
  co_return std::optional<State>(std::move(s));
}

asio::awaitable<std::size_t> Scheduler::run_due() {
  const auto now = clock_->system_now();
  auto claim = redis::cmd("EVAL", std::string(lua::claim_due), "2", key("sch:due"), key("sch:running"), ms_of(now),
                          std::to_string(options_.lease.count()), "50");
  auto claimed = co_await redis_->command(std::move(claim));
  if (!claimed || claimed->is_error() || claimed->elements.empty()) co_return 0;
  std::vector<redis::Args> reads;
  for (const auto& id : claimed->elements) {
    reads.push_back(redis::cmd("HINCRBY", key("sch:item:" + id.str), "attempts", "1"));
    reads.push_back(redis::cmd("HMGET", key("sch:item:" + id.str), "kind", "payload", "due"));
  }
  auto items = co_await redis_->pipeline(std::move(reads));
  if (!items) co_return 0;  // claimed and not run: due again when the lease runs out
  std::size_t ran = 0;
  for (std::size_t n = 0; n < claimed->elements.size(); ++n) {
    Item item;
    item.id = claimed->elements[n].str;
    item.attempts = static_cast<int>((*items)[2 * n].integer);
    const auto& fields = (*items)[2 * n + 1].elements;
    if (fields.size() == 3) {
      item.kind = fields[0].str;
      item.payload = fields[1].str;
      item.due = std::chrono::system_clock::time_point(std::chrono::milliseconds(fields[2].as_integer()));
    }
    std::string error = "no handler for kind \"" + item.kind + "\"";
    if (auto h = handlers_.find(item.kind); h != handlers_.end()) {
      try {
        error = co_await h->second(item);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    // Done; or retried with backoff (base, doubling); or failed for good.
    std::string outcome = error.empty() ? "done" : item.attempts < options_.max_attempts ? "retry" : "failed";
    const auto retry_at = clock_->system_now() + options_.retry_base * (1 << std::min(item.attempts - 1, 16));
    auto finish = redis::cmd("EVAL", std::string(lua::finish_item), "3", key("sch:running"), key("sch:due"), key("sch:item:" + item.id),
                             item.id, outcome, ms_of(retry_at), format_utc(clock_->system_now()), error,
                             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options_.keep_finished).count()));
    auto finished = co_await redis_->command(std::move(finish));
    if (!finished || finished->is_error())
      log_.warn("schedule", "could not record the end of " + item.id + "; it runs again when its lease runs out");
    if (!error.empty()) log_.warn("schedule", item.kind + " " + item.id + " failed (attempt " + std::to_string(item.attempts) + "): " + error);
    ++ran;
  }
  co_return ran;
}

void Scheduler::start() { asio::co_spawn(executor_, loop(shared_from_this()), asio::detached); }

asio::awaitable<void> Scheduler::loop(std::shared_ptr<Scheduler>) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stopping_) {
    if (redis_->connected() && co_await run_due() > 0) continue;  // more may be due at once
    timer.expires_after(options_.poll);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace orgcast::schedule
