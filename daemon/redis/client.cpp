#include "redis/client.hpp"

#include "core/digest.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <random>

namespace asio = boost::asio;
using boost::system::error_code;

namespace orgcast::redis {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "redis"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::not_connected: return "not connected to Redis";
      case Errc::connection_lost: return "the Redis connection was lost";
      case Errc::timeout: return "Redis did not answer in time";
      case Errc::stopped: return "the Redis client is stopping";
      case Errc::server_error: return "Redis answered with an error";
      case Errc::unexpected_reply: return "unexpected Redis reply";
    }
    return "unknown Redis error";
  }
};

Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = Reply::Type::string; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = Reply::Type::status; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::error; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default: out.type = Reply::Type::nil; break;
  }
  return out;
}

using BatchHandler = asio::any_completion_handler<void(error_code, std::vector<Reply>)>;

// One user request: a command or a pipeline, completed when its last reply
// arrives.
struct Batch {
  // Only ever move-constructed: Boost 1.81's any_completion_handler move
  // assignment recurses without end.
  explicit Batch(BatchHandler h) : handler(std::move(h)) {}
  std::vector<Reply> replies;
  std::size_t remaining = 0;
  error_code error;
  BatchHandler handler;
  asio::any_io_executor work;  // keeps the caller's executor running until completion
};

}  // namespace

const boost::system::error_category& category() {
  static const Category instance;
  return instance;
}

