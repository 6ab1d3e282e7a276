#include "core/mask.hpp"

namespace orgcast {

std::string mask_phone(std::string_view e164) {
  if (e164.size() <= 7) return std::string(e164.size(), '*');
  std::string out(e164);
  for (std::size_t i = 6; i + 2 < out.size(); ++i) out[i] = '*';
  return out;
}

std::string mask_token(std::string_view token) {
  if (token.size() <= 6) return std::string(token.size(), '*');
  return std::string(token.substr(0, 6)) + "...(" + std::to_string(token.size()) + " chars)";
}

}  // namespace orgcast
