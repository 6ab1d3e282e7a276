#include "http_client/keepalive_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <map>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace orgcast::http_client {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

struct Connection {
  explicit Connection(asio::any_io_executor executor) : socket(executor) {}
  tcp::socket socket;
  beast::flat_buffer buffer;
  Clock::time_point deadline = Clock::time_point::max();  // of the request in progress
  bool busy = false;
  bool reused = false;     // has served a request before: the server may have closed it meanwhile
  bool timed_out = false;  // closed by the sweep
};

struct Host {
  std::string host, port;
  std::vector<std::shared_ptr<Connection>> idle;
  std::vector<std::weak_ptr<Connection>> busy;  // for the timeout sweep
  long open = 0;
  std::deque<std::shared_ptr<asio::steady_timer>> waiters;  // requests waiting for a connection
};

void close(Connection& c) {
  error_code ignored;
  c.socket.shutdown(tcp::socket::shutdown_both, ignored);
  c.socket.close(ignored);
}

}  // namespace

struct KeepAlivePool::Impl {
  Impl(asio::any_io_executor executor, Options options, const Log& log)
      : executor(executor), options(options), log(log), sweep_timer(executor) {}

  asio::any_io_executor executor;
  Options options;
  const Log& log;
  asio::steady_timer sweep_timer;
  std::map<std::string, Host, std::less<>> hosts;  // by the URL's authority, "host:port" as written
  bool stopped = false;

  // A connection to `host`: an idle one, a new one below the limit, or the
  // next one released. nullptr: connecting failed (`ec` says why).
  asio::awaitable<std::shared_ptr<Connection>> acquire(Host& host, error_code& ec) {
    while (!stopped) {
      if (!host.idle.empty()) {
        auto c = std::move(host.idle.back());
        host.idle.pop_back();
        co_return c;
      }
      if (host.open < options.max_connections_per_host) {
        ++host.open;
        auto c = std::make_shared<Connection>(executor);
        tcp::resolver resolver(executor);
        auto [rec, endpoints] = co_await resolver.async_resolve(host.host, host.port, kTuple);
        if (!rec) {
          auto [cec, endpoint] = co_await asio::async_connect(c->socket, endpoints, kTuple);
          rec = cec;
        }
        if (rec) {
          --host.open;
          ec = rec;
          release_slot(host);
          co_return nullptr;
        }
        c->socket.set_option(tcp::no_delay(true));
        co_return c;
      }
      auto waiter = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
      host.waiters.push_back(waiter);
      co_await waiter->async_wait(kTuple);
    }
    ec = asio::error::operation_aborted;
    co_return nullptr;
  }

  // A connection or a slot became free: wake the first waiting request.
  void release_slot(Host& host) {
    if (host.waiters.empty()) return;
    host.waiters.front()->cancel();
    host.waiters.pop_front();
  }

  void give_back(Host& host, std::shared_ptr<Connection> c, bool keep) {
    c->busy = false;
    c->deadline = Clock::time_point::max();
    if (keep && !stopped && c->socket.is_open()) {
      c->reused = true;
      host.idle.push_back(std::move(c));
    } else {
      close(*c);
      --host.open;
    }
    release_slot(host);
  }

  asio::awaitable<void> sweep(std::weak_ptr<Impl> weak) {
    while (true) {
      sweep_timer.expires_after(std::chrono::milliseconds(100));
      co_await sweep_timer.async_wait(kTuple);
      auto self = weak.lock();
      if (!self || stopped) co_return;
      const auto now = Clock::now();
      for (auto& [key, host] : hosts) {
        std::erase_if(host.busy, [&](const std::weak_ptr<Connection>& w) {
          auto c = w.lock();
          if (!c || !c->busy) return true;
          if (now >= c->deadline) {
            c->timed_out = true;
            close(*c);
            return true;
          }
          return false;
        });
      }
    }
  }
};

