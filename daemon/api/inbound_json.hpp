#pragma once
// One inbound message as the API shows it (GET /v1/inbound, a contact's
// messages): from the inbound stream's entry, each field with one type —
// `code` a number (null: none), `mobile` E.164 (null: an unknown sender),
// `sent_at` RFC 3339 (null: the provider did not say), whatever form the
// provider gave it in.
#include <boost/json/object.hpp>

#include "redis/reply.hpp"

namespace orgcast::api {

boost::json::object inbound_message_json(const redis::Reply& entry);

}  // namespace orgcast::api
