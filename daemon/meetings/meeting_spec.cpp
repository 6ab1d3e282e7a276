#include "meetings/meeting_spec.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/text.hpp"
#include "core/utc_time.hpp"

namespace orgcast::meetings {

namespace json = boost::json;
using directory::SelectorError;

namespace {

using TimePoint = std::chrono::system_clock::time_point;

// Reads a meeting body's fields, noting each problem at its place.
class Fields {
 public:
  Fields(const json::object& o, std::vector<SelectorError>& errors) : o_(o), errors_(errors) {}

  void text(const char* key, std::string& out) {
    const auto* v = o_.if_contains(key);
    if (!v) return errors_.push_back({std::string("/") + key, "missing"});
    if (!v->is_string() || trim(v->as_string()).empty()) return errors_.push_back({std::string("/") + key, "expected a non-empty string"});
    if (characters(v->as_string()) > 200) return errors_.push_back({std::string("/") + key, "at most 200 characters"});
    out = std::string(trim(v->as_string()));
  }
  // One text, or one per language ({"hi": ..., "en": ...}), each read by
  // its recipients in their language (the template checks each).
  void text_or_per_language(const char* key, std::string& shown, json::value& given) {
    const auto* v = o_.if_contains(key);
    if (!v || !v->is_object()) {
      text(key, shown);
      given = json::value(shown);
      return;
    }
    for (const auto& [lang, value] : v->as_object()) {
      if (!value.is_string() || trim(value.as_string()).empty() || characters(value.as_string()) > 200)
        errors_.push_back({std::string("/") + key + "/" + std::string(lang), "expected a non-empty string of at most 200 characters"});
      else if (shown.empty())
        shown = std::string(trim(value.as_string()));  // shown to the office: the first language's
    }
    if (v->as_object().empty()) errors_.push_back({std::string("/") + key, "give at least one language's text"});
    given = *v;
  }
  std::optional<TimePoint> time(const char* key, std::string& as_given) {
    std::string t;
    text(key, t);
    if (t.empty()) return std::nullopt;
    auto parsed = parse_rfc3339(t);
    if (!parsed) errors_.push_back({std::string("/") + key, "expected " + std::string(kRfc3339Expected) + ", not " + quoted_input(t)});
    as_given = t;
    return parsed;
  }
  // A meeting starts within the next year, not in the past, and lasts at most 7 days.
  void check_times(std::optional<TimePoint> starts, std::optional<TimePoint> ends, TimePoint now) {
    if (starts && *starts < now - std::chrono::minutes(5)) errors_.push_back({"/starts_at", "is in the past"});
    if (starts && ends && *ends <= *starts) errors_.push_back({"/ends_at", "must be after starts_at"});
    if (starts && *starts > now + std::chrono::hours(24 * 365)) errors_.push_back({"/starts_at", "more than a year (365 days) ahead"});
    if (starts && ends && *ends > *starts + std::chrono::hours(24 * 7)) errors_.push_back({"/ends_at", "a meeting lasts at most 7 days"});
  }

