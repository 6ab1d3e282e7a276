#include "replies/auto_reply.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <boost/json.hpp>

#include "keywords/normalise.hpp"

namespace orgcast::replies {

namespace json = boost::json;

bool looks_automatic(std::string_view text) {
  // Matched on the normalised text (case folded, punctuation dropped), anywhere in it.
  static constexpr std::array<std::string_view, 9> kMarkers = {
      "auto reply", "autoreply", "auto response", "automatic reply", "out of office",
      "this is an automated", "do not reply", "स्वचालित संदेश", "स्वचालित उत्तर"};
  const auto normal = keywords::normalise(text);
  return std::any_of(kMarkers.begin(), kMarkers.end(), [&](std::string_view m) { return normal.find(m) != std::string::npos; });
}

std::optional<AutoReply> auto_reply_for(const inbound::Received& r, const AutoReplySettings& settings) {
  const auto& d = r.decision;
  // (An answer by the reply link is confirmed by the page itself.)
  if (d.mobile == 0 || !r.message.via.empty() || looks_automatic(r.message.text)) return std::nullopt;
  AutoReply reply;
  reply.channel = adapters::name(r.message.channel);
  reply.mobile = d.mobile;
  const bool acknowledging = reply.channel != "sms" || settings.sms_acknowledgements;
  if (d.outcome == "opted_out" || d.outcome == "opted_in") {
    if (!acknowledging) return std::nullopt;
    reply.kind = d.outcome == "opted_out" ? "opt_out_ack" : "opt_in_ack";
  } else if (d.outcome == "answer" && r.answered == "answered") {
    if (!acknowledging) return std::nullopt;
    reply.kind = "rsvp_ack";
    reply.answer = r.answer;
    reply.meetings = r.answered_meetings;
  } else if (d.outcome == "answer" && r.answered == "several") {
    reply.kind = "which_meeting";
    reply.meetings = r.answered_meetings;
  } else if (d.outcome == "help") {
    reply.kind = "help";
  } else if (d.outcome == "unrecognised" || d.outcome == "answer") {
    // An answer for no meeting of theirs (not summoned, an unknown code), or no keyword at all.
    reply.kind = "help_once";
  } else {
    return std::nullopt;  // for_a_person, unknown_sender, report
  }
  return reply;
}

std::vector<ReplyGroup> group_replies(const std::vector<std::pair<AutoReply, std::string>>& replies) {
  std::vector<ReplyGroup> groups;
  std::map<std::string, std::size_t> by_key;
  for (const auto& [reply, queued] : replies) {
    std::string key = reply.kind + "|" + reply.channel + "|" + reply.answer;
    for (const auto& m : reply.meetings) key += "|" + m;
    auto [it, fresh] = by_key.emplace(key, groups.size());
    if (fresh) groups.push_back({reply.kind, reply.channel, reply.answer, reply.meetings, {}, {}});
    auto& group = groups[it->second];
    if (std::find(group.mobiles.begin(), group.mobiles.end(), reply.mobile) == group.mobiles.end()) group.mobiles.push_back(reply.mobile);
    group.queued.push_back(queued);
  }
  return groups;
}

std::string template_of(std::string_view kind) {
  if (kind == "help" || kind == "help_once") return "help_reply";
  return std::string(kind);  // rsvp_ack, which_meeting, opt_out_ack, opt_in_ack
}

std::string to_json(const AutoReply& reply) {
  json::array meetings;
  for (const auto& m : reply.meetings) meetings.push_back(json::value(m));
  return json::serialize(json::object{{"kind", reply.kind},
                                      {"channel", reply.channel},
                                      {"mobile", std::to_string(reply.mobile)},
                                      {"answer", reply.answer},
                                      {"meetings", std::move(meetings)}});
}

std::optional<AutoReply> from_json(std::string_view text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  const auto* o = !ec ? value.if_object() : nullptr;
  if (!o) return std::nullopt;
  auto string = [&](const char* key) {
    const auto* v = o->if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  AutoReply reply;
  reply.kind = string("kind");
  reply.channel = string("channel");
  reply.answer = string("answer");
  try {
    reply.mobile = std::stoull(string("mobile"));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (const auto* m = o->if_contains("meetings"); m && m->is_array())
    for (const auto& id : m->as_array())
      if (id.is_string()) reply.meetings.emplace_back(id.as_string());
  if (reply.kind.empty() || reply.channel.empty()) return std::nullopt;
  return reply;
}

}  // namespace orgcast::replies
