// Precompiled header of the I/O library: Asio and Beast are the slow part of
// every translation unit that uses them (about 17 s each on 2 cores).
#pragma once
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
