// POST /v1/audiences/preview  {"selector": {...}, "sample": 20}
// How many people a selector reaches, broken down by level, by the children
// of the audience's root unit and by reachable channel (and how many of
// those opted out of it), with a sample.
// With "template", "variables" and "channels" (as a broadcast gives them)
// also what the broadcast would cost: messages, SMS segments and money per
// channel, each recipient's message rendered as it would be sent.
#include <boost/json.hpp>
#include <chrono>

#include <array>
#include <unordered_set>

#include "api/caller_scope.hpp"
#include "api/common.hpp"
#include "broadcast/keys.hpp"
#include "redis/client.hpp"
#include "api/routes.hpp"
#include "broadcast/estimate.hpp"
#include "broadcast/spec.hpp"
#include "pricing/cost.hpp"
#include "templates/bind.hpp"
#include "core/mask.hpp"
#include "core/run_on.hpp"
#include "directory/phone.hpp"
#include "directory/resolver.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t kDefaultSample = 20;
constexpr std::size_t kMaxSample = 100;

json::object unit_json(const directory::UnitTable& units, std::uint32_t u, const directory::Vocabulary& vocab) {
  return json::object{{"id", units.id(u)},
                      {"name", units.name(u)},
                      {"name_hi", units.name_hi(u)},
                      {"level", vocab.levels()[units.level(u)]}};
}

