#include "app/daemon.hpp"

#include <algorithm>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/rand.h>
#include <fstream>
#include <unistd.h>
#include <mutex>
#include <thread>

#include "api/request_limits.hpp"
#include "api/routes.hpp"
#include "broadcast/store.hpp"
#include "dispatch/dispatcher.hpp"
#include "dispatch/http_transport.hpp"
#include "http_client/client.hpp"
#include "http_client/keepalive_pool.hpp"
#include "app/io_threads.hpp"
#include "app/providers.hpp"
#include "app/secrets.hpp"
#include "config/loader.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "http/server.hpp"
#include "inbound/inbound_path.hpp"
#include "inbound/inbound_store.hpp"
#include "inbound/sender_directory.hpp"
#include "keywords/engine.hpp"
#include "templates/link_check.hpp"
#include "api/auth_guard.hpp"
#include "auth/auth_store.hpp"
#include "api/audit_trail.hpp"
#include "api/contact_read_limit.hpp"
#include "approvals/approval_store.hpp"
#include "audit/audit_log.hpp"
#include "auth/authenticator.hpp"
#include "auth/callback_secrets.hpp"
#include "auth/password.hpp"
#include "auth/request_limiter.hpp"
#include "schedule/schedule_store.hpp"
#include "time_rules/blackout_store.hpp"
#include "auth/session_store.hpp"
#include "core/text.hpp"
#include "http/message.hpp"
#include "meetings/meeting_store.hpp"
#include "replies/auto_reply.hpp"
#include "replies/reply_queue.hpp"
#include "replies/reply_lane.hpp"
#include "api/enqueue.hpp"
#include "meetings/reply_link.hpp"
#include "api/meeting_notices.hpp"
#include "schedule/scheduler.hpp"
#include "reports/report_store.hpp"
#include "tracking/report_tracker.hpp"
#include "metrics/registry.hpp"
#include "redis/client.hpp"

namespace asio = boost::asio;

