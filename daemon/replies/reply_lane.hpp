#pragma once
// The reply lane (docs/REPLIES.md, "Automatic replies"): every batch
// interval, the automatic replies waiting in `out:replies` (any instance
// may take them: LPOP is atomic) are grouped — the same reply on the same
// channel — and each group goes out as one broadcast through the pipeline
// to exactly those people ("people" selector), urgent, expiring in an hour.
// So ten thousand YES replies make a few broadcasts, not ten thousand.
// A reply taken from the list by an instance that dies before queuing it
// is not sent (an acknowledgement is a courtesy, the answer is recorded).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "core/log.hpp"
#include "redis/client.hpp"

namespace orgcast::directory {
class OrgIndex;
}
namespace orgcast::meetings {
class MeetingStore;
}

namespace orgcast::replies {

class ReplyLane : public std::enable_shared_from_this<ReplyLane> {
 public:
  enum class Sent { queued, refused, unavailable };  // refused: cannot be sent (dropped); unavailable: try again
  /// Queues one broadcast (a POST /v1/broadcasts body); `confirms_opt_out`
  /// for the confirmation of a STOP (sent though the number opted out).
  using Send = std::function<boost::asio::awaitable<Sent>(boost::json::object body, bool confirms_opt_out)>;
  struct Options {
    std::string key_prefix;
    std::chrono::milliseconds interval{1000};
    std::size_t batch = 2000;  // replies taken at most per interval
  };
  ReplyLane(boost::asio::any_io_executor executor, std::shared_ptr<redis::Client> redis, std::shared_ptr<meetings::MeetingStore> meetings,
            std::function<std::shared_ptr<const directory::OrgIndex>()> index, Send send, Options options, const Log& log);
  void start();
  void stop() { stopping_ = true; }

 private:
  boost::asio::awaitable<void> run(std::shared_ptr<ReplyLane> self);
  /// One batch; the number of replies taken.
  boost::asio::awaitable<std::size_t> send_batch();

  boost::asio::any_io_executor executor_;
  std::shared_ptr<redis::Client> redis_;
  std::shared_ptr<meetings::MeetingStore> meetings_;
  std::function<std::shared_ptr<const directory::OrgIndex>()> index_;
  Send send_;
  Options options_;
  const Log& log_;
  bool stopping_ = false;
};

}  // namespace orgcast::replies
