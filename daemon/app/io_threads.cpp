#include "app/io_threads.hpp"

#include <algorithm>
#include <thread>

namespace asio = boost::asio;

namespace orgcast::app {

IoThreads::IoThreads(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));  // hint: one thread runs it
    if (i > 0) idle_guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

std::vector<asio::any_io_executor> IoThreads::executors() const {
  std::vector<asio::any_io_executor> out;
  for (const auto& context : contexts_) out.emplace_back(context->get_executor());
  return out;
}

void IoThreads::run() {
  std::vector<std::thread> others;
  for (std::size_t i = 1; i < contexts_.size(); ++i) others.emplace_back([context = contexts_[i].get()] { context->run(); });
  contexts_.front()->run();
  for (auto& thread : others) thread.join();
}

void IoThreads::stop() {
  for (auto& guard : idle_guards_) guard.reset();
  for (auto& context : contexts_) context->stop();
}

}  // namespace orgcast::app
