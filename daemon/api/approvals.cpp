// The two-person rule and the daily quota where a request would send
// (api/approvals.hpp): who stands behind a caller, the strictest of its
// chain's rules, and holding a request with its audience frozen.
#include "api/approvals.hpp"

#include <boost/json.hpp>

#include "api/audit_trail.hpp"
#include "api/common.hpp"
#include "api/send_quota.hpp"
#include "approvals/approval_store.hpp"
#include "auth/auth_store.hpp"
#include "auth/principal.hpp"
#include "broadcast/estimate.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "core/utc_time.hpp"
#include "directory/scope.hpp"
#include "templates/template.hpp"
#include "time_rules/time_rules.hpp"
#include "directory/resolver.hpp"
#include "directory_store/store.hpp"
#include "pricing/cost.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

std::optional<long long> strictest(const std::map<std::string, long long>& by_profile, const Lineage& lineage) {
  std::optional<long long> out;
  for (const auto& profile : lineage.profiles)
    if (auto it = by_profile.find(profile); it != by_profile.end() && (!out || it->second < *out)) out = it->second;
  return out;
}

namespace {

// Walks the makers up from `tag`: the profiles met, and the person at the top.
awaitable<redis::Result<Lineage>> walk(Context context, std::string tag, std::vector<std::string> profiles) {
  Lineage out;
  out.profiles = std::move(profiles);
  std::vector<auth::TokenRecord> tokens;
  for (int depth = 0; depth < 32 && tag.starts_with("token:"); ++depth) {
    if (tokens.empty()) {
      auto all = co_await context.auth->tokens();
      if (!all) co_return all.error();
      tokens = std::move(*all);
    }
    const auth::TokenRecord* token = nullptr;
    for (const auto& t : tokens)
      if ("token:" + t.id == tag) token = &t;
    if (!token) break;
    out.profiles.push_back(token->profile);
    if (!(token->created_by.starts_with("token:") || token->created_by.starts_with("user:"))) break;  // made by the CLI: its own person
    tag = token->created_by;
  }
  if (tag.starts_with("user:")) {
    auto user = co_await context.auth->user(tag.substr(5));
    if (!user) co_return user.error();
    if (*user) out.profiles.push_back((*user)->profile);
  }
  out.person = tag;
  co_return out;
}

}  // namespace

awaitable<redis::Result<Lineage>> lineage_of(Context context, std::shared_ptr<const auth::Principal> caller) {
  std::vector<std::string> profiles{caller->profile};
  const auto tag = caller->tag();
  co_return co_await walk(context, tag, std::move(profiles));
}

awaitable<redis::Result<std::string>> person_behind(Context context, std::string tag) {
  std::vector<std::string> none;
  auto lineage = co_await walk(context, tag, std::move(none));
  if (!lineage) co_return lineage.error();
  co_return lineage->person;
}

