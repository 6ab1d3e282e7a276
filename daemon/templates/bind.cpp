#include "templates/bind.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/text.hpp"
#include "core/utc_time.hpp"

namespace orgcast::templates {
namespace json = boost::json;

namespace {

std::string too_long(const std::string& text, const Variable& v) {
  return "is " + std::to_string(characters(text)) + " characters; the template allows " + std::to_string(v.max_length);
}

// {"hi": "ज़िला कार्यसमिति की बैठक", "en": "District executive meeting"}:
// each key a language code, each value a text within the variable's length.
// A variable is one line of text inside a registered template (DLT matches the text as registered):
// a control character (a newline, tab or NUL) in it is a mistake, or an attempt to reshape the message.
bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}
constexpr const char* kControlCharacter = "holds a control character (a newline, tab or NUL): a variable is one line of text";

void bind_per_language(const Variable& v, std::size_t index, const json::object& given, const std::string& pointer, BoundValues& bound,
                       std::vector<BindProblem>& problems) {
  if (given.empty()) return problems.push_back({pointer, "give at least one language's text"});
  for (const auto& [lang, value] : given) {
    const std::string at = pointer + "/" + json_pointer_token(lang);
    const bool code = lang.size() >= 2 && lang.size() <= 3 && std::all_of(lang.begin(), lang.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!code) {
      problems.push_back({at, "expected a language code such as hi or en"});
      continue;
    }
    if (!value.is_string() || !valid_utf8(value.as_string())) {
      problems.push_back({at, "expected a text"});
      continue;
    }
    const std::string text(value.as_string());
    if (characters(text) > v.max_length) {
      problems.push_back({at, too_long(text, v)});
      continue;
    }
    if (has_control_character(text)) {
      problems.push_back({at, kControlCharacter});
      continue;
    }
    bound.text_by_language[index][std::string(lang)] = text;
    if (bound.text[index].empty()) bound.text[index] = text;  // for languages not given: the first one's
  }
}

}  // namespace

std::variant<BoundValues, std::vector<BindProblem>> bind_variables(const Template& t, const json::value* variables,
                                                                   const std::string& at, std::size_t dlt_variable_max) {
  std::vector<BindProblem> problems;
  BoundValues bound;
  bound.text.resize(t.variables.size());
  bound.times.resize(t.variables.size());
  bound.text_by_language.resize(t.variables.size());
  if (variables && !variables->is_object()) return std::vector<BindProblem>{{at, "expected an object of variable names to values"}};
  static const json::object none;
  const auto& given = variables ? variables->as_object() : none;
  for (const auto& [key, value] : given) {
    const std::string pointer = at + "/" + json_pointer_token(key);
    const int index = t.variable_index(key);
    if (index < 0) {
      std::vector<std::string> known;
      for (const auto& v : t.variables)
        if (!v.from_contact()) known.push_back(v.name);
      std::string message = "the template " + quoted(t.id) + " has no variable " + quoted(key);
      if (auto close = closest_match(key, known); !close.empty()) message += "; did you mean " + quoted(close) + "?";
      problems.push_back({pointer, message});
      continue;
    }
    const auto& v = t.variables[static_cast<std::size_t>(index)];
    if (v.from_contact()) {
      problems.push_back({pointer, quoted(key) + " comes from each contact; a broadcast cannot set it"});
      continue;
    }
    if (value.is_object() && v.type == VariableType::text) {
      bind_per_language(v, static_cast<std::size_t>(index), value.as_object(), pointer, bound, problems);
      continue;
    }
    if (!value.is_string() || !valid_utf8(value.as_string())) {
      problems.push_back({pointer, v.type == VariableType::text ? "expected a text, or one text per language ({\"hi\": \"...\", \"en\": \"...\"})"
                                                                : "expected a text"});
      continue;
    }
    const std::string text(value.as_string());
    if (v.type == VariableType::time) {
      bound.times[static_cast<std::size_t>(index)] = parse_rfc3339(text);
      if (!bound.times[static_cast<std::size_t>(index)])
        problems.push_back({pointer, "expected " + std::string(kRfc3339Expected)});
      continue;
    }
    if (characters(text) > v.max_length) {
      problems.push_back({pointer, too_long(text, v)});
      continue;
    }
    if (has_control_character(text)) {
      problems.push_back({pointer, kControlCharacter});
      continue;
    }
    bound.text[static_cast<std::size_t>(index)] = text;
  }
  for (std::size_t i = 0; i < t.variables.size(); ++i) {
    const auto& v = t.variables[i];
    if (v.from_contact() || given.contains(v.name)) continue;
    if (v.default_value) {
      if (v.type == VariableType::time) bound.times[i] = parse_rfc3339(*v.default_value);
      else bound.text[i] = *v.default_value;
    } else if (v.required) {
      problems.push_back({at + "/" + json_pointer_token(v.name), "missing: the template " + quoted(t.id) + " requires " + quoted(v.name)});
    }
  }
  if (!problems.empty()) return problems;
  write_times(t, bound);

  // What the operators' DLT scrubbing will see, with the longest contact values.
  for (const auto& [language, variant] : t.sms) {
    ContactValues longest;
    for (std::size_t c = 0; c < std::size(kContactVariables); ++c)
      if (const int index = t.variable_index(kContactVariables[c]); index >= 0)
        for (std::size_t k = 0; k < t.variables[static_cast<std::size_t>(index)].max_length; ++k) longest[c] += "क";
    const auto rendered = render(t, adapters::Channel::sms, language, bound, longest);
    if (auto error = sms::check_dlt(variant.dlt, rendered.text, dlt_variable_max); !error.empty())
      problems.push_back({at, "the " + language + " SMS would not pass DLT scrubbing: " + error});
  }
  if (!problems.empty()) return problems;
  return bound;
}

BoundValues example_values(const Template& t, const std::string& language) {
  BoundValues bound;
  bound.text.resize(t.variables.size());
  bound.times.resize(t.variables.size());
  for (std::size_t i = 0; i < t.variables.size(); ++i) {
    const auto& v = t.variables[i];
    if (v.type == VariableType::time) bound.times[i] = parse_rfc3339(v.example_for(language));
    else bound.text[i] = v.example_for(language);
  }
  write_times(t, bound);
  return bound;
}

ContactValues example_contact(const Template& t, const std::string& language) {
  ContactValues out;
  for (std::size_t c = 0; c < std::size(kContactVariables); ++c)
    if (const int index = t.variable_index(kContactVariables[c]); index >= 0)
      out[c] = t.variables[static_cast<std::size_t>(index)].example_for(language);
  return out;
}

}  // namespace orgcast::templates
