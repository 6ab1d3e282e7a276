#include "support/http_client.hpp"

#include <curl/curl.h>

#include <map>
#include <mutex>

namespace orgcast::testing {
namespace {

std::mutex tokens_mutex;
std::map<std::string, std::string> tokens_by_base;  // guarded by tokens_mutex

// The Authorization header to add for `url`, unless `extra` gives one.
curl_slist* with_credentials(curl_slist* headers, const std::string& url, const std::vector<std::pair<std::string, std::string>>& extra) {
  for (const auto& [name, value] : extra) {
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "authorization") return value.empty() ? curl_slist_append(headers, "Authorization:") : headers;  // "Authorization:" drops it
  }
  std::lock_guard lock(tokens_mutex);
  for (const auto& [base, token] : tokens_by_base)
    if (url.starts_with(base + "/")) return curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  return headers;
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

HttpResult perform(CURL* curl, curl_slist* headers) {
  HttpResult result;
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  auto rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) result.error = curl_easy_strerror(rc);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  char* type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
  if (type) result.content_type = type;
  return result;
}

}  // namespace

void use_token_for(const std::string& base_url, const std::string& token) {
  std::lock_guard lock(tokens_mutex);
  tokens_by_base[base_url] = token;
}

HttpResult http(const std::string& method, const std::string& url, const std::string& body, const std::string& content_type,
                const std::vector<std::pair<std::string, std::string>>& extra) {
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
  // An empty value is sent as an empty header ("Name;" in curl's words), but for Authorization, where it means none.
  for (const auto& [name, value] : extra)
    if (!value.empty() || (name != "Authorization" && name != "authorization"))
      headers = curl_slist_append(headers, (value.empty() ? name + ";" : name + ": " + value).c_str());
  headers = with_credentials(headers, url, extra);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  auto result = perform(curl, headers);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

HttpResult http_multipart(const std::string& url, const std::vector<std::pair<std::string, std::string>>& parts) {
  CURL* curl = curl_easy_init();
  curl_mime* mime = curl_mime_init(curl);
  for (const auto& [name, content] : parts) {
    curl_mimepart* part = curl_mime_addpart(mime);
    curl_mime_name(part, name.c_str());
    curl_mime_filename(part, (name + ".csv").c_str());
    curl_mime_data(part, content.data(), content.size());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
  curl_slist* headers = with_credentials(nullptr, url, {});
  auto result = perform(curl, headers);
  curl_slist_free_all(headers);
  curl_mime_free(mime);
  curl_easy_cleanup(curl);
  return result;
}

}  // namespace orgcast::testing