namespace {

// What the approver is shown of the people `posts` reach: their count, the
// breakdown by unit below the audience's root, the cost per channel and one
// recipient's message as it would be sent. Runs on the compute pool.
json::object freeze(const directory::OrgIndex& index, const broadcast::Spec& spec, const std::vector<std::uint32_t>& posts,
                    const directory_store::FetchedRecords& raw) {
  const auto views = raw.views();
  const auto& units = index.units();
  const auto e = broadcast::estimate(spec.content, spec.channels, views, &units);
  directory::Resolution resolution{posts};
  const auto summary = directory::summarize(index, spec.audience, resolution, 0);
  json::object by_unit;
  for (const auto& [unit, count] : summary.by_child) by_unit[std::string(units.id(unit))] = count;
  json::object by_channel;
  for (auto channel : spec.channels) {
    const auto& c = e.by_channel[static_cast<std::size_t>(channel)];
    by_channel[adapters::name(channel)] = json::object{{"messages", c.messages}, {"cost", pricing::format_amount(c.micros)}};
  }
  json::object sample;
  for (const auto& v : views) {
    const int first = broadcast::first_usable_channel(spec.channels, v, 0);
    if (first < 0) continue;
    adapters::OutboundMessage m;
    m.channel = spec.channels[static_cast<std::size_t>(first)];
    spec.content.fill(m, v, &units);
    sample = json::object{{"channel", adapters::name(m.channel)}, {"text", m.text}};
    break;
  }
  return json::object{{"count", posts.size()},
                      {"root", summary.root == directory::kNoUnit ? std::string() : std::string(units.id(summary.root))},
                      {"by_unit", std::move(by_unit)},
                      {"cost", json::object{{"currency", spec.content.prices.currency}, {"total", pricing::format_amount(e.micros)},
                                            {"by_channel", std::move(by_channel)}, {"unreachable", e.unreachable}}},
                      {"sample", std::move(sample)}};
}

awaitable<http::Response> hold_for_approval(Context context, std::shared_ptr<const auth::Principal> caller,
                                            std::shared_ptr<const directory::OrgIndex> index, broadcast::Spec spec, Holdable held,
                                            std::vector<std::uint32_t> posts) {
  if (!context.approvals) co_return http::unavailable("approvals are not available", 1);
  // Frozen: the people, and what the approver is shown of them.
  std::vector<std::uint64_t> mobiles;
  std::vector<std::uint32_t> records;
  mobiles.reserve(posts.size());
  records.reserve(posts.size());
  for (auto p : posts) {
    mobiles.push_back(index->person_mobile(index->posts()[p].person));
    records.push_back(index->posts()[p].record);
  }
  auto raw = co_await context.store->fetch_raw_records(*index, records);
  if (!raw) co_return redis_unavailable(raw.error().message());
  auto shown = [&] { return freeze(*index, spec, posts, *raw); };
  auto frozen = co_await run_on(context.compute, std::move(shown));
  // Whose it is to approve: the audience's root, or the unit the request names (a reminder: its meeting's audience).
  if (auto named = held.fields.find("root"); named != held.fields.end() && !named->second.empty()) frozen["root"] = named->second;
  const std::string root(frozen["root"].as_string());
  // Run again once approved in its author's name (their profile and scope read then, as they are).
  auto fields = std::move(held.fields);
  fields["kind"] = held.kind;
  fields["author"] = caller->tag();  // the caller, whatever the spec says (a summons is not yet its meeting's)
  fields["root"] = root;
  fields["count"] = std::to_string(posts.size());
  fields["body"] = json::serialize(held.body);
  fields["frozen"] = json::serialize(frozen);
  // A retry with the request's Idempotency-Key is answered with this approval, never a second one.
  approvals::ApprovalStore::AlsoWrite key_done = [broadcasts = context.broadcasts, key = held.key](const std::string& id) {
    std::vector<redis::Args> out;
    if (auto done = broadcasts->idempotency_done(key, id)) out.push_back(std::move(*done));
    return out;
  };
  auto id = co_await context.approvals->hold(std::move(fields), std::move(mobiles), context.approval_expiry, std::move(key_done));
  if (!id) co_return redis_unavailable(id.error().message());
  auto entry = std::move(held.entry);
  entry.action = "hold_for_approval";
  entry.target = *id;
  entry.unit = root;
  entry.count = static_cast<long long>(posts.size());
  entry.summary = held.kind + (entry.summary.empty() ? "" : "; " + entry.summary);
  co_await keep_audit(context, std::move(entry));
  json::object out{{"approval", *id}, {"kind", held.kind}, {"state", "pending_approval"}, {"recipients", posts.size()},
                   {"note", "over your profile's threshold: a second person with approve over its units must approve it"}};
  out["frozen"] = std::move(frozen);
  auto response = http::json_response(202, json_text(out));
  response.headers.emplace_back("Location", "/v1/approvals/" + *id);
  co_return response;
}


}  // namespace

// With time_rules.refuse_into_blackout, a request whose audience lies (in
// part) in a blackout of its kind when it would be sent is 409 naming the
// window; otherwise it is made, and the dispatcher holds that part until
// the blackout ends. Only people's requests: the daemon's own notices (a
// meeting moved or cancelled) are held, never refused.
std::optional<http::Response> refused_by_blackout(const Context& context, const directory::OrgIndex& index, const broadcast::Spec& spec) {
  if (!context.refuse_into_blackout || !context.refuse_into_blackout() || !context.time_rules) return std::nullopt;
  const auto rules = context.time_rules();
  if (!rules) return std::nullopt;
  const std::string_view kind = spec.content.tmpl ? templates::name(spec.content.tmpl->kind) : "reply";
  const auto& units = index.units();
  auto overlaps = [&](const time_rules::Blackout& b) {
    if (spec.audience.units.empty()) return true;  // the whole directory
    const auto covered = directory::Scope::of(b.units, units);
    for (const auto& choice : spec.audience.units) {
      if (covered.contains(choice.unit)) return true;  // inside it
      const auto end = choice.descendants ? units.subtree_end(choice.unit) : choice.unit + 1;
      for (auto unit : covered.roots())
        if (unit >= choice.unit && unit < end) return true;  // a part of it inside
    }
    return false;
  };
  const auto when = spec.send_at.value_or(std::chrono::system_clock::now());
  const auto* blackout = time_rules::blackout_at(*rules, kind, when, overlaps);
  if (!blackout) return std::nullopt;
  return http::problem(409, "blackout", "In a blackout",
                       "the blackout " + quoted(blackout->name.empty() ? blackout->id : blackout->name) + " (" + format_utc(blackout->from) + " to " +
                           format_utc(blackout->to) + ", " + blackout->id + ") covers part of this audience when it would be sent: " +
                           std::string(kind) + " messages are not sent there until it ends");
}

