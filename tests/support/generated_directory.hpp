#pragma once
// A generated directory (tools/gen-directory's "small" preset: 118 units,
// 1,326 contacts) imported straight into Redis with `orgcast import`, for
// tests that need more recipients than the hand-written sample.
#include <string>

#include "support/daemon_under_test.hpp"

namespace orgcast::testing {

/// Generates the small preset once per test process; returns its folder.
const std::string& small_directory();

/// Imports the units.csv and contacts.csv of `dir` with `orgcast import` and
/// the daemon's config (the daemon may or may not run); returns the
/// command's output on failure, empty on success.
std::string import_directory(const DaemonUnderTest& daemon, const std::string& dir);
inline std::string import_small_directory(const DaemonUnderTest& daemon) { return import_directory(daemon, small_directory()); }

/// Imports the hand-written sample directory (support/sample_directory.hpp:
/// 12 contacts, 11 people, in RJ) into a running daemon over HTTP and waits
/// until its index has it; "" on success, else what went wrong.
std::string import_sample_directory(const DaemonUnderTest& daemon);

}  // namespace orgcast::testing
