#include "meetings/meeting_store.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/utc_time.hpp"
#include "lua_scripts.hpp"

namespace orgcast::meetings {

namespace {

std::int64_t ms_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

constexpr std::size_t kMostOpenCandidates = 500;  // open meetings looked at for a reply without a code

}  // namespace

MeetingStore::MeetingStore(std::shared_ptr<redis::Client> redis, std::string key_prefix, std::shared_ptr<const Clock> clock)
    : redis_(std::move(redis)), prefix_(std::move(key_prefix)), clock_(clock ? std::move(clock) : system_clock()) {}

bool MeetingStore::is_meeting_id(std::string_view id) {
  if (id.size() < 2 || id.size() > 20 || id[0] != 'm' || id[1] == '0') return false;
  for (std::size_t i = 1; i < id.size(); ++i)
    if (id[i] < '0' || id[i] > '9') return false;
  return true;
}

boost::asio::awaitable<redis::Result<std::pair<std::string, unsigned>>> MeetingStore::create(const MeetingSpec& spec) {
  auto seq = co_await redis_->command(redis::cmd("INCR", key("mt:seq")));
  if (!seq) co_return seq.error();
  if (seq->is_error()) co_return make_error_code(redis::Errc::server_error);
  const auto id = "m" + std::to_string(seq->integer);
  const auto now = clock_->system_now();
  auto args = redis::cmd("EVAL", std::string(lua::create_meeting), "5", key("mt:codes"), key("mt:code-owner"), key("mt:" + id), key("mt:open"),
                         key("mt:by-start"), std::to_string(ms_of(now)), std::to_string(ms_of(spec.ends_at + std::chrono::hours(24 * 30))), id,
                         std::to_string(ms_of(spec.ends_at)), std::to_string(ms_of(spec.starts_at)));
  for (const auto& [field, value] : std::initializer_list<std::pair<const char*, std::string>>{
           {"id", id}, {"title", spec.title}, {"venue", spec.venue}, {"starts_at", spec.starts_at_text}, {"ends_at", spec.ends_at_text},
           {"organiser", spec.organiser}, {"created_at", format_utc(now)}, {"state", "summoning"},
           {"author", spec.author}, {"audience_root", spec.audience_root}}) {
    args.push_back(field);
    args.push_back(value);
  }
  if (!spec.tally_root.empty()) {  // lua/answer.lua tallies answers per unit below it
    args.push_back("tally_root");
    args.push_back(spec.tally_root);
  }
  if (spec.title_given.is_object()) {  // one per language: the acknowledgements read it
    args.push_back("title_json");
    args.push_back(boost::json::serialize(spec.title_given));
  }
  if (spec.venue_given.is_object()) {
    args.push_back("venue_json");
    args.push_back(boost::json::serialize(spec.venue_given));
  }
  if (!spec.reminders_text.empty()) {  // the plan, kept for a move to plan again
    boost::json::array plan;
    for (const auto& r : spec.reminders_text) plan.push_back(boost::json::value(r));
    args.push_back("reminders_json");
    args.push_back(boost::json::serialize(plan));
  }
  if (const auto* channels = spec.summons.if_contains("channels")) {  // reminders and notices go the summons' way
    args.push_back("channels_json");
    args.push_back(boost::json::serialize(*channels));
  }
  auto code = co_await redis_->command(std::move(args));
  if (!code) co_return code.error();
  if (code->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return std::make_pair(id, static_cast<unsigned>(code->integer));
}

boost::asio::awaitable<redis::Result<std::vector<redis::Reply>>> MeetingStore::read_all(std::vector<redis::Args> commands) {
  auto replies = co_await redis_->pipeline(std::move(commands));
  if (!replies) co_return replies.error();
  for (const auto& r : *replies)
    if (r.is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return std::move(*replies);
}

boost::asio::awaitable<redis::Result<std::size_t>> MeetingStore::add_summoned(std::string id, std::vector<std::uint64_t> mobiles,
                                                                              std::map<std::string, long long> per_unit) {
  if (mobiles.empty()) co_return std::size_t{0};
  std::vector<redis::Args> writes;
  auto args = redis::cmd("SADD", key("mt:" + id + ":summoned"));
  for (auto m : mobiles) args.push_back(std::to_string(m));
  writes.push_back(std::move(args));
  // A person is in one slice only (the resolution has each person once): counted once.
  for (const auto& [unit, n] : per_unit) writes.push_back(redis::cmd("HINCRBY", key("mt:" + id + ":units"), unit + "|summoned", std::to_string(n)));
  auto added = co_await read_all(std::move(writes));
  if (!added) co_return added.error();
  co_return static_cast<std::size_t>((*added)[0].integer);
}

boost::asio::awaitable<redis::Result<std::size_t>> MeetingStore::sent_for(std::string id, std::string broadcast) {
  std::vector<redis::Args> write{redis::cmd("HSET", key("mt:by-broadcast"), std::move(broadcast), std::move(id))};  // named: GCC 12 and co_await
  auto set = co_await read_all(std::move(write));
  if (!set) co_return set.error();
  co_return std::size_t{1};
}

boost::asio::awaitable<redis::Result<std::string>> MeetingStore::meeting_of_message(std::string provider, std::string message_id) {
  // pm:<provider>:<message id> is the dispatcher's mapping to "<broadcast>:<chunk>:...".
  std::vector<redis::Args> read_ref{redis::cmd("GET", key("pm:" + provider + ":" + message_id))};
  auto ref = co_await read_all(std::move(read_ref));
  if (!ref) co_return ref.error();
  if ((*ref)[0].is_nil()) co_return std::string();
  const auto broadcast = (*ref)[0].str.substr(0, (*ref)[0].str.find(':'));
  std::vector<redis::Args> read_meeting{redis::cmd("HGET", key("mt:by-broadcast"), broadcast)};
  auto meeting = co_await read_all(std::move(read_meeting));
  if (!meeting) co_return meeting.error();
  if ((*meeting)[0].is_nil()) co_return std::string();
  // Only while it is open: a reply to a cancelled or ended meeting's message
  // is read like any other (a code, or the person's open summons).
  const auto id = (*meeting)[0].str;
  std::vector<redis::Args> read_open{redis::cmd("ZSCORE", key("mt:open"), id)};
  auto open = co_await read_all(std::move(read_open));
  if (!open) co_return open.error();
  const bool is_open = !(*open)[0].is_nil() && std::strtoll((*open)[0].str.c_str(), nullptr, 10) >= ms_of(clock_->system_now());
  co_return is_open ? id : std::string();
}

boost::asio::awaitable<redis::Result<std::size_t>> MeetingStore::summons_failed(std::string id, unsigned code) {
  std::vector<redis::Args> undo;
  undo.push_back(redis::cmd("HSET", key("mt:" + id), "state", "failed"));
  undo.push_back(redis::cmd("ZREM", key("mt:open"), id));
  undo.push_back(redis::cmd("DEL", key("mt:" + id + ":summoned")));
  undo.push_back(redis::cmd("ZREM", key("mt:codes"), std::to_string(code)));
  undo.push_back(redis::cmd("HDEL", key("mt:code-owner"), std::to_string(code)));
  auto done = co_await redis_->pipeline(std::move(undo));
  if (!done) co_return done.error();
  co_return std::size_t{1};
}

boost::asio::awaitable<redis::Result<std::size_t>> MeetingStore::summons_queued(std::string id, std::string summons) {
  std::vector<redis::Args> marks;
  marks.push_back(redis::cmd("HSET", key("mt:" + id), "state", "summoned", "summons", summons));
  marks.push_back(redis::cmd("HSET", key("mt:by-summons"), summons, id));  // an Idempotency-Key's replay finds the meeting
  marks.push_back(redis::cmd("HSET", key("mt:by-broadcast"), summons, id));  // a reply to it finds the meeting
  auto set = co_await read_all(std::move(marks));
  if (!set) co_return set.error();
  co_return std::size_t{1};
}

boost::asio::awaitable<redis::Result<std::string>> MeetingStore::meeting_of_summons(std::string summons) {
  auto read = redis::cmd("HGET", key("mt:by-summons"), std::move(summons));
  auto got = co_await redis_->command(std::move(read));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return got->is_nil() ? std::string() : got->str;
}

namespace {

// The reads of one meeting: its fields, how many were summoned, its tally, its tally per unit.
constexpr std::size_t kReadsPerMeeting = 4;
void add_reads(std::vector<redis::Args>& reads, const std::string& meeting_key) {
  reads.push_back(redis::cmd("HGETALL", meeting_key));
  reads.push_back(redis::cmd("SCARD", meeting_key + ":summoned"));
  reads.push_back(redis::cmd("HMGET", meeting_key + ":tally", "yes", "no"));
  reads.push_back(redis::cmd("HGETALL", meeting_key + ":units"));
}

// A meeting from its replies (add_reads); nullopt when it does not exist.
std::optional<Meeting> meeting_of(const redis::Reply* r) {
  const auto& fields = r[0].elements;
  if (fields.empty()) return std::nullopt;
  Meeting m;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) m.fields[fields[i].str] = fields[i + 1].str;
  m.summoned = r[1].integer;
  const auto& tally = r[2].elements;
  m.yes = tally.size() > 0 && !tally[0].is_nil() ? tally[0].as_integer() : 0;
  m.no = tally.size() > 1 && !tally[1].is_nil() ? tally[1].as_integer() : 0;
  const auto& units = r[3].elements;
  for (std::size_t i = 0; i + 1 < units.size(); i += 2) m.by_unit[units[i].str] = units[i + 1].as_integer();
  return m;
}

}  // namespace

boost::asio::awaitable<redis::Result<std::vector<Meeting>>> MeetingStore::read(std::vector<std::string> ids) {
  std::vector<Meeting> out;
  if (ids.empty()) co_return out;
  std::vector<redis::Args> reads;
  for (const auto& id : ids) add_reads(reads, key("mt:" + id));
  auto replies = co_await read_all(std::move(reads));  // every meeting in one round trip
  if (!replies) co_return replies.error();
  for (std::size_t n = 0; n < ids.size(); ++n)
    if (auto m = meeting_of(replies->data() + kReadsPerMeeting * n)) out.push_back(std::move(*m));
  co_return out;
}

boost::asio::awaitable<redis::Result<std::optional<Meeting>>> MeetingStore::get(std::string id) {
  if (!is_meeting_id(id)) co_return std::optional<Meeting>{};
  std::vector<std::string> one{std::move(id)};
  auto found = co_await read(std::move(one));
  if (!found) co_return found.error();
  if (found->empty()) co_return std::optional<Meeting>{};
  co_return std::optional<Meeting>(std::move(found->front()));
}

boost::asio::awaitable<redis::Result<std::vector<Meeting>>> MeetingStore::starting_between(std::chrono::system_clock::time_point from,
                                                                                         std::chrono::system_clock::time_point to) {
  auto ids = co_await redis_->command(redis::cmd("ZRANGEBYSCORE", key("mt:by-start"), std::to_string(ms_of(from)),
                                                 "(" + std::to_string(ms_of(to)), "LIMIT", "0", "1000"));
  if (!ids) co_return ids.error();
  if (ids->is_error()) co_return make_error_code(redis::Errc::server_error);
  std::vector<std::string> found;
  for (auto& id : ids->elements) found.push_back(std::move(id.str));
  co_return co_await read(std::move(found));
}

boost::asio::awaitable<redis::Result<MeetingStore::Candidates>> MeetingStore::candidates(std::optional<unsigned> code) {
  Candidates out;
  if (code) {
    auto owner = co_await redis_->command(redis::cmd("HGET", key("mt:code-owner"), std::to_string(*code)));
    if (!owner) co_return owner.error();
    if (owner->is_error()) co_return make_error_code(redis::Errc::server_error);
    if (owner->is_nil()) out.outcome = "unknown_code";
    else out.ids.push_back(owner->str);
    co_return out;
  }
  const auto now = std::to_string(ms_of(clock_->system_now()));
  auto open = co_await redis_->command(redis::cmd("ZRANGEBYSCORE", key("mt:open"), now, "+inf", "LIMIT", "0", std::to_string(kMostOpenCandidates)));
  if (!open) co_return open.error();
  if (open->is_error()) co_return make_error_code(redis::Errc::server_error);
  for (const auto& id : open->elements) out.ids.push_back(id.str);
  if (out.ids.empty()) out.outcome = "not_summoned";
  co_return out;
}

void MeetingStore::append_answer_keys(redis::Args& keys, const std::vector<std::string>& ids) const {
  for (const auto& id : ids)
    for (const char* part : {":summoned", ":answers", ":tally", ":log", "", ":units"}) keys.push_back(key("mt:" + id + part));
}

boost::asio::awaitable<redis::Result<std::vector<std::uint64_t>>> MeetingStore::summoned(std::string id, bool silent_only) {
  auto all = co_await answers(std::move(id));
  if (!all) co_return all.error();
  std::vector<std::uint64_t> out;
  for (const auto& a : *all)
    if (!silent_only || a.answer.empty()) out.push_back(a.mobile);
  co_return out;
}

boost::asio::awaitable<redis::Result<std::vector<MeetingStore::Answer>>> MeetingStore::answers(std::string id) {
  std::vector<redis::Args> reads;
  reads.push_back(redis::cmd("SMEMBERS", key("mt:" + id + ":summoned")));
  reads.push_back(redis::cmd("HGETALL", key("mt:" + id + ":answers")));
  auto replies = co_await read_all(std::move(reads));
  if (!replies) co_return replies.error();
  std::unordered_map<std::string_view, std::string_view> given;  // mobile -> "yes|<at>|<channel>"
  const auto& pairs = (*replies)[1].elements;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) given.emplace(pairs[i].str, pairs[i + 1].str);
  std::vector<Answer> out;
  for (const auto& s : (*replies)[0].elements) {
    Answer a;
    a.mobile = std::strtoull(s.str.c_str(), nullptr, 10);
    if (auto it = given.find(s.str); it != given.end()) {
      const auto v = it->second;
      const auto first = v.find('|'), second = v.find('|', first + 1);
      a.answer = std::string(v.substr(0, first));
      if (first != std::string_view::npos) a.at = std::string(v.substr(first + 1, second - first - 1));
      if (second != std::string_view::npos) a.channel = std::string(v.substr(second + 1, v.find('|', second + 1) - second - 1));
    }
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const Answer& x, const Answer& y) { return x.mobile < y.mobile; });
  co_return out;
}

