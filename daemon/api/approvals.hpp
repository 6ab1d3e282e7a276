#pragma once
// The two-person rule as broadcasts meet it (docs/ACCESS.md): whether a
// caller's broadcast of so many people must wait for a second person, and
// holding it (api/approval_api.cpp answers the approvers).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "api/context.hpp"
#include "audit/chain.hpp"
#include "broadcast/spec.hpp"
#include "http/message.hpp"
#include "redis/client.hpp"

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

/// Holds the broadcast with its audience frozen (the people `posts` reach,
/// their count, breakdown, cost and one rendered message): 202 with the
/// approval's id and `pending_approval`. `body` is the request's, its
/// audience as `spec` has it (units written in).
boost::asio::awaitable<http::Response> hold_for_approval(Context context, audit::Entry held, std::shared_ptr<const directory::OrgIndex> index,
                                                         broadcast::Spec spec, boost::json::value body, std::vector<std::uint32_t> posts);

}  // namespace orgcast::api
