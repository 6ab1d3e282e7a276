// Replies at the state's scale (tools/bench replies): a meeting of the whole
// generated state is made through a running orgcastd, then half of those
// summoned answer YES as WhatsApp sends it: signed webhooks of 100 messages
// each (half typed "haan" with no code, half a quick-reply button's "YES
// <code>"), posted over several connections. Prints "name=value unit" lines:
//   inbound_replies_per_s  answers from the first POST until the tally shows every one (goal: at least 10,000)
//   meeting_tally_ms       p50 (and p90) of GET /v1/meetings/{id} once half have answered (goal: at most 50)
//
//   orgcast-bench-replies --url http://127.0.0.1:PORT --contacts contacts.csv --units units.csv
//                         --app-secret S [--connections 8] [--batch 100]
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "adapters/whatsapp_cloud/whatsapp_cloud_adapter.hpp"
#include "core/files.hpp"
#include "core/utc_time.hpp"
#include "directory/csv.hpp"
#include "directory/phone.hpp"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Answer {
  long status = 0;
  std::string body;
};

// One request on `curl` (kept open between calls).
Answer request(CURL* curl, const std::string& method, const std::string& url, const std::string& body = "",
               const std::vector<std::string>& headers = {}) {
  Answer out;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, method == "GET" ? nullptr : body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, method == "GET" ? -1L : static_cast<long>(body.size()));
  if (method == "GET") curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(list);
  return out;
}

// The column named `name` of a CSV header row.
std::size_t column(const orgcast::csv::Row& header, std::string_view name) {
  for (std::size_t i = 0; i < header.fields.size(); ++i)
    if (header.fields[i] == name) return i;
  std::cerr << "bench: no column " << name << "\n";
  std::exit(2);
}

