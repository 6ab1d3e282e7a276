#include "directory/selector.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/text.hpp"
#include "directory/phone.hpp"

namespace orgcast::directory {
namespace json = boost::json;
namespace {

class Parser {
 public:
  Parser(const OrgIndex& index, std::string at, const Scope* scope)
      : index_(index), vocab_(index.vocabulary()), at_(std::move(at)), scope_(scope) {}

  std::vector<SelectorError> errors;
  Selector selector;

  void parse(const json::value& root) {
    if (!root.is_object()) return fail(at_, "a selector is a JSON object");
    static const std::vector<std::string> keys = {"units", "levels", "roles", "tags", "languages", "channels", "exclude", "people"};
    for (const auto& [key, value] : root.as_object()) {
      std::string pointer = at_ + "/" + json_pointer_token(key);
      if (key == "units") selector.units = unit_list(value, pointer, true);
      else if (key == "levels") selector.levels = name_mask(value, pointer, vocab_.levels(), "level");
      else if (key == "roles") roles(value, pointer);
      else if (key == "tags") tags(value, pointer);
      else if (key == "languages") selector.languages = name_mask(value, pointer, vocab_.languages(), "language");
      else if (key == "channels") channels(value, pointer);
      else if (key == "exclude") exclude(value, pointer);
      else if (key == "people") people(value, pointer);
      else unknown_key(key, pointer, keys);
    }
    // No units: the caller's part of the directory.
    if (scope_ && !scope_->whole() && selector.units.empty()) {
      for (auto u : scope_->roots()) selector.units.push_back({u, true});
      if (selector.units.empty()) fail(at_, "your scope holds no unit of the directory; ask an administrator to set it");
    }
  }

 private:
  void fail(std::string pointer, std::string message) { errors.push_back({std::move(pointer), std::move(message)}); }

  // "people": ["+919829000001", ...]: exactly these people (their mobiles).
  void people(const json::value& value, const std::string& pointer) {
    static constexpr std::size_t kMostPeople = 10000;
    auto* items = array_of(value, pointer, "mobile numbers");
    if (!items) return;
    if (items->empty()) return fail(pointer, "give at least one mobile number (or leave \"people\" out)");
    if (items->size() > kMostPeople) return fail(pointer, "at most " + std::to_string(kMostPeople) + " people; select a unit instead");
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string at = pointer + "/" + std::to_string(i);
      const auto* text = (*items)[i].if_string();
      const auto mobile = text ? phone::normalise_indian_mobile(*text) : std::nullopt;
      if (!mobile) {
        fail(at, "expected an Indian mobile number such as +919829000001");
        continue;
      }
      if (auto person = index_.find_person(*mobile); person && in_scope(*person)) selector.only_persons.push_back(*person);
      else fail(at, std::string(scope_ && !scope_->whole() ? "nobody in your scope" : "nobody in the directory") + " has the mobile " + quoted_input(*text));
    }
    std::sort(selector.only_persons.begin(), selector.only_persons.end());
    selector.only_persons.erase(std::unique(selector.only_persons.begin(), selector.only_persons.end()), selector.only_persons.end());
  }

  void unknown_key(std::string_view key, const std::string& pointer, const std::vector<std::string>& allowed) {
    std::string message = "unknown key " + quoted(key);
    if (auto guess = closest_match(key, allowed); !guess.empty()) message += "; did you mean " + quoted(guess) + "?";
    fail(pointer, message);
  }

  const json::array* array_of(const json::value& value, const std::string& pointer, std::string_view what) {
    if (!value.is_array()) {
      fail(pointer, "expected an array of " + std::string(what));
      return nullptr;
    }
    return &value.as_array();
  }

