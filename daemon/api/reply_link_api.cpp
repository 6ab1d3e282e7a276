// The one-tap reply link of a summons (docs/REPLIES.md, "The reply link"):
//   GET  /r/{token}   a small page in Hindi and English: the meeting, the
//                     answer given so far, and two buttons. It records
//                     nothing: messaging apps fetch links to build previews.
//   POST /r/{token}   answer=yes|no, from the page's buttons: recorded
//                     through the inbound path like a YES or NO by SMS.
// No login and no script: it works on a basic phone's browser. The token
// is signed (meetings/reply_link): a wrong one is a 404 page.
#include <atomic>
#include <boost/json.hpp>
#include <random>

#include "api/common.hpp"
#include "api/routes.hpp"
#include "core/utc_time.hpp"
#include "inbound/inbound_path.hpp"
#include "meetings/meeting_store.hpp"
#include "meetings/reply_link.hpp"
#include "text/ist_time.hpp"

namespace orgcast::api {

using boost::asio::awaitable;

namespace {

std::string escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

http::Response page(int status, const std::string& body) {
  auto response = http::text_response(status,
                                      "<!doctype html><html lang=\"hi\"><head><meta charset=\"utf-8\">"
                                      "<meta name=\"viewport\" content=\"width=device-width\"><title>बैठक / Meeting</title></head>"
                                      "<body style=\"font-family:sans-serif;max-width:30em;margin:1em auto;padding:0 1em\">" +
                                          body + "</body></html>",
                                      "text/html; charset=utf-8");
  // The token is in the URL: not kept, not indexed, not passed on.
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Robots-Tag", "noindex");
  response.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
  return response;
}

http::Response not_found() {
  return page(404, "<p>यह लिंक सही नहीं है।</p><p>This link is not valid.</p>");
}

struct Linked {
  meetings::LinkTarget target;
  meetings::Meeting meeting;
};

// The meeting and person of a token; nullopt (after `error`) when there is none.
awaitable<std::optional<Linked>> linked(Context context, std::string token, http::Response& error) {
  auto target = meetings::read_link_token(token, meetings::reply_link_key());
  if (!target) {
    error = not_found();
    co_return std::nullopt;
  }
  const auto id = "m" + std::to_string(target->meeting);  // named: GCC 12 and temporaries inside a co_await
  auto meeting = co_await context.meetings->get(id);
  if (!meeting) {
    error = redis_unavailable(meeting.error().message());
    co_return std::nullopt;
  }
  if (!*meeting) {
    error = not_found();
    co_return std::nullopt;
  }
  co_return Linked{*target, std::move(**meeting)};
}

std::string describe(const meetings::Meeting& m) {
  const auto starts = parse_rfc3339(m.field("starts_at"));
  std::string out = "<h1 style=\"font-size:1.3em\">" + escaped(m.field("title")) + "</h1>";
  if (starts) out += "<p>" + escaped(text::format_ist(*starts, "hi")) + "<br>" + escaped(text::format_ist(*starts, "en")) + "</p>";
  out += "<p>" + escaped(m.field("venue")) + "</p>";
  return out;
}

awaitable<http::Response> show(Context context, http::Request& request) {
  http::Response error;
  auto found = co_await linked(context, request.params["token"], error);
  if (!found) co_return error;
  const auto& m = found->meeting;
  std::string body = describe(m);
  if (m.field("state") == "cancelled") co_return page(200, body + "<p>यह बैठक रद्द हो गई है।<br>This meeting is cancelled.</p>");
  if (const auto ends = parse_rfc3339(m.field("ends_at")); ends && *ends < std::chrono::system_clock::now())
    co_return page(200, body + "<p>यह बैठक हो चुकी है।<br>This meeting is over.</p>");
  const auto id = m.field("id");
  auto given = co_await context.meetings->answer_of(id, found->target.mobile);
  if (!given) co_return redis_unavailable(given.error().message());
  if (!given->empty())
    body += *given == "yes" ? "<p>आपका उत्तर: आऊँगा<br>Your answer: I will come</p>" : "<p>आपका उत्तर: नहीं आ पाऊँगा<br>Your answer: I cannot come</p>";
  const auto action = "/r/" + escaped(request.params["token"]);
  body += "<form method=\"post\" action=\"" + action + "\">"
          "<p><button name=\"answer\" value=\"yes\" style=\"font-size:1.2em;width:100%;padding:.6em\">आऊँगा / I will come</button></p>"
          "<p><button name=\"answer\" value=\"no\" style=\"font-size:1.2em;width:100%;padding:.6em\">नहीं आ पाऊँगा / I cannot come</button></p>"
          "</form>";
  co_return page(200, body);
}

awaitable<http::Response> answer(Context context, http::Request& request) {
  const std::string& body = request.body;
  const bool yes = body == "answer=yes", no = body == "answer=no";
  if (!yes && !no) co_return page(400, "<p>उत्तर समझ नहीं आया।</p><p>The answer was not understood: send answer=yes or answer=no.</p>");
  http::Response error;
  auto found = co_await linked(context, request.params["token"], error);
  if (!found) co_return error;
  const auto& m = found->meeting;
  if (m.field("state") == "cancelled") co_return page(409, describe(m) + "<p>यह बैठक रद्द हो गई है।<br>This meeting is cancelled.</p>");
  // An old link must not answer whichever meeting holds its code now.
  if (const auto ends = parse_rfc3339(m.field("ends_at")); ends && *ends < std::chrono::system_clock::now())
    co_return page(409, describe(m) + "<p>यह बैठक हो चुकी है।<br>This meeting is over.</p>");
  // Through the one inbound path, as the person's YES or NO with the meeting's
  // code; each press its own message (a changed mind within minutes counts).
  static std::atomic<std::uint64_t> presses{0};
  adapters::InboundMessage message;
  message.from = "+" + std::to_string(found->target.mobile);
  message.text = std::string(yes ? "YES " : "NO ") + m.field("code");
  message.via = "link";
  message.provider_message_id = "link:" + format_utc(std::chrono::system_clock::now()) + ":" + std::to_string(++presses) + ":" +
                                std::to_string(std::random_device{}());
  std::vector<adapters::InboundMessage> messages{std::move(message)};
  const std::string provider = "link";
  auto stored = co_await context.replies->receive(provider, std::move(messages));
  if (!stored) co_return redis_unavailable(stored.error().message());
  const bool counted = !stored->empty() && stored->front().answered == "answered" && !stored->front().answered_meetings.empty() &&
                       stored->front().answered_meetings.front() == m.field("id");
  if (!counted)
    co_return page(409, describe(m) + "<p>उत्तर दर्ज नहीं हो सका: आप इस बैठक में बुलाए नहीं गए हैं।<br>The answer was not recorded: "
                                      "you are not among those summoned to this meeting.</p>");
  co_return page(200, describe(m) + (yes ? "<p>धन्यवाद! आपका उत्तर \"आऊँगा\" दर्ज हो गया है।<br>Thank you: \"I will come\" is recorded.</p>"
                                         : "<p>धन्यवाद! आपका उत्तर \"नहीं आ पाऊँगा\" दर्ज हो गया है।<br>Thank you: \"I cannot come\" is recorded.</p>"));
}

}  // namespace

void add_reply_link_routes(http::Router& router, const Context& context) {
  router.add("GET", "/r/{token}", [context](http::Request& r) { return show(context, r); });
  router.add("POST", "/r/{token}", [context](http::Request& r) { return answer(context, r); }, 64);
}

}  // namespace orgcast::api
