// Finding a person in the directory, within the caller's scope:
//   GET /v1/directory/contacts?q=<name or mobile>&limit=20&cursor=
// A name: each word of q must begin a word of the contact's English or
// Hindi name (directory/name_index.hpp: one bucket read per word, from the
// index the import wrote beside the directory; contacts changed since the
// import are matched from the overlay). A mobile (10 digits, with or
// without +91, spaces or dashes): that person's posts. Numbers are masked
// without view_contacts over the contact's unit, as GET /v1/directory/contacts/{id}
// shows them; each contact shown with whole numbers is one of the caller's
// contact reads (auth.contact_reads_per_minute; a search, at least one) and is audited.
#include <boost/json.hpp>
#include <algorithm>

#include "api/caller_scope.hpp"
#include "api/audit_trail.hpp"
#include "api/common.hpp"
#include "api/contact_read_limit.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "auth/principal.hpp"
#include "core/json_text.hpp"
#include "core/mask.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "directory/contact_json.hpp"
#include "directory/index_from_chunks.hpp"
#include "directory/name_index.hpp"
#include "directory/phone.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "keywords/normalise.hpp"

namespace orgcast::api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::size_t kMostMatches = 10000;  // counted and paged; a name that common is a search to narrow

// How many digits q holds when, in matching form (any script's digits as
// ASCII, punctuation as spaces), it is nothing but digits and spaces; 0
// when it holds anything else. A name is never only digits: such a q is a
// mobile number, or 400.
std::size_t digits_only(std::string_view folded) {
  std::size_t digits = 0;
  for (const char c : folded) {
    if (c >= '0' && c <= '9') ++digits;
    else if (c != ' ') return 0;
  }
  return digits;
}

// A match: the record and the unit of its post.
struct Match {
  std::uint32_t record = 0, unit = directory::kNoUnit;
};

// The records' posts in the caller's scope, in directory order (one pass over the posts, on the compute pool).
std::vector<Match> placed_in_scope(const directory::OrgIndex& index, const directory::Scope& scope, std::vector<std::uint32_t> records) {
  std::sort(records.begin(), records.end());
  std::vector<Match> out;
  for (const auto& post : index.posts())
    if (std::binary_search(records.begin(), records.end(), post.record) && scope.contains(post.unit)) {
      out.push_back({post.record, post.unit});
      if (out.size() >= kMostMatches) break;
    }
  return out;
}

