#pragma once
// What a broadcast says: a template with the broadcast's variables (every
// broadcast from the API), or literal text per channel (replies the daemon
// sends itself). It is stored with the broadcast as JSON, the template's
// own text included, so that editing or reloading templates never changes a
// broadcast already queued; the dispatcher renders it per recipient.
#include <boost/json/fwd.hpp>
#include <memory>
#include <optional>
#include <string>

#include "adapters/core/adapter.hpp"
#include "config/config.hpp"
#include "directory/records.hpp"
#include "templates/contact_values.hpp"
#include "templates/loader.hpp"
#include "templates/render.hpp"

namespace orgcast::directory {
class UnitTable;
}

namespace orgcast::broadcast {

struct PushText {
  std::string title, body;
};

struct Content {
  // A template, its source kept, and the broadcast's values bound to it.
  std::shared_ptr<const templates::Template> tmpl;
  std::string template_source;
  std::string variables_json = "{}";  // as the broadcast gave them
  templates::BoundValues bound;
  templates::ContactNeeds needs;
  // Or literal text (replies only).
  std::optional<std::string> sms, whatsapp;
  std::optional<PushText> push;
  // Taken from the configuration when the broadcast was created.
  std::string default_language = "hi";
  std::string dlt_entity_id;
  PricingConfig prices;
  /// The confirmation of an opt-out (the daemon's own reply to STOP): sent
  /// to the number that just opted out of that channel, once.
  bool confirms_opt_out = false;
  /// A summons' one-tap reply link (meetings/reply_link): the token's
  /// stand-in becomes, in each message, the token of this meeting and the
  /// recipient's mobile. 0: no link.
  std::uint32_t link_meeting = 0;

  bool has(adapters::Channel channel) const;
  /// Adds the content's fields to a broadcast's stored message object.
  void store_into(boost::json::object& message) const;
  /// Reads what store_into wrote; nullopt and `error` if it cannot be used.
  static std::optional<Content> load(const boost::json::object& message, std::string& error);

  /// Renders the message for one recipient on m.channel. Returns "" or why
  /// it cannot be sent (an SMS that would not pass DLT scrubbing: never
  /// expected, as template load and POST checked it).
  std::string fill(adapters::OutboundMessage& m, const directory::ContactView& contact, const directory::UnitTable* units) const;

  /// A template's content with the broadcast's values bound (bind_variables).
  static Content of_template(const templates::Catalog::Entry& entry, templates::BoundValues bound, std::string variables_json,
                             std::string default_language, std::string dlt_entity_id, PricingConfig prices);
};

}  // namespace orgcast::broadcast
