#include "api/meeting_notices.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <unordered_set>

#include "api/common.hpp"
#include "broadcast/recipients.hpp"
#include "broadcast/store.hpp"
#include "core/digest.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory/org_index.hpp"
#include "directory_store/watcher.hpp"
#include "meetings/meeting_spec.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// A value kept one per language (as JSON), else as one text.
json::value per_language(const meetings::Meeting& m, const char* json_field, const char* text_field) {
  boost::system::error_code ec;
  auto given = json::parse(m.field(json_field), ec);
  return !ec && given.is_object() ? given : json::value(m.field(text_field));
}

// The summons' channel policy.
json::array summons_channels(const meetings::Meeting& m) {
  boost::system::error_code ec;
  auto channels = json::parse(m.field("channels_json"), ec);
  return !ec && channels.is_array() ? channels.as_array() : json::array{"whatsapp", "sms"};
}

// The mobiles the summons reached on no channel of its policy (ended failed
// or expired). Reads its recipient records: a cost that grows with the summons.
awaitable<redis::Result<std::unordered_set<std::uint64_t>>> not_reached(Context context, std::string summons) {
  std::unordered_set<std::uint64_t> out;
  auto info = co_await context.broadcasts->get(summons);
  if (!info) co_return info.error();
  if (!*info) co_return out;
  // Read only when its counters say someone was not reached, in one pass.
  auto count = [&](const char* state) { auto it = (*info)->counters.find(state); return it == (*info)->counters.end() ? 0 : it->second; };
  if (count("failed") + count("expired") == 0) co_return out;
  std::optional<broadcast::State> every;
  auto rows = co_await context.broadcasts->recipients(summons, (*info)->chunks, every, 0, std::numeric_limits<std::size_t>::max());
  if (!rows) co_return rows.error();
  for (const auto& r : *rows)
    if (r.state.state == broadcast::State::failed || r.state.state == broadcast::State::expired) out.insert(r.contact.mobile);
  co_return out;
}

}  // namespace

awaitable<Queued> message_summoned(Context context, meetings::Meeting meeting, std::vector<std::uint64_t> mobiles, std::string template_id,
                                   broadcast::Store::IdempotencyHold hold, std::vector<std::string> channels_given, SendGate gate) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  std::vector<std::uint32_t> persons;
  for (auto mobile : mobiles)
    if (auto person = index->find_person(mobile)) persons.push_back(*person);
  // Nobody: no broadcast (an empty people list would mean everyone).
  if (persons.empty()) co_return Enqueued{};
  std::sort(persons.begin(), persons.end());
  persons.erase(std::unique(persons.begin(), persons.end()), persons.end());

  const auto messaging = context.messaging();
  const auto* entry = messaging->catalog.find(template_id);
  if (!entry) co_return http::problem(500, "no-template", "Template missing", "the template " + quoted(template_id) + " is not loaded");
  // The meeting's values the template has.
  json::object values;
  const std::pair<const char*, json::value> offered[] = {{"meeting.title", per_language(meeting, "title_json", "title")},
                                                         {"meeting.venue", per_language(meeting, "venue_json", "venue")},
                                                         {"meeting.time", json::value(meeting.field("starts_at"))},
                                                         {"meeting.code", json::value(meeting.field("code"))}};
  for (const auto& [name, value] : offered)
    if (entry->value->variable_index(name) >= 0) values[name] = value;
  json::value channels = json::array(channels_given.begin(), channels_given.end());
  if (channels_given.empty()) channels = summons_channels(meeting);
  // Everyone summoned, wherever their posts are now: a notice may not miss
  // someone who moved since the summons. Its author is the meeting's.
  json::object body{{"audience", json::object{}}, {"template", template_id}, {"variables", std::move(values)}, {"channels", std::move(channels)},
                    {"priority", "urgent"}};
  // A reminder or a move notice is no use once the meeting has started.
  if (template_id != "meeting_cancelled") body["expires_at"] = meeting.field("starts_at");
  json::value request(std::move(body));
  auto parsed = broadcast::parse_spec(request, *index, spec_context(*messaging, std::chrono::system_clock::now()));
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("Cannot message the meeting", *problems);
  auto spec = std::get<broadcast::Spec>(std::move(parsed));
  spec.audience.only_persons = std::move(persons);
  spec.author = meeting.field("author");
  spec.audience_json = json::serialize(json::object{{"meeting", meeting.field("id")}, {"people", spec.audience.only_persons.size()}});
  if (gate) {
    if (auto instead = co_await gate(spec, std::move(request))) co_return std::move(*instead);
  }
  SliceHook no_hook;  // named: GCC 12 mishandles temporaries with destructors inside a co_await
  auto queued = co_await enqueue_broadcast(context, index, std::move(spec), std::move(hold), no_hook);
  // A reply to it (WhatsApp names the message replied to) is for this meeting.
  if (auto* made = std::get_if<Enqueued>(&queued); made && !made->id.empty()) {
    const auto meeting_id = meeting.field("id");  // named: GCC 12 and temporaries inside a co_await
    if (auto kept = co_await context.meetings->sent_for(meeting_id, made->id); !kept)
      context.log->warn("meetings", "a reply to " + made->id + " will not find meeting " + meeting_id + ": " + kept.error().message());
  }
  co_return queued;
}