  std::vector<UnitChoice> unit_list(const json::value& value, const std::string& pointer, bool reached = false) {
    std::vector<UnitChoice> out;
    auto* items = array_of(value, pointer, "unit ids or {\"id\", \"descendants\"} objects");
    if (!items) return out;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      std::string at = pointer + "/" + std::to_string(i);
      UnitChoice choice;
      std::string_view id;
      if (item.is_string()) {
        id = item.as_string();
      } else if (item.is_object()) {
        const auto& object = item.as_object();
        for (const auto& [key, field] : object) {
          if (key == "id") {
            if (!field.is_string()) fail(at + "/id", "expected a unit id (string)");
            else id = field.as_string();
          } else if (key == "descendants") {
            if (!field.is_bool()) fail(at + "/descendants", "expected true or false");
            else choice.descendants = field.as_bool();
          } else {
            unknown_key(key, at + "/" + json_pointer_token(key), {"id", "descendants"});
          }
        }
        if (!object.contains("id")) fail(at, "a unit object needs an \"id\"");
        at += "/id";
      } else {
        fail(at, "expected a unit id or {\"id\", \"descendants\"}");
        continue;
      }
      if (id.empty()) continue;
      choice.unit = index_.units().find(id);
      if (choice.unit == kNoUnit) fail(at, "unknown unit " + quoted(id));
      else if (reached && scope_ && !scope_->contains(choice.unit))
        errors.push_back({at, "the unit " + quoted(id) + " is outside your scope", false, true});
      else out.push_back(choice);
    }
    return out;
  }

  std::uint64_t name_mask(const json::value& value, const std::string& pointer, const std::vector<std::string>& names,
                          std::string_view what) {
    std::uint64_t mask = 0;
    auto* items = array_of(value, pointer, std::string(what) + " names");
    if (!items) return mask;
    for (std::size_t i = 0; i < items->size(); ++i) {
      std::string at = pointer + "/" + std::to_string(i);
      if (!(*items)[i].is_string()) {
        fail(at, "expected a " + std::string(what) + " name");
        continue;
      }
      std::string_view name = (*items)[i].as_string();
      int bit = -1;
      for (std::size_t n = 0; n < names.size() && n < 64; ++n)
        if (names[n] == name) bit = static_cast<int>(n);
      if (bit < 0) {
        std::string message = "unknown " + std::string(what) + " " + quoted(name);
        if (auto guess = closest_match(name, names); !guess.empty()) message += "; did you mean " + quoted(guess) + "?";
        fail(at, message);
        continue;
      }
      mask |= std::uint64_t{1} << bit;
    }
    return mask;
  }

  void roles(const json::value& value, const std::string& pointer) {
    auto* items = array_of(value, pointer, "role names");
    if (!items) return;
    for (std::size_t i = 0; i < items->size(); ++i) {
      std::string at = pointer + "/" + std::to_string(i);
      std::string_view name = (*items)[i].is_string() ? std::string_view((*items)[i].as_string()) : std::string_view{};
      int role = vocab_.role_of(name);
      if (role < 0) {
        std::string message = (*items)[i].is_string() ? "unknown role " + quoted(name) : "expected a role name";
        if (auto guess = closest_match(name, vocab_.roles()); !guess.empty()) message += "; did you mean " + quoted(guess) + "?";
        fail(at, message);
        continue;
      }
      selector.roles.set(static_cast<std::size_t>(role));
    }
  }

  void tags(const json::value& value, const std::string& pointer) {
    if (value.is_array()) {
      selector.tags_any = name_mask(value, pointer, vocab_.tags(), "tag");
      return;
    }
    if (!value.is_object()) return fail(pointer, "expected an array of tags (any of) or {\"any\": [...], \"all\": [...]}");
    for (const auto& [key, field] : value.as_object()) {
      std::string at = pointer + "/" + json_pointer_token(key);
      if (key == "any") selector.tags_any = name_mask(field, at, vocab_.tags(), "tag");
      else if (key == "all") selector.tags_all = name_mask(field, at, vocab_.tags(), "tag");
      else unknown_key(key, at, {"any", "all"});
    }
  }

