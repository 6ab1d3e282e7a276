#pragma once
// A broadcast's variables checked against its template at POST time:
// every required one given, none unknown, none from the
// contact, each within its maximum length, times in RFC 3339; and each SMS
// variant, rendered with these values and every contact variable at its
// longest, passes the DLT check. Problems carry JSON pointers, so that the
// API answers 400 naming the variable, never a half-rendered send.
#include <boost/json/fwd.hpp>
#include <string>
#include <variant>
#include <vector>

#include "templates/render.hpp"

namespace orgcast::templates {

struct BindProblem {
  std::string pointer;
  std::string message;
};

/// `variables` may be null (none given). `at` is their JSON pointer.
std::variant<BoundValues, std::vector<BindProblem>> bind_variables(const Template& t, const boost::json::value* variables,
                                                                   const std::string& at = "/variables",
                                                                   std::size_t dlt_variable_max = sms::kDltVariableMax);

/// Example values for previews, in a language: the broadcast's and the contact's.
BoundValues example_values(const Template& t, const std::string& language);
ContactValues example_contact(const Template& t, const std::string& language);

}  // namespace orgcast::templates
