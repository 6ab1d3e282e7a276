#include "templates/link_check.hpp"

namespace orgcast::templates {

namespace {

// The literal URLs of a text, each up to the first space or variable.
std::vector<std::string> literal_urls(const Text& text) {
  std::vector<std::string> out;
  for (const auto& piece : text) {
    if (piece.is_variable()) continue;
    for (std::size_t at = piece.literal.find("http"); at != std::string::npos; at = piece.literal.find("http", at + 4)) {
      const auto rest = std::string_view(piece.literal).substr(at);
      if (!rest.starts_with("https://") && !rest.starts_with("http://")) continue;
      out.emplace_back(rest.substr(0, rest.find_first_of(" \t\n")));
    }
  }
  return out;
}

}  // namespace

std::vector<TemplateError> link_warnings(const Catalog& catalog, std::string_view link_base) {
  std::vector<TemplateError> out;
  for (const auto& [id, entry] : catalog.by_id) {
    const auto& t = *entry.value;
    const auto link = t.variable_index("meeting.link"), token = t.variable_index("meeting.link_token");
    for (const auto& [language, sms] : t.sms) {
      auto warn = [&](const std::string& message) { out.push_back({t.file, sms.line, "sms." + language + ": " + message}); };
      bool uses_link = false;
      for (const auto& piece : sms.text) uses_link |= piece.is_variable() && piece.variable == link;
      if (uses_link)
        warn("gives the link whole as {{meeting.link}}: DLT passes only a URL written in the registered text; write "
             "https://<registered host>/r/{{meeting.link_token}}");
      // A URL written in the text is in the registered text (the loader checks they match).
      for (const auto& url : literal_urls(sms.text)) {
        // The reply link's address must be this deployment's: the example's host reaches nobody.
        const bool reply_link = url.ends_with("/r/") && token >= 0;
        if (reply_link && !link_base.empty() && url != std::string(link_base) + "/r/")
          warn("the reply link goes to " + url + " but the links' base (replies.link_base_url, else dispatch.callback_base_url) is " +
               std::string(link_base) + ": register and write the deployment's own URL");
      }
    }
  }
  return out;
}

}  // namespace orgcast::templates