long long Reply::as_integer() const {
  if (type == Type::integer) return integer;
  if (type != Type::string || str.empty()) return -1;
  long long value = 0;
  for (char c : str) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

Result<Reply> ok_reply(Result<Reply> reply) {
  if (reply && reply->is_error()) return make_error_code(Errc::server_error);
  return reply;
}

struct Socket;

struct Client::Impl {
  Impl(Client& owner, asio::any_io_executor executor, Options options, const Log& log)
      : owner(owner), strand(asio::make_strand(executor)), options(std::move(options)), log(log), wake(strand), tick(strand) {}

  enum class Link { closed, connecting, connected };
  // What hiredis hands back to on_reply for each command.
  struct Slot {
    std::shared_ptr<Batch> batch;
    std::size_t index;
    Impl* impl;
  };

  Client& owner;
  asio::strand<asio::any_io_executor> strand;
  Options options;
  const Log& log;
  redisAsyncContext* ac = nullptr;
  std::shared_ptr<Socket> socket;
  Link link = Link::closed;
  bool ready = false;  // connected, authenticated and the database selected
  bool stopping = false;
  bool timed_out = false;
  std::string last_error;
  asio::steady_timer wake;  // the supervisor sleeps on it; callbacks cancel it
  asio::steady_timer tick;
  std::deque<std::chrono::steady_clock::time_point> in_flight;  // send times, in reply order
  // Scripts: `EVAL <body> ...` goes out as `EVALSHA <sha1> ...` once this
  // connection has sent the body (Redis keeps it in its script cache), so a
  // 2 KB script is neither sent nor hashed by Redis for every recipient.
  std::unordered_map<std::string, std::string> script_sha;  // body -> SHA1 hex
  std::unordered_set<std::string> scripts_sent;              // on this connection; cleared when it closes

  const std::string& sha_of(const std::string& body) {
    auto it = script_sha.find(body);
    if (it != script_sha.end()) return it->second;
    return script_sha.emplace(body, sha1_hex(body)).first->second;
  }

  void set_status(std::string text) {
    std::lock_guard lock(owner.status_mutex_);
    owner.status_ = std::move(text);
  }

  // Resumes the caller on its own executor, never inline from a hiredis callback.
  void complete(const std::shared_ptr<Batch>& batch) {
    auto executor = batch->work;
    asio::post(executor, [b = batch]() mutable {
      auto handler = std::move(b->handler);
      auto replies = std::move(b->replies);
      auto error = b->error;
      b.reset();
      std::move(handler)(error, std::move(replies));
    });
  }

  void issue(std::vector<Args> commands, BatchHandler handler, asio::any_io_executor caller, bool internal);
  void close_context();
  asio::awaitable<void> supervise(std::shared_ptr<Client> keep_alive);
  asio::awaitable<void> watch_deadlines(std::shared_ptr<Client> keep_alive);
  asio::awaitable<std::string> connect_once();
  asio::awaitable<Result<std::vector<Reply>>> run(std::vector<Args> commands, bool internal);

  static void on_connect(const redisAsyncContext* ac, int status) noexcept;
  static void on_disconnect(const redisAsyncContext* ac, int status) noexcept;
  static void on_reply(redisAsyncContext* ac, void* reply, void* privdata) noexcept;
};

// The socket half of the hiredis event-library contract: hiredis calls the
// add/del hooks when it wants to read or write, and cleanup when the context
// goes away. The descriptor belongs to hiredis; it is released, never closed, here.
struct Socket : std::enable_shared_from_this<Socket> {
  Socket(Client::Impl* impl, redisAsyncContext* ac, int fd) : impl(impl), ac(ac), descriptor(impl->strand, fd) {}

  Client::Impl* impl;
  redisAsyncContext* ac;
  asio::posix::stream_descriptor descriptor;
  bool want_read = false, want_write = false, reading = false, writing = false;

  void arm_read() {
    if (reading || !ac || !want_read) return;
    reading = true;
    descriptor.async_wait(asio::posix::descriptor_base::wait_read, [self = shared_from_this()](error_code ec) {
      self->reading = false;
      if (ec || !self->ac || !self->want_read) return;
      redisAsyncHandleRead(self->ac);  // may free the context: cleanup() clears ac
      self->arm_read();
    });
  }
  void arm_write() {
    if (writing || !ac || !want_write) return;
    writing = true;
    descriptor.async_wait(asio::posix::descriptor_base::wait_write, [self = shared_from_this()](error_code ec) {
      self->writing = false;
      if (ec || !self->ac || !self->want_write) return;
      redisAsyncHandleWrite(self->ac);
      self->arm_write();
    });
  }

  static void add_read(void* p) noexcept {
    auto* s = static_cast<Socket*>(p);
    s->want_read = true;
    s->arm_read();
  }
  static void del_read(void* p) noexcept { static_cast<Socket*>(p)->want_read = false; }
  static void add_write(void* p) noexcept {
    auto* s = static_cast<Socket*>(p);
    s->want_write = true;
    s->arm_write();
  }
  static void del_write(void* p) noexcept { static_cast<Socket*>(p)->want_write = false; }
  static void cleanup(void* p) noexcept {
    auto* s = static_cast<Socket*>(p);
    s->ac = nullptr;
    s->want_read = s->want_write = false;
    s->descriptor.release();  // cancels the waits; hiredis closes the fd
    s->impl->socket.reset();  // pending wait handlers still hold the Socket
  }
};

void Client::Impl::on_connect(const redisAsyncContext* ac, int status) noexcept {
  auto* impl = static_cast<Impl*>(ac->data);
  if (status == REDIS_OK) {
    impl->link = Link::connected;
  } else {
    impl->last_error = ac->errstr ? ac->errstr : "connect failed";
    impl->link = Link::closed;
    impl->ac = nullptr;  // hiredis frees a context whose connect failed
  }
  impl->wake.cancel();
}

void Client::Impl::on_disconnect(const redisAsyncContext* ac, int status) noexcept {
  auto* impl = static_cast<Impl*>(ac->data);
  if (status != REDIS_OK) impl->last_error = ac->errstr ? ac->errstr : "connection error";
  else if (impl->last_error.empty()) impl->last_error = "connection closed";
  impl->link = Link::closed;
  impl->ready = false;
  impl->ac = nullptr;
  impl->in_flight.clear();
  impl->scripts_sent.clear();
  impl->owner.connected_ = false;
  impl->wake.cancel();
}

void Client::Impl::on_reply(redisAsyncContext*, void* reply, void* privdata) noexcept {
  std::unique_ptr<Slot> slot(static_cast<Slot*>(privdata));
  auto* impl = slot->impl;
  if (!impl->in_flight.empty()) impl->in_flight.pop_front();
  auto& batch = *slot->batch;
  if (reply == nullptr) {
    if (!batch.error)
      batch.error = make_error_code(impl->stopping ? Errc::stopped : impl->timed_out ? Errc::timeout : Errc::connection_lost);
  } else {
    batch.replies[slot->index] = convert(static_cast<redisReply*>(reply));
    // The script cache was flushed (SCRIPT FLUSH): send bodies again from
    // now on. This command fails; callers treat a server error as "retry".
    if (batch.replies[slot->index].is_error() && batch.replies[slot->index].str.rfind("NOSCRIPT", 0) == 0) impl->scripts_sent.clear();
  }
  if (--batch.remaining == 0) impl->complete(slot->batch);
}

void Client::Impl::issue(std::vector<Args> commands, BatchHandler handler, asio::any_io_executor caller, bool internal) {
  auto batch = std::make_shared<Batch>(std::move(handler));
  batch->work = asio::prefer(caller, asio::execution::outstanding_work.tracked);
  batch->replies.resize(commands.size());
  batch->remaining = commands.size();
  bool usable = ac && link == Link::connected && (ready || internal);
  if (stopping || !usable || commands.empty()) {
    if (!commands.empty()) batch->error = make_error_code(stopping ? Errc::stopped : Errc::not_connected);
    complete(batch);
    return;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < commands.size(); ++i) {
    argv.clear();
    lengths.clear();
    for (const auto& arg : commands[i]) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (commands[i].size() >= 2 && commands[i][0] == "EVAL") {
      const auto& sha = sha_of(commands[i][1]);
      if (scripts_sent.count(sha)) {
        static const std::string evalsha = "EVALSHA";
        argv[0] = evalsha.data();
        lengths[0] = evalsha.size();
        argv[1] = sha.data();
        lengths[1] = sha.size();
      } else {
        scripts_sent.insert(sha);
      }
    }
    auto* slot = new Slot{batch, i, this};
    if (!ac || redisAsyncCommandArgv(ac, &Impl::on_reply, slot, static_cast<int>(argv.size()), argv.data(),
                                     lengths.data()) != REDIS_OK) {
      delete slot;
      batch->error = make_error_code(Errc::connection_lost);
      if (--batch->remaining == 0) complete(batch);
      continue;
    }
    in_flight.push_back(now);
  }
}

void Client::Impl::close_context() {
  if (ac) {
    auto* context = ac;
    ac = nullptr;
    redisAsyncFree(context);  // fails commands in flight through on_reply(nullptr)
  }
  link = Link::closed;
  ready = false;
  in_flight.clear();
  scripts_sent.clear();
}

asio::awaitable<Result<std::vector<Reply>>> Client::Impl::run(std::vector<Args> commands, bool internal) {
  auto token = asio::as_tuple(asio::use_awaitable);
  auto [ec, replies] = co_await asio::async_initiate<decltype(token), void(error_code, std::vector<Reply>)>(
      [this, internal](auto handler, std::vector<Args> commands) {
        // A coroutine's handler is associated with an any_io_executor.
        asio::any_io_executor caller = asio::get_associated_executor(handler, strand);
        asio::dispatch(strand, [this, internal, caller, commands = std::move(commands), handler = std::move(handler)]() mutable {
          issue(std::move(commands), BatchHandler(std::move(handler)), caller, internal);
        });
      },
      token, std::move(commands));
  if (ec) co_return ec;
  co_return std::move(replies);
}

asio::awaitable<std::string> Client::Impl::connect_once() {
  last_error.clear();
  redisAsyncContext* context = redisAsyncConnect(options.host.c_str(), options.port);
  if (!context) co_return "out of memory";
  if (context->err) {
    std::string error = context->errstr;
    redisAsyncFree(context);
    co_return error;
  }
  ac = context;
  ac->data = this;
  socket = std::make_shared<Socket>(this, ac, ac->c.fd);
  ac->ev.data = socket.get();
  ac->ev.addRead = &Socket::add_read;
  ac->ev.delRead = &Socket::del_read;
  ac->ev.addWrite = &Socket::add_write;
  ac->ev.delWrite = &Socket::del_write;
  ac->ev.cleanup = &Socket::cleanup;
  link = Link::connecting;
  // Setting the connect callback arms the first write event, which is how
  // hiredis learns that the non-blocking connect finished.
  redisAsyncSetConnectCallback(ac, &Impl::on_connect);
  redisAsyncSetDisconnectCallback(ac, &Impl::on_disconnect);

  const auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
  while (link == Link::connecting && !stopping) {
    wake.expires_at(deadline);
    auto [ec] = co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec && link == Link::connecting) {
      close_context();
      co_return "no connection within " + std::to_string(options.connect_timeout.count()) + " ms";
    }
  }
  if (stopping) {
    close_context();
    co_return "stopped";
  }
  if (link != Link::connected) co_return last_error.empty() ? "connect failed" : last_error;

  std::vector<Args> setup;
  if (!options.password.empty()) setup.push_back(cmd("AUTH", options.password));
  if (options.db != 0) setup.push_back(cmd("SELECT", std::to_string(options.db)));
  if (!setup.empty()) {
    auto replies = co_await run(std::move(setup), true);
    if (!replies) co_return "setting up the connection: " + replies.error().message();
    for (const auto& reply : *replies) {
      if (reply.is_error()) {
        close_context();
        co_return "setting up the connection: " + reply.str;  // never echoes the password
      }
    }
  }
  ready = true;
  co_return "";
}

