#pragma once
// JSON as orgcast answers it: like boost::json::serialize, but a number
// that is not an integer is written as a plain decimal (0.13, never
// 1.3E-1), at most six places, so every client and spreadsheet reads it.
#include <string>

#include <boost/json/value.hpp>

namespace orgcast {

std::string json_text(const boost::json::value& value);

}  // namespace orgcast
