#include "api/enqueue.hpp"

#include "api/approvals.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <random>
#include <tuple>

#include "api/common.hpp"
#include "auth/principal.hpp"
#include "core/digest.hpp"
#include "broadcast/recipients.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "directory/resolver.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "metrics/registry.hpp"

namespace orgcast::api {

using boost::asio::awaitable;

namespace {
// Recipients fetched, encoded and written per slice: 100 chunks.
constexpr std::size_t kSlicePosts = 100 * broadcast::kRecipientsPerChunk;

}  // namespace

boost::asio::awaitable<std::variant<Enqueued, http::Response>> enqueue_broadcast(Context context, std::shared_ptr<const directory::OrgIndex> index,
                                                                                 broadcast::Spec spec, broadcast::Store::IdempotencyHold hold,
                                                                                 SliceHook on_slice, std::optional<Starting> starting) {
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point t) { return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count()); };
  const auto t0 = Clock::now();
  auto resolve = [&] {
    auto resolution = directory::resolve(*index, spec.audience);
    auto summary = directory::summarize(*index, spec.audience, resolution, 0);
    const auto& units = index->units();
    std::string root = summary.root == directory::kNoUnit ? std::string() : std::string(units.id(summary.root));
    if (const auto under = spec.breakdown_under; under != directory::kNoUnit && summary.root != directory::kNoUnit &&
                                                  summary.root >= under && summary.root < units.subtree_end(under))
      summary.root = under;
    // Queued in the directory's storage order: each slice then reads a run
    // of directory chunks, each read once for the whole broadcast (in the
    // index's unit order every slice touched nearly every chunk: a 5M POST
    // ran at 80k recipients/s).
    const auto all = index->posts();
    std::sort(resolution.posts.begin(), resolution.posts.end(), [&](std::uint32_t a, std::uint32_t b) { return all[a].record < all[b].record; });
    return std::make_tuple(std::move(resolution), std::move(summary), std::move(root));
  };
  auto [resolution, summary, audience_root] = co_await run_on(context.compute, std::move(resolve));
  if (resolution.posts.empty()) co_return co_await explain_empty_audience(context, index, spec.audience);  // which filter emptied it
  spec.audience_root = std::move(audience_root);
  const auto t1 = Clock::now();
  // Fetched, encoded and written in slices, each freed before the next: the
  // daemon's memory does not grow with the audience beyond the resolution.
  redis::Result<std::string> id = starting ? starting->id : std::string();
  if (!starting) id = co_await context.broadcasts->new_id();
  if (!id) co_return redis_unavailable(id.error().message());
  broadcast::QueuedAudience totals;
  std::size_t chunks = 0;
  const auto& posts = resolution.posts;
  for (std::size_t start = 0; start < posts.size() || start == 0; start += kSlicePosts) {
    const auto end = std::min(posts.size(), start + kSlicePosts);
    auto slice_posts = std::make_shared<std::vector<std::uint32_t>>(posts.begin() + static_cast<std::ptrdiff_t>(start),
                                                                    posts.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<std::uint32_t> records;
    records.reserve(slice_posts->size());
    for (auto p : *slice_posts) records.push_back(index->posts()[p].record);
    auto fetched = co_await context.store->fetch_raw_records(*index, records);
    if (!fetched) co_return redis_unavailable(fetched.error().message());
    // Decoding and encoding records is CPU work: the compute pool. The
    // mobiles of those it will reach (not skipped) go to on_slice.
    std::vector<std::uint64_t> mobiles;
    std::vector<std::uint32_t> units;
    auto build = [&] {
      const auto views = fetched->views();
      if (on_slice)
        for (std::size_t i = 0; i < views.size() && i < slice_posts->size(); ++i)
          if (const auto& r = views[i]; r.mobile != 0 && !r.id.empty() && broadcast::first_usable_channel(spec.channels, r, 0) >= 0) {
            mobiles.push_back(r.mobile);
            units.push_back(index->posts()[(*slice_posts)[i]].unit);
          }
      return broadcast::queue_audience(*index, summary, *slice_posts, views, spec.channels);
    };
    auto slice = co_await run_on(context.compute, std::move(build));
    if (starting) {  // a start whose hold ran out (another instance took it over) writes nothing more
      auto held = co_await context.broadcasts->holds_start(*id, starting->start.owner);
      if (!held) co_return redis_unavailable(held.error().message());
      if (!*held) co_return http::problem(409, "changed-meanwhile", "Changed meanwhile", "broadcast " + *id + " was cancelled or taken over while it was being started");
    }
    auto written = co_await context.broadcasts->write_chunks(*id, chunks, slice);
    if (!written) co_return redis_unavailable(written.error().message());
    if (on_slice && !co_await on_slice(*id, std::move(mobiles), std::move(units))) co_return redis_unavailable("could not keep who the broadcast goes to");
    chunks += *written;
    broadcast::add_slice(totals, slice);
    if (end == posts.size()) break;
  }
  const auto total = totals.total, skipped = totals.skipped;
  const auto t3 = Clock::now();
  auto committed = co_await context.broadcasts->commit(spec, *id, std::move(totals), chunks, hold, starting ? &starting->start : nullptr);
  if (!committed) co_return redis_unavailable(committed.error().message());
  if (committed->empty() && starting) {  // cancelled or taken over while it was written: nothing of this start is sent
    co_await context.broadcasts->discard_chunks(*id, chunks);
    co_return http::problem(409, "changed-meanwhile", "Changed meanwhile", "broadcast " + *id + " was changed or cancelled while it was being started");
  }
  if (committed->empty())
    co_return http::problem(409, "in-progress", "Request in progress",
                            "another request with Idempotency-Key " + hold.key.substr(0, 200) + " took it over; retry to see its broadcast");
  context.metrics->counter("orgcast_broadcasts_created_total", "broadcasts accepted", {{"priority", broadcast::name(spec.priority)}}).inc();
  context.metrics->counter("orgcast_recipients_queued_total", "recipients durably queued").inc(total - skipped);
  context.log->info("broadcast", *id + " queued: " + std::to_string(total) + " recipients (" + std::to_string(skipped) +
                                     " skipped, no address on the policy's channels), priority " + broadcast::name(spec.priority) +
                                     "; " + ms_since(t0) + " ms: resolve " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count()) +
                                     ", fetch, build and write in slices " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t3 - t1).count()) +
                                     ", commit " + ms_since(t3));
  co_return Enqueued{*id, total, skipped, spec.audience_root};
}