awaitable<http::Response> preview(Context context, http::Request& request) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  http::Response error;
  auto body = parse_json_body(request, error);
  if (!body) co_return error;
  if (!body->is_object()) co_return pointer_problem("Invalid preview request", {{"", "expected {\"selector\": {...}}"}});
  std::vector<directory::SelectorError> problems;
  std::size_t sample_size = kDefaultSample;
  for (const auto& [key, value] : body->as_object()) {
    if (key == "sample") {
      if (!value.is_int64() || value.as_int64() < 0 || value.as_int64() > static_cast<std::int64_t>(kMaxSample))
        problems.push_back({"/sample", "expected an integer from 0 to " + std::to_string(kMaxSample)});
      else sample_size = static_cast<std::size_t>(value.as_int64());
    } else if (key != "selector" && key != "template" && key != "variables" && key != "channels") {
      problems.push_back({"/" + std::string(key), "unknown key \"" + std::string(key) +
                                                      "\"; expected selector, sample, template, variables, channels"});
    }
  }
  // The broadcast to estimate, if any: its template, values and channel policy.
  std::optional<broadcast::Content> content;
  std::vector<adapters::Channel> policy;
  const auto messaging = context.messaging();
  if (auto* name = body->as_object().if_contains("template")) {
    const auto* entry = name->is_string() ? messaging->catalog.find(name->as_string()) : nullptr;
    auto* channels = body->as_object().if_contains("channels");
    if (!channels) problems.push_back({"/channels", "missing: the channel policy the estimate is for, e.g. [\"whatsapp\", \"sms\"]"});
    else policy = broadcast::parse_channels(*channels, "/channels", problems);
    if (!entry) {
      problems.push_back({"/template", "no such template"});
    } else {
      const auto* variables = body->as_object().if_contains("variables");
      auto bound = templates::bind_variables(*entry->value, variables, "/variables", messaging->rules.dlt_variable_max);
      if (auto* errors = std::get_if<std::vector<templates::BindProblem>>(&bound))
        for (auto& e : *errors) problems.push_back({std::move(e.pointer), std::move(e.message)});
      else
        content = broadcast::Content::of_template(*entry, std::get<templates::BoundValues>(std::move(bound)), "{}",
                                                  messaging->rules.default_language, messaging->dlt_entity_id, messaging->prices);
    }
  }
  const auto* selector_json = body->as_object().if_contains("selector");
  if (!selector_json) problems.push_back({"/selector", "missing: the audience selector"});
  if (!problems.empty()) co_return pointer_problem("Invalid preview request", problems);
  const CallerScope caller(request, index->units());
  auto parsed = directory::parse_selector(*selector_json, *index, "/selector", &caller.scope());
  if (auto* errors = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("Invalid selector", *errors);
  auto selector = std::get<directory::Selector>(std::move(parsed));

  // Who opted out of each channel (few: the numbers that sent STOP or that
  // the office recorded), read once, counted against the audience in memory.
  const broadcast::Keys keys{context.key_prefix};
  const char* kChannels[] = {"sms", "whatsapp", "push"};
  std::vector<redis::Args> asks;
  for (const char* c : kChannels) asks.push_back(redis::cmd("HKEYS", keys.opted_out(c)));
  auto opted = co_await context.redis->pipeline(std::move(asks));
  if (!opted) co_return redis_unavailable(opted.error().message());
  std::array<std::unordered_set<std::uint64_t>, 3> opted_out;
  for (std::size_t c = 0; c < 3; ++c)
    for (const auto& number : (*opted)[c].elements) opted_out[c].insert(std::strtoull(number.str.c_str(), nullptr, 10));
  std::array<std::uint64_t, 3> opted_out_count{};

  auto started = std::chrono::steady_clock::now();
  std::vector<std::uint32_t> resolved;  // the posts, kept for an estimate
  auto work = [&] {
    auto resolution = directory::resolve(*index, selector);
    auto summary = directory::summarize(*index, selector, resolution, sample_size);
    const std::uint8_t bits[] = {directory::channel_sms, directory::channel_whatsapp, directory::channel_push};
    for (auto p : resolution.posts) {
      const auto& post = index->posts()[p];
      const auto mobile = index->person_mobile(post.person);
      for (std::size_t c = 0; c < 3; ++c)
        if ((post.channels & bits[c]) && opted_out[c].contains(mobile)) ++opted_out_count[c];
    }
    if (content) resolved = std::move(resolution.posts);
    return summary;
  };
  auto summary = co_await run_on(context.compute, std::move(work));
  double took_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

  const auto& units = index->units();
  const auto& vocab = index->vocabulary();
  json::object out;
  out["count"] = summary.count;
  out["directory_version"] = index->version();
  out["resolve_ms"] = took_ms;
  json::object by_level;
  for (std::size_t l = 0; l < summary.by_level.size(); ++l) by_level[vocab.levels()[l]] = summary.by_level[l];
  out["by_level"] = std::move(by_level);
  out["by_channel"] = json::object{{"sms", summary.sms}, {"whatsapp", summary.whatsapp}, {"push", summary.push}};
  // Of those reachable on a channel, how many opted out of it (by their mobile).
  out["opted_out"] = json::object{{"sms", opted_out_count[0]}, {"whatsapp", opted_out_count[1]}, {"push", opted_out_count[2]}};
  if (summary.root != directory::kNoUnit) {
    out["root"] = unit_json(units, summary.root, vocab);
    out["at_root"] = summary.at_root;
    json::array children;
    for (auto [child, count] : summary.by_child) {
      auto entry = unit_json(units, child, vocab);
      entry["count"] = count;
      children.push_back(std::move(entry));
    }
    out["by_child"] = std::move(children);
  }

  std::vector<std::uint32_t> records;
  for (auto p : summary.sample) records.push_back(index->posts()[p].record);
  json::array sample;
  auto fetched = co_await context.store->fetch_records(*index, records);
  for (std::size_t i = 0; i < summary.sample.size(); ++i) {
    const auto& post = index->posts()[summary.sample[i]];
    json::object person{{"unit", unit_json(units, post.unit, vocab)},
                        {"role", vocab.roles()[post.role]},
                        {"language", vocab.languages()[post.language]}};
    json::array channels;
    if (post.channels & directory::channel_sms) channels.emplace_back("sms");
    if (post.channels & directory::channel_whatsapp) channels.emplace_back("whatsapp");
    if (post.channels & directory::channel_push) channels.emplace_back("push");
    person["channels"] = std::move(channels);
    if (fetched && !(*fetched)[i].id.empty()) {
      const auto& record = (*fetched)[i];
      person["contact_id"] = record.id;
      person["name"] = record.name;
      person["name_hi"] = record.name_hi;
      person["mobile"] = mask_phone(phone::to_e164(record.mobile));  // a preview never needs the number
    }
    sample.push_back(std::move(person));
  }
  out["sample"] = std::move(sample);
  if (content) {
    // Every recipient's message rendered and priced, as dispatch will: the records are needed (names).
    std::vector<std::uint32_t> records;
    records.reserve(resolved.size());
    for (auto p : resolved) records.push_back(index->posts()[p].record);
    auto raw = co_await context.store->fetch_raw_records(*index, records);
    if (!raw) co_return redis_unavailable(raw.error().message());
    auto price = [&] {
      const auto views = raw->views();
      return broadcast::estimate(*content, policy, views, &index->units());
    };
    const auto e = co_await run_on(context.compute, std::move(price));
    json::object by_channel;
    for (auto channel : policy) {
      const auto& c = e.by_channel[static_cast<std::size_t>(channel)];
      json::object o{{"messages", c.messages}, {"cost", pricing::format_amount(c.micros)}};
      if (channel == adapters::Channel::sms) o["segments"] = c.sms_segments;
      by_channel[adapters::name(channel)] = std::move(o);
    }
    out["estimate"] = json::object{{"template", content->tmpl->id},
                                   {"currency", content->prices.currency},
                                   {"total", pricing::format_amount(e.micros)},
                                   {"by_channel", std::move(by_channel)},
                                   {"unreachable", e.unreachable},
                                   {"note", "each recipient on the first channel of the policy they have an address for"}};
  }
  co_return http::json_response(200, json_text(out));
}

}  // namespace

void add_audience_routes(http::Router& router, const Context& context) {
  router.add("POST", "/v1/audiences/preview", [context](http::Request& r) { return preview(context, r); });
}

}  // namespace orgcast::api