asio::awaitable<void> Client::Impl::supervise(std::shared_ptr<Client>) {  // the argument keeps the client alive
  std::mt19937 random(std::random_device{}());
  int attempt = 0;
  const std::string where = options.host + ":" + std::to_string(options.port);
  while (!stopping) {
    std::string error = co_await connect_once();
    if (error.empty() && !stopping) {
      attempt = 0;
      ++owner.epoch_;
      owner.connected_ = true;
      set_status("connected");
      log.info("redis", "connected to " + where);
      while (link == Link::connected && !stopping) {
        wake.expires_at(asio::steady_timer::time_point::max());
        co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      owner.connected_ = false;
      if (stopping) break;
      error = last_error;
      log.warn("redis", "connection to " + where + " lost: " + error);
    }
    if (stopping) break;
    auto ceiling = std::min<long long>(options.reconnect_max.count(),
                                       options.reconnect_min.count() << std::min(attempt, 20));
    std::uniform_int_distribution<long long> jitter(ceiling / 2, ceiling);
    auto delay = std::chrono::milliseconds(jitter(random));
    ++attempt;
    set_status("reconnecting (attempt " + std::to_string(attempt) + ", next in " + std::to_string(delay.count()) +
               " ms): " + error);
    if (attempt == 1 || attempt % 10 == 0) log.warn("redis", "cannot reach " + where + ": " + error + "; retrying");
    wake.expires_after(delay);
    co_await wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  set_status("stopped");
}

asio::awaitable<void> Client::Impl::watch_deadlines(std::shared_ptr<Client>) {
  const auto period = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(100), options.command_timeout / 4 + std::chrono::milliseconds(1));
  while (!stopping) {
    tick.expires_after(period);
    co_await tick.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopping) break;
    if (link != Link::connected || in_flight.empty()) continue;
    if (std::chrono::steady_clock::now() - in_flight.front() < options.command_timeout) continue;
    log.warn("redis", "no reply within " + std::to_string(options.command_timeout.count()) + " ms; resetting the connection");
    timed_out = true;
    last_error = "no reply within " + std::to_string(options.command_timeout.count()) + " ms";
    close_context();
    timed_out = false;
    wake.cancel();
  }
}

