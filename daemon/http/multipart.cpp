#include "http/multipart.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace orgcast::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The value of `key=` in a header's parameters, unquoted.
std::string parameter(std::string_view header, std::string_view key) {
  std::size_t pos = 0;
  while ((pos = header.find(key, pos)) != std::string_view::npos) {
    bool starts = pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == ';';
    auto after = pos + key.size();
    if (starts && after < header.size() && header[after] == '=') {
      auto value = header.substr(after + 1);
      if (!value.empty() && value.front() == '"') {
        auto end = value.find('"', 1);
        return std::string(value.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1));
      }
      return std::string(trim(value.substr(0, value.find(';'))));
    }
    pos = after;
  }
  return {};
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  if (lower(content_type).rfind("multipart/form-data", 0) != 0) return std::nullopt;
  auto boundary = parameter(content_type, "boundary");
  if (boundary.empty()) return std::nullopt;
  return boundary;
}

std::optional<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary, std::string* error) {
  auto fail = [error](std::string why) -> std::optional<std::vector<FormPart>> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  const std::string delimiter = "--" + std::string(boundary);
  auto pos = body.find(delimiter);
  if (pos == std::string_view::npos) return fail("the body does not contain the multipart boundary");
  std::vector<FormPart> parts;
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return fail("malformed multipart delimiter line");
    pos += 2;
    auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return fail("a multipart part has no end of headers");
    FormPart part;
    auto headers = body.substr(pos, headers_end - pos);
    for (auto line : split_trimmed(headers, '\n')) {
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      if (lower(trim(line.substr(0, colon))) == "content-disposition") {
        auto value = trim(line.substr(colon + 1));
        part.name = parameter(value, "name");
        part.filename = parameter(value, "filename");
      }
    }
    auto content_start = headers_end + 4;
    auto next = body.find("\r\n" + delimiter, content_start);
    if (next == std::string_view::npos) return fail("a multipart part (" + part.name + ") is not terminated by the boundary");
    part.body = body.substr(content_start, next - content_start);
    parts.push_back(std::move(part));
    pos = next + 2 + delimiter.size();
  }
}

}  // namespace orgcast::http