std::shared_ptr<KeepAlivePool> KeepAlivePool::create(asio::any_io_executor executor, Options options, const Log& log) {
  auto impl = std::make_shared<Impl>(executor, options, log);
  asio::co_spawn(executor, impl->sweep(impl), asio::detached);
  return std::shared_ptr<KeepAlivePool>(new KeepAlivePool(impl));
}

KeepAlivePool::~KeepAlivePool() { stop(); }

void KeepAlivePool::stop() {
  auto impl = impl_;
  asio::dispatch(impl->executor, [impl] {
    impl->stopped = true;
    impl->sweep_timer.cancel();
    for (auto& [key, host] : impl->hosts) {
      for (auto& c : host.idle) close(*c);
      host.idle.clear();
      for (auto& w : host.busy)
        if (auto c = w.lock()) close(*c);
      for (auto& waiter : host.waiters) waiter->cancel();
      host.waiters.clear();
    }
  });
}

asio::awaitable<boost::system::result<Response>> KeepAlivePool::send(Request request) {
  auto impl = impl_;  // alive until this request ends
  // The host is found by the URL's authority without parsing the whole URL
  // (every request of a provider account has the same one); a new
  // authority is parsed and checked once.
  constexpr std::string_view kScheme = "http://";
  if (request.url.rfind(kScheme, 0) != 0) co_return error_code(asio::error::invalid_argument);
  const auto authority_end = std::min(request.url.find_first_of("/?#", kScheme.size()), request.url.size());
  const std::string_view authority = std::string_view(request.url).substr(kScheme.size(), authority_end - kScheme.size());
  auto found = impl->hosts.find(authority);
  if (found == impl->hosts.end()) {
    auto url = boost::urls::parse_uri(request.url);
    if (!url || url->scheme() != "http" || url->host().empty()) co_return error_code(asio::error::invalid_argument);
    Host fresh;
    fresh.host = std::string(url->host());
    fresh.port = url->has_port() ? std::string(url->port()) : "80";
    found = impl->hosts.emplace(std::string(authority), std::move(fresh)).first;
  }
  auto& host = found->second;
  std::string target = request.url.substr(authority_end, request.url.find('#', authority_end) - authority_end);
  if (target.empty() || target.front() != '/') target.insert(0, "/");
  bhttp::request<bhttp::string_body> out{bhttp::string_to_verb(request.method), target, 11};
  out.set(bhttp::field::host, host.host);
  for (auto& [name, value] : request.headers) out.set(name, value);
  out.body() = std::move(request.body);
  out.keep_alive(true);
  out.prepare_payload();

  // A kept-alive connection the server closed while idle fails at once
  // (write error, or EOF before any byte of an answer): one more try on a
  // fresh connection is safe, the server never saw the request.
  for (int attempt = 0; attempt < 2; ++attempt) {
    error_code ec;
    auto c = co_await impl->acquire(host, ec);
    if (!c) co_return error_code(asio::error::not_connected);
    c->busy = true;
    c->timed_out = false;
    c->deadline = Clock::now() + request.timeout;
    host.busy.push_back(c);
    auto [wec, written] = co_await bhttp::async_write(c->socket, out, kTuple);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(8u << 20);
    error_code rec = wec;
    if (!wec) {
      auto [r, n] = co_await bhttp::async_read(c->socket, c->buffer, parser, kTuple);
      rec = r;
    }
    if (rec) {
      const bool stale = c->reused && !c->timed_out && !parser.got_some() &&
                         (wec || rec == bhttp::error::end_of_stream || rec == asio::error::connection_reset);
      const bool timed_out = c->timed_out;
      impl->give_back(host, c, false);
      if (stale && attempt == 0) continue;
      co_return error_code(timed_out ? asio::error::timed_out : rec);
    }
    auto message = parser.release();
    Response response;
    response.status = static_cast<long>(message.result_int());
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      response.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    response.body = std::move(message.body());
    impl->give_back(host, c, message.keep_alive());
    co_return response;
  }
  co_return error_code(asio::error::connection_reset);
}

}  // namespace orgcast::http_client
