#pragma once
// Redis keys of the directory. Only the directory store knows them.
//
//   dir:current              the version in use (a number)
//   dir:next                 version counter (INCR)
//   dir:versions             hash: version -> "unit_chunks,contact_chunks", for clean-up
//   dir:changes              stream of changes: kind=import|contact, v, id, rec
//   dir:v{N}:meta            JSON: counts, chunk counts, when and from what
//   dir:v{N}:u:{k}           unit chunk k of version N
//   dir:v{N}:c:{k}           contact chunk k of version N
//   dir:v{N}:overlay         hash: contact id -> record ("" = deleted) changed since the import
//   dir:v{N}:names           hash: name bucket -> packed (record, word) entries (directory/name_index.hpp)
#include <cstdint>
#include <string>

namespace orgcast::directory_store {

struct Keys {
  std::string prefix;

  std::string current() const { return prefix + "dir:current"; }
  std::string next() const { return prefix + "dir:next"; }
  std::string versions() const { return prefix + "dir:versions"; }
  std::string changes() const { return prefix + "dir:changes"; }
  std::string version(std::uint64_t v) const { return prefix + "dir:v" + std::to_string(v) + ":"; }
  std::string meta(std::uint64_t v) const { return version(v) + "meta"; }
  std::string unit_chunk(std::uint64_t v, std::size_t k) const { return version(v) + "u:" + std::to_string(k); }
  std::string contact_chunk(std::uint64_t v, std::size_t k) const { return version(v) + "c:" + std::to_string(k); }
  std::string overlay(std::uint64_t v) const { return version(v) + "overlay"; }
  std::string names(std::uint64_t v) const { return version(v) + "names"; }
};

}  // namespace orgcast::directory_store
