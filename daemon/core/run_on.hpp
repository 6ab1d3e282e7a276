#pragma once
// Runs CPU-heavy work (index builds, big resolutions, CSV validation) on the
// compute pool and resumes the caller on its own executor, so no I/O thread
// is held up. Note: co_await post(pool, use_awaitable) would not do this, as
// use_awaitable resumes on the coroutine's executor.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <type_traits>

namespace orgcast {
namespace detail {

// The work is held by a shared_ptr: GCC 12 destroys a by-value closure
// parameter of a coroutine twice, so no closure is passed by value into one.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F>> invoke_shared(std::shared_ptr<F> work) {
  co_return (*work)();
}

}  // namespace detail

/// Not a coroutine itself (see invoke_shared): returns the awaitable.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F>> run_on(boost::asio::any_io_executor executor, F work) {
  auto shared = std::make_shared<F>(std::move(work));
  return boost::asio::co_spawn(executor, detail::invoke_shared(std::move(shared)), boost::asio::use_awaitable);
}

}  // namespace orgcast
