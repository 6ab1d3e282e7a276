#include "replies/reply_lane.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <map>

#include "broadcast/keys.hpp"
#include "broadcast/spec.hpp"
#include "directory/org_index.hpp"
#include "meetings/meeting_store.hpp"
#include "replies/auto_reply.hpp"

namespace orgcast::replies {

namespace asio = boost::asio;
namespace json = boost::json;

ReplyLane::ReplyLane(asio::any_io_executor executor, std::shared_ptr<redis::Client> redis, std::shared_ptr<meetings::MeetingStore> meetings,
                     std::function<std::shared_ptr<const directory::OrgIndex>()> index, Send send, Options options, const Log& log)
    : executor_(std::move(executor)), redis_(std::move(redis)), meetings_(std::move(meetings)), index_(std::move(index)),
      send_(std::move(send)), options_(std::move(options)), log_(log) {}

void ReplyLane::start() { asio::co_spawn(executor_, run(shared_from_this()), asio::detached); }

asio::awaitable<void> ReplyLane::run(std::shared_ptr<ReplyLane>) {
  asio::steady_timer timer(executor_);
  while (!stopping_) {
    std::size_t taken = 0;
    if (redis_->connected()) {
      try {
        taken = co_await send_batch();
      } catch (const std::exception& e) {
        log_.error("replies", std::string("reply lane failed: ") + e.what());
      }
    }
    if (taken >= options_.batch) continue;  // more waiting: at once
    timer.expires_after(options_.interval);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

namespace {

// The values a group's template is given.
json::object variables_for(const ReplyGroup& group, const std::map<std::string, meetings::Meeting>& meetings) {
  auto field = [&](const std::string& id, const char* name) -> std::string {
    auto m = meetings.find(id);
    if (m == meetings.end()) return {};
    auto f = m->second.fields.find(name);
    return f == m->second.fields.end() ? std::string() : f->second;
  };
  json::object values;
  if (group.kind == "rsvp_ack" && !group.meetings.empty()) {
    const auto& id = group.meetings.front();
    boost::system::error_code ec;
    auto title = json::parse(field(id, "title_json"), ec);
    values["meeting.title"] = !ec && title.is_object() ? title : json::value(field(id, "title"));
    values["rsvp.answer"] = group.answer == "yes" ? json::object{{"hi", "आऊँगा"}, {"en", "attending"}}
                                                  : json::object{{"hi", "नहीं आऊँगा"}, {"en", "not attending"}};
  } else if (group.kind == "which_meeting") {
    std::string codes;
    for (const auto& id : group.meetings) {
      const auto code = field(id, "code");
      if (code.empty() || codes.size() + code.size() + 2 > 30) continue;
      codes += (codes.empty() ? "" : ", ") + code;
    }
    values["meeting.codes"] = codes;
  }
  return values;
}

}  // namespace

asio::awaitable<std::size_t> ReplyLane::send_batch() {
  const broadcast::Keys keys{options_.key_prefix};
  const auto list = keys.prefix + "out:replies";
  auto pop = redis::cmd("LPOP", list, std::to_string(options_.batch));
  auto popped = co_await redis_->command(std::move(pop));
  if (!popped || !popped->is_array() || popped->elements.empty()) co_return 0;
  const auto taken = popped->elements.size();
  std::vector<std::pair<AutoReply, std::string>> replies;
  for (auto& e : popped->elements)
    if (auto reply = from_json(e.str)) replies.emplace_back(std::move(*reply), std::move(e.str));
  auto groups = group_replies(replies);
  auto put_back = [&](std::size_t from) -> asio::awaitable<void> {
    auto back = redis::cmd("RPUSH", list);
    for (std::size_t g = from; g < groups.size(); ++g)
      for (auto& q : groups[g].queued) back.push_back(std::move(q));
    if (back.size() > 2) co_await redis_->command(std::move(back));
  };
  auto index = index_();
  if (!index) {
    co_await put_back(0);
    co_return 0;  // the lane waits an interval before it tries again
  }
  std::map<std::string, meetings::Meeting> meetings;
  for (const auto& group : groups)
    for (const auto& id : group.meetings) {
      if (meetings.contains(id)) continue;
      auto read = co_await meetings_->get(id);
      if (read && *read) meetings.emplace(id, std::move(**read));
    }
  const auto expires = broadcast::format_rfc3339(std::chrono::system_clock::now() + std::chrono::hours(1));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& group = groups[g];
    json::array people;
    for (auto mobile : group.mobiles)
      if (index->find_person(mobile)) people.push_back(json::value("+" + std::to_string(mobile)));  // gone from the directory: no reply
    if (people.empty()) continue;
    json::object body{{"audience", json::object{{"people", std::move(people)}}},
                      {"template", template_of(group.kind)},
                      {"channels", json::array{json::value(group.channel)}},
                      {"priority", "urgent"},
                      {"expires_at", expires}};
    if (auto values = variables_for(group, meetings); !values.empty()) body["variables"] = std::move(values);
    const auto sent = co_await send_(std::move(body), group.kind == "opt_out_ack");
    if (sent == Sent::unavailable) {
      co_await put_back(g);
      co_return 0;  // the lane waits an interval before it tries again
    }
    if (sent == Sent::refused) log_.warn("replies", "a " + group.kind + " reply to " + std::to_string(group.mobiles.size()) + " people could not be sent");
  }
  co_return taken;
}

}  // namespace orgcast::replies
