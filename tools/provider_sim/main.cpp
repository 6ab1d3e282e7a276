// provider-sim: a simulated messaging provider (see README.md beside this file).
// It reuses orgcast's HTTP server for its own API and sends delivery reports
// with a small pool of Beast clients.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <atomic>
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "core/utc_time.hpp"
#include "http/problem.hpp"
#include "http/recent_bodies.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/standalone.hpp"
#include "metrics/registry.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
using asio::ip::tcp;
using namespace orgcast;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct Options {
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  int latency_ms = 0;
  double transient_rate = 0, throttle_rate = 0, permanent_rate = 0, undelivered_rate = 0, silent_rate = 0;
  int transient_first = 0;  // the first N requests to each recipient answer 503 (retries made to happen)
  int report_delay_ms = 50;
  int report_batch = 1;       // reports per callback POST; above 1, the {"reports": [...]} form
  bool hold_reports = false;  // keep reports until POST /reports/release
  std::uint64_t seed = 1;
  int threads = 1;  // it shares the machine with what it tests: one thread costs it the least
};

// Counts a send request while it is being answered (latency included), and the most at once.
class InFlight {
 public:
  InFlight(std::atomic<std::uint64_t>& now, std::atomic<std::uint64_t>& most) : now_(now) {
    const auto mine = ++now_;
    for (auto seen = most.load(); mine > seen && !most.compare_exchange_weak(seen, mine);) {
    }
  }
  ~InFlight() { --now_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<std::uint64_t>& now_;
};

// Where reports for one callback URL go, parsed once per URL (a daemon
// gives every message the same one).
struct Callback {
  std::string host, port, target;
};

struct Report {
  std::chrono::steady_clock::time_point due;
  std::shared_ptr<const Callback> to;
  std::string body;
};

// A report's JSON, written directly: one is made per accepted message, and
// building a json::object for each showed in profiles.
std::string report_json(std::string_view id, std::string_view reference, std::string_view to, bool failed,
                        std::string_view timestamp) {
  std::string out = R"({"message_id":)";
  out += json::serialize(id);
  out += R"(,"reference":)";
  out += json::serialize(reference);
  out += R"(,"to":)";
  out += json::serialize(to);
  out += R"(,"timestamp":")";
  out += timestamp;
  out += failed ? R"(","status":"undelivered","error_code":"absent_subscriber"})" : R"(","status":"delivered","error_code":""})";
  return out;
}

class Simulator {
 public:
  explicit Simulator(Options options)
      : options_(std::move(options)), random_(options_.seed), holding_(options_.hold_reports) {
    per_recipient_.reserve(1 << 20);  // a state's broadcast without rehashing on the way (~16 MB)
  }

  // Decides what happens to one send request (thread-safe).
  enum class Outcome { accept, throttle, transient, permanent };
  Outcome draw() {
    std::lock_guard lock(mutex_);
    double x = std::uniform_real_distribution<double>(0, 1)(random_);
    if (x < options_.throttle_rate) return Outcome::throttle;
    x -= options_.throttle_rate;
    if (x < options_.transient_rate) return Outcome::transient;
    x -= options_.transient_rate;
    if (x < options_.permanent_rate) return Outcome::permanent;
    return Outcome::accept;
  }

  // True while `to` has had fewer than --transient-first requests refused.
  bool refused_first(const std::string& to) {
    std::lock_guard lock(mutex_);
    auto& refused = refused_[to];
    if (refused >= options_.transient_first) return false;
    ++refused;
    return true;
  }

  bool chance(double rate) {
    std::lock_guard lock(mutex_);
    return std::uniform_real_distribution<double>(0, 1)(random_) < rate;
  }

