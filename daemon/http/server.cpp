#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <algorithm>
#include <array>
#include <list>
#include <mutex>
#include <optional>

#include "auth/address_group.hpp"
#include "core/text.hpp"
#include "http/cors.hpp"
#include "http/problem.hpp"
#include "metrics/registry.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace orgcast::http {
namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// The remote address ("" when the socket no longer knows it).
std::string peer_of(tcp::socket& socket) {
  error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

// A header that holds one value, sent twice: which one counts would depend
// on who reads it (a proxy, orgcast), so the request is refused instead.
std::optional<std::string> repeated_header(const bhttp::fields& fields) {
  for (const char* name : {"Authorization", "Content-Type", "Host", "Cookie", "Origin", "X-CSRF-Token", "Idempotency-Key", "Last-Event-ID"})
    if (fields.count(name) > 1) return std::string(name);
  return std::nullopt;
}

// Copies Beast's request into the plain Request the handlers see, or says
// why it cannot be read as one.
std::optional<Response> to_request(const bhttp::request<bhttp::string_body>& in, Request& out) {
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  auto url = boost::urls::parse_origin_form(out.target);
  if (!url) return problem(400, "bad-target", "Bad request target", "the request target is not a valid path and query");
  out.path = std::string(url->path());
  for (auto param : url->params())
    if ((!param.key.empty() || param.has_value) && !out.query.emplace(std::string(param.key), std::string(param.value)).second)
      return problem(400, "invalid-parameter", "Invalid parameter", "query parameter " + orgcast::quoted_input(param.key) + " is given twice; give it once");
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return std::nullopt;
}

// A small body usually comes in the same segment as its header: parsed
// from the buffer, it needs no asynchronous read (and its completion) of
// its own. An error only when the body is invalid or over the limit.
error_code take_buffered_body(beast::flat_buffer& buffer, bhttp::request_parser<bhttp::string_body>& parser) {
  error_code ec;
  while (!parser.is_done() && buffer.size() > 0) {
    const auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == bhttp::error::need_more) return {};
    if (ec || used == 0) return ec;
  }
  return {};
}

bhttp::response<bhttp::string_body> to_beast(Response&& response, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(response.status), version};
  out.set(bhttp::field::server, "orgcastd");
  if (!response.content_type.empty()) out.set(bhttp::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) out.set(name, value);
  out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

}  // namespace

struct Server::State : std::enable_shared_from_this<State> {
  State(asio::any_io_executor executor, const ServerConfig& config, const Router& router, const Log& log,
        metrics::Registry& metrics, std::vector<asio::any_io_executor> connection_executors)
      : executor(executor), acceptor(asio::make_strand(executor)), config(config), router(router), log(log),
        metrics(metrics), grace(executor), sweep_timer(acceptor.get_executor()), connection_executors(std::move(connection_executors)) {
    for (auto origin : split_trimmed(config.allowed_origins, ',')) allowed_origins.emplace_back(origin);
    // Looked up once: a labelled lookup per request showed in profiles.
    for (int c = 1; c <= 5; ++c)
      responses[static_cast<std::size_t>(c)] =
          &metrics.counter("orgcast_http_responses_total", "HTTP responses by status class", {{"class", std::to_string(c) + "xx"}});
  }

  void count_response(int status) {
    const auto c = static_cast<std::size_t>(status / 100);
    if (c >= 1 && c <= 5) responses[c]->inc();
  }

