#include "directory/importer.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <unordered_map>

#include "core/text.hpp"
#include "directory/codec.hpp"
#include "directory/csv.hpp"
#include "directory/index_from_chunks.hpp"
#include "directory/name_index.hpp"
#include "directory/phone.hpp"

namespace orgcast::directory {
namespace {

constexpr std::size_t kMaxIdBytes = 64;
constexpr std::size_t kMaxNameBytes = 256;
constexpr std::size_t kMaxTokenBytes = 4096;

class ErrorSink {
 public:
  ErrorSink(ImportedDirectory& out, std::size_t cap) : out_(out), cap_(cap) {}
  void add(const std::string& file, std::size_t line, std::string_view column, std::string message) {
    ++out_.error_count;
    if (out_.errors.size() < cap_) out_.errors.push_back({file, line, std::string(column), std::move(message)});
  }
  bool any() const { return out_.error_count > 0; }

 private:
  ImportedDirectory& out_;
  std::size_t cap_;
};

struct ColumnSpec {
  std::string_view name;
  bool required;
};

// Maps each wanted column to its position in the header, or -1 when absent.
std::optional<std::vector<int>> read_header(csv::Reader& reader, const std::string& file,
                                            const std::vector<ColumnSpec>& wanted, ErrorSink& errors) {
  csv::Row header;
  if (!reader.next(header)) {
    errors.add(file, 1, "", "the file is empty; expected a header line");
    return std::nullopt;
  }
  if (!header.error.empty()) {
    errors.add(file, header.line, "", header.error);
    return std::nullopt;
  }
  std::vector<int> positions(wanted.size(), -1);
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    auto name = trim(header.fields[i]);
    for (std::size_t w = 0; w < wanted.size(); ++w)
      if (wanted[w].name == name) positions[w] = static_cast<int>(i);
  }
  bool complete = true;
  for (std::size_t w = 0; w < wanted.size(); ++w) {
    if (positions[w] < 0 && wanted[w].required) {
      errors.add(file, header.line, wanted[w].name, "missing required column " + quoted(wanted[w].name));
      complete = false;
    }
  }
  if (!complete) return std::nullopt;
  return positions;
}

std::string_view field(const csv::Row& row, int position) {
  return position < 0 ? std::string_view{} : trim(row.field(static_cast<std::size_t>(position)));
}

bool check_id(std::string_view id, const std::string& file, std::size_t line, std::string_view column, ErrorSink& errors) {
  if (id.empty()) {
    errors.add(file, line, column, "empty id");
    return false;
  }
  if (id.size() > kMaxIdBytes) {
    errors.add(file, line, column, "id longer than " + std::to_string(kMaxIdBytes) + " bytes");
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- units

struct UnitInfo {
  std::string id, parent_id, name, name_hi;
  int level = -1;
  std::size_t line = 0;
  int parent = -1;
};

enum UnitColumn { u_id, u_parent_id, u_level, u_name, u_name_hi };
const std::vector<ColumnSpec> kUnitColumns = {
    {"id", true}, {"parent_id", true}, {"level", true}, {"name", true}, {"name_hi", false}};

std::vector<UnitInfo> read_units(std::string_view text, const Vocabulary& vocab, const std::string& file,
                                 std::unordered_map<std::string, int>& by_id, ErrorSink& errors) {
  std::vector<UnitInfo> units;
  csv::Reader reader(text);
  auto columns = read_header(reader, file, kUnitColumns, errors);
  if (!columns) return units;
  const auto& col = *columns;
  csv::Row row;
  while (reader.next(row)) {
    if (!row.error.empty()) {
      errors.add(file, row.line, "", row.error);
      continue;
    }
    UnitInfo unit;
    unit.line = row.line;
    auto id = field(row, col[u_id]);
    bool ok = check_id(id, file, row.line, "id", errors);
    auto level = field(row, col[u_level]);
    unit.level = vocab.level_of(level);
    if (unit.level < 0) {
      std::string message = "unknown level " + quoted(level);
      if (auto guess = closest_match(level, vocab.levels()); !guess.empty()) message += "; did you mean " + quoted(guess) + "?";
      errors.add(file, row.line, "level", message);
      ok = false;
    }
    auto name = field(row, col[u_name]);
    if (name.empty() || name.size() > kMaxNameBytes) {
      errors.add(file, row.line, "name", name.empty() ? "empty name" : "name longer than 256 bytes");
      ok = false;
    }
    if (!ok) continue;
    unit.id = id;
    unit.parent_id = field(row, col[u_parent_id]);
    unit.name = name;
    unit.name_hi = field(row, col[u_name_hi]);
    auto [it, inserted] = by_id.emplace(unit.id, static_cast<int>(units.size()));
    if (!inserted) {
      errors.add(file, row.line, "id",
                 "duplicate unit id " + quoted(id) + " (first on line " + std::to_string(units[it->second].line) + ")");
      continue;
    }
    units.push_back(std::move(unit));
  }
  return units;
}

void check_tree(std::vector<UnitInfo>& units, const std::unordered_map<std::string, int>& by_id,
                const Vocabulary& vocab, const std::string& file, ErrorSink& errors) {
  std::size_t roots = 0;
  for (auto& unit : units) {
    if (unit.parent_id.empty()) {
      ++roots;
      continue;
    }
    auto it = by_id.find(unit.parent_id);
    if (it == by_id.end()) {
      errors.add(file, unit.line, "parent_id", "unknown parent " + quoted(unit.parent_id));
      continue;
    }
    unit.parent = it->second;
    const auto& parent = units[static_cast<std::size_t>(unit.parent)];
    int expected = parent.level + 1;
    bool fits = vocab.allow_level_skips() ? unit.level > parent.level : unit.level == expected;
    if (!fits) {
      const auto& levels = vocab.levels();
      std::string message = "a " + levels[static_cast<std::size_t>(unit.level)] + " cannot sit directly under a " +
                            levels[static_cast<std::size_t>(parent.level)] + " (" + quoted(parent.id) + ")";
      if (!vocab.allow_level_skips() && expected < static_cast<int>(levels.size()))
        message += "; the level below " + levels[static_cast<std::size_t>(parent.level)] + " is " +
                   levels[static_cast<std::size_t>(expected)];
      errors.add(file, unit.line, "level", message);
    }
  }
  if (!units.empty() && roots == 0)
    errors.add(file, units.front().line, "parent_id", "no root unit: exactly the top units have an empty parent_id");

  // Units whose parent chain never reaches a root lie on (or hang below) a cycle.
  std::vector<char> state(units.size(), 0);  // 0 unknown, 1 on current walk, 2 reaches a root, 3 reported
  for (std::size_t start = 0; start < units.size(); ++start) {
    std::vector<std::size_t> walk;
    std::size_t at = start;
    while (state[at] == 0) {
      state[at] = 1;
      walk.push_back(at);
      if (units[at].parent < 0) break;
      at = static_cast<std::size_t>(units[at].parent);
    }
    bool cycle = state[at] == 1 && units[at].parent >= 0;
    if (cycle) {
      std::string path;
      auto first = std::find(walk.begin(), walk.end(), at);
      for (auto i = first; i != walk.end(); ++i) path += units[*i].id + " -> ";
      path += units[at].id;
      errors.add(file, units[at].line, "parent_id", "cycle: " + path);
    }
    const char settled = (cycle || state[at] == 3) ? 3 : 2;
    for (auto i : walk) state[i] = settled;
  }
}

// ---------------------------------------------------------------- contacts

enum ContactColumn { c_id, c_name, c_name_hi, c_mobile, c_whatsapp, c_language, c_unit_id, c_role, c_tags, c_app_token };
const std::vector<ColumnSpec> kContactColumns = {
    {"id", true},       {"name", true},    {"name_hi", false}, {"mobile", true}, {"whatsapp", false},
    {"language", false}, {"unit_id", true}, {"role", true},     {"tags", false},  {"app_token", false}};

struct Seen {
  std::uint64_t key;
  std::uint32_t line;
};

void report_duplicates(std::vector<Seen>& seen, const std::string& file, std::string_view column,
                       const std::function<std::string(std::uint32_t first_line)>& message, ErrorSink& errors) {
  std::sort(seen.begin(), seen.end(), [](const Seen& a, const Seen& b) { return a.key != b.key ? a.key < b.key : a.line < b.line; });
  for (std::size_t i = 1; i < seen.size(); ++i) {
    if (seen[i].key != seen[i - 1].key) continue;
    std::size_t first = i - 1;
    while (first > 0 && seen[first - 1].key == seen[i].key) --first;
    errors.add(file, seen[i].line, column, message(seen[first].line));
  }
}

}  // namespace

std::string ImportError::to_string() const {
  std::string out = file + ":" + std::to_string(line) + ": ";
  if (!column.empty()) out += column + ": ";
  return out + message;
}

ImportedDirectory import_directory(std::string_view units_csv, std::string_view contacts_csv,
                                   const Vocabulary& vocab, const ImportOptions& options) {
  ImportedDirectory out;
  ErrorSink errors(out, options.max_errors_listed);
  const auto& ufile = options.units_file;
  const auto& cfile = options.contacts_file;

  std::unordered_map<std::string, int> unit_by_id;
  auto units = read_units(units_csv, vocab, ufile, unit_by_id, errors);
  check_tree(units, unit_by_id, vocab, ufile, errors);
  out.unit_count = units.size();

  csv::Reader reader(contacts_csv);
  auto columns = read_header(reader, cfile, kContactColumns, errors);
  if (!columns) return out;
  const auto& col = *columns;

  codec::ChunkWriter writer;
  NameIndexBuilder names;
  std::vector<Seen> ids, posts;
  std::vector<std::uint64_t> mobiles;
  std::hash<std::string_view> hash;
  csv::Row row;
  ContactView contact;
  std::string why;
  while (reader.next(row)) {
    const auto line = row.line;
    if (!row.error.empty()) {
      errors.add(cfile, line, "", row.error);
      continue;
    }
    bool ok = true;
    const auto line32 = static_cast<std::uint32_t>(line);
    contact.id = field(row, col[c_id]);
    if (check_id(contact.id, cfile, line, "id", errors)) ids.push_back({hash(contact.id), line32});
    else ok = false;
    contact.name = field(row, col[c_name]);
    contact.name_hi = field(row, col[c_name_hi]);
    if (contact.name.empty() && contact.name_hi.empty()) {
      errors.add(cfile, line, "name", "a contact needs a name (name or name_hi)");
      ok = false;
    }
    if (contact.name.size() > kMaxNameBytes || contact.name_hi.size() > kMaxNameBytes) {
      errors.add(cfile, line, "name", "name longer than 256 bytes");
      ok = false;
    }
    auto mobile = phone::normalise_indian_mobile(field(row, col[c_mobile]), &why);
    if (!mobile) {
      errors.add(cfile, line, "mobile", why + " (" + quoted(field(row, col[c_mobile])) + ")");
      ok = false;
    }
    contact.mobile = mobile.value_or(0);
    auto whatsapp = field(row, col[c_whatsapp]);
    if (whatsapp.empty() || whatsapp == "no") {
      contact.whatsapp = 0;
    } else if (whatsapp == "yes") {
      contact.whatsapp = contact.mobile;
    } else if (auto number = phone::normalise_indian_mobile(whatsapp, &why)) {
      contact.whatsapp = *number;
    } else {
      errors.add(cfile, line, "whatsapp", "expected yes, no or a mobile number: " + why);
      ok = false;
    }
    contact.language = field(row, col[c_language]);
    if (contact.language.empty()) {
      contact.language = vocab.languages()[static_cast<std::size_t>(vocab.default_language())];
    } else if (vocab.language_of(contact.language) < 0) {
      errors.add(cfile, line, "language", "unknown language " + quoted(contact.language));
      ok = false;
    }
    contact.unit_id = field(row, col[c_unit_id]);
    if (!unit_by_id.contains(std::string(contact.unit_id))) {
      errors.add(cfile, line, "unit_id", "unknown unit " + quoted(contact.unit_id));
      ok = false;
    }
    contact.role = field(row, col[c_role]);
    if (vocab.role_of(contact.role) < 0) {
      std::string message = "unknown role " + quoted(contact.role);
      if (auto guess = closest_match(contact.role, vocab.roles()); !guess.empty()) message += "; did you mean " + quoted(guess) + "?";
      errors.add(cfile, line, "role", message);
      ok = false;
    }
    contact.tags = split_trimmed(field(row, col[c_tags]), ';');
    for (auto tag : contact.tags) {
      if (vocab.tag_of(tag) < 0) {
        std::string message = "unknown tag " + quoted(tag);
        if (auto guess = closest_match(tag, vocab.tags()); !guess.empty()) message += "; did you mean " + quoted(guess) + "?";
        errors.add(cfile, line, "tags", message);
        ok = false;
      }
    }
    contact.app_token = field(row, col[c_app_token]);
    if (contact.app_token.size() > kMaxTokenBytes) {
      errors.add(cfile, line, "app_token", "longer than 4096 bytes");
      ok = false;
    }
    if (!ok) continue;
    posts.push_back({hash(std::to_string(contact.mobile) + '\x1f' + std::string(contact.unit_id) + '\x1f' +
                          std::string(contact.role)),
                     line32});
    mobiles.push_back(contact.mobile);
    ++out.contact_count;
    // Encoding is wasted work once the import is known to fail.
    if (errors.any()) continue;
    names.add(record_ordinal(out.contact_chunks.size(), writer.count()), contact.name, contact.name_hi);
    writer.append(contact);
    if (writer.count() == codec::kContactsPerChunk) out.contact_chunks.push_back(writer.take());
  }
  if (writer.count() > 0) out.contact_chunks.push_back(writer.take());

  report_duplicates(ids, cfile, "id", [](std::uint32_t first) { return "duplicate contact id (first on line " + std::to_string(first) + ")"; }, errors);
  report_duplicates(posts, cfile, "role", [](std::uint32_t first) {
    return "this person (same mobile) already holds this role in this unit on line " + std::to_string(first);
  }, errors);
  std::sort(mobiles.begin(), mobiles.end());
  out.person_count = static_cast<std::size_t>(std::unique(mobiles.begin(), mobiles.end()) - mobiles.begin());

  if (!errors.any()) {
    codec::ChunkWriter unit_writer;
    for (const auto& unit : units) {
      unit_writer.append(UnitView{unit.id, unit.parent_id, vocab.levels()[static_cast<std::size_t>(unit.level)], unit.name, unit.name_hi});
      if (unit_writer.count() == codec::kUnitsPerChunk) out.unit_chunks.push_back(unit_writer.take());
    }
    if (unit_writer.count() > 0) out.unit_chunks.push_back(unit_writer.take());
    out.name_buckets = names.take();
  } else {
    out.contact_chunks.clear();
  }
  std::stable_sort(out.errors.begin(), out.errors.end(), [&](const ImportError& a, const ImportError& b) {
    bool a_units = a.file == ufile, b_units = b.file == ufile;
    if (a_units != b_units) return a_units;
    return a.line < b.line;
  });
  return out;
}

}  // namespace orgcast::directory
