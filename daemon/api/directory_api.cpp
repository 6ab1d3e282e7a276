// The directory over HTTP:
//   POST   /v1/directory/import        multipart/form-data, parts "units" and "contacts"
//                                      (?report_only=true validates without importing)
//   GET    /v1/directory               the version in use and its counts
//   GET    /v1/directory/contacts/{id}  (with app_token_dead: why, once FCM refused the token)
//   PUT    /v1/directory/contacts/{id} one contact as JSON (create or replace)
//   DELETE /v1/directory/contacts/{id}
#include <boost/json.hpp>

#include "api/audit_trail.hpp"
#include "api/caller_scope.hpp"
#include "api/contact_read_limit.hpp"
#include "api/common.hpp"
#include "auth/principal.hpp"
#include "core/mask.hpp"
#include "api/routes.hpp"
#include "broadcast/keys.hpp"
#include "core/run_on.hpp"
#include "core/text.hpp"
#include "directory/contact_json.hpp"
#include "directory/importer.hpp"
#include "directory/phone.hpp"
#include "directory_store/store.hpp"
#include "directory_store/watcher.hpp"
#include "http/multipart.hpp"
#include "metrics/registry.hpp"
#include "redis/client.hpp"
#include "core/json_text.hpp"

namespace orgcast::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

http::Response import_problem(const directory::ImportedDirectory& result) {
  std::vector<http::ProblemItem> items;
  for (const auto& e : result.errors)
    items.push_back({"line", e.file + ":" + std::to_string(e.line), e.column.empty() ? e.message : e.column + ": " + e.message});
  return http::problem(422, "invalid-directory", "The directory files have errors",
                       std::to_string(result.error_count) + " error(s); nothing was imported", items, result.error_count);
}

json::object counts_json(std::size_t units, std::size_t contacts, std::size_t persons) {
  return json::object{{"units", units}, {"contacts", contacts}, {"people", persons}};  // "people", as every other answer names them
}

awaitable<http::Response> import_directory(Context context, http::Request& request) {
  // A whole directory replaces every unit: only a caller whose scope is the root may.
  if (!request.principal->whole_directory())
    co_return out_of_scope("a full directory import replaces every unit; it needs a scope of the whole directory (\"*\"); change one contact with PUT /v1/directory/contacts/{id}");
  auto boundary = http::multipart_boundary(request.header("content-type").value_or(""));
  if (!boundary)
    co_return http::problem(415, "unsupported-media-type", "Unsupported media type",
                            "send multipart/form-data with the parts \"units\" and \"contacts\" (curl -F units=@units.csv -F contacts=@contacts.csv)");
  std::string why;
  auto parts = http::parse_multipart(request.body, *boundary, &why);
  if (!parts) co_return http::problem(400, "invalid-multipart", "Malformed multipart body", why);
  const http::FormPart *units = nullptr, *contacts = nullptr;
  for (const auto& part : *parts) {
    const http::FormPart** slot = part.name == "units" ? &units : part.name == "contacts" ? &contacts : nullptr;
    if (!slot) continue;
    if (*slot)  // which of the two would be imported is not for the daemon to guess
      co_return http::problem(400, "invalid-multipart", "Malformed multipart body", "the part \"" + part.name + "\" is given twice; send it once");
    *slot = &part;
  }
  if (!units || !contacts)
    co_return http::problem(400, "missing-part", "Missing part", std::string("the multipart body has no \"") + (units ? "contacts" : "units") + "\" part");
  bool report_only = request.query.contains("report_only") && request.query["report_only"] != "false";

  auto config = context.directory_config();
  directory::ImportOptions options;
  options.units_file = units->filename.empty() ? "units.csv" : units->filename;
  options.contacts_file = contacts->filename.empty() ? "contacts.csv" : contacts->filename;
  options.max_errors_listed = static_cast<std::size_t>(config.max_errors_listed);
  auto validate = [&] {
    return directory::import_directory(units->body, contacts->body, directory::Vocabulary(config), options);
  };
  auto result = co_await run_on(context.compute, std::move(validate));
  if (!result.ok()) co_return import_problem(result);
  auto counts = counts_json(result.unit_count, result.contact_count, result.person_count);
  if (report_only) {
    counts["valid"] = true;
    co_return http::json_response(200, json_text(counts));
  }
  if (!context.redis->connected()) co_return redis_unavailable(context.redis->status());
  auto meta = co_await context.store->publish(std::move(result), "POST /v1/directory/import");
  if (!meta) co_return redis_unavailable(meta.error().message());
  context.log->info("directory", "imported version " + std::to_string(meta->version) + " over HTTP: " +
                                     std::to_string(meta->contacts) + " contacts");
  context.metrics->counter("orgcast_directory_imports_total", "directory imports published").inc();
  counts["version"] = meta->version;
  auto imported = audit_entry(context, request, "directory_import", "version " + std::to_string(meta->version));
  imported.count = static_cast<long long>(meta->contacts);
  imported.summary = std::to_string(meta->units) + " units, " + std::to_string(meta->contacts) + " contacts";
  co_await keep_audit(context, std::move(imported));
  co_return http::json_response(200, json_text(counts));
}