  // Timeouts are deadlines that a sweep checks (sweep()), not a timer per
  // read and write: re-arming timers three times per request showed in
  // profiles of provider-sim and the webhooks.
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kNoDeadline = std::chrono::hours(24 * 365 * 100);
  struct Connection {
    asio::any_io_executor executor;  // runs the session one handler at a time
    std::weak_ptr<tcp::socket> socket;
    bool busy = false;                           // a request is being read or handled
    Clock::time_point deadline = Clock::time_point::max();  // of the read or write in progress
    bool reading_body = false;  // past its deadline, the read is cancelled (and answered 408), not the connection closed
    bool timed_out = false;     // the sweep cancelled the read
    std::string peer;           // the TCP peer's address
    std::string peer_group;     // what the limit per address counts: the address, or its IPv6 /64 (auth/address_group)
  };

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  ServerConfig config;
  const Router& router;
  const Log& log;
  metrics::Registry& metrics;
  std::array<metrics::Counter*, 6> responses{};  // by status class, 1xx..5xx
  asio::steady_timer grace;
  asio::steady_timer sweep_timer;
  std::vector<asio::any_io_executor> connection_executors;  // each serial; empty: a strand per connection
  std::size_t next_executor = 0;                            // on the acceptor's strand
  std::mutex mutex;  // guards connections, stopping and on_drained
  std::list<Connection> connections;
  bool stopping = false;
  std::function<void()> on_drained;
  std::vector<std::string> allowed_origins;  // server.allowed_origins (CORS)

  void cancel(const Connection& c) {
    asio::post(c.executor, [weak = c.socket] {
      error_code ignored;
      if (auto socket = weak.lock()) socket->cancel(ignored);
    });
  }

  // Reading a request's body: each read may take the idle timeout; past it the read is cancelled.
  void reading_body(std::list<Connection>::iterator it, bool reading) {
    std::lock_guard lock(mutex);
    it->busy = true;
    it->reading_body = reading;
    it->timed_out = false;
    it->deadline = reading ? Clock::now() + idle_timeout() : Clock::time_point::max();
  }

  bool timed_out(std::list<Connection>::iterator it) {
    std::lock_guard lock(mutex);
    return it->timed_out;
  }

  void close(const Connection& c) {
    asio::post(c.executor, [weak = c.socket] {
      if (auto socket = weak.lock()) {
        error_code ignored;
        socket->shutdown(tcp::socket::shutdown_both, ignored);
        socket->close(ignored);
      }
    });
  }

  // The time allowed for the next read or write: `busy` says whether a request is being handled.
  void set_deadline(std::list<Connection>::iterator it, bool busy, Clock::duration allowed) {
    std::lock_guard lock(mutex);
    it->busy = busy;
    it->deadline = Clock::now() + allowed;
  }

  std::chrono::milliseconds idle_timeout() const { return std::chrono::milliseconds(config.idle_timeout_ms); }

  // Closes connections whose read or write ran past its deadline, a few
  // times per timeout; ends once the server stopped and every connection is gone.
  asio::awaitable<void> sweep(std::shared_ptr<State> /*keeps the state alive*/) {
    const auto period = std::clamp<Clock::duration>(idle_timeout() / 4, std::chrono::milliseconds(25), std::chrono::seconds(1));
    while (true) {
      sweep_timer.expires_after(period);
      co_await sweep_timer.async_wait(kUseTuple);
      std::lock_guard lock(mutex);
      if (stopping && connections.empty()) co_return;
      const auto now = Clock::now();
      for (auto& c : connections) {
        if (c.deadline > now) continue;
        if (c.reading_body && !c.timed_out) {  // answered 408 by its session; closed if that too hangs
          c.timed_out = true;
          c.deadline = now + std::chrono::seconds(5);
          cancel(c);
          continue;
        }
        c.deadline = Clock::time_point::max();
        close(c);
      }
    }
  }

  void finished(std::list<Connection>::iterator it) {
    std::function<void()> done;
    {
      std::lock_guard lock(mutex);
      connections.erase(it);
      if (stopping && connections.empty()) done = std::move(on_drained);
    }
    if (done) done();
  }

  // Not stopping: the connection is idle until a request comes, for at most the idle timeout.
  bool wait_for_request(std::list<Connection>::iterator it) {
    std::lock_guard lock(mutex);
    it->busy = false;
    it->deadline = Clock::now() + idle_timeout();
    return !stopping;
  }

