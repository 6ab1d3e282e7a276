#include "inbound/inbound_path.hpp"

#include "directory/phone.hpp"
#include "inbound/reply_decision.hpp"
#include "inbound/sender_directory.hpp"
#include "keywords/engine.hpp"
#include "meetings/meeting_store.hpp"

namespace orgcast::inbound {

InboundPath::InboundPath(std::shared_ptr<const SenderDirectory> senders, std::shared_ptr<const keywords::Engine> keywords,
                         std::shared_ptr<meetings::MeetingStore> meetings, std::shared_ptr<InboundStore> store)
    : senders_(std::move(senders)), keywords_(std::move(keywords)), meetings_(std::move(meetings)), store_(std::move(store)) {}

boost::asio::awaitable<redis::Result<std::vector<Received>>> InboundPath::receive(std::string provider,
                                                                                   std::vector<adapters::InboundMessage> messages) {
  std::vector<Received> received;
  for (auto& m : messages) {
    const auto number = phone::normalise_indian_mobile(m.from).value_or(0);
    auto decision = decide(*keywords_, senders_->find(m.from), number, m.text);
    received.push_back({std::move(m), std::move(decision)});
  }
  // A YES or NO is recorded for its meeting in the step that keeps it: the
  // meetings it may be for are read first (their keys go in the script's KEYS).
  for (auto& r : received) {
    if (r.decision.outcome != "answer") continue;
    auto candidates = co_await meetings_->candidates(r.decision.reading.code);
    if (!candidates) co_return candidates.error();  // nothing kept yet: the provider sends it again
    r.answer = r.decision.reading.intent == keywords::Reading::Intent::yes ? "yes" : "no";
    r.answered = candidates->outcome;
    r.answer_candidates = std::move(candidates->ids);
    meetings_->append_answer_keys(r.answer_keys, r.answer_candidates);
  }
  co_return co_await store_->store(std::move(provider), std::move(received));
}

}  // namespace orgcast::inbound