  asio::awaitable<http::Response> send(http::Request& request) {
    ++requests_;
    // When the latest request arrived (ms since the epoch): tests check none
    // came after a cancel or an expiry.
    last_request_ms_ = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    const InFlight counted(in_flight_, max_in_flight_);
    if (options_.latency_ms > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(options_.latency_ms));
      co_await timer.async_wait(kUseTuple);
    }
    boost::system::error_code ec;
    // Parsed into a buffer that goes with the request (one allocation, not one per value).
    json::monotonic_resource parse_memory(4096);
    auto body = json::parse(request.body, ec, &parse_memory);
    if (ec || !body.is_object() || !body.as_object().contains("to") || !body.as_object()["to"].is_string())
      co_return error(400, "bad_request", "expected a JSON object with \"to\"");
    auto& o = body.as_object();
    std::string to(o["to"].as_string());
    if (options_.transient_first > 0 && refused_first(to)) {
      ++transient_;
      co_return error(503, "unavailable", "try again later");
    }
    switch (draw()) {
      case Outcome::throttle: {
        ++throttled_;
        auto r = error(429, "throttled", "too many requests");
        r.headers.emplace_back("Retry-After", "1");
        co_return r;
      }
      case Outcome::transient: ++transient_; co_return error(503, "unavailable", "try again later");
      case Outcome::permanent: ++permanent_; co_return error(400, "invalid_recipient", "the recipient cannot receive messages");
      case Outcome::accept: break;
    }
    std::string id = "sim-" + std::to_string(++accepted_);
    {
      std::lock_guard lock(mutex_);
      if (++per_recipient_[to] == 2) ++duplicates_;
    }
    recent_.add(request.body);  // for tests to read what was rendered
    // A silent message is accepted and never reported on (a phone that stays off).
    auto* callback = o.if_contains("callback_url");
    const bool silent = chance(options_.silent_rate);
    if (silent) ++silenced_;
    if (callback && callback->is_string() && !silent) {
      if (auto target = callback_for(callback->as_string())) {
        const auto* reference = o.if_contains("reference");
        const bool failed = chance(options_.undelivered_rate);
        Report r{std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.report_delay_ms), std::move(target),
                 report_json(id, reference && reference->is_string() ? std::string_view(reference->as_string()) : "", to, failed,
                             timestamp_now())};
        std::lock_guard lock(reports_mutex_);
        reports_.push_back(std::move(r));
      }
    }
    co_return http::json_response(200, json::serialize(json::object{{"message_id", id}}));
  }

  http::Response stats() {
    std::lock_guard lock(mutex_);
    json::object o{{"requests", requests_.load()},     {"accepted", accepted_.load()},
                   {"throttled", throttled_.load()},   {"transient", transient_.load()},
                   {"permanent", permanent_.load()},   {"unique_recipients", per_recipient_.size()},
                   {"duplicates", duplicates_},        {"reports_sent", reports_sent_.load()},
                   {"reports_failed", reports_failed_.load()}, {"max_in_flight", max_in_flight_.load()},
                   {"silenced", silenced_.load()}, {"last_request_ms", last_request_ms_.load()}};
    return http::json_response(200, json::serialize(o));
  }

  http::Response recipients() {
    std::lock_guard lock(mutex_);
    std::string out = "to,count\n";
    for (const auto& [to, count] : per_recipient_) out += to + "," + std::to_string(count) + "\n";
    return http::text_response(200, std::move(out), "text/csv; charset=utf-8");
  }

  // GET /messages: the latest accepted requests (up to 1,000), oldest first, as a JSON array.
  http::Response messages() const { return recent_.json_array(); }

  http::Response release_reports() {
    holding_ = false;
    std::lock_guard lock(reports_mutex_);
    return http::json_response(200, json::serialize(json::object{{"released", reports_.size()}}));
  }

  http::Response reset() {
    std::lock_guard lock(mutex_);
    per_recipient_.clear();
    refused_.clear();
    recent_.clear();
    duplicates_ = 0;
    requests_ = accepted_ = throttled_ = transient_ = permanent_ = reports_sent_ = reports_failed_ = max_in_flight_ = silenced_ = 0;
    return http::json_response(200, R"({"reset":true})");
  }

  bool pending_reports() {
    std::lock_guard lock(reports_mutex_);
    return !reports_.empty();
  }

  // The next due reports for one callback URL (up to --report-batch of
  // them, as one POST), if any; `count` is how many it carries.
  std::optional<Report> next_due(std::size_t& count) {
    std::lock_guard lock(reports_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (holding_ || reports_.empty() || reports_.front().due > now) return std::nullopt;
    Report r = std::move(reports_.front());
    reports_.pop_front();
    count = 1;
    if (options_.report_batch <= 1) return r;
    std::string body = "{\"reports\":[" + r.body;
    while (count < static_cast<std::size_t>(options_.report_batch) && !reports_.empty() && reports_.front().due <= now &&
           reports_.front().to == r.to) {
      body += "," + reports_.front().body;
      reports_.pop_front();
      ++count;
    }
    r.body = body + "]}";
    return r;
  }

  // One keep-alive connection posting reports, reconnecting as needed.
  // (Reports are taken from the queue directly: passing them through a
  // co_await'ed channel send trips GCC 12's double destruction of temporaries.)
  asio::awaitable<void> sender() {
    auto executor = co_await asio::this_coro::executor;
    std::optional<beast::tcp_stream> stream;
    std::string connected_to;
    beast::flat_buffer buffer;
    asio::steady_timer idle(executor);
    while (true) {
      std::size_t count = 0;
      std::optional<Report> due = next_due(count);
      if (!due) {
        // 5 ms while reports are waiting to fall due, 50 ms when there are none.
        idle.expires_after(std::chrono::milliseconds(pending_reports() ? 5 : 50));
        co_await idle.async_wait(kUseTuple);
        continue;
      }
      Report& report = *due;
      bool sent = false;
      // Like a real provider, keep trying for a while (~20 s): the receiver
      // may be restarting.
      for (int attempt = 0; attempt < 9 && !sent; ++attempt) {
        if (attempt > 0) {
          asio::steady_timer backoff(executor, std::chrono::milliseconds(std::min(5000, 100 << attempt)));
          co_await backoff.async_wait(kUseTuple);
        }
        const Callback& to = *report.to;
        std::string where = to.host + ":" + to.port;
        if (!stream || connected_to != where) {
          stream.emplace(executor);
          tcp::resolver resolver(executor);
          auto [rec, endpoints] = co_await resolver.async_resolve(to.host, to.port, kUseTuple);
          if (rec) break;
          stream->expires_after(std::chrono::seconds(5));
          auto [cec, ep] = co_await stream->async_connect(endpoints, kUseTuple);
          if (cec) {
            stream.reset();
            continue;
          }
          connected_to = where;
        }
        beast::http::request<beast::http::string_body> req{beast::http::verb::post, to.target, 11};
        req.set(beast::http::field::host, to.host);
        req.set(beast::http::field::content_type, "application/json");
        req.body() = report.body;
        req.prepare_payload();
        stream->expires_after(std::chrono::seconds(10));
        auto [wec, written] = co_await beast::http::async_write(*stream, req, kUseTuple);
        beast::http::response<beast::http::string_body> res;
        boost::system::error_code rec2 = wec;
        if (!wec) {
          auto [r, n] = co_await beast::http::async_read(*stream, buffer, res, kUseTuple);
          rec2 = r;
        }
        if (rec2) {
          stream.reset();  // stale keep-alive connection: reconnect and retry
          continue;
        }
        sent = res.result_int() < 500;
        if (!res.keep_alive()) stream.reset();
      }
      (sent ? reports_sent_ : reports_failed_) += count;
    }
  }

 private:
  // The parsed callback URL, from a cache (null when it does not parse).
  std::shared_ptr<const Callback> callback_for(std::string_view url) {
    std::lock_guard lock(reports_mutex_);
    if (auto it = callbacks_.find(url); it != callbacks_.end()) return it->second;
    auto parsed = boost::urls::parse_uri(url);
    std::shared_ptr<const Callback> target;
    if (parsed)
      target = std::make_shared<const Callback>(Callback{std::string(parsed->host()), parsed->has_port() ? std::string(parsed->port()) : "80",
                                                         std::string(parsed->encoded_target().empty() ? "/" : parsed->encoded_target())});
    if (callbacks_.size() < 1000) callbacks_.emplace(std::string(url), target);
    return target;
  }

  // The current second in RFC 3339, written once a second.
  std::string timestamp_now() {
    const auto now = std::chrono::system_clock::now();
    const auto second = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    std::lock_guard lock(reports_mutex_);
    if (second != timestamp_second_) {
      timestamp_second_ = second;
      timestamp_ = format_utc(now);
    }
    return timestamp_;
  }

  static http::Response error(int status, const std::string& code, const std::string& message) {
    return http::json_response(status, json::serialize(json::object{{"error", json::object{{"code", code}, {"message", message}}}}));
  }

  Options options_;
  std::mutex mutex_;  // guards random_, per_recipient_, refused_, duplicates_
  std::mt19937_64 random_;
  std::unordered_map<std::string, std::uint64_t> per_recipient_;
  std::unordered_map<std::string, int> refused_;  // --transient-first: 503s given per recipient
  http::RecentBodies recent_;
  std::uint64_t duplicates_ = 0;
  std::atomic<std::uint64_t> requests_{0}, accepted_{0}, throttled_{0}, transient_{0}, permanent_{0};
  std::atomic<std::uint64_t> reports_sent_{0}, reports_failed_{0};
  std::atomic<std::uint64_t> silenced_{0};  // accepted, never to be reported on (--silent-rate)
  std::atomic<std::uint64_t> last_request_ms_{0};
  std::atomic<std::uint64_t> in_flight_{0}, max_in_flight_{0};  // send requests being answered, and the most at once
  std::atomic<bool> holding_;
  std::mutex reports_mutex_;  // guards reports_, callbacks_ and the timestamp
  std::deque<Report> reports_;
  std::map<std::string, std::shared_ptr<const Callback>, std::less<>> callbacks_;
  std::int64_t timestamp_second_ = -1;
  std::string timestamp_;
};