std::string text_of(const std::string& path) {
  auto text = orgcast::read_whole_file(path);
  if (!text) {
    std::cerr << "bench: cannot read " << path << "\n";
    std::exit(2);
  }
  return *text;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> args{{"connections", "8"}, {"batch", "100"}};
  for (int i = 1; i + 1 < argc; i += 2) args[std::string(argv[i]).substr(2)] = argv[i + 1];
  for (const char* required : {"url", "contacts", "units", "app-secret"})
    if (!args.contains(required)) {
      std::cerr << "usage: orgcast-bench-replies --url URL --contacts C --units U --app-secret S [--connections N] [--batch N]\n";
      return 2;
    }
  const auto url = args["url"], secret = args["app-secret"];
  const auto connections = std::stoul(args["connections"]), batch = std::stoul(args["batch"]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* control = curl_easy_init();

  // The state's root unit organises; everyone is summoned (SMS, which the
  // run's provider account sends at 1 a second, so sending takes no CPU here).
  std::string root;
  {
    const auto units = text_of(args["units"]);
    orgcast::csv::Reader reader(units);
    orgcast::csv::Row row;
    reader.next(row);
    const auto id = column(row, "id"), parent = column(row, "parent_id");
    while (root.empty() && reader.next(row))
      if (row.field(parent).empty()) root = std::string(row.field(id));
  }
  const auto in_hours = [](int h) { return orgcast::format_utc(std::chrono::system_clock::now() + std::chrono::hours(h)); };
  const std::string meeting_body = R"({"title": "प्रदेश बैठक", "venue": "प्रदेश कार्यालय", "starts_at": ")" + in_hours(48) + R"(", "ends_at": ")" +
                                   in_hours(50) + R"(", "organiser": ")" + root + R"(", "channels": ["sms"]})";
  auto made = request(control, "POST", url + "/v1/meetings", meeting_body, {"Content-Type: application/json"});
  if (made.status != 201) {
    std::cerr << "bench: POST /v1/meetings answered " << made.status << ": " << made.body << "\n";
    return 1;
  }
  auto meeting = json::parse(made.body).as_object();
  const std::string id(meeting["id"].as_string());
  const auto code = std::to_string(meeting["code"].as_int64());
  const auto summoned = meeting["summoned"].as_int64();

  // Half of those summoned answer: distinct people (a person may hold several posts).
  std::vector<std::string> mobiles;
  {
    const auto contacts = text_of(args["contacts"]);
    orgcast::csv::Reader reader(contacts);
    orgcast::csv::Row row;
    reader.next(row);
    const auto mobile = column(row, "mobile");
    std::set<std::uint64_t> seen;
    while (reader.next(row) && static_cast<long long>(mobiles.size()) < summoned / 2)
      if (auto m = orgcast::phone::normalise_indian_mobile(row.field(mobile)); m && seen.insert(*m).second) mobiles.push_back(std::to_string(*m));
  }
  // The webhooks, signed as Meta signs them, made before the clock starts.
  std::vector<std::pair<std::string, std::string>> hooks;  // body, signature header
  for (std::size_t first = 0; first < mobiles.size(); first += batch) {
    json::array messages;
    for (std::size_t i = first; i < std::min(mobiles.size(), first + batch); ++i) {
      json::object m{{"from", mobiles[i]}, {"id", "wamid.BENCH" + std::to_string(i)}, {"timestamp", "1795400000"}};
      if (i % 2) m["type"] = "button", m["button"] = json::object{{"payload", "YES " + code}, {"text", "हाँ"}};
      else m["type"] = "text", m["text"] = json::object{{"body", "haan"}};
      messages.push_back(std::move(m));
    }
    json::object hook{{"object", "whatsapp_business_account"},
                      {"entry", json::array{json::object{{"changes", json::array{json::object{{"field", "messages"},
                                                                                              {"value", json::object{{"messages", std::move(messages)}}}}}}}}}};
    auto body = json::serialize(hook);
    auto signature = "X-Hub-Signature-256: " + orgcast::adapters::whatsapp_signature(secret, body);
    hooks.emplace_back(std::move(body), std::move(signature));
  }

  const auto start = Clock::now();
  std::atomic<std::size_t> next{0}, refused{0};
  std::vector<std::thread> posters;
  for (std::size_t c = 0; c < connections; ++c)
    posters.emplace_back([&] {
      CURL* curl = curl_easy_init();
      for (auto n = next++; n < hooks.size(); n = next++) {
        auto answer = request(curl, "POST", url + "/v1/webhooks/whatsapp", hooks[n].first, {"Content-Type: application/json", hooks[n].second});
        if (answer.status != 200 && refused++ == 0) std::cerr << "bench: a webhook answered " << answer.status << ": " << answer.body << "\n";
      }
      curl_easy_cleanup(curl);
    });
  for (auto& t : posters) t.join();
  const auto posted = Clock::now();
  // Timed until the tally shows every answer (polled every 50 ms, 10 minutes at most).
  long long yes = 0;
  for (int poll = 0; poll < 12000 && yes < static_cast<long long>(mobiles.size()); ++poll) {
    auto shown = request(control, "GET", url + "/v1/meetings/" + id);
    if (shown.status == 200) yes = json::parse(shown.body).at("tally").at("yes").as_int64();
    if (yes < static_cast<long long>(mobiles.size())) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto counted = Clock::now();
  const auto seconds = std::chrono::duration<double>(counted - start).count();
  if (refused > 0 || yes != static_cast<long long>(mobiles.size())) {
    std::cerr << "bench: " << refused << " webhooks refused; the tally shows " << yes << " of " << mobiles.size() << "\n";
    return 1;
  }
  std::printf("inbound_replies_per_s=%.0f answers/s (%zu answers in %zu webhooks of %zu over %zu connections; posted in %.1f s, counted %.1f s after the first)\n",
              static_cast<double>(mobiles.size()) / seconds, mobiles.size(), hooks.size(), batch, connections,
              std::chrono::duration<double>(posted - start).count(), seconds);

  // The tally of a meeting of the whole state, half answered.
  std::vector<double> ms;
  for (int n = 0; n < 101; ++n) {
    const auto t0 = Clock::now();
    auto shown = request(control, "GET", url + "/v1/meetings/" + id);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (shown.status != 200) {
      std::cerr << "bench: GET /v1/meetings/" << id << " answered " << shown.status << "\n";
      return 1;
    }
  }
  std::sort(ms.begin(), ms.end());
  std::printf("meeting_tally_ms=%.2f ms (p50 of 101 GET /v1/meetings/%s; p90 %.2f ms; %lld summoned, %zu answered)\n", ms[50], id.c_str(), ms[90],
              static_cast<long long>(summoned), mobiles.size());
  curl_easy_cleanup(control);
  curl_global_cleanup();
  return 0;
}
