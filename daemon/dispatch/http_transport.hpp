#pragma once
// Wires the daemon's HTTP clients into the adapters' Transport: plain
// http:// through the Beast keep-alive pool (the hot path; it lives on the
// dispatcher's strand, so the transport is called only from there), https://
// through the curl-multi client; transport errors become "never reached the
// provider" versus "interrupted, may have been sent".
#include <memory>

#include "adapters/core/adapter.hpp"
#include "http_client/client.hpp"
#include "http_client/keepalive_pool.hpp"

namespace orgcast::dispatch {

adapters::Transport make_transport(std::shared_ptr<http_client::Client> client, std::shared_ptr<http_client::KeepAlivePool> pool);

}  // namespace orgcast::dispatch