  // A request whose header could not be read, answered for what is wrong
  // with it; nullopt when there is nothing to answer (the client went away
  // or said nothing).
  static std::optional<Response> malformed_request(const error_code& ec, bool has_start_line) {
    if (ec == bhttp::error::header_limit) {
      // One limit covers the request line and the headers: the line was too long if it was never read whole.
      if (!has_start_line)
        return problem(414, "uri-too-long", "Request line too long", "the request line is over 16 KB; send long input in a body");
      return problem(431, "headers-too-large", "Request headers too large", "the request's headers are over 16 KB in all");
    }
    if (ec == bhttp::error::bad_content_length || ec == bhttp::error::multiple_content_length || ec == bhttp::error::bad_transfer_encoding)
      return problem(400, "bad-framing", "Bad request framing",
                     "the body's length is unclear (" + ec.message() + "): send one Content-Length, or Transfer-Encoding: chunked, not both");
    if (ec == bhttp::error::bad_chunk || ec == bhttp::error::bad_chunk_extension || ec == bhttp::error::partial_message)
      return problem(400, "bad-framing", "Bad request framing", "the chunked body is malformed or cut short (" + ec.message() + ")");
    if (ec == bhttp::error::bad_target || ec == bhttp::error::bad_method || ec == bhttp::error::bad_version ||
        ec == bhttp::error::bad_line_ending || ec == bhttp::error::bad_field || ec == bhttp::error::bad_value ||
        ec == bhttp::error::bad_obs_fold)
      return problem(400, "bad-request", "Malformed request", "the request is not valid HTTP/1.1: " + ec.message());
    return std::nullopt;
  }

  // 408 for a body that stalled, arrives too slowly or takes too long; nullopt while it is fine.
  std::optional<Response> slow_body(bool stalled, Clock::duration elapsed, std::size_t bytes) const {
    const auto seconds = std::chrono::duration<double>(elapsed).count();
    std::string why;
    if (stalled) why = "no byte of the body arrived for " + std::to_string(config.idle_timeout_ms / 1000) + " s";
    else if (seconds > config.body_max_seconds) why = "the body took longer than " + std::to_string(config.body_max_seconds) + " s to arrive";
    else if (seconds > 10 && bytes / seconds < config.body_min_bytes_per_second)
      why = "the body arrives slower than " + std::to_string(config.body_min_bytes_per_second) + " bytes/s";
    if (why.empty()) return std::nullopt;
    return problem(408, "request-timeout", "Request timeout", why + " (" + std::to_string(bytes) + " bytes read); send it again");
  }

  asio::awaitable<void> reject_too_large(tcp::socket& socket, std::list<Connection>::iterator it, beast::flat_buffer& buffer,
                                         std::size_t limit, unsigned version) {
    co_await refuse_before_body(socket, it, buffer,
                                problem(413, "body-too-large", "Request body too large",
                                        "the body exceeds this endpoint's limit of " + std::to_string(limit) + " bytes"),
                                version);
  }

  // Answers and closes without reading the body, reading (and dropping) a
  // bounded amount of what the client is still sending, so that it sees the
  // answer rather than a reset.
  asio::awaitable<void> refuse_before_body(tcp::socket& socket, std::list<Connection>::iterator it, beast::flat_buffer& buffer,
                                           Response refusal, unsigned version) {
    count_response(refusal.status);
    auto response = to_beast(std::move(refusal), version, false);
    set_deadline(it, true, std::chrono::seconds(5));
    auto [ec, n] = co_await bhttp::async_write(socket, response, kUseTuple);
    if (ec) co_return;
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    std::size_t drained = 0;
    set_deadline(it, true, std::chrono::seconds(1));
    while (drained < (std::size_t{8} << 20)) {
      buffer.clear();
      auto [read_ec, got] = co_await socket.async_read_some(buffer.prepare(64 * 1024), kUseTuple);
      if (read_ec) break;
      drained += got;
    }
  }