boost::asio::awaitable<redis::Result<std::string>> MeetingStore::answer_of(std::string id, std::uint64_t mobile) {
  auto read = redis::cmd("HGET", key("mt:" + id + ":answers"), std::to_string(mobile));
  auto got = co_await redis_->command(std::move(read));
  if (!got) co_return got.error();
  if (got->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return got->is_nil() ? std::string() : got->str.substr(0, got->str.find('|'));
}

boost::asio::awaitable<redis::Result<std::size_t>> MeetingStore::record_attendance(std::string id, std::vector<std::uint64_t> mobiles) {
  std::vector<redis::Args> writes;
  writes.push_back(redis::cmd("HSET", key("mt:" + id), "attendance_at", format_utc(clock_->system_now())));
  auto add = redis::cmd("SADD", key("mt:" + id + ":came"));
  for (auto m : mobiles) add.push_back(std::to_string(m));
  if (add.size() > 2) writes.push_back(std::move(add));
  auto done = co_await read_all(std::move(writes));
  if (!done) co_return done.error();
  co_return done->size() > 1 ? static_cast<std::size_t>((*done)[1].integer) : std::size_t{0};
}

boost::asio::awaitable<redis::Result<MeetingStore::Attendance>> MeetingStore::attendance(std::string id) {
  std::vector<redis::Args> reads;
  reads.push_back(redis::cmd("HEXISTS", key("mt:" + id), "attendance_at"));
  reads.push_back(redis::cmd("SMEMBERS", key("mt:" + id + ":came")));
  reads.push_back(redis::cmd("SMEMBERS", key("mt:" + id + ":summoned")));
  reads.push_back(redis::cmd("HGETALL", key("mt:" + id + ":answers")));
  auto replies = co_await read_all(std::move(reads));
  if (!replies) co_return replies.error();
  Attendance a;
  a.recorded = (*replies)[0].integer == 1;
  std::unordered_set<std::string_view> summoned, said_yes;
  for (const auto& s : (*replies)[2].elements) summoned.insert(s.str);
  const auto& pairs = (*replies)[3].elements;
  std::unordered_set<std::string_view> answered;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    answered.insert(pairs[i].str);
    if (pairs[i + 1].str.starts_with("yes|")) said_yes.insert(pairs[i].str);
  }
  a.summoned = static_cast<long long>(summoned.size());
  for (const auto& c : (*replies)[1].elements) {
    ++a.came;
    if (!summoned.contains(c.str)) ++a.came_unsummoned;
    else if (said_yes.contains(c.str)) ++a.yes_and_came;
    else if (!answered.contains(c.str)) ++a.came_without_answering;
  }
  a.yes_but_absent = static_cast<long long>(said_yes.size()) - a.yes_and_came;
  co_return a;
}