namespace orgcast {
namespace {

redis::Options redis_options(const RedisConfig& c, std::string password) {
  redis::Options o;
  o.host = c.host;
  o.port = c.port;
  o.db = c.db;
  o.password = std::move(password);
  o.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
  o.command_timeout = std::chrono::milliseconds(c.command_timeout_ms);
  o.reconnect_min = std::chrono::milliseconds(c.reconnect_min_ms);
  o.reconnect_max = std::chrono::milliseconds(c.reconnect_max_ms);
  return o;
}

// Pings systemd's watchdog from an I/O thread: if the I/O threads hang,
// the pings stop and systemd restarts the daemon.
// The key that signs the one-tap reply links (meetings/reply_link): made by
// the first instance, kept in Redis, the same for every instance.
asio::awaitable<void> load_reply_link_key(std::shared_ptr<redis::Client> redis, std::string prefix, std::shared_ptr<dispatch::Dispatcher> dispatcher,
                                          std::shared_ptr<auth::CallbackSecrets> callback_secrets, const Log& log) {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) {
    log.error("replies", "no random bytes for the reply link key: the dispatcher does not start");
    co_return;
  }
  std::string fresh;
  for (auto b : random) {
    static constexpr char kHex[] = "0123456789abcdef";
    fresh += kHex[b >> 4];
    fresh += kHex[b & 15];
  }
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (int attempt = 1;; ++attempt) {
    auto load = redis::cmd("EVAL", "redis.call('SET', KEYS[1], ARGV[1], 'NX') return redis.call('GET', KEYS[1])", "1", prefix + "rl:key", fresh);
    auto key = co_await redis->command(std::move(load));
    if (key && !key->is_error() && key->str.size() >= 32) {
      meetings::set_reply_link_key(key->str);
      break;
    }
    if (attempt % 50 == 0)  // every 10 s: the dispatcher waits for it
      log.warn("replies", "the reply link key is not loaded yet (" + (key ? std::string(key->is_error() ? key->str : "too short") : key.error().message()) +
                              "); the dispatcher waits");
    pause.expires_after(std::chrono::milliseconds(200));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  log.info("replies", "reply link key loaded");
  // The same key, for another purpose, gives the provider accounts' callback
  // secrets: every instance derives the same ones.
  if (callback_secrets) callback_secrets->set_key(meetings::reply_link_key());
  if (dispatcher) {
    dispatcher->add_callback_secrets([callback_secrets](const std::string& account) {
      return callback_secrets ? callback_secrets->of(account) : std::nullopt;
    });
    dispatcher->start();
  }
}

void schedule_watchdog(asio::steady_timer& timer, std::chrono::microseconds period) {
  timer.expires_after(period);
  timer.async_wait([&timer, period](boost::system::error_code ec) {
    if (ec) return;
    sd_notify(0, "WATCHDOG=1");
    schedule_watchdog(timer, period);
  });
}

// Reads the templates a configuration names; null (and the problems
// logged) when any is invalid.
std::shared_ptr<const api::Messaging> load_messaging(const Config& config, const Log& log) {
  auto messaging = std::make_shared<api::Messaging>();
  messaging->rules = templates::rules_for(config);
  auto loaded = templates::load_templates(config.templates_dir(), messaging->rules);
  for (const auto& e : loaded.errors) log.error("templates", config.templates_dir() + "/" + e.to_string());
  if (!loaded.errors.empty()) return nullptr;
  log.info("templates", std::to_string(loaded.catalog.by_id.size()) + " templates from " + config.templates_dir());
  for (const auto& w : templates::link_warnings(loaded.catalog, config.reply_link_base()))
    log.warn("templates", config.templates_dir() + "/" + w.to_string());
  messaging->catalog = std::move(loaded.catalog);
  messaging->dlt_entity_id = config.templates.dlt_entity_id;
  messaging->prices = config.pricing;
  return messaging;
}

}  // namespace

int run_daemon(Config config, DaemonOptions options, Log& log) {
  std::string password;
  if (!config.redis.password_file.empty()) {
    std::string error;
    auto secret = read_secret(config.redis.password_file, &error);
    if (!secret) {
      log.error("main", error);
      return 1;
    }
    password = *secret;
  }

  // The audit trail's key: from a file, never from Redis (whoever writes
  // Redis must not be able to re-sign a changed trail).
  std::string audit_key;
  if (!config.audit.key_file.empty()) {
    std::string error;
    auto secret = read_secret(config.audit.key_file, &error);
    if (!secret || trim(*secret).size() < 32) {
      log.error("main", "audit.key_file: " + (secret ? std::string("the key must be at least 32 characters") : error));
      return 1;
    }
    audit_key = std::string(trim(*secret));
  } else if (config.auth.required) {
    log.error("main", "audit.key_file is required when auth.required is true: the audit trail's HMAC key (e.g. head -c 32 /dev/urandom | base64 > key)");
    return 1;
  }

  auto messaging = load_messaging(config, log);
  if (!messaging) {
    log.error("main", "the templates are not valid (above); not starting");
    return 1;
  }

  app::IoThreads io_threads(config.server.threads);
  asio::io_context& io = io_threads.main();
  asio::thread_pool compute(1);  // index builds, imports, big resolutions
  asio::thread_pool hashing(static_cast<std::size_t>(config.auth.login_hashes_at_once));  // password checks, their own
  metrics::Registry metrics;

  auto redis = redis::Client::create(io.get_executor(), redis_options(config.redis, password), log);
  directory_store::Store store(redis, config.redis.key_prefix);
  broadcast::Store broadcasts(redis, config.redis.key_prefix, nullptr,
                              std::chrono::hours(24) * config.broadcasts.retention_days);
  auto watcher = std::make_shared<directory_store::Watcher>(
      io.get_executor(), compute.get_executor(), redis, store, directory::Vocabulary(config.directory),
      std::chrono::milliseconds(config.directory.change_poll_ms), log, metrics);

  std::mutex config_mutex;  // guards `config` against SIGHUP reloads
  // The time rules in force (time_rules/), under config_mutex: the config's
  // quiet hours, promotional window and blackouts, and the blackouts made
  // through /v1/blackouts (read from Redis every second).
  std::vector<time_rules::Blackout> api_blackouts;
  auto rules_of = [](const TimeRulesConfig& c, const std::vector<time_rules::Blackout>& made) {
    auto rules = std::make_shared<time_rules::Rules>();
    rules->quiet_hours = c.quiet_hours;
    rules->promotional_window = c.promotional_window;
    rules->blackouts = c.blackouts;
    rules->blackouts.insert(rules->blackouts.end(), made.begin(), made.end());
    return std::shared_ptr<const time_rules::Rules>(std::move(rules));
  };
  std::shared_ptr<const time_rules::Rules> rules_in_force = rules_of(config.time_rules, api_blackouts);
  api::Context context;
  context.blackouts = std::make_shared<time_rules::BlackoutStore>(redis, config.redis.key_prefix);
  context.time_rules = [&] {
    std::lock_guard lock(config_mutex);
    return rules_in_force;
  };
  context.refuse_into_blackout = [&] {
    std::lock_guard lock(config_mutex);
    return config.time_rules.refuse_into_blackout;
  };
  context.redis = redis;
  context.store = &store;
  context.broadcasts = &broadcasts;
  context.watcher = watcher;
  context.compute = compute.get_executor();
  context.directory_config = [&] {
    std::lock_guard lock(config_mutex);
    return config.directory;
  };
  context.messaging = [&] {
    std::lock_guard lock(config_mutex);
    return messaging;
  };
  context.metrics = &metrics;
  context.log = &log;
  context.key_prefix = config.redis.key_prefix;
  context.tracker = std::make_shared<tracking::ReportTracker>(redis, config.redis.key_prefix);
  context.inbound = std::make_shared<inbound::InboundStore>(redis, config.redis.key_prefix);
  context.meetings = std::make_shared<meetings::MeetingStore>(redis, config.redis.key_prefix);
  context.reports = std::make_shared<reports::ReportStore>(redis, config.redis.key_prefix);
  context.auth = std::make_shared<auth::AuthStore>(redis, config.redis.key_prefix);
  context.sessions = std::make_shared<auth::SessionStore>(redis, config.redis.key_prefix, std::chrono::minutes(config.auth.session_idle_minutes),
                                                          std::chrono::hours(config.auth.session_lifetime_hours));
  context.access_profiles = [&] {
    std::lock_guard lock(config_mutex);
    return auth::profiles_with(config.auth.profiles);
  };
  context.authenticator = std::make_shared<auth::Authenticator>(context.auth, context.access_profiles, nullptr, context.sessions);
  context.hashing = hashing.get_executor();
  context.hashes_at_once = config.auth.login_hashes_at_once;
  if (!audit_key.empty()) context.audit = std::make_shared<audit::AuditLog>(redis, config.redis.key_prefix, audit_key);
  context.approvals = std::make_shared<approvals::ApprovalStore>(redis, config.redis.key_prefix);
  context.contact_reads = std::make_shared<api::ContactReadLimit>(config.auth.contact_reads_per_minute);
  context.approval_over = [&] {
    std::lock_guard lock(config_mutex);
    return config.auth.approval_over;
  };
  context.approval_expiry = std::chrono::hours(config.auth.approval_expiry_hours);
  context.daily_quota = [&] {
    std::lock_guard lock(config_mutex);
    return config.auth.daily_quota;
  };
  context.totp_required = [&] {
    std::lock_guard lock(config_mutex);
    return config.auth.totp_required;
  };
  context.session_lifetime_s = static_cast<long long>(config.auth.session_lifetime_hours) * 3600;
  context.decoy_hash = auth::hash_password(auth::random_secret()).value_or("");
  // Behind a trusted reverse proxy: its X-Forwarded-For's last address is
  // the client, X-Forwarded-Proto: https a TLS client; its connections are
  // not limited per address (the server's trusted_peers).
  std::vector<std::string> trusted_proxies;
  for (auto proxy : split_trimmed(config.auth.trusted_proxies, ',')) trusted_proxies.emplace_back(proxy);
  {
    auto trusted = std::make_shared<std::vector<std::string>>(trusted_proxies);
    auto via_proxy = [trusted](const http::Request& r) { return std::find(trusted->begin(), trusted->end(), r.peer) != trusted->end(); };
    context.client_address = [via_proxy](const http::Request& r) {
      // The last X-Forwarded-For line: the proxy appends its own after any the client forged.
      std::optional<std::string_view> forwarded;
      for (const auto& [name, value] : r.headers)
        if (name == "x-forwarded-for") forwarded = value;
      if (!via_proxy(r) || !forwarded) return r.peer;
      const auto last = forwarded->rfind(',');
      return std::string(trim(last == std::string_view::npos ? *forwarded : forwarded->substr(last + 1)));
    };
    context.came_over_tls = [via_proxy](const http::Request& r) { return via_proxy(r) && r.header("x-forwarded-proto").value_or("") == "https"; };
  }
  auto reply_queue = std::make_shared<replies::ReplyQueue>(redis, config.redis.key_prefix, config.replies.most_per_hour);
  context.senders = std::make_shared<inbound::SenderDirectory>([watcher] { return watcher->index(); });
  // The keyword engine of the config's words; a reload makes a new one.
  std::shared_ptr<const keywords::Engine> keyword_engine =
      std::make_shared<keywords::Engine>(keywords::Vocabulary::configured(config.keywords.languages));
  context.replies = std::make_shared<inbound::InboundPath>(
      context.senders,
      [&] {
        std::lock_guard lock(config_mutex);
        return keyword_engine;
      },
      context.meetings, context.inbound, reply_queue, [&] {
        std::lock_guard lock(config_mutex);
        return replies::AutoReplySettings{config.replies.sms_acknowledgements};
      },
      [&] {
        std::lock_guard lock(config_mutex);
        return inbound::ReportRule{config.reports.levels, config.reports.roles};
      });
  // The durable scheduler: meetings' planned reminders, run once each.
  schedule::SchedulerOptions schedule_options;
  schedule_options.key_prefix = config.redis.key_prefix;
  context.scheduler = std::make_shared<schedule::Scheduler>(io.get_executor(), redis, schedule_options, log);
  context.schedules = std::make_shared<schedule::ScheduleStore>(redis, config.redis.key_prefix);
  context.scheduler->on("meeting_reminder", [&context](const schedule::Item& item) { return api::run_planned_reminder(context, item); });
  // The reply lane: automatic replies go out grouped, as broadcasts.
  replies::ReplyLane::Options lane_options;
  lane_options.key_prefix = config.redis.key_prefix;
  lane_options.interval = std::chrono::milliseconds(config.replies.batch_ms);
  auto reply_lane = std::make_shared<replies::ReplyLane>(
      io.get_executor(), redis, context.meetings, [watcher] { return watcher->index(); },
      [&context](boost::json::object body, bool confirms_opt_out) { return api::enqueue_reply(context, std::move(body), confirms_opt_out); },
      lane_options, log);
  context.idempotency_lease = std::chrono::milliseconds(config.broadcasts.idempotency_lease_ms);
  context.link_base = config.reply_link_base();
  if (context.link_base.empty())
    log.warn("replies", "neither replies.link_base_url nor dispatch.callback_base_url is set: summonses carry no working reply link");

  // Dispatch: the provider accounts of the config (or one simulator for
  // every channel), each used for the channels it carries.
  std::shared_ptr<http_client::Client> http_out;
  std::shared_ptr<http_client::KeepAlivePool> http_pool;
  std::shared_ptr<dispatch::Dispatcher> dispatcher;
  if (const auto accounts = app::provider_accounts(config); !accounts.empty()) {
    http_client::Options out_options;
    out_options.max_connections_per_host = config.dispatch.concurrency;
    for (const auto& p : accounts)
      out_options.max_connections_per_host = std::max(out_options.max_connections_per_host, static_cast<long>(p.concurrency));
    http_out = http_client::Client::create(io.get_executor(), out_options, log);
    // The dispatcher and its plain-HTTP pool share the main io_context, run
    // by one thread: a send and its answer never hop between threads, and
    // no strand is needed.
    http_pool = http_client::KeepAlivePool::create(io.get_executor(), out_options, log);
    std::string error;
    auto providers = app::build_providers(config, dispatch::make_transport(http_out, http_pool), error);
    if (!providers) {
      log.error("main", error);
      return 1;
    }
    context.adapters = providers->by_name;
    context.callback_secrets = std::make_shared<auth::CallbackSecrets>(providers->callback_secrets);
    dispatch::DispatcherOptions d;
    d.key_prefix = config.redis.key_prefix;
    char host[256] = "orgcastd";
    gethostname(host, sizeof host - 1);
    // host:pid and a random part: a container restarted after a crash often
    // has the pid it had, and must not inherit the dead instance's entries.
    char nonce[9];
    std::snprintf(nonce, sizeof nonce, "%08x", static_cast<unsigned>(std::random_device{}()));
    d.consumer = std::string(host) + ":" + std::to_string(getpid()) + ":" + nonce;
    d.workers = config.dispatch.workers;
    d.window = std::max(1, config.dispatch.concurrency / config.dispatch.workers);
    d.backoff = {std::chrono::milliseconds(config.dispatch.retry_base_ms), std::chrono::milliseconds(config.dispatch.retry_cap_ms),
                 config.dispatch.max_attempts};
    d.lease = std::chrono::milliseconds(config.dispatch.lease_ms);
    d.report_timeout = std::chrono::seconds(config.dispatch.report_timeout_s);
    d.index = [watcher] { return watcher->index(); };
    d.time_rules = [&] {
      std::lock_guard lock(config_mutex);
      return rules_in_force;
    };
    dispatcher = std::make_shared<dispatch::Dispatcher>(io.get_executor(), redis, std::move(providers->routes), d, log, metrics);
  }
  metrics.gauge_function("orgcast_redis_connected", "1 when the Redis connection is up", [redis] { return redis->connected() ? 1.0 : 0.0; });

  http::Router router;
  api::add_all_routes(router, context, config.server);
  // Every route behind its access rule; one without a rule would be refused to everyone: not started.
  auto authenticator = context.authenticator;
  if (auto missing = api::guard_routes(router, authenticator, config.auth.required); !missing.empty()) {
    for (const auto& route : missing) log.error("auth", route + " has no access rule (auth/route_access.cpp)");
    return 1;
  }
  if (!config.auth.required) log.warn("auth", "auth.required is false: every request on loopback is an administrator");
  api::limit_requests(router, {std::make_shared<auth::RequestLimiter>(config.server.requests_per_second_per_address, config.server.request_burst_per_address),
                               std::make_shared<auth::RequestLimiter>(config.server.requests_per_second_per_caller, config.server.request_burst_per_caller),
                               context.client_address});

  // Recurring schedules' occurrences go through the guarded routes, as their authors' requests would.
  api::run_schedules(context, router);
  api::run_scheduled_broadcasts(context);

  auto server_config = config.server;
  server_config.trusted_peers = trusted_proxies;
  http::Server server(io.get_executor(), server_config, router, log, metrics, io_threads.executors());
  std::uint16_t port = 0;
  try {
    port = server.start();
  } catch (const std::exception& e) {
    log.error("main", "cannot listen on " + config.server.listen_host + ":" + std::to_string(config.server.listen_port) + ": " + e.what());
    return 1;
  }
  log.info("main", "listening on " + config.server.listen_host + ":" + std::to_string(port));
  if (!options.port_file.empty()) {
    std::ofstream(options.port_file + ".tmp") << port << "\n";
    std::rename((options.port_file + ".tmp").c_str(), options.port_file.c_str());
  }
  redis->start();
  watcher->start();
  // The dispatcher starts once the reply links' key is known: a summons
  // cannot be rendered without it.
  asio::co_spawn(io, load_reply_link_key(redis, config.redis.key_prefix, dispatcher, context.callback_secrets, log), asio::detached);
  reply_lane->start();
  context.scheduler->start();
  // The audit chain's head in the log now and then: a tail cut off the trail
  // in Redis still shows against it (orgcast audit verify --log-heads).
  asio::steady_timer audit_head_timer(io);
  std::function<void()> log_audit_head = [&] {
    if (!context.audit) return;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      if (auto head = co_await context.audit->head(); head && *head != "0:") log.info("audit", "audit head " + *head);
    }, asio::detached);
    audit_head_timer.expires_after(std::chrono::minutes(config.audit.head_log_minutes));
    audit_head_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) log_audit_head();
    });
  };
  log_audit_head();

  // Blackouts made through the API, on every instance within a second.
  asio::steady_timer blackout_timer(io);
  std::function<void(std::vector<time_rules::Blackout>)> use_blackouts = [&](std::vector<time_rules::Blackout> made) {
    std::lock_guard lock(config_mutex);
    if (made == api_blackouts) return;
    api_blackouts = std::move(made);
    rules_in_force = rules_of(config.time_rules, api_blackouts);
  };
  std::function<void()> read_blackouts = [&] {
    // The coroutine's state is its by-value parameters (a lambda's captures would not outlive this call).
    asio::co_spawn(io, [](std::shared_ptr<time_rules::BlackoutStore> store, std::function<void(std::vector<time_rules::Blackout>)> use) -> asio::awaitable<void> {
      auto stored = co_await store->all();
      if (!stored) co_return;  // Redis away: the last ones read stay in force
      std::vector<time_rules::Blackout> made;
      for (auto& s : *stored) made.push_back(std::move(s.blackout));
      use(std::move(made));
    }(context.blackouts, use_blackouts), asio::detached);
    blackout_timer.expires_after(std::chrono::seconds(1));
    blackout_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) read_blackouts();
    });
  };
  read_blackouts();

  asio::steady_timer watchdog(io);
  std::uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0) schedule_watchdog(watchdog, std::chrono::microseconds(watchdog_usec / 2));

  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  asio::steady_timer force_stop(io);
  std::function<void()> shutdown_check;  // lives as long as the loop that uses it
  std::function<void()> wait_signal;
  wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        sd_notify(0, "RELOADING=1");
        auto loaded = load_config_file(config.source_path);
        if (!loaded.config) {
          for (const auto& e : loaded.errors) log.error("config", e.to_string());
          log.error("config", "reload refused: the running configuration is kept");
        } else {
          std::lock_guard lock(config_mutex);
          if (!(loaded.config->server == config.server) || !(loaded.config->redis == config.redis))
            log.warn("config", "changes to server or redis settings take effect at the next restart");
          config.log_level = loaded.config->log_level;
          config.directory = loaded.config->directory;
          // SMS acknowledgements, reports and keywords take effect at once;
          // the rest of replies (links, the lane's pace, the hourly limit) at the next restart.
          config.replies.sms_acknowledgements = loaded.config->replies.sms_acknowledgements;
          config.reports = loaded.config->reports;
          config.time_rules = loaded.config->time_rules;
          // Replaced only when they differ: a change makes every dispatcher read its held chunks again.
          if (auto reloaded = rules_of(config.time_rules, api_blackouts); !(*reloaded == *rules_in_force)) rules_in_force = std::move(reloaded);
          if (loaded.config->auth.required != config.auth.required) log.warn("config", "a change to auth.required takes effect at the next restart");
          config.auth.profiles = loaded.config->auth.profiles;
          config.auth.approval_over = loaded.config->auth.approval_over;
          config.auth.totp_required = loaded.config->auth.totp_required;
          config.auth.daily_quota = loaded.config->auth.daily_quota;
          if (!(loaded.config->keywords.languages == config.keywords.languages)) {
            config.keywords = loaded.config->keywords;
            keyword_engine = std::make_shared<keywords::Engine>(keywords::Vocabulary::configured(config.keywords.languages));
          }
          log.set_level(config.log_level);
          watcher->set_vocabulary(directory::Vocabulary(config.directory));
          watcher->set_poll_interval(std::chrono::milliseconds(config.directory.change_poll_ms));
          if (auto reloaded = load_messaging(*loaded.config, log)) messaging = std::move(reloaded);
          else log.error("templates", "reload refused: the templates in force are kept");
          log.info("config", "reloaded " + config.source_path);
          audit::Entry reload;
          reload.who = "daemon";
          reload.action = "config_reload";
          reload.target = config.source_path;
          reload.outcome = "ok";
          asio::co_spawn(io, api::keep_audit(context, std::move(reload)), asio::detached);
        }
        sd_notify(0, "READY=1");
        wait_signal();
        return;
      }
      log.info("main", "stopping (signal " + std::to_string(signal) + ")");
      sd_notify(0, "STOPPING=1");
      server.stop([&] {
        asio::post(io, [&] {
          // First the dispatcher drains: its windows in flight finish and
          // are recorded (it needs Redis and the providers for that), what
          // it claimed ahead goes back to the queue. Then the rest stops.
          const auto drain = std::chrono::milliseconds(std::max(config.dispatch.drain_ms, config.dispatch.request_timeout_ms));
          if (dispatcher) dispatcher->stop(drain);
          reply_lane->stop();
          context.scheduler->stop();
          auto drained_by = std::chrono::steady_clock::now() + drain + std::chrono::seconds(1);
          auto deadline = std::chrono::steady_clock::time_point::max();
          shutdown_check = [&, drained_by, deadline]() mutable {
            const auto now = std::chrono::steady_clock::now();
            if (deadline == std::chrono::steady_clock::time_point::max() && (!dispatcher || dispatcher->finished() || now >= drained_by)) {
              if (dispatcher && !dispatcher->finished()) log.warn("main", "dispatch did not drain within dispatch.drain_ms; stopping anyway");
              watcher->stop();
              if (http_out) http_out->stop();
              if (http_pool) http_pool->stop();
              redis->stop();
              watchdog.cancel();
              audit_head_timer.cancel();
              blackout_timer.cancel();
              // Stop as soon as the watcher and Redis are done, or after 2 s
              // whatever is still running.
              deadline = now + std::chrono::seconds(2);
            }
            bool done = deadline != std::chrono::steady_clock::time_point::max() && watcher->finished() && !redis->connected();
            if (done || now >= deadline) {
              io_threads.stop();
              return;
            }
            force_stop.expires_after(std::chrono::milliseconds(20));
            force_stop.async_wait([&](boost::system::error_code e) {
              if (!e) shutdown_check();
            });
          };
          shutdown_check();
        });
      });
    });
  };
  wait_signal();
  sd_notify(0, "READY=1");

  io_threads.run();
  compute.join();
  log.info("main", "stopped");
  return 0;
}

}  // namespace orgcast
