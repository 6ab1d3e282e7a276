#include "adapters/core/adapter.hpp"

namespace orgcast::adapters {

const char* name(Channel channel) {
  switch (channel) {
    case Channel::sms: return "sms";
    case Channel::whatsapp: return "whatsapp";
    case Channel::push: return "push";
  }
  return "unknown";
}

std::string HttpReply::header(std::string_view wanted) const {
  for (const auto& [key, value] : headers)
    if (key == wanted) return value;
  return {};
}

SendResult transport_failure(const HttpReply& reply) {
  SendResult result;
  result.failure = reply.transport == HttpReply::Transport::unreachable ? SendFailure::unreachable : SendFailure::timeout;
  result.reason = reply.error;
  return result;
}

}  // namespace orgcast::adapters
