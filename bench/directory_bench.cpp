// Directory benchmarks: import into Redis, index build from Redis, index
// memory, and audience resolution, on generated directories. Prints one
// "name=value unit" line per figure (tools/bench runs it; docs/BENCHMARKS.md
// records the figures).
//
//   orgcast-bench-directory --units U --contacts C --redis-port P --prefix X
//                           [--levels a,b,c] [--name-suffix state|country]
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "core/files.hpp"
#include "core/text.hpp"
#include "directory/importer.hpp"
#include "directory/index_from_chunks.hpp"
#include "directory/resolver.hpp"
#include "directory_store/store.hpp"
#include "redis/client.hpp"

namespace asio = boost::asio;
using namespace orgcast;
using Clock = std::chrono::steady_clock;

namespace {

double rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

template <typename F>
double p50(int runs, F&& body) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    body(i);
    times.push_back(seconds_since(start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

// Drives the loop on this thread until the future is ready.
template <typename T>
void run_until_ready(asio::io_context& io, std::future<T>& f) {
  while (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io.run_one_for(std::chrono::milliseconds(50));
}

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[std::string(argv[i]).substr(2)] = argv[i + 1];
  const std::string suffix = args.count("name-suffix") ? args["name-suffix"] : "state";
  const bool country = suffix == "country";
  DirectoryConfig config;
  if (args.count("levels")) {
    config.levels.clear();
    for (auto level : split_trimmed(args["levels"], ',')) config.levels.emplace_back(level);
  }
  directory::Vocabulary vocabulary(config);

  asio::io_context io;
  Log log(LogLevel::warn);
  redis::Options options;
  options.port = std::stoi(args["redis-port"]);
  options.command_timeout = std::chrono::seconds(60);
  auto redis = redis::Client::create(io.get_executor(), options, log);
  redis->start();
  while (!redis->connected()) io.run_one_for(std::chrono::milliseconds(50));
  directory_store::Store store(redis, args["prefix"]);
  auto await = [&](auto task) {
    auto future = asio::co_spawn(io, std::move(task), asio::use_future);
    run_until_ready(io, future);
    return future.get();
  };

  // Import: parse, validate, encode and write to Redis (AOF on).
  {
    auto start = Clock::now();
    auto units = read_whole_file(args["units"]);
    auto contacts = read_whole_file(args["contacts"]);
    if (!units || !contacts) {
      std::cerr << "cannot read the CSV files\n";
      return 1;
    }
    auto imported = directory::import_directory(*units, *contacts, vocabulary);
    if (!imported.ok()) {
      for (const auto& e : imported.errors) std::cerr << e.to_string() << "\n";
      return 1;
    }
    auto rows = imported.unit_count + imported.contact_count;
    auto meta = await(store.publish(std::move(imported), "bench"));
    if (!meta) {
      std::cerr << "publish failed: " << meta.error().message() << "\n";
      return 1;
    }
    if (!country) std::printf("import_rows_per_s=%.0f rows/s\n", static_cast<double>(rows) / seconds_since(start));
    else std::printf("import_country_rows_per_s=%.0f rows/s\n", static_cast<double>(rows) / seconds_since(start));
  }
  malloc_trim(0);

  // Index build from Redis, and what it costs in memory once the fetched
  // chunks are gone.
  double rss_before = rss_bytes();
  auto start = Clock::now();
  std::shared_ptr<const directory::OrgIndex> index;
  {
    auto snapshot = await(store.load_current());
    if (!snapshot) {
      std::cerr << "load failed: " << snapshot.error().message() << "\n";
      return 1;
    }
    std::string error;
    index = directory::build_index_from_chunks(vocabulary, snapshot->meta.version, snapshot->unit_chunks,
                                               snapshot->contact_chunks, snapshot->overlay, &error);
    if (!index) {
      std::cerr << error << "\n";
      return 1;
    }
  }
  double build_s = seconds_since(start);
  malloc_trim(0);
  double per_contact = (rss_bytes() - rss_before) / static_cast<double>(index->posts().size());
  if (!country) {
    std::printf("index_build_s=%.3f s\n", build_s);
    std::printf("index_bytes_per_contact=%.1f bytes\n", per_contact);
  } else {
    std::printf("index_country_build_s=%.3f s\n", build_s);
    std::printf("index_country_bytes_per_contact=%.1f bytes\n", per_contact);
  }
  std::fprintf(stderr, "index: %u units, %zu posts, %u people, %zu bytes counted by the index itself\n",
               index->units().size(), index->posts().size(), index->person_count(), index->memory_bytes());

  // Whole-directory resolution ("every office-bearer of the state/country").
  directory::Selector everyone;
  everyone.units = {{index->units().roots().front(), true}};
  std::size_t count = 0;
  double whole = p50(country ? 11 : 51, [&](int) { count = directory::resolve(*index, everyone).posts.size(); });
  std::fprintf(stderr, "whole directory resolves to %zu people\n", count);
  if (!country) std::printf("resolve_state_p50_ms=%.2f ms\n", whole * 1e3);
  else std::printf("resolve_country_p50_ms=%.2f ms\n", whole * 1e3);

  if (!country) {
    // "Mandal presidents of one district", a different district each run.
    int district_level = vocabulary.level_of("district");
    auto districts = index->units().at_level(static_cast<std::size_t>(district_level));
    directory::Selector mandal_presidents;
    mandal_presidents.levels = std::uint64_t{1} << vocabulary.level_of("mandal");
    mandal_presidents.roles.set(static_cast<std::size_t>(vocabulary.role_of("president")));
    std::size_t found = 0;
    double one = p50(2001, [&](int i) {
      mandal_presidents.units = {{districts[static_cast<std::size_t>(i) % districts.size()], true}};
      found += directory::resolve(*index, mandal_presidents).posts.size();
    });
    std::fprintf(stderr, "mandal presidents per district: %.1f on average\n", static_cast<double>(found) / 2001.0);
    std::printf("resolve_district_mandal_presidents_p50_us=%.2f us\n", one * 1e6);
  }
  redis->stop();
  io.run_for(std::chrono::milliseconds(200));
  return 0;
}
