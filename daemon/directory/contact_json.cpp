#include "directory/contact_json.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"
#include "directory/phone.hpp"

namespace orgcast::directory {
namespace json = boost::json;

std::variant<ContactRecord, std::vector<SelectorError>> parse_contact_json(const json::value& body, const std::string& id,
                                                                           const OrgIndex& index) {
  std::vector<SelectorError> errors;
  ContactRecord record;
  record.id = id;
  if (id.empty() || id.size() > 64) errors.push_back({"", "the contact id in the path must be 1 to 64 bytes"});
  if (!body.is_object()) {
    errors.push_back({"", "a contact is a JSON object"});
    return errors;
  }
  const auto& vocab = index.vocabulary();
  static const std::vector<std::string> keys = {"name", "name_hi", "mobile", "whatsapp", "language",
                                                "unit_id", "role", "tags", "app_token"};
  auto text = [&](const char* key, std::string& out) {
    auto* v = body.as_object().if_contains(key);
    if (!v || v->is_null()) return;
    if (!v->is_string()) errors.push_back({std::string("/") + key, "expected a string"});
    else out = v->as_string();
  };
  reject_unknown_keys(body.as_object(), keys, "", errors);
  text("name", record.name);
  text("name_hi", record.name_hi);
  // As an import takes a name (at most 256 bytes), and one line of plain text.
  for (const auto& [key, given] : {std::pair<const char*, const std::string*>{"/name", &record.name}, {"/name_hi", &record.name_hi}})
    if (given->size() > 256) errors.push_back({key, "is longer than 256 bytes, as a directory import takes a name"});
    else if (!given->empty())
      if (auto why = name_problem(*given, 256); !why.empty()) errors.push_back({key, why});
  if (record.name.empty() && record.name_hi.empty()) errors.push_back({"/name", "a contact needs a name (name or name_hi)"});
  std::string mobile, why;
  text("mobile", mobile);
  if (auto number = phone::normalise_indian_mobile(mobile, &why)) record.mobile = *number;
  else errors.push_back({"/mobile", why});
  if (auto* w = body.as_object().if_contains("whatsapp")) {
    if (w->is_bool()) {
      record.whatsapp = w->as_bool() ? record.mobile : 0;
    } else if (w->is_string() && (w->as_string() == "yes" || w->as_string() == "no")) {
      record.whatsapp = w->as_string() == "yes" ? record.mobile : 0;
    } else if (w->is_string()) {
      if (auto number = phone::normalise_indian_mobile(w->as_string(), &why)) record.whatsapp = *number;
      else errors.push_back({"/whatsapp", why});
    } else if (!w->is_null()) {
      errors.push_back({"/whatsapp", "expected true, false or a mobile number"});
    }
  }
  text("language", record.language);
  if (record.language.empty()) record.language = vocab.languages()[static_cast<std::size_t>(vocab.default_language())];
  else if (vocab.language_of(record.language) < 0) errors.push_back({"/language", "unknown language " + quoted(record.language)});
  text("unit_id", record.unit_id);
  if (index.units().find(record.unit_id) == kNoUnit) errors.push_back({"/unit_id", "unknown unit " + quoted(record.unit_id)});
  text("role", record.role);
  if (vocab.role_of(record.role) < 0) {
    std::string message = "unknown role " + quoted(record.role);
    if (auto guess = closest_match(record.role, vocab.roles()); !guess.empty()) message += "; did you mean " + quoted(guess) + "?";
    errors.push_back({"/role", message});
  }
  if (auto* tags = body.as_object().if_contains("tags"); tags && !tags->is_null()) {
    if (!tags->is_array()) {
      errors.push_back({"/tags", "expected an array of tags"});
    } else {
      for (std::size_t i = 0; i < tags->as_array().size(); ++i) {
        const auto& tag = tags->as_array()[i];
        if (!tag.is_string() || vocab.tag_of(tag.as_string()) < 0)
          errors.push_back({"/tags/" + std::to_string(i), tag.is_string() ? "unknown tag " + quoted(tag.as_string()) : "expected a tag name"});
        else record.tags.emplace_back(tag.as_string());
      }
    }
  }
  text("app_token", record.app_token);
  if (record.app_token.size() > 4096) errors.push_back({"/app_token", "longer than 4096 bytes"});
  if (!errors.empty()) return errors;
  return record;
}

std::string contact_to_json(const ContactRecord& r) {
  json::object o;
  o["id"] = r.id;
  o["name"] = r.name;
  o["name_hi"] = r.name_hi;
  o["mobile"] = phone::to_e164(r.mobile);
  o["whatsapp"] = r.whatsapp ? json::value(phone::to_e164(r.whatsapp)) : json::value(nullptr);
  o["language"] = r.language;
  o["unit_id"] = r.unit_id;
  o["role"] = r.role;
  json::array tags;
  for (const auto& t : r.tags) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  o["has_app"] = !r.app_token.empty();
  return json::serialize(o);
}

}  // namespace orgcast::directory
