#include "inbound/inbound_path.hpp"

#include <map>
#include <optional>

#include "directory/phone.hpp"
#include "inbound/reply_decision.hpp"
#include "inbound/sender_directory.hpp"
#include "keywords/engine.hpp"
#include "meetings/meeting_store.hpp"
#include "replies/auto_reply.hpp"
#include "replies/reply_queue.hpp"

namespace orgcast::inbound {

InboundPath::InboundPath(std::shared_ptr<const SenderDirectory> senders, Keywords keywords,
                         std::shared_ptr<meetings::MeetingStore> meetings, std::shared_ptr<InboundStore> store,
                         std::shared_ptr<replies::ReplyQueue> replies, std::function<replies::AutoReplySettings()> settings,
                         std::function<ReportRule()> reports)
    : senders_(std::move(senders)), keywords_(std::move(keywords)), meetings_(std::move(meetings)), store_(std::move(store)),
      replies_(std::move(replies)), settings_(std::move(settings)), reports_(std::move(reports)) {}

boost::asio::awaitable<redis::Result<std::vector<Received>>> InboundPath::receive(std::string provider,
                                                                                   std::vector<adapters::InboundMessage> messages) {
  std::vector<Received> received;
  const auto report_rule = reports_ ? reports_() : ReportRule{};
  const auto engine = keywords_();
  for (auto& m : messages) {
    const auto number = phone::normalise_indian_mobile(m.from).value_or(0);
    auto decision = decide(*engine, senders_->find(m.from), number, m.text, report_rule);
    received.push_back({std::move(m), std::move(decision)});
  }
  // A YES or NO is recorded for its meeting in the step that keeps it: the
  // meetings it may be for are read first (their keys go in the script's
  // KEYS), once per code in a batch (a webhook of 100 answers reads the open
  // meetings once, not 100 times).
  std::map<std::optional<unsigned>, meetings::MeetingStore::Candidates> read;
  for (auto& r : received) {
    if (r.decision.outcome != "answer") continue;
    // Without a code, a reply that names the message it answers (WhatsApp's context) is for that meeting.
    redis::Result<meetings::MeetingStore::Candidates> candidates = meetings::MeetingStore::Candidates{};
    if (!r.decision.reading.code && !r.message.replied_to.empty()) {
      auto meeting = co_await meetings_->meeting_of_message(provider, r.message.replied_to);
      if (!meeting) co_return meeting.error();
      if (!meeting->empty()) candidates->ids.push_back(*meeting);
    }
    if (candidates->ids.empty()) {
      const auto code = r.decision.reading.code;
      if (auto it = read.find(code); it != read.end()) {
        candidates = it->second;
      } else {
        candidates = co_await meetings_->candidates(code);
        if (!candidates) co_return candidates.error();  // nothing kept yet: the provider sends it again
        read.emplace(code, *candidates);
      }
    }
    r.answer = r.decision.reading.intent == keywords::Reading::Intent::yes ? "yes" : "no";
    r.answered = candidates->outcome;
    r.answer_candidates = std::move(candidates->ids);
    meetings_->append_answer_keys(r.answer_keys, r.answer_candidates);
  }
  auto stored = co_await store_->store(std::move(provider), std::move(received));
  if (!stored || !replies_) co_return stored;
  // Each new message's automatic reply, after it is kept: a reply lost to a
  // crash in between is a courtesy lost, never an answer.
  const auto settings = settings_ ? settings_() : replies::AutoReplySettings{};
  std::vector<std::pair<replies::AutoReply, std::string>> offers;
  std::vector<std::size_t> offered_for;
  for (std::size_t n = 0; n < stored->size(); ++n)
    if (auto reply = replies::auto_reply_for((*stored)[n], settings)) {
      (*stored)[n].auto_reply = reply->kind;
      offers.emplace_back(std::move(*reply), (*stored)[n].message.text);
      offered_for.push_back(n);
    }
  auto outcomes = co_await replies_->offer(std::move(offers));
  for (std::size_t i = 0; i < offered_for.size(); ++i)
    (*stored)[offered_for[i]].auto_reply_outcome = outcomes && i < outcomes->size() ? (*outcomes)[i] : "failed";
  co_return stored;
}

}  // namespace orgcast::inbound
