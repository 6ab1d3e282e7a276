#pragma once
// A single contact as JSON (PUT /v1/directory/contacts/{id}), validated with
// the same rules as a CSV row; problems are reported by JSON pointer.
#include <boost/json/fwd.hpp>
#include <string>
#include <variant>
#include <vector>

#include "directory/org_index.hpp"
#include "directory/selector.hpp"

namespace orgcast::directory {

std::variant<ContactRecord, std::vector<SelectorError>> parse_contact_json(const boost::json::value& body,
                                                                           const std::string& id, const OrgIndex& index);

/// The contact as JSON (full mobile: only for the API's authorised callers).
std::string contact_to_json(const ContactRecord& record);

}  // namespace orgcast::directory
