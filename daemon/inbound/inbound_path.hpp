#pragma once
// The inbound path (docs/REPLIES.md): for each message a provider brings,
// who wrote (SenderDirectory, in memory), what it asks (the keyword engine,
// reply_decision), for a YES or NO the meetings it may be for (read first,
// so their keys can be named), then the message kept with all its effects
// in one step (InboundStore). The webhook handler only parses and answers.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/core/adapter.hpp"
#include "inbound/inbound_store.hpp"
#include "inbound/reply_decision.hpp"
#include "redis/client.hpp"

namespace orgcast::keywords {
class Engine;
}
namespace orgcast::meetings {
class MeetingStore;
}
namespace orgcast::replies {
class ReplyQueue;
struct AutoReplySettings;
}

namespace orgcast::inbound {

class SenderDirectory;

class InboundPath {
 public:
  /// `keywords` gives the engine in force (the config's words, replaced on
  /// reload). `replies` (may be null: no automatic replies) takes each new
  /// message's automatic reply, if it gets one (replies/auto_reply.hpp).
  using Keywords = std::function<std::shared_ptr<const keywords::Engine>()>;
  InboundPath(std::shared_ptr<const SenderDirectory> senders, Keywords keywords,
              std::shared_ptr<meetings::MeetingStore> meetings, std::shared_ptr<InboundStore> store,
              std::shared_ptr<replies::ReplyQueue> replies = nullptr, std::function<replies::AutoReplySettings()> settings = {},
              std::function<ReportRule()> reports = {});
  /// The messages from the provider account `provider` not seen before, each with what was done.
  boost::asio::awaitable<redis::Result<std::vector<Received>>> receive(std::string provider, std::vector<adapters::InboundMessage> messages);

 private:
  std::shared_ptr<const SenderDirectory> senders_;
  Keywords keywords_;
  std::shared_ptr<meetings::MeetingStore> meetings_;
  std::shared_ptr<InboundStore> store_;
  std::shared_ptr<replies::ReplyQueue> replies_;
  std::function<replies::AutoReplySettings()> settings_;
  std::function<ReportRule()> reports_;  // who may file a daily report (null: the default rule)
};

}  // namespace orgcast::inbound
