#include "http_client/client.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace orgcast::http_client {
namespace {

class CurlCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "curl"; }
  std::string message(int value) const override { return curl_easy_strerror(static_cast<CURLcode>(value)); }
};

using Handler = asio::any_completion_handler<void(error_code, Response)>;

// One request in flight. Owned by the Impl's map until it completes.
struct Transfer {
  explicit Transfer(Handler h) : handler(std::move(h)) {}  // never assigned: see redis/client.cpp
  Handler handler;
  asio::any_io_executor work;
  Request request;
  Response response;
  curl_slist* header_list = nullptr;
  CURL* easy = nullptr;
};

// A socket lent to curl. Asio opened it (so Asio can wait on it); curl
// asks us to close it.
struct Socket {
  explicit Socket(asio::any_io_executor ex) : socket(ex) {}
  tcp::socket socket;
  int want = 0;  // CURL_POLL_IN / CURL_POLL_OUT bits
  bool reading = false, writing = false, closed = false;
};

std::once_flag curl_init_once;

// Resumes the caller on its own executor, never inside a curl callback.
void deliver(std::unique_ptr<Transfer> t, error_code ec) {
  if (t->header_list) curl_slist_free_all(t->header_list);
  t->header_list = nullptr;
  auto executor = t->work;
  asio::post(executor, [t = std::shared_ptr<Transfer>(std::move(t)), ec]() mutable {
    auto handler = std::move(t->handler);
    auto response = std::move(t->response);
    t.reset();
    std::move(handler)(ec, std::move(response));
  });
}

}  // namespace

const boost::system::error_category& curl_category() {
  static const CurlCategory instance;
  return instance;
}

bool never_sent(const error_code& error) {
  if (error.category() != curl_category()) return false;
  auto code = static_cast<CURLcode>(error.value());
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
         code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL;
}

std::string Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return {};
}

