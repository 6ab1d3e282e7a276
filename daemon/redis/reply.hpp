#pragma once
// A Redis reply copied out of hiredis, so it can cross threads and outlive
// the hiredis callback. Server errors ("-ERR ...") are replies of type
// error, kept as values: the caller decides what a server error means.
#include <cstdint>
#include <string>
#include <vector>

#include <boost/system/result.hpp>

namespace orgcast::redis {

struct Reply {
  enum class Type { nil, string, status, error, integer, array };
  Type type = Type::nil;
  std::string str;           // string, status and error replies
  long long integer = 0;     // integer replies
  std::vector<Reply> elements;

  bool is_error() const { return type == Type::error; }
  bool is_nil() const { return type == Type::nil; }
  bool is_array() const { return type == Type::array; }
  /// The integer, or a string holding one (as GET returns numbers); -1 otherwise.
  long long as_integer() const;
};

using Args = std::vector<std::string>;

/// Builds a command's arguments. Use it inside coroutines instead of a braced
/// list: GCC 12 rejects ("array used as initializer") a braced list of
/// literals whose lifetime spans a co_await.
template <typename... Parts>
Args cmd(Parts&&... parts) {
  Args out;
  out.reserve(sizeof...(parts));
  (out.emplace_back(std::forward<Parts>(parts)), ...);
  return out;
}

template <typename T>
using Result = boost::system::result<T>;

}  // namespace orgcast::redis