boost::asio::awaitable<redis::Result<std::vector<MeetingStore::Part>>> MeetingStore::parts_of(std::uint64_t mobile, std::vector<std::string> meetings) {
  const auto who = std::to_string(mobile);
  std::vector<redis::Args> reads;
  for (const auto& id : meetings) {
    reads.push_back(redis::cmd("SISMEMBER", key("mt:" + id + ":summoned"), who));
    reads.push_back(redis::cmd("SISMEMBER", key("mt:" + id + ":came"), who));
    reads.push_back(redis::cmd("HGET", key("mt:" + id + ":answers"), who));
    reads.push_back(redis::cmd("HEXISTS", key("mt:" + id), "attendance_at"));
  }
  std::vector<Part> out;
  if (reads.empty()) co_return out;
  auto replies = co_await redis_->pipeline(std::move(reads));
  if (!replies) co_return replies.error();
  for (std::size_t n = 0; n < meetings.size(); ++n) {
    const auto* r = replies->data() + 4 * n;
    if (r[0].is_error() || r[1].is_error() || r[2].is_error() || r[3].is_error()) co_return make_error_code(redis::Errc::server_error);
    Part p{meetings[n], r[0].integer == 1, r[1].integer == 1, r[3].integer == 1, ""};
    if (!r[2].is_nil()) p.answer = r[2].str.substr(0, r[2].str.find('|'));
    if (p.summoned || p.came) out.push_back(std::move(p));
  }
  co_return out;
}