awaitable<http::Response> search_contacts(Context context, http::Request& request) {
  auto bad = [](const std::string& what) { return http::problem(400, "invalid-parameter", "Invalid parameter", what); };
  std::string q;
  std::size_t limit = 20;
  Paging paging;  // `limit` is its page size, `cursor` where it starts
  for (const auto& [name, value] : request.query) {
    if (name == "q") {
      if (value.empty() || characters(value) > 100) co_return bad("q must be 1 to 100 characters: a name, or a mobile number");
      q = value;
    } else if (name == "limit") {
      if (auto why = read_paging("per_page", value, 100, limit); !why.empty()) co_return bad("limit must be a number from 1 to 100, not " + quoted_input(value));
    } else if (name == "cursor") {
      if (std::string why; read_paging_parameter(name, value, 100, paging, why) && (!why.empty() || paging.offset() > kMostMatches))
        co_return bad("cursor is not one this search gave (use the `next` link as it is)");
    }
  }
  if (q.empty()) co_return bad("give q: a name (each word the start of a word of the name, English or Hindi) or a mobile number");
  if (const auto at = invalid_utf8_at(q); at != std::string::npos)
    co_return bad("q is not valid UTF-8 (byte " + std::to_string(at + 1) + "): send the name in UTF-8, percent-encoded");
  const auto folded = keywords::normalise(q);  // ४७ is 47, "(982) 900-0004" is digits and spaces
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const CallerScope caller(request, index->units());
  std::vector<Match> matches;
  if (const auto digits = digits_only(folded); digits > 0 && digits < 5) {
    co_return bad("q " + quoted_input(q, 40) + " is too short for a mobile number (10 digits) and has no letters to search a name by");
  } else if (digits >= 5) {
    // A number found confirms the number: for one who sees numbers masked, that would unmask them by guessing.
    if (!request.principal->permissions.has(auth::Permission::view_contacts))
      co_return http::problem(403, "forbidden", "Numbers are masked for you",
                              "searching by mobile number needs the view_contacts permission (you see numbers masked); search by name");
    const auto mobile = phone::normalise_indian_mobile(folded);
    if (!mobile) co_return bad("q " + quoted_input(q, 40) + " is not an Indian mobile number");
    if (const auto person = index->find_person(*mobile)) {
      auto posts_of = [index, person = *person, scope = caller.scope()] {
        std::vector<Match> out;
        for (const auto& post : index->posts())
          if (post.person == person && scope.contains(post.unit)) out.push_back({post.record, post.unit});
        return out;
      };
      matches = co_await run_on(context.compute, std::move(posts_of));
    }
  } else {
    const auto words = directory::name_words(q);
    if (words.empty()) co_return bad("q " + quoted_input(q, 40) + " has no letters or digits to search for");
    std::vector<std::string> buckets;
    for (const auto& w : words) buckets.push_back(directory::name_bucket(w));
    auto found = co_await context.store->name_buckets(index->version(), buckets);
    if (!found) co_return redis_unavailable(found.error().message());
    if (!*found && index->snapshot_records() > 0)
      co_return http::unavailable("directory version " + std::to_string(index->version()) +
                                      " has no name index (it was imported by an older orgcast): import the directory again to search it by name",
                                  60);
    auto overlay = co_await context.store->overlay(index->version());
    if (!overlay) co_return redis_unavailable(overlay.error().message());
    auto match = [index, words, found = found->value_or(std::vector<std::string>(words.size())), overlay = std::move(*overlay), scope = caller.scope()] {
      // Snapshot records with every word, then those that still have a post (not changed or deleted since) in scope.
      std::vector<std::uint32_t> records;
      for (std::size_t i = 0; i < words.size(); ++i) {
        auto these = directory::records_matching(found[i], words[i]);
        if (i == 0) records = std::move(these);
        else {
          std::vector<std::uint32_t> both;
          std::set_intersection(records.begin(), records.end(), these.begin(), these.end(), std::back_inserter(both));
          records = std::move(both);
        }
      }
      std::erase_if(records, [&](std::uint32_t r) { return r >= index->snapshot_records(); });
      // Contacts changed since the import: their current record, matched here.
      for (const auto& entry : overlay) {
        directory::ContactRecord record;
        if (entry.encoded.empty() || !directory::decode_contact(entry.encoded, record)) continue;
        if (!directory::name_matches(record.name, record.name_hi, words)) continue;
        if (const auto ref = index->find_contact(entry.id)) records.push_back(ref->record);
      }
      return placed_in_scope(*index, scope, std::move(records));
    };
    matches = co_await run_on(context.compute, std::move(match));
  }
  const auto total = matches.size();
  paging.per_page = limit;
  const auto first = std::min(paging.offset(), total), end = std::min(total, first + limit);
  // Each contact shown with its numbers whole is a contact read (auth.contact_reads_per_minute), and kept in
  // the audit trail: a search cannot walk the directory's numbers faster than reading contacts one by one.
  std::size_t whole = 0;
  for (auto i = first; i < end; ++i) whole += caller.unmasked_at(matches[i].unit) ? 1 : 0;
  if (auto refused = contact_read_refused(context, request, std::max<std::size_t>(1, whole))) co_return std::move(*refused);
  if (whole > 0) {
    auto exported = audit_entry(context, request, "export_numbers", "contacts");
    exported.count = static_cast<long long>(whole);
    exported.unit = std::string(index->units().id(matches[first].unit));  // read by those whose scope holds it
    exported.summary = "contact search " + quoted_input(q, 40);
    co_await keep_audit(context, std::move(exported));
  }
  std::vector<std::uint32_t> records;
  for (auto i = first; i < end; ++i) records.push_back(matches[i].record);
  auto read = co_await context.store->fetch_records(*index, records);
  if (!read) co_return redis_unavailable(read.error().message());
  json::array contacts;
  for (std::size_t i = 0; i < read->size(); ++i) {
    const auto& contact = (*read)[i];
    if (contact.id.empty()) continue;
    auto shown = json::parse(directory::contact_to_json(contact)).as_object();
    if (!caller.unmasked_at(matches[first + i].unit)) {
      shown["mobile"] = mask_phone(phone::to_e164(contact.mobile));
      if (contact.whatsapp) shown["whatsapp"] = mask_phone(phone::to_e164(contact.whatsapp));
    }
    contacts.push_back(std::move(shown));
  }
  json::object out{{"contacts", std::move(contacts)}, {"total", total}, {"next", next_page_link(request, paging, total)}};
  if (total >= kMostMatches) out["note"] = "more than " + std::to_string(kMostMatches) + " match: add a word to narrow the search";
  co_return http::json_response(200, json_text(out));
}

}  // namespace

void add_contact_search_routes(http::Router& router, const Context& context) {
  router.add("GET", "/v1/directory/contacts", [context](http::Request& r) { return search_contacts(context, r); });
}

}  // namespace orgcast::api