  void channels(const json::value& value, const std::string& pointer) {
    static const std::vector<std::string> names = {"sms", "whatsapp", "push"};
    selector.channels = static_cast<std::uint8_t>(name_mask(value, pointer, names, "channel"));
  }

  void exclude(const json::value& value, const std::string& pointer) {
    if (!value.is_object()) return fail(pointer, "expected {\"units\": [...], \"contacts\": [...], \"tags\": [...]}");
    for (const auto& [key, field] : value.as_object()) {
      std::string at = pointer + "/" + json_pointer_token(key);
      if (key == "units") {
        selector.exclude_units = unit_list(field, at);
      } else if (key == "tags") {
        selector.exclude_tags = name_mask(field, at, vocab_.tags(), "tag");
      } else if (key == "contacts") {
        auto* items = array_of(field, at, "contact ids");
        if (!items) continue;
        for (std::size_t i = 0; i < items->size(); ++i) {
          std::string item_at = at + "/" + std::to_string(i);
          if (!(*items)[i].is_string()) {
            fail(item_at, "expected a contact id");
            continue;
          }
          std::string_view id = (*items)[i].as_string();
          auto ref = index_.find_contact(id);
          if (!ref || !in_scope(ref->person)) fail(item_at, "unknown contact " + quoted(id));
          else selector.exclude_persons.push_back(ref->person);
        }
      } else {
        unknown_key(key, at, {"units", "contacts", "tags"});
      }
    }
  }

  // Whether the person holds a post in the scope: a number or contact
  // outside it is answered as one the directory lacks (no oracle). The
  // persons in the scope are found once, from its units' posts.
  bool in_scope(std::uint32_t person) {
    if (!scope_ || scope_->whole()) return true;
    if (persons_in_scope_.empty()) {
      persons_in_scope_.assign(index_.person_count(), false);
      for (auto root : scope_->roots()) {
        const auto [first, end] = index_.post_range(root, index_.units().subtree_end(root));
        for (auto p = first; p < end; ++p) persons_in_scope_[index_.posts()[p].person] = true;
      }
    }
    return person < persons_in_scope_.size() && persons_in_scope_[person];
  }

  const OrgIndex& index_;
  const Vocabulary& vocab_;
  std::vector<bool> persons_in_scope_;
  std::string at_;
  const Scope* scope_;  // null: no limit
};

}  // namespace

void reject_unknown_keys(const json::object& object, const std::vector<std::string>& allowed, const std::string& at,
                         std::vector<SelectorError>& errors) {
  for (const auto& [key, value] : object) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = "unknown key " + quoted(key);
    if (auto guess = closest_match(key, allowed); !guess.empty()) message += "; did you mean " + quoted(guess) + "?";
    errors.push_back({at + "/" + std::string(key), message});
  }
}

std::variant<Selector, std::vector<SelectorError>> parse_selector(std::string_view text, const OrgIndex& index) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  json::value root = json::parse(text, ec, {}, options);
  if (ec) {
    // Boost.JSON does not say where; count lines up to the first byte it
    // could not take by re-parsing incrementally.
    json::stream_parser parser({}, options);
    std::size_t consumed = 0;
    boost::system::error_code step;
    for (; consumed < text.size(); ++consumed) {
      parser.write(text.data() + consumed, 1, step);
      if (step) break;
    }
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') ++line, column = 1;
      else ++column;
    }
    return std::vector<SelectorError>{{"", "not valid JSON at line " + std::to_string(line) + ", column " +
                                               std::to_string(column) + ": " + ec.message()}};
  }
  return parse_selector(root, index, "");
}

std::variant<Selector, std::vector<SelectorError>> parse_selector(const json::value& root, const OrgIndex& index,
                                                                  const std::string& at, const Scope* scope) {
  Parser parser(index, at, scope);
  parser.parse(root);
  if (!parser.errors.empty()) return std::move(parser.errors);
  return std::move(parser.selector);
}

}  // namespace orgcast::directory
