# Writes OUTPUT, a header with each of the Lua files in LUA_FILES (a
# |-separated list) as `inline constexpr std::string_view <stem>` in
# namespace orgcast::lua, so the daemon carries its scripts and
# the .lua files stay the one place they are written.
# Usage: cmake -DLUA_FILES=a.lua|b.lua -DOUTPUT=x.hpp -P embed_lua.cmake
set(text "#pragma once\n// Generated from daemon/*/lua/*.lua by cmake/embed_lua.cmake: edit the .lua files.\n#include <string_view>\n\nnamespace orgcast::lua {\n")
string(REPLACE "|" ";" LUA_FILES "${LUA_FILES}")
foreach(file IN LISTS LUA_FILES)
  get_filename_component(stem "${file}" NAME_WE)
  file(READ "${file}" body)
  string(FIND "${body}" ")LUA\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )LUA\"")
  endif()
  string(APPEND text "\ninline constexpr std::string_view ${stem} = R\"LUA(${body})LUA\";\n")
endforeach()
string(APPEND text "\n}  // namespace orgcast::lua\n")
# Written only when changed, so an unchanged script rebuilds nothing.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${text}")