boost::asio::awaitable<redis::Result<std::size_t>> MeetingStore::cancel(std::string id, std::string reason) {
  auto args = redis::cmd("EVAL", std::string(lua::cancel_meeting), "4", key("mt:" + id), key("mt:open"), key("mt:codes"), key("mt:code-owner"),
                         format_utc(clock_->system_now()), std::move(reason), std::to_string(ms_of(clock_->system_now())));
  auto done = co_await redis_->command(std::move(args));
  if (!done) co_return done.error();
  if (done->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return static_cast<std::size_t>(done->integer);
}

boost::asio::awaitable<redis::Result<std::size_t>> MeetingStore::reschedule(std::string id, const Reschedule& change) {
  auto args = redis::cmd("EVAL", std::string(lua::reschedule_meeting), "5", key("mt:" + id), key("mt:open"), key("mt:by-start"), key("mt:codes"),
                         key("mt:code-owner"), id, change.starts_at_text, std::to_string(ms_of(change.starts_at)), change.ends_at_text,
                         std::to_string(ms_of(change.ends_at)), std::to_string(ms_of(change.ends_at + std::chrono::hours(24 * 30))), change.venue,
                         change.venue_given.is_object() ? boost::json::serialize(change.venue_given) : std::string());
  auto done = co_await redis_->command(std::move(args));
  if (!done) co_return done.error();
  if (done->is_error()) co_return make_error_code(redis::Errc::server_error);
  co_return static_cast<std::size_t>(done->integer);
}

}  // namespace orgcast::meetings
