#pragma once
// Wires the daemon's curl-multi HTTP client into the adapters' Transport,
// translating transport errors into "never reached the provider" versus
// "interrupted, may have been sent".
#include <memory>

#include "adapters/core/adapter.hpp"
#include "http_client/client.hpp"

namespace orgcast::dispatch {

adapters::Transport make_transport(std::shared_ptr<http_client::Client> client);

}  // namespace orgcast::dispatch