Client::Client(asio::any_io_executor executor, Options options, const Log& log)
    : impl_(std::make_unique<Impl>(*this, std::move(executor), std::move(options), log)) {}

Client::~Client() = default;

std::shared_ptr<Client> Client::create(asio::any_io_executor executor, Options options, const Log& log) {
  return std::shared_ptr<Client>(new Client(std::move(executor), std::move(options), log));
}

void Client::start() {
  auto self = shared_from_this();
  asio::co_spawn(impl_->strand, impl_->supervise(self), asio::detached);
  asio::co_spawn(impl_->strand, impl_->watch_deadlines(self), asio::detached);
}

void Client::stop() {
  asio::dispatch(impl_->strand, [self = shared_from_this()] {
    auto& impl = *self->impl_;
    impl.stopping = true;
    impl.close_context();
    impl.wake.cancel();
    impl.tick.cancel();
    self->connected_ = false;
  });
}

std::string Client::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

asio::awaitable<Result<Reply>> Client::command(Args args) {
  std::vector<Args> one;
  one.push_back(std::move(args));
  auto replies = co_await impl_->run(std::move(one), false);
  if (!replies) co_return replies.error();
  co_return std::move(replies->front());
}

asio::awaitable<Result<std::vector<Reply>>> Client::pipeline(std::vector<Args> commands) {
  co_return co_await impl_->run(std::move(commands), false);
}

asio::awaitable<Result<std::vector<Reply>>> pipeline_in_batches(Client& client, std::vector<Args> commands, std::size_t depth) {
  std::vector<Reply> all;
  all.reserve(commands.size());
  for (std::size_t first = 0; first < commands.size(); first += depth) {
    auto last = std::min(commands.size(), first + depth);
    std::vector<Args> batch(std::make_move_iterator(commands.begin() + static_cast<std::ptrdiff_t>(first)),
                            std::make_move_iterator(commands.begin() + static_cast<std::ptrdiff_t>(last)));
    auto replies = co_await client.pipeline(std::move(batch));
    if (!replies) co_return replies.error();
    for (auto& reply : *replies) {
      if (reply.is_error()) co_return make_error_code(Errc::server_error);
      all.push_back(std::move(reply));
    }
  }
  co_return all;
}

}  // namespace orgcast::redis