double rate(const std::string& text, const std::string& flag) {
  double v = std::stod(text);
  if (v < 0 || v > 1) {
    std::cerr << "provider-sim: " << flag << " must be from 0 to 1\n";
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  const bool flags_ok = http::parse_flags(argc, argv, "provider-sim (see tools/provider_sim/README.md)", [&](const std::string& arg,
                                                                                                          const std::string& value) {
    if (arg == "--listen") options.listen = value;
    else if (arg == "--port-file") options.port_file = value;
    else if (arg == "--latency-ms") options.latency_ms = std::stoi(value);
    else if (arg == "--transient-rate") options.transient_rate = rate(value, arg);
    else if (arg == "--throttle-rate") options.throttle_rate = rate(value, arg);
    else if (arg == "--permanent-rate") options.permanent_rate = rate(value, arg);
    else if (arg == "--undelivered-rate") options.undelivered_rate = rate(value, arg);
    else if (arg == "--silent-rate") options.silent_rate = rate(value, arg);
    else if (arg == "--transient-first") options.transient_first = std::max(0, std::stoi(value));
    else if (arg == "--report-delay-ms") options.report_delay_ms = std::stoi(value);
    else if (arg == "--report-batch") options.report_batch = std::max(1, std::stoi(value));
    else if (arg == "--hold-reports") options.hold_reports = value == "1" || value == "true";
    else if (arg == "--seed") options.seed = std::stoull(value);
    else if (arg == "--threads") options.threads = std::max(1, std::stoi(value));
    else return false;
    return true;
  });
  if (!flags_ok) return 2;
  asio::io_context io(options.threads);
  Log log(LogLevel::warn);
  metrics::Registry metrics;
  Simulator sim(options);
  http::Router router;
  router.add("POST", "/send", [&](http::Request& r) { return sim.send(r); });
  http::add_inspection_routes(router, [&] { return sim.messages(); }, [&] { return sim.stats(); });
  router.add("GET", "/recipients", [&](http::Request&) -> asio::awaitable<http::Response> { co_return sim.recipients(); });
  router.add("POST", "/reports/release", [&](http::Request&) -> asio::awaitable<http::Response> { co_return sim.release_reports(); });
  router.add("POST", "/reset", [&](http::Request&) -> asio::awaitable<http::Response> { co_return sim.reset(); });

  ServerConfig server_config;
  auto colon = options.listen.rfind(':');
  server_config.listen_host = options.listen.substr(0, colon);
  server_config.listen_port = static_cast<std::uint16_t>(std::stoi(options.listen.substr(colon + 1)));
  server_config.max_connections = 10000;
  server_config.max_connections_per_address = 0;  // a provider: the daemons under test are its few, busy clients
  server_config.shutdown_grace_ms = 500;
  // One thread: connections and senders need no strand (a strand costs an allocation per co_await).
  std::vector<asio::any_io_executor> serial;
  if (options.threads == 1) serial.push_back(io.get_executor());
  http::Server server(io.get_executor(), server_config, router, log, metrics, serial);
  auto port = server.start();
  std::cout << "provider-sim listening on " << server_config.listen_host << ":" << port << std::endl;
  if (!options.port_file.empty()) {
    std::ofstream(options.port_file + ".tmp") << port << "\n";
    std::rename((options.port_file + ".tmp").c_str(), options.port_file.c_str());
  }

  // Each sender on its own strand when several threads serve: a Beast
  // stream with timeouts must not be touched by two threads at once.
  for (int i = 0; i < 8; ++i)
    asio::co_spawn(options.threads == 1 ? io.get_executor() : asio::any_io_executor(asio::make_strand(io)), sim.sender(), asio::detached);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    server.stop([&] { io.stop(); });
  });
  std::vector<std::thread> others;
  for (int i = 1; i < options.threads; ++i) others.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : others) t.join();
  return 0;
}