std::optional<http::Response> meeting_closed(const meetings::Meeting& meeting) {
  const auto id = meeting.field("id");
  if (meeting.field("state") == "cancelled") return http::problem(409, "cancelled", "Meeting cancelled", "meeting " + id + " is cancelled");
  const auto starts = parse_rfc3339(meeting.field("starts_at"));
  if (starts && *starts <= std::chrono::system_clock::now())
    return http::problem(409, "started", "Meeting started", "meeting " + id + " has started; nobody is reminded");
  return std::nullopt;
}

awaitable<Queued> remind_silent(Context context, std::string meeting_id, broadcast::Store::IdempotencyHold hold, Remind who, SendGate gate) {
  auto meeting = co_await context.meetings->get(meeting_id);
  if (!meeting) co_return redis_unavailable(meeting.error().message());
  if (!*meeting) co_return no_meeting(meeting_id);
  if (auto closed = meeting_closed(**meeting)) co_return std::move(*closed);
  auto silent = co_await context.meetings->summoned(meeting_id, true);
  if (!silent) co_return redis_unavailable(silent.error().message());
  // Sent again where it failed, a reminder would fail again: those the
  // summons did not reach are reminded only through the channels it did not try.
  const auto summons = (**meeting).field("summons");  // named: GCC 12 and temporaries inside a co_await
  auto missed = co_await not_reached(context, summons);
  if (!missed) co_return redis_unavailable(missed.error().message());
  const bool reached = who == Remind::silent;
  std::erase_if(*silent, [&](std::uint64_t mobile) { return missed->contains(mobile) == reached; });
  std::vector<std::string> channels;
  if (!reached) {
    const auto tried = summons_channels(**meeting);
    for (const char* channel : {"whatsapp", "sms", "push"})
      if (std::find(tried.begin(), tried.end(), json::value(channel)) == tried.end()) channels.emplace_back(channel);
    if (channels.empty()) co_return Enqueued{};  // every channel was tried: nothing left to try
  }
  const std::string reminder_template = "meeting_reminder";  // named: GCC 12 and temporaries inside a co_await
  co_return co_await message_summoned(context, std::move(**meeting), std::move(*silent), reminder_template, std::move(hold), std::move(channels),
                                      std::move(gate));
}

awaitable<redis::Result<std::size_t>> plan_reminders(Context context, std::string meeting_id, std::string starts_at,
                                                   std::vector<std::string> offsets) {
  std::size_t planned = 0;
  const auto starts = parse_rfc3339(starts_at);
  if (!starts || !context.scheduler) co_return planned;
  for (const auto& text : offsets) {
    const auto offset = meetings::parse_offset(text);
    if (!offset || *starts - *offset <= std::chrono::system_clock::now()) continue;
    const auto item_id = "remind:" + meeting_id + ":" + starts_at + ":" + text;
    const auto payload = json::serialize(json::object{{"meeting", meeting_id}, {"starts_at", starts_at}});
    const std::string kind = "meeting_reminder";  // named: GCC 12 and temporaries inside a co_await
    auto added = co_await context.scheduler->add(item_id, kind, *starts - *offset, payload);
    if (!added) co_return added.error();
    planned += *added;
  }
  co_return planned;
}

awaitable<std::string> run_planned_reminder(Context context, schedule::Item item) {
  boost::system::error_code ec;
  auto payload = json::parse(item.payload, ec);
  const auto* o = !ec ? payload.if_object() : nullptr;
  if (!o || !o->contains("meeting") || !o->at("meeting").is_string()) co_return "";  // not ours to understand: dropped
  const std::string id(o->at("meeting").as_string());
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) co_return "Redis: " + meeting.error().message();
  // Gone, cancelled or moved (the new start has its own items): nothing to do.
  if (!*meeting || (**meeting).field("state") == "cancelled") co_return "";
  if (!o->contains("starts_at") || (**meeting).field("starts_at") != o->at("starts_at").as_string()) co_return "";
  // The item's id is the reminder's Idempotency-Key: run again after a crash, it is sent once.
  broadcast::Store::IdempotencyHold hold{"plan:" + item.id, std::to_string(item.attempts) + ":" + item.id, sha256_hex(item.payload)};
  auto claimed = co_await context.broadcasts->claim_idempotency_key(hold, context.idempotency_lease);
  if (!claimed) co_return "Redis: " + claimed.error().message();
  using Outcome = broadcast::Store::IdempotencyClaim::Outcome;
  if (claimed->outcome == Outcome::done) co_return "";
  if (claimed->outcome != Outcome::claimed) co_return "its reminder is being queued by another run";
  auto queued = co_await remind_silent(context, id, hold);
  if (auto* refused = std::get_if<http::Response>(&queued)) {
    co_await context.broadcasts->release_idempotency_key(hold);
    if (refused->status < 500) co_return "";  // started or cancelled meanwhile: nothing to do
    co_return "not queued: " + refused->body.substr(0, 200);
  }
  if (std::get<Enqueued>(queued).id.empty()) co_await context.broadcasts->release_idempotency_key(hold);  // everyone answered
  co_return "";
}

}  // namespace orgcast::api