awaitable<http::Response> directory_status(Context context, http::Request&) {
  auto meta = co_await context.store->current_meta();
  if (!meta) co_return redis_unavailable(meta.error().message());
  auto body = counts_json(meta->units, meta->contacts, meta->persons);
  body["version"] = meta->version;
  body["imported_at"] = meta->imported_at;
  body["source"] = meta->source;
  if (auto index = context.watcher->index()) body["index_version"] = index->version();
  co_return http::json_response(200, json_text(body));
}

awaitable<http::Response> get_contact(Context context, http::Request& request) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const auto id = request.params["id"];
  const CallerScope caller(request, index->units());
  if (auto refused = contact_read_refused(context, request)) co_return std::move(*refused);
  const auto placed = reachable_contact(context, caller, *index, id);
  if (!placed) co_return not_found("contact", id);
  std::uint32_t record = placed->ref.record;
  auto records = co_await context.store->fetch_records(*index, std::span<const std::uint32_t>(&record, 1));
  if (!records) co_return redis_unavailable(records.error().message());
  if (records->front().id.empty()) co_return not_found("contact", id);
  const auto& contact = records->front();
  auto body = json::parse(directory::contact_to_json(contact)).as_object();
  // Without view_contacts over the contact's unit: numbers masked, and no push token.
  if (!caller.unmasked_at(placed->unit)) {
    body["mobile"] = mask_phone(phone::to_e164(contact.mobile));
    if (contact.whatsapp) body["whatsapp"] = mask_phone(phone::to_e164(contact.whatsapp));
    co_return http::json_response(200, json_text(body));
  }
  if (contact.app_token.empty()) co_return http::json_response(200, json_text(body));
  // A token FCM called unregistered or invalid is dead: shown, and never used again.
  const broadcast::Keys keys{context.key_prefix};
  auto ask = redis::cmd("HGET", keys.dead_push_tokens(), contact.app_token);
  auto dead = co_await context.redis->command(std::move(ask));
  if (!dead) co_return redis_unavailable(dead.error().message());
  body["app_token_dead"] = dead->is_nil() ? json::value(nullptr) : json::value(dead->str);
  co_return http::json_response(200, json_text(body));
}

awaitable<http::Response> put_or_delete_contact(Context context, http::Request& request, bool remove) {
  auto index = context.watcher->index();
  if (!index) co_return index_unavailable();
  const auto id = request.params["id"];
  const CallerScope caller(request, index->units());
  // A contact outside the scope is none of the caller's: as if it did not exist.
  const bool exists = index->find_contact(id).has_value();
  const auto placed = exists ? reachable_contact(context, caller, *index, id) : std::nullopt;
  if (exists && !placed) co_return not_found("contact", id);
  const std::string before_unit = placed ? std::string(index->units().id(placed->unit)) : "";
  std::optional<directory::ContactRecord> record;
  if (remove) {
    if (!exists) co_return not_found("contact", id);
  } else {
    http::Response error;
    auto body = parse_json_body(request, error);
    if (!body) co_return error;
    auto parsed = directory::parse_contact_json(*body, id, *index);
    if (auto* errors = std::get_if<std::vector<directory::SelectorError>>(&parsed)) co_return pointer_problem("Invalid contact", *errors);
    record = std::get<directory::ContactRecord>(std::move(parsed));
    // Nor may a change put a contact where the caller does not reach.
    if (!caller.reaches(record->unit_id))
      co_return pointer_problem("Invalid contact", {{"/unit_id", "the unit " + quoted(record->unit_id) + " is outside your scope", false, true}});
  }
  if (!context.redis->connected()) co_return redis_unavailable(context.redis->status());
  auto written = co_await context.store->change_contact(index->version(), id, record);
  if (!written) {
    if (written.error() == directory_store::StoreErrc::stale_version)
      co_return http::problem(409, "directory-changed", "The directory changed",
                              "a new directory import became current while this change was made; retry");
    co_return redis_unavailable(written.error().message());
  }
  context.metrics->counter("orgcast_directory_contact_changes_total", "single-contact changes written").inc();
  // Read your writes: answered once this daemon's own index holds the change
  // (the console's next GET sees it; other instances within a poll).
  co_await context.watcher->caught_up(*written, std::chrono::seconds(2));
  auto changed = audit_entry(context, request, remove ? "contact_delete" : "contact_change", id);
  changed.unit = record ? record->unit_id : before_unit;
  changed.summary = record && !before_unit.empty() && before_unit != record->unit_id ? "moved from " + before_unit : "";
  co_await keep_audit(context, std::move(changed));
  json::object body{{"id", id}, {"version", index->version()}, {"deleted", remove}, {"change", *written}};
  co_return http::json_response(200, json_text(body));
}

}  // namespace

void add_directory_routes(http::Router& router, const Context& context, const ServerConfig& server) {
  router.add("POST", "/v1/directory/import",
             [context](http::Request& r) { return import_directory(context, r); }, server.import_body_limit_bytes);
  router.add("GET", "/v1/directory", [context](http::Request& r) { return directory_status(context, r); });
  router.add("GET", "/v1/directory/contacts/{id}", [context](http::Request& r) { return get_contact(context, r); });
  router.add("PUT", "/v1/directory/contacts/{id}", [context](http::Request& r) { return put_or_delete_contact(context, r, false); });
  router.add("DELETE", "/v1/directory/contacts/{id}", [context](http::Request& r) { return put_or_delete_contact(context, r, true); });
}

}  // namespace orgcast::api