  // A streamed response, chunked; the connection counts as idle meanwhile,
  // so that a shutdown closes it rather than waiting for it.
  asio::awaitable<void> stream_response(tcp::socket& socket, std::list<Connection>::iterator it, Response response,
                                        unsigned version) {
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), version};
    head.set(bhttp::field::server, "orgcastd");
    head.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) head.set(name, value);
    head.chunked(true);
    head.keep_alive(false);
    bhttp::response_serializer<bhttp::empty_body> serializer{head};
    set_deadline(it, true, idle_timeout());
    auto [head_ec, head_bytes] = co_await bhttp::async_write_header(socket, serializer, kUseTuple);
    if (head_ec) co_return;
    while (true) {
      {
        std::lock_guard lock(mutex);
        if (stopping) co_return;  // cut short (no last chunk): an export ended by a shutdown must not look whole
      }
      set_deadline(it, false, kNoDeadline);  // waiting for news is not a timeout
      std::optional<std::string> piece;
      bool failed = false;
      try {
        piece = co_await response.stream();
      } catch (const std::exception& e) {
        log.error("http", std::string("a streamed response failed: ") + e.what());
        failed = true;
      }
      // Cut short without the last chunk: the client sees an incomplete body, not a short one that looks whole.
      if (failed) co_return;
      if (!piece) break;
      if (piece->empty()) continue;  // nothing new (an empty chunk would end the stream)
      set_deadline(it, false, idle_timeout());
      auto chunk = bhttp::make_chunk(asio::buffer(*piece));  // named: no temporaries in co_await (GCC 12)
      auto [ec, n] = co_await asio::async_write(socket, chunk, kUseTuple);
      if (ec) co_return;
    }
    set_deadline(it, false, std::chrono::seconds(5));
    auto last = bhttp::make_chunk_last();
    co_await asio::async_write(socket, last, kUseTuple);
  }

  asio::awaitable<void> accept_loop(std::shared_ptr<State> self) {
    while (true) {
      auto connection_executor = connection_executors.empty() ? asio::any_io_executor(asio::make_strand(executor))
                                                              : connection_executors[next_executor++ % connection_executors.size()];
      auto [ec, socket] = co_await acceptor.async_accept(connection_executor, kUseTuple);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
      if (ec) {
        log.warn("http", "accept failed: " + ec.message());
        continue;
      }
      std::list<Connection>::iterator it;
      std::optional<Response> refusal;
      auto connection = std::make_shared<tcp::socket>(std::move(socket));
      auto peer = peer_of(*connection);
      {
        std::lock_guard lock(mutex);
        if (stopping) break;
        if (connections.size() >= static_cast<std::size_t>(config.max_connections)) {
          metrics.counter("orgcast_http_rejected_total", "connections refused because server.max_connections were open").inc();
          refusal = unavailable("too many connections", 1);
        } else if (over_address_limit(peer, auth::address_group(peer))) {
          metrics.counter("orgcast_http_rejected_per_address_total", "connections refused because their address held server.max_connections_per_address").inc();
          refusal = problem(429, "too-many-requests", "Too many connections",
                            "your address holds " + std::to_string(config.max_connections_per_address) + " connections already; reuse them");
          refusal->headers.emplace_back("Retry-After", "1");
        }
        it = connections.insert(connections.end(), Connection{connection->get_executor(), connection, true, Clock::now() + idle_timeout()});
        it->peer_group = auth::address_group(peer);
        it->peer = std::move(peer);
      }
      asio::co_spawn(connection->get_executor(), session(self, connection, it, std::move(refusal)), asio::detached);
    }
  }

  Response cross_origin_refusal(std::string_view origin) const {
    return problem(403, "cross-origin", "Cross-origin request refused",
                   "a request from a web page of another origin (" + orgcast::quoted_input(origin, 100) + ") is refused: server.allowed_origins does not name it");
  }

  // A CORS preflight: which method and headers a page of an allowed origin may send.
  Response preflight(Origin verdict, std::string_view origin, const std::string& path, std::string_view method) const {
    if (verdict == Origin::refused) return cross_origin_refusal(origin);
    const auto match = router.match(std::string(method), path, nullptr);
    if (!match.handler) return problem(404, "not-found", "Not found", std::string(method) + " " + orgcast::quoted_input(path) + " is not a route");
    Response response{204, "", "", {}};
    response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    response.headers.emplace_back("Access-Control-Allow-Methods", std::string(method));
    response.headers.emplace_back("Access-Control-Allow-Headers", std::string(kCorsRequestHeaders));
    response.headers.emplace_back("Access-Control-Max-Age", "600");
    response.headers.emplace_back("Vary", "Origin");
    return response;
  }

  // Whether `peer` holds its most connections already (under the mutex). A
  // trusted proxy's connections carry many clients: their requests are
  // limited per client address instead (api/request_limits).
  bool over_address_limit(const std::string& peer, const std::string& group) const {
    if (config.max_connections_per_address <= 0 || peer.empty()) return false;
    if (std::find(config.trusted_peers.begin(), config.trusted_peers.end(), peer) != config.trusted_peers.end()) return false;
    const auto held = std::count_if(connections.begin(), connections.end(), [&](const Connection& c) { return c.peer_group == group; });
    return held >= config.max_connections_per_address;
  }

  // `self` keeps the server state alive while the connection lives.
  asio::awaitable<void> session(std::shared_ptr<State> /*self*/, std::shared_ptr<tcp::socket> connection,
                                std::list<Connection>::iterator it, std::optional<Response> refusal) {
    auto& socket = *connection;
    beast::flat_buffer buffer;
    if (refusal) {
      count_response(refusal->status);
      auto response = to_beast(std::move(*refusal), 11, false);
      set_deadline(it, true, std::chrono::seconds(5));
      co_await bhttp::async_write(socket, response, kUseTuple);
    }
    while (!refusal) {
      if (!wait_for_request(it)) break;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(16 * 1024);
      // Beast checks Content-Length against the body limit while it parses
      // the header; the route's own limit is applied once the route is known.
      parser.body_limit(boost::none);
      auto [read_ec, header_bytes] = co_await bhttp::async_read_header(socket, buffer, parser, kUseTuple);
      if (read_ec) {
        // Malformed HTTP is answered, then the connection closed; a client gone or silent is not.
        const bool has_start_line = !parser.get().method_string().empty();
        if (auto refusal = malformed_request(read_ec, has_start_line)) co_await refuse_before_body(socket, it, buffer, std::move(*refusal), 11);
        else log.debug("http", "a request ended before its header was read: " + read_ec.message());
        break;
      }
      set_deadline(it, true, idle_timeout());  // for the body
      const auto& header = parser.get();
      // HTTP/1.1 requires Host (RFC 9112 3.2); a body compressed in a way the API never reads is refused before it is.
      std::optional<Response> unreadable;
      if (header.version() >= 11 && header.find(bhttp::field::host) == header.end())
        unreadable = problem(400, "bad-request", "Malformed request", "an HTTP/1.1 request needs a Host header");
      else if (const auto coding = header[bhttp::field::transfer_encoding]; !coding.empty() && !beast::iequals(coding, "chunked"))
        unreadable = problem(501, "bad-framing", "Unsupported transfer coding",
                             "Transfer-Encoding " + orgcast::quoted_input(std::string(coding), 40) + " is not read here: send the body chunked or with a Content-Length");
      else if (const auto twice = repeated_header(header))
        unreadable = problem(400, "bad-request", "Malformed request", "header " + *twice + " is given more than once; send it once");
      else if (const auto coding = header[bhttp::field::content_encoding]; !coding.empty() && !beast::iequals(coding, "identity"))
        unreadable = problem(415, "unsupported-media-type", "Unsupported content encoding",
                             "Content-Encoding " + orgcast::quoted_input(std::string(coding), 40) + " is not read here: send the body uncompressed");
      if (unreadable) {
        co_await refuse_before_body(socket, it, buffer, std::move(*unreadable), header.version());
        break;
      }
      Request request;
      const std::string path(header.target().substr(0, header.target().find('?')));
      // HEAD is GET without the body (RFC 9110): answered by the GET route.
      const bool head_only = header.method() == bhttp::verb::head;
      auto match = router.match(head_only ? std::string("GET") : std::string(header.method_string()), path, &request);
      // A web page of another origin: refused unless server.allowed_origins
      // names it, its preflight answered here (no route takes OPTIONS).
      // Copied: the header is gone once the body is read.
      const auto origin = header.find(bhttp::field::origin) == header.end() ? std::nullopt
                                                                            : std::optional<std::string>(header[bhttp::field::origin]);
      const auto verdict = judge_origin(origin, header[bhttp::field::host], allowed_origins);
      if (header.method() == bhttp::verb::options && origin && header.find(bhttp::field::access_control_request_method) != header.end()) {
        co_await refuse_before_body(socket, it, buffer, preflight(verdict, *origin, path, header[bhttp::field::access_control_request_method]), header.version());
        break;
      }
      // Not pages' requests: providers' callbacks; and the reply link's own
      // page, whose form posts with "Origin: null" (it sends no referrer).
      // A page of an allowed origin may read every answer, a refusal too (its Retry-After).
      auto let_page_read = [&](Response& response) {
        if (verdict != Origin::allowed) return;
        response.headers.emplace_back("Access-Control-Allow-Origin", *origin);
        response.headers.emplace_back("Access-Control-Expose-Headers", std::string(kCorsExposedHeaders));
        response.headers.emplace_back("Vary", "Origin");
      };
      if (verdict == Origin::refused && !path.starts_with("/v1/webhooks/") && !path.starts_with("/r/")) {
        co_await refuse_before_body(socket, it, buffer, cross_origin_refusal(*origin), header.version());
        break;
      }
      const std::size_t limit = match.body_limit ? match.body_limit : config.body_limit_bytes;
      parser.body_limit(limit);
      // Who may send a body is known before it is read: a stranger's
      // 512 MB import is refused at its header, not after it is buffered.
      std::shared_ptr<const auth::Principal> principal;
      if (match.handler && match.precheck) {
        Request head;
        head.method = std::string(header.method_string());
        head.peer = peer_of(socket);
        for (const auto& field : header) {
          std::string name(field.name_string());
          for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          head.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        auto refused = co_await (*match.precheck)(head);
        if (refused) {
          let_page_read(*refused);
          co_await refuse_before_body(socket, it, buffer, std::move(*refused), header.version());
          break;
        }
        principal = std::move(head.principal);
      }
      if (parser.content_length() && *parser.content_length() > limit) {
        // Refused before the body is read: a client that sent
        // "Expect: 100-continue" never sends it at all.
        co_await reject_too_large(socket, it, buffer, limit, header.version());
        break;
      }
      if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, header.version()};
        co_await bhttp::async_write(socket, proceed, kUseTuple);
      }
      const auto buffered = buffer.size();  // what came with the header counts as read too
      error_code body_ec = take_buffered_body(buffer, parser);
      std::optional<Response> too_slow;
      const auto body_started = Clock::now();
      std::size_t body_read = buffered - buffer.size();
      while (!body_ec && !parser.is_done()) {
        reading_body(it, true);
        auto [read_ec, got] = co_await bhttp::async_read_some(socket, buffer, parser, kUseTuple);
        body_read += got;
        const bool stalled = read_ec == asio::error::operation_aborted && timed_out(it);
        if (read_ec && !stalled) {  // over the limit (413 below), or the client gone
          body_ec = read_ec;
          break;
        }
        too_slow = slow_body(stalled, Clock::now() - body_started, body_read);
        if (too_slow) break;
      }
      reading_body(it, false);
      if (too_slow) {
        co_await refuse_before_body(socket, it, buffer, std::move(*too_slow), header.version());
        break;
      }
      set_deadline(it, true, kNoDeadline);  // a handler may take its time (an import, a big audience)
      Response response;
      bool keep_alive = false;
      unsigned version = header.version();
      if (body_ec == bhttp::error::body_limit) {
        co_await reject_too_large(socket, it, buffer, limit, version);
        break;
      } else if (body_ec) {
        if (auto refusal = malformed_request(body_ec, true)) co_await refuse_before_body(socket, it, buffer, std::move(*refusal), version);
        break;
      } else {
        auto message = parser.release();
        keep_alive = message.keep_alive();
        auto params = std::move(request.params);
        request = Request{};
        request.params = std::move(params);
        request.principal = std::move(principal);
        request.peer = peer_of(socket);
        if (auto unreadable = to_request(message, request)) {
          response = std::move(*unreadable);
        } else if (!match.handler) {
          response = match.status == 405
                         ? problem(405, "method-not-allowed", "Method not allowed", request.method + " is not allowed here")
                         : problem(404, "not-found", "Not found", "no resource at " + orgcast::quoted_input(request.path));
          if (match.status == 405) response.headers.emplace_back("Allow", match.allow);
        } else {
          request.body = std::move(message.body());
          try {
            response = co_await (*match.handler)(request);
          } catch (const std::exception& e) {
            // Credentials in a path (a callback's secret, a reply link's token) are not logged.
            std::string path = request.path;
            for (const char* credential : {"secret", "token"})
              if (auto it = request.params.find(credential); it != request.params.end() && !it->second.empty())
                if (auto at = path.find(it->second); at != std::string::npos) path.replace(at, it->second.size(), "{" + std::string(credential) + "}");
            log.error("http", request.method + " " + path + " failed: " + e.what());
            response = problem(500, "internal", "Internal error", "the server failed to handle this request");
          }
        }
      }
      {
        std::lock_guard lock(mutex);
        if (stopping) keep_alive = false;
        it->deadline = Clock::now() + idle_timeout();  // for the answer
      }
      count_response(response.status);
      let_page_read(response);
      if (head_only) {
        // The GET answer's head, its Content-Length that of the body not sent.
        auto full = to_beast(std::move(response), version, keep_alive);
        bhttp::response<bhttp::empty_body> head{full.result(), version};
        for (const auto& field : full) head.set(field.name_string(), field.value());
        head.keep_alive(keep_alive);
        auto [head_ec, head_written] = co_await bhttp::async_write(socket, head, kUseTuple);
        if (head_ec || !keep_alive) break;
        continue;
      }
      if (response.stream) {
        co_await stream_response(socket, it, std::move(response), version);
        break;
      }
      auto out = to_beast(std::move(response), version, keep_alive);
      auto [write_ec, written] = co_await bhttp::async_write(socket, out, kUseTuple);
      if (write_ec || !keep_alive) break;
    }
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    finished(it);
  }
};

