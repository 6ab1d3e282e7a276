#pragma once
// YAML text as JSON, by YAML 1.2's core schema: a plain scalar is null,
// a boolean, an integer or a decimal when it reads as one; a quoted or
// block scalar is always a string. Keys are strings.
#include <boost/json/value.hpp>
#include <string_view>

namespace orgcast::openapi {

/// Throws std::invalid_argument with `name`, the line and what is wrong.
boost::json::value json_of_yaml(std::string_view text, std::string_view name);

}  // namespace orgcast::openapi
