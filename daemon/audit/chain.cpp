#include "audit/chain.hpp"

#include <sodium.h>

#include <algorithm>

#include <boost/json.hpp>

namespace orgcast::audit {

namespace json = boost::json;

namespace {

json::object fields(const Entry& e) {
  return json::object{{"seq", e.seq},         {"at", e.at},         {"who", e.who},     {"address", e.address},
                      {"action", e.action},   {"target", e.target}, {"unit", e.unit},   {"summary", e.summary},
                      {"count", e.count},     {"outcome", e.outcome}, {"prev", e.prev}};
}

std::string text_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

long long number_of(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : -1;
}

}  // namespace

std::string signed_text(const Entry& entry) { return json::serialize(fields(entry)); }

std::string mac_of(std::string_view key, const Entry& entry) {
  const auto text = signed_text(entry);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  crypto_auth_hmacsha256_final(&state, mac);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto b : mac) out += kHex[b >> 4], out += kHex[b & 15];
  return out;
}

std::string to_json(const Entry& entry) {
  auto o = fields(entry);
  o["mac"] = entry.mac;
  return json::serialize(o);
}

std::optional<Entry> from_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  Entry e;
  e.seq = number_of(o, "seq");
  e.count = number_of(o, "count");
  e.at = text_of(o, "at"), e.who = text_of(o, "who"), e.address = text_of(o, "address"), e.action = text_of(o, "action");
  e.target = text_of(o, "target"), e.unit = text_of(o, "unit"), e.summary = text_of(o, "summary"), e.outcome = text_of(o, "outcome");
  e.prev = text_of(o, "prev"), e.mac = text_of(o, "mac");
  if (e.seq < 1 || e.mac.empty()) return std::nullopt;
  return e;
}

std::string head_of(long long seq, std::string_view mac) { return std::to_string(seq) + ":" + std::string(mac); }

Verdict verify_chain(std::string_view key, const std::vector<std::string>& stored, std::string_view head,
                     const std::vector<std::string>& logged_heads) {
  Verdict verdict;
  long long seq = 0;
  std::string prev;
  std::vector<std::string> heads;  // every entry's, to find the logged ones
  auto fail = [&](std::string why) {
    verdict.ok = false;
    verdict.problem = std::move(why);
    return verdict;
  };
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const auto entry = from_json(stored[i]);
    const std::string where = "entry " + std::to_string(i + 1) + " of " + std::to_string(stored.size());
    if (!entry) return fail(where + " is not an audit entry");
    if (sodium_memcmp(mac_of(key, *entry).data(), entry->mac.data(), std::min<std::size_t>(64, entry->mac.size())) != 0 || entry->mac.size() != 64)
      return fail(where + " (seq " + std::to_string(entry->seq) + ") was changed: its mac does not match");
    if (entry->seq != seq + 1)
      return fail(where + " has seq " + std::to_string(entry->seq) + " after " + std::to_string(seq) +
                  (entry->seq > seq + 1 ? ": entries were removed" : ": entries were reordered"));
    if (entry->prev != prev) return fail(where + " (seq " + std::to_string(entry->seq) + ") does not follow the entry before it");
    seq = entry->seq;
    prev = entry->mac;
    heads.push_back(head_of(seq, prev));
    ++verdict.checked;
  }
  for (const auto& logged : logged_heads)
    if (std::find(heads.begin(), heads.end(), logged) == heads.end())
      return fail("the log names the head " + logged.substr(0, 80) + ", which the chain does not have: entries were removed");
  if (head != head_of(seq, prev))
    return fail("the chain ends at " + head_of(seq, prev.substr(0, 12)) + "… but its head is " + std::string(head.substr(0, 80)) +
                ": entries at the end were removed (or the head was changed)");
  return verdict;
}

}  // namespace orgcast::audit
