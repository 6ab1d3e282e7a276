#pragma once
// A user or token by its tag ("user:<name>", "token:<id>") as it is now, for
// work done later in its name (an approved request, a schedule's
// occurrence): nothing is done for a user since disabled or a token since
// revoked or expired, and with the profile and scope it has now.
#include <memory>
#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "api/context.hpp"
#include "auth/principal.hpp"
#include "http/message.hpp"

namespace orgcast::api {

/// The principal, or the answer why nothing is done in its name (409 author-gone, 503).
boost::asio::awaitable<std::variant<std::shared_ptr<const auth::Principal>, http::Response>> principal_now(Context context, std::string tag);

}  // namespace orgcast::api
