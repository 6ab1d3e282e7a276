#pragma once
// multipart/form-data (RFC 7578) as sent by browsers and `curl -F`. Parts
// are views into the request body.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orgcast::http {

struct FormPart {
  std::string name;
  std::string filename;
  std::string_view body;
};

/// The boundary parameter of a multipart/form-data Content-Type, if it is one.
std::optional<std::string> multipart_boundary(std::string_view content_type);

/// Splits the body; nullopt and *error on malformed input.
std::optional<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary, std::string* error);

}  // namespace orgcast::http
