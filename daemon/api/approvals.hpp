#pragma once
// The two-person rule and the daily quota as requests that send meet them
// (docs/ACCESS.md): a broadcast, a meeting's summons, a meeting reminder or
// a report reminder of so many people is counted against its author's
// quota, and over its profile's threshold waits for a second person
// (api/approval_api.cpp answers the approvers and runs what they approve).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "api/context.hpp"
#include "audit/chain.hpp"
#include "broadcast/spec.hpp"
#include "broadcast/store.hpp"
#include "http/message.hpp"
#include "redis/client.hpp"

namespace orgcast::auth {
struct Principal;
}

namespace orgcast::api {

/// Who stands behind a caller: a token is its maker's too (and its maker's
/// maker's...), so neither the two-person rule nor the quota is escaped by
/// making a token of a laxer profile, and an author cannot approve their own
/// through a token.
struct Lineage {
  std::string person;                 // "user:<name>", or the topmost token ("token:<id>") made by the CLI
  std::vector<std::string> profiles;  // the caller's and each maker's
};
/// The caller's lineage, from the tokens and users in Redis.
boost::asio::awaitable<redis::Result<Lineage>> lineage_of(Context context, std::shared_ptr<const auth::Principal> caller);
/// Of a stored tag ("user:…", "token:…"): its person.
boost::asio::awaitable<redis::Result<std::string>> person_behind(Context context, std::string tag);

/// The smallest of a profile-to-count map over the lineage's profiles; nullopt: none named.
std::optional<long long> strictest(const std::map<std::string, long long>& by_profile, const Lineage& lineage);

/// A request that may be held for approval, as it would be run once approved.
struct Holdable {
  std::string kind;                            // broadcast, meeting, meeting_reminder, report_reminder
  boost::json::value body;                     // what is run again (a broadcast's audience with its units written in)
  std::map<std::string, std::string> fields;   // what else running it needs (its meeting, its channels...); "root": whose to approve
                                               // when not its audience's root
  broadcast::Store::IdempotencyHold key;       // the request's Idempotency-Key: names the approval once held
  audit::Entry entry;                          // who asked, from where: the trail's entry for holding it
};

/// Recipients taken from a person's daily quota (key "": none).
struct QuotaTaken {
  std::string key;
  long long count = 0;
};

/// The daily quota and the two-person rule for sending `spec` for `caller`
/// (its audience resolved here, on the compute pool). QuotaTaken: send it
/// now (give it back with give_back_send_quota if nothing is made); else the
/// answer: 429 over the quota, or 202 with the request held, its audience
/// frozen (the people, their count, breakdown, cost and one rendered message).
boost::asio::awaitable<std::variant<QuotaTaken, http::Response>> apply_send_rules(Context context, std::shared_ptr<const auth::Principal> caller,
                                                                       std::shared_ptr<const directory::OrgIndex> index,
                                                                       broadcast::Spec spec, Holdable held);

/// 409 naming the blackout its audience lies in when it would be sent, with time_rules.refuse_into_blackout; else nullopt.
std::optional<http::Response> refused_by_blackout(const Context& context, const directory::OrgIndex& index, const broadcast::Spec& spec);

/// A planned broadcast's audience changed from `before` to `count` people:
/// over the caller's approval threshold it is refused (409: a change is not
/// held for approval; post it again), else the growth is taken from the
/// caller's daily quota (429 over it).
boost::asio::awaitable<std::variant<QuotaTaken, http::Response>> apply_rules_to_grown_audience(Context context,
                                                                                                std::shared_ptr<const auth::Principal> caller,
                                                                                                long long before, long long count);

/// An Idempotency-Key that named a held request: what the first answer said, as it stands now.
boost::asio::awaitable<http::Response> replay_held(Context context, std::string approval_id);

}  // namespace orgcast::api