struct Client::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor executor, Options options, const Log& log)
      : strand(asio::make_strand(executor)), timer(strand), log(log) {
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, options.max_connections_per_host);
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, options.max_total_connections);
    // Keep that many idle connections: by default curl keeps 4 per easy
    // handle in use, and ours come and go per request, so its cache shrank
    // and closed connections that the next requests had to open again.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(std::max(options.max_connections_per_host, options.max_total_connections)));
  }
  ~Impl() {
    for (auto* easy : idle_handles) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
  }

  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer timer;
  const Log& log;
  CURLM* multi = nullptr;
  bool stopped = false;
  static constexpr std::size_t kIdleHandles = 512;
  std::vector<CURL*> idle_handles;  // reset, ready for the next request
  bool timer_armed = false;     // `timer` has a wait pending
  bool timeout_posted = false;  // an immediate timeout action is posted
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers;
  std::atomic<std::size_t> count{0};

  void complete(std::unique_ptr<Transfer> t, error_code ec) {
    if (t->easy) {
      curl_multi_remove_handle(multi, t->easy);
      // Kept for the next request: a new easy handle allocates its buffers
      // again (tens of KB), which showed up as malloc churn at 10k requests/s.
      if (idle_handles.size() < kIdleHandles) {
        curl_easy_reset(t->easy);
        idle_handles.push_back(t->easy);
      } else {
        curl_easy_cleanup(t->easy);
      }
      t->easy = nullptr;
    }
    --count;
    deliver(std::move(t), ec);
  }

  void start(std::unique_ptr<Transfer> t) {
    if (stopped) return complete(std::move(t), asio::error::operation_aborted);
    CURL* easy = nullptr;
    if (!idle_handles.empty()) {
      easy = idle_handles.back();
      idle_handles.pop_back();
    } else {
      easy = curl_easy_init();
    }
    t->easy = easy;
    auto& r = t->request;
    curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
    // No "Expect: 100-continue": it costs a round trip per request.
    t->header_list = curl_slist_append(t->header_list, "Expect:");
    for (const auto& [name, value] : r.headers) t->header_list = curl_slist_append(t->header_list, (name + ": " + value).c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->header_list);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &Impl::open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &Impl::close_socket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
    transfers.emplace(easy, std::move(t));
    ++count;
    curl_multi_add_handle(multi, easy);  // arms the timer; curl starts from there
  }

  void check_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      auto it = transfers.find(msg->easy_handle);
      if (it == transfers.end()) continue;
      auto t = std::move(it->second);
      transfers.erase(it);
      CURLcode result = msg->data.result;
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->response.status);
      complete(std::move(t), result == CURLE_OK ? error_code{} : error_code(result, curl_category()));
    }
  }

  void act(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi, fd, events, &running);
    check_done();
  }

  // Handlers hold a weak reference: the Impl is destroyed on its strand by
  // ~Client, never from inside one of its own handlers.
  void arm(const std::shared_ptr<Socket>& s, curl_socket_t fd) {
    std::weak_ptr<Impl> weak = shared_from_this();
    if ((s->want & CURL_POLL_IN) && !s->reading) {
      s->reading = true;
      s->socket.async_wait(tcp::socket::wait_read, [weak, s, fd](error_code ec) {
        s->reading = false;
        auto self = weak.lock();
        if (ec || !self || s->closed || !(s->want & CURL_POLL_IN)) return;
        self->act(fd, CURL_CSELECT_IN);
        if (!s->closed) self->arm(s, fd);
      });
    }
    if ((s->want & CURL_POLL_OUT) && !s->writing) {
      s->writing = true;
      s->socket.async_wait(tcp::socket::wait_write, [weak, s, fd](error_code ec) {
        s->writing = false;
        auto self = weak.lock();
        if (ec || !self || s->closed || !(s->want & CURL_POLL_OUT)) return;
        self->act(fd, CURL_CSELECT_OUT);
        if (!s->closed) self->arm(s, fd);
      });
    }
  }

  // Fails what is in flight; the connections close with the multi handle.
  void shutdown() {
    stopped = true;
    timer.cancel();
    auto pending = std::move(transfers);
    transfers.clear();
    for (auto& [easy, t] : pending) complete(std::move(t), asio::error::operation_aborted);
  }

  // ---- curl callbacks: no exception may cross them

  static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) noexcept {
    auto* impl = static_cast<Impl*>(userp);
    auto it = impl->sockets.find(fd);
    if (it == impl->sockets.end()) return 0;
    it->second->want = what == CURL_POLL_REMOVE ? 0 : what;
    if (what != CURL_POLL_REMOVE) impl->arm(it->second, fd);
    return 0;
  }

  // curl asks for a timeout after nearly every event, most often "now"
  // (0 ms). Re-arming an Asio timer each time costs a timerfd_settime
  // syscall and a cancelled handler; so "now" is a post (at most one
  // pending), and a timer already due sooner is kept (firing early is
  // harmless: curl then asks again).
  static int on_timer(CURLM*, long timeout_ms, void* userp) noexcept {
    auto* impl = static_cast<Impl*>(userp);
    if (timeout_ms < 0) {
      impl->timer_armed = false;
      impl->timer.cancel();
      return 0;
    }
    if (timeout_ms == 0) {
      if (!impl->timeout_posted) {
        impl->timeout_posted = true;
        asio::post(impl->strand, [weak = std::weak_ptr<Impl>(impl->shared_from_this())] {
          auto self = weak.lock();
          if (!self) return;
          self->timeout_posted = false;
          if (!self->stopped) self->act(CURL_SOCKET_TIMEOUT, 0);
        });
      }
      return 0;
    }
    const auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    if (impl->timer_armed && impl->timer.expiry() <= due) return 0;
    impl->timer_armed = true;
    impl->timer.expires_at(due);
    impl->timer.async_wait([weak = std::weak_ptr<Impl>(impl->shared_from_this())](error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->timer_armed = false;
      if (!self->stopped) self->act(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  static curl_socket_t open_socket(void* clientp, curlsocktype purpose, curl_sockaddr* address) noexcept {
    auto* impl = static_cast<Impl*>(clientp);
    if (purpose != CURLSOCKTYPE_IPCXN || (address->family != AF_INET && address->family != AF_INET6)) return CURL_SOCKET_BAD;
    auto s = std::make_shared<Socket>(impl->strand);
    error_code ec;
    s->socket.open(address->family == AF_INET ? tcp::v4() : tcp::v6(), ec);
    if (ec) return CURL_SOCKET_BAD;
    auto fd = s->socket.native_handle();
    impl->sockets[fd] = std::move(s);
    return fd;
  }

  static int close_socket(void* clientp, curl_socket_t fd) noexcept {
    auto* impl = static_cast<Impl*>(clientp);
    auto it = impl->sockets.find(fd);
    if (it == impl->sockets.end()) return ::close(fd);
    it->second->closed = true;
    error_code ignored;
    it->second->socket.close(ignored);  // pending waits end with operation_aborted
    impl->sockets.erase(it);
    return 0;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* userp) noexcept {
    static_cast<Transfer*>(userp)->response.body.append(data, size * n);
    return size * n;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) noexcept {
    std::string_view line(data, size * n);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
      static_cast<Transfer*>(userp)->response.headers.emplace_back(std::move(name), std::string(value));
    } else if (line.rfind("HTTP/", 0) == 0) {
      static_cast<Transfer*>(userp)->response.headers.clear();  // a new response (after a 1xx)
    }
    return size * n;
  }
};

Client::Client(asio::any_io_executor executor, Options options, const Log& log) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_ = std::make_shared<Impl>(std::move(executor), options, log);
}

Client::~Client() {
  // The last strong reference goes to the strand, where the Impl is
  // destroyed outside any of its own handlers.
  auto strand = impl_->strand;
  asio::post(strand, [impl = std::move(impl_)]() mutable {
    impl->shutdown();
    impl.reset();
  });
}

std::shared_ptr<Client> Client::create(asio::any_io_executor executor, Options options, const Log& log) {
  return std::shared_ptr<Client>(new Client(std::move(executor), options, log));
}

std::size_t Client::in_flight() const { return impl_->count.load(); }

asio::awaitable<boost::system::result<Response>> Client::send(Request request) {
  // The initiation is a named local, holding only a weak reference: GCC 12
  // destroys a capturing closure temporary inside a co_await expression twice.
  auto initiation = [weak = std::weak_ptr<Impl>(impl_)](auto handler, Request request) {
    auto impl = weak.lock();
    asio::any_io_executor caller = asio::get_associated_executor(handler, impl->strand);
    auto t = std::make_unique<Transfer>(Handler(std::move(handler)));
    t->work = asio::prefer(caller, asio::execution::outstanding_work.tracked);
    t->request = std::move(request);
    asio::dispatch(impl->strand, [weak, t = std::move(t)]() mutable {
      if (auto self = weak.lock()) self->start(std::move(t));
      else deliver(std::move(t), asio::error::operation_aborted);  // the client is gone
    });
  };
  auto token = asio::as_tuple(asio::use_awaitable);
  auto [ec, response] =
      co_await asio::async_initiate<decltype(token), void(error_code, Response)>(initiation, token, std::move(request));
  if (ec) co_return ec;
  co_return std::move(response);
}

void Client::stop() {
  asio::dispatch(impl_->strand, [weak = std::weak_ptr<Impl>(impl_)] {
    if (auto impl = weak.lock()) impl->shutdown();
  });
}

}  // namespace orgcast::http_client
