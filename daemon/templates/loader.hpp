#pragma once
// Reads template files and validates them: at daemon
// start, on reload (SIGHUP) and offline with `orgcast templates check`.
// Every problem names the file and line: unknown variables, a WhatsApp
// parameter count that does not match the approved body, an SMS variant
// without its DLT fields or whose text differs from the registered one, SMS
// text that cannot fit the maximum segments with every variable at its
// maximum length.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "templates/template.hpp"

namespace orgcast::templates {

struct Rules {
  std::vector<std::string> languages{"hi", "en"};  // every channel of a template has at least these
  std::string default_language = "hi";             // ...and this one
  std::size_t max_sms_segments = 4;
  std::size_t dlt_variable_max = sms::kDltVariableMax;
};

/// The rules of a configuration: Hindi, English and the default language,
/// templates.max_sms_segments.
Rules rules_for(const Config& config);

struct TemplateError {
  std::string file;
  int line = 0;  // 1-based; 0: the file as a whole
  std::string message;
  /// "file:line: message"
  std::string to_string() const;
};

struct ParsedTemplate {
  std::optional<Template> value;
  std::vector<TemplateError> errors;
};

/// Parses and validates one file's text. With `validate` false only the
/// structure is read (a broadcast's stored copy, already validated).
ParsedTemplate parse_template(std::string_view yaml, const std::string& file, const Rules& rules, bool validate = true);

/// The templates in force, by id, with the text each was read from (a
/// broadcast keeps that text, so a later edit does not change it mid-send).
struct Catalog {
  struct Entry {
    std::shared_ptr<const Template> value;
    std::string source;
  };
  std::map<std::string, Entry> by_id;
  const Entry* find(std::string_view id) const;
};

struct LoadedCatalog {
  Catalog catalog;
  std::vector<TemplateError> errors;
  std::size_t files = 0;
};

/// Every *.yaml file of `dir` (not recursive); ids must be unique.
LoadedCatalog load_templates(const std::string& dir, const Rules& rules);

/// The longest a time reference can be written in `language`, in characters.
std::size_t longest_time(TimePart part, std::string_view language);

}  // namespace orgcast::templates