 private:
  const json::object& o_;
  std::vector<SelectorError>& errors_;
};

}  // namespace

std::variant<MeetingSpec, std::vector<SelectorError>> parse_meeting(const json::value& body, const directory::OrgIndex& index,
                                                                     std::chrono::system_clock::time_point now) {
  std::vector<SelectorError> errors;
  const auto* o = body.if_object();
  if (!o) return std::vector<SelectorError>{{"", "the body must be a JSON object"}};
  directory::reject_unknown_keys(*o, {"title", "venue", "starts_at", "ends_at", "organiser", "audience", "channels", "priority", "summons", "reminders"}, "",
                                 errors);
  MeetingSpec m;
  Fields fields(*o, errors);
  fields.text_or_per_language("title", m.title, m.title_given);
  fields.text_or_per_language("venue", m.venue, m.venue_given);
  auto starts = fields.time("starts_at", m.starts_at_text), ends = fields.time("ends_at", m.ends_at_text);
  fields.check_times(starts, ends, now);
  if (starts) m.starts_at = *starts;
  if (ends) m.ends_at = *ends;
  if (const auto* plan = o->if_contains("reminders")) {
    const auto* items = plan->if_array();
    if (!items || items->size() > 5) errors.push_back({"/reminders", "expected a list of at most 5 offsets before the start, e.g. [\"24h\", \"2h\"]"});
    for (std::size_t i = 0; items && i < items->size() && i < 5; ++i) {
      const auto* text = (*items)[i].if_string();
      const auto offset = text ? parse_offset(*text) : std::nullopt;
      const std::string at = "/reminders/" + std::to_string(i);
      if (!offset) errors.push_back({at, "expected hours or minutes before the start, such as \"24h\" or \"90m\" (at most 30 days)"});
      else if (starts && *starts - *offset <= now) errors.push_back({at, "would be due before now"});
      else if (std::find(m.reminders.begin(), m.reminders.end(), *offset) != m.reminders.end()) errors.push_back({at, "the same time as another reminder: each person would get it twice"});
      else m.reminders.push_back(*offset), m.reminders_text.emplace_back(*text);
    }
  }
  std::string organiser;
  fields.text("organiser", organiser);
  if (!organiser.empty() && index.units().find(organiser) == directory::kNoUnit)
    errors.push_back({"/organiser", "no unit " + quoted_input(organiser) + " in the directory"});
  m.organiser = organiser;
  if (!errors.empty()) return errors;

  // The summons, as a broadcast: it expires when the meeting starts.
  m.summons["audience"] = o->contains("audience") ? o->at("audience") : json::value(json::object{{"units", json::array{json::value(organiser)}}});
  m.summons["template"] = o->contains("summons") ? o->at("summons") : json::value("meeting_summons");
  // The code is the meeting's, given when it is made (with_code); the
  // widest one stands in meanwhile, so lengths are checked as sent.
  m.summons["variables"] = json::object{
      {"meeting.title", m.title_given}, {"meeting.venue", m.venue_given}, {"meeting.time", m.starts_at_text}, {"meeting.code", "999"}};
  m.summons["channels"] = o->contains("channels") ? o->at("channels") : json::value(json::array{"whatsapp", "sms"});
  if (o->contains("priority")) m.summons["priority"] = o->at("priority");
  m.summons["expires_at"] = m.starts_at_text;
  return m;
}

std::variant<Reschedule, std::vector<SelectorError>> parse_reschedule(const json::value& body, const std::string& starts_at,
                                                                       const std::string& ends_at, std::chrono::system_clock::time_point now) {
  std::vector<SelectorError> errors;
  const auto* o = body.if_object();
  if (!o) return std::vector<SelectorError>{{"", "the body must be a JSON object"}};
  directory::reject_unknown_keys(*o, {"starts_at", "ends_at", "venue"}, "", errors);
  if (!o->contains("starts_at") && !o->contains("ends_at") && !o->contains("venue"))
    errors.push_back({"", "give what changes: starts_at, ends_at, venue"});
  Reschedule r;
  Fields fields(*o, errors);
  r.starts_at_text = starts_at;
  r.ends_at_text = ends_at;
  auto starts = o->contains("starts_at") ? fields.time("starts_at", r.starts_at_text) : parse_rfc3339(starts_at);
  auto ends = o->contains("ends_at") ? fields.time("ends_at", r.ends_at_text) : parse_rfc3339(ends_at);
  // Moved without a new end: it keeps its length.
  if (o->contains("starts_at") && !o->contains("ends_at") && starts) {
    const auto old_starts = parse_rfc3339(starts_at);
    if (old_starts && ends) {
      ends = *starts + (*ends - *old_starts);
      r.ends_at_text = format_utc(*ends);
    }
  }
  fields.check_times(starts, ends, now);
  if (o->contains("venue")) fields.text_or_per_language("venue", r.venue, r.venue_given);
  if (!errors.empty()) return errors;
  r.starts_at = *starts;
  r.ends_at = *ends;
  return r;
}

std::optional<std::chrono::minutes> parse_offset(std::string_view text) {
  if (text.size() < 2 || text.size() > 5 || (text.back() != 'h' && text.back() != 'm')) return std::nullopt;
  long n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  const auto minutes = std::chrono::minutes(text.back() == 'h' ? n * 60 : n);
  if (minutes.count() < 1 || minutes > std::chrono::hours(24 * 30)) return std::nullopt;
  return minutes;
}

void with_code(MeetingSpec& m, unsigned code) { m.summons["variables"].as_object()["meeting.code"] = std::to_string(code); }

SelectorError in_meeting_terms(SelectorError e) {
  const std::pair<const char*, const char*> moved[] = {{"/template", "/summons"},
                                                       {"/variables/meeting.title", "/title"},
                                                       {"/variables/meeting.venue", "/venue"},
                                                       {"/variables/meeting.time", "/starts_at"},
                                                       {"/expires_at", "/starts_at"}};
  for (const auto& [from, to] : moved)
    if (e.pointer.rfind(from, 0) == 0) {
      e.pointer = to + e.pointer.substr(std::string_view(from).size());
      break;
    }
  return e;
}

}  // namespace orgcast::meetings