awaitable<std::variant<QuotaTaken, http::Response>> apply_send_rules(Context context, std::shared_ptr<const auth::Principal> caller,
                                                                      std::shared_ptr<const directory::OrgIndex> index, broadcast::Spec spec,
                                                                      Holdable held) {
  if (auto refused = refused_by_blackout(context, *index, spec)) co_return std::move(*refused);
  const bool ruled = (context.approval_over && !context.approval_over().empty()) || (context.daily_quota && !context.daily_quota().empty());
  if (!ruled || !caller) co_return QuotaTaken{};
  // Both hold for the person behind the caller, whatever token it uses.
  auto lineage = co_await lineage_of(context, caller);
  if (!lineage) co_return redis_unavailable(lineage.error().message());
  const auto over = context.approval_over ? strictest(context.approval_over(), *lineage) : std::nullopt;
  const auto quota = context.daily_quota ? strictest(context.daily_quota(), *lineage) : std::nullopt;
  if (!over && !quota) co_return QuotaTaken{};
  auto audience = spec.audience;
  auto resolve = [index, audience] { return directory::resolve(*index, audience).posts; };
  auto posts = co_await run_on(context.compute, std::move(resolve));
  const auto count = static_cast<long long>(posts.size());
  auto taken = co_await take_send_quota(context, *lineage, count);
  if (!over || count <= *over || std::holds_alternative<http::Response>(taken)) co_return taken;
  auto answer = co_await hold_for_approval(context, std::move(caller), std::move(index), std::move(spec), std::move(held), std::move(posts));
  if (answer.status != 202) co_await give_back_send_quota(context, std::get<QuotaTaken>(taken));
  co_return answer;
}

awaitable<std::variant<QuotaTaken, http::Response>> apply_rules_to_grown_audience(Context context, std::shared_ptr<const auth::Principal> caller,
                                                                                   long long before, long long count) {
  if (count <= before || !caller) co_return QuotaTaken{};
  const bool ruled = (context.approval_over && !context.approval_over().empty()) || (context.daily_quota && !context.daily_quota().empty());
  if (!ruled) co_return QuotaTaken{};
  auto lineage = co_await lineage_of(context, caller);
  if (!lineage) co_return redis_unavailable(lineage.error().message());
  if (const auto over = context.approval_over ? strictest(context.approval_over(), *lineage) : std::nullopt; over && count > *over)
    co_return http::problem(409, "needs-approval", "Needs approval",
                            "the changed audience (" + std::to_string(count) + " people) is over your profile's threshold of " + std::to_string(*over) +
                                ": cancel this broadcast and post it again, to be approved by a second person");
  if (!context.daily_quota || context.daily_quota().empty()) co_return QuotaTaken{};
  co_return co_await take_send_quota(context, *lineage, count - before);
}

awaitable<http::Response> replay_held(Context context, std::string approval_id) {
  std::optional<approvals::Approval> found;
  if (context.approvals) {
    auto got = co_await context.approvals->get(approval_id);
    if (!got) co_return redis_unavailable(got.error().message());
    found = std::move(*got);
  }
  if (!found) co_return http::problem(404, "not-found", "No longer kept", "the request held for approval as " + approval_id + " is no longer kept");
  json::object out{{"approval", approval_id}, {"kind", found->field("kind")}, {"state", found->field("state")},
                   {"recipients", std::atoll(found->field("count").c_str())}, {"idempotent_replay", true}};
  if (auto made = found->field("broadcast"); !made.empty()) out["broadcast"] = made;
  if (auto meeting = found->field("meeting"); !meeting.empty()) out["meeting"] = meeting;
  auto response = http::json_response(202, json_text(out));
  response.headers.emplace_back("Location", "/v1/approvals/" + approval_id);
  co_return response;
}

}  // namespace orgcast::api
