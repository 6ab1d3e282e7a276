#pragma once
// A meeting's tally as GET /v1/meetings/{id} and its live events show it:
// summoned, yes, no, no answer and not delivered, overall and per unit one
// level below the tally's root, the organiser when it holds the whole
// audience (docs/REPLIES.md, "The tally").
#include <boost/json/object.hpp>

#include "broadcast/store.hpp"
#include "directory/org_index.hpp"
#include "meetings/meeting_store.hpp"

namespace orgcast::api {

/// `summons`: the summons broadcast (its counters give who it did not
/// reach, per unit), or null; `index`: names the units, or null.
boost::json::object meeting_tally(const meetings::Meeting& meeting, const broadcast::BroadcastInfo* summons, const directory::OrgIndex* index);

}  // namespace orgcast::api