Server::Server(asio::any_io_executor executor, const ServerConfig& config, const Router& router, const Log& log,
               metrics::Registry& metrics, std::vector<asio::any_io_executor> connection_executors)
    : state_(std::make_shared<State>(executor, config, router, log, metrics, std::move(connection_executors))) {}

Server::~Server() = default;

std::uint16_t Server::start() {
  auto& s = *state_;
  tcp::endpoint endpoint(asio::ip::make_address(s.config.listen_host), s.config.listen_port);
  s.acceptor.open(endpoint.protocol());
  s.acceptor.set_option(asio::socket_base::reuse_address(true));
  s.acceptor.bind(endpoint);
  s.acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(s.acceptor.get_executor(), s.accept_loop(state_), asio::detached);
  asio::co_spawn(s.acceptor.get_executor(), s.sweep(state_), asio::detached);
  return s.acceptor.local_endpoint().port();
}

void Server::stop(std::function<void()> done) {
  auto self = state_;
  asio::post(self->acceptor.get_executor(), [self, done = std::move(done)]() mutable {
    error_code ignored;
    self->acceptor.close(ignored);
    bool drained = false;
    {
      std::lock_guard lock(self->mutex);
      self->stopping = true;
      self->sweep_timer.cancel();  // the sweep ends once no connection is left
      drained = self->connections.empty();
      if (!drained) self->on_drained = done;
      for (const auto& c : self->connections)
        if (!c.busy) self->close(c);
    }
    if (drained) {
      done();
      return;
    }
    self->grace.expires_after(std::chrono::milliseconds(self->config.shutdown_grace_ms));
    self->grace.async_wait([self](error_code ec) {
      if (ec) return;
      std::function<void()> late;
      {
        std::lock_guard lock(self->mutex);
        for (const auto& c : self->connections) self->close(c);
        late = std::move(self->on_drained);
      }
      if (late) late();
    });
  });
}

}  // namespace orgcast::http