namespace {

}  // namespace

std::string new_owner() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(random()));
  return out;
}

awaitable<std::variant<broadcast::Store::IdempotencyHold, http::Response>> claim_idempotency_key(
    Context context, const http::Request& request, const boost::json::value& body,
    const std::function<awaitable<http::Response>(std::string id)>& replay) {
  const auto header = request.header("idempotency-key");
  const std::string given(header.value_or(""));
  broadcast::Store::IdempotencyHold hold{given, "", ""};
  const bool printable = std::all_of(given.begin(), given.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
  if ((header && given.empty()) || given.size() > 200 || !printable)
    co_return pointer_problem("Invalid request", {{"", "the Idempotency-Key header must be 1 to 200 printable ASCII characters (or not sent)"}});
  if (given.starts_with("plan:") && !request.from_schedule)  // the scheduler's own keys: a client may not take them
    co_return pointer_problem("Invalid request", {{"", "an Idempotency-Key may not start with \"plan:\""}});
  if (given.empty()) co_return hold;
  // Each caller's keys are its own: another's "nightly-1" is another request.
  if (const auto& p = request.principal) hold.key = p->tag() + "/" + given;
  hold.owner = new_owner();
  // The body as the key remembers it: SHA-256 of its JSON re-serialised (so spacing does not count).
  hold.body_hash = sha256_hex(boost::json::serialize(body));
  auto claimed = co_await context.broadcasts->claim_idempotency_key(hold, context.idempotency_lease);
  if (!claimed) co_return redis_unavailable(claimed.error().message());
  using Outcome = broadcast::Store::IdempotencyClaim::Outcome;
  switch (claimed->outcome) {
    case Outcome::done: {
      const std::string made = claimed->id;
      // Held for approval rather than made: answered with the approval as it stands.
      if (made.starts_with("ap")) co_return co_await replay_held(context, made);
      co_return co_await replay(made);
    }
    case Outcome::in_progress:
      co_return http::problem(409, "in-progress", "Request in progress",
                              "a request with Idempotency-Key " + given + " is still running; retry in a moment");
    case Outcome::mismatch:
      co_return http::problem(422, "idempotency-key-reused", "Idempotency-Key reused",
                              "Idempotency-Key " + given + " was used for another request (another body, or another route)");
    case Outcome::claimed: break;
  }
  co_return hold;
}

awaitable<http::Response> explain_empty_audience(Context context, std::shared_ptr<const directory::OrgIndex> index, directory::Selector audience) {
  auto explain = [index, audience] { return empty_audience(*index, audience); };
  co_return co_await run_on(context.compute, std::move(explain));
}

awaitable<replies::ReplyLane::Sent> enqueue_reply(Context context, boost::json::object body, bool confirms_opt_out) {
  using Sent = replies::ReplyLane::Sent;
  auto index = context.watcher->index();
  if (!index || !context.redis->connected()) co_return Sent::unavailable;
  const auto messaging = context.messaging();
  auto checks = spec_context(*messaging, std::chrono::system_clock::now());
  checks.for_replies = true;
  auto parsed = broadcast::parse_spec(boost::json::value(std::move(body)), *index, checks);
  if (auto* problems = std::get_if<std::vector<directory::SelectorError>>(&parsed)) {
    const auto& first = problems->front();
    context.log->warn("replies", "an automatic reply was refused: " + first.pointer + ": " + first.message);
    co_return Sent::refused;
  }
  auto spec = std::get<broadcast::Spec>(std::move(parsed));
  spec.content.confirms_opt_out = confirms_opt_out;
  broadcast::Store::IdempotencyHold no_key;
  SliceHook no_hook;  // named: GCC 12 mishandles temporaries with destructors inside a co_await
  auto queued = co_await enqueue_broadcast(context, index, std::move(spec), std::move(no_key), no_hook);
  if (auto* refused = std::get_if<http::Response>(&queued)) co_return refused->status >= 500 ? Sent::unavailable : Sent::refused;
  co_return Sent::queued;
}

}  // namespace orgcast::api
