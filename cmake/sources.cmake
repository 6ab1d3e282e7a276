# Targets. The folder layout is the architecture:
#   orgcast_logic  pure logic (config, directory, resolution): no Asio, no I/O
#   orgcast_io     Redis, HTTP, the directory store and the API (Asio/Beast)
# The daemon, the CLI, the tests and the benchmarks all link these.

# The API document (daemon/openapi/spec/*.yaml), embedded at build time.
file(GLOB ORGCAST_OPENAPI_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/daemon/openapi/spec/*.yaml)
set(ORGCAST_OPENAPI_HEADER ${CMAKE_BINARY_DIR}/generated/openapi_spec.hpp)
string(REPLACE ";" "|" ORGCAST_OPENAPI_LIST "${ORGCAST_OPENAPI_FILES}")
add_custom_command(OUTPUT ${ORGCAST_OPENAPI_HEADER}
  COMMAND ${CMAKE_COMMAND} "-DFILES=${ORGCAST_OPENAPI_LIST}" -DNAMESPACE=openapi_spec -DOUTPUT=${ORGCAST_OPENAPI_HEADER} -P ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
  DEPENDS ${ORGCAST_OPENAPI_FILES} ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
  COMMENT "Embedding the API document" VERBATIM)
add_custom_target(orgcast_openapi_spec DEPENDS ${ORGCAST_OPENAPI_HEADER})

add_library(orgcast_logic STATIC
  daemon/core/log.cpp
  daemon/core/files.cpp
  daemon/core/utc_time.cpp
  daemon/core/mask.cpp
  daemon/core/text.cpp
  daemon/core/json_text.cpp
  daemon/core/json_repeated_key.cpp
  daemon/core/digest.cpp
  daemon/openapi/yaml_json.cpp
  daemon/openapi/json_schema.cpp
  daemon/openapi/document.cpp
  daemon/config/config.cpp
  daemon/config/schema.cpp
  daemon/config/loader.cpp
  daemon/directory/csv.cpp
  daemon/directory/phone.cpp
  daemon/directory/codec.cpp
  daemon/directory/vocabulary.cpp
  daemon/directory/importer.cpp
  daemon/directory/org_index.cpp
  daemon/directory/scope.cpp
  daemon/directory/unit_search.cpp
  daemon/directory/name_index.cpp
  daemon/directory/selector.cpp
  daemon/directory/resolver.cpp
  daemon/directory/index_from_chunks.cpp
  daemon/directory/contact_json.cpp
  daemon/time_rules/time_rules.cpp
  daemon/schedule/cron.cpp
  daemon/broadcast/spec.cpp
  daemon/broadcast/content.cpp
  daemon/broadcast/estimate.cpp
  daemon/pricing/cost.cpp
  daemon/broadcast/recipients.cpp
  daemon/dispatch/backoff.cpp
  daemon/dispatch/token_bucket.cpp
  daemon/sms/segments.cpp
  daemon/sms/dlt_match.cpp
  daemon/text/ist_time.cpp
  daemon/templates/template.cpp
  daemon/templates/render.cpp
  daemon/templates/loader.cpp
  daemon/templates/contact_values.cpp
  daemon/templates/bind.cpp
  daemon/templates/link_check.cpp
  daemon/auth/permissions.cpp
  daemon/auth/api_token.cpp
  daemon/auth/password.cpp
  daemon/auth/login_throttle.cpp
  daemon/auth/request_limiter.cpp
  daemon/auth/address_group.cpp
  daemon/auth/route_access.cpp
  daemon/auth/callback_secrets.cpp
  daemon/auth/totp.cpp
  daemon/audit/chain.cpp
  daemon/keywords/normalise.cpp
  daemon/keywords/vocabulary.cpp
  daemon/keywords/engine.cpp
  daemon/inbound/sender_directory.cpp
  daemon/inbound/reply_decision.cpp
  daemon/replies/auto_reply.cpp
  daemon/meetings/meeting_spec.cpp
  daemon/meetings/attendance_list.cpp
  daemon/meetings/reply_link.cpp
  adapters/core/send_result.cpp
  adapters/core/adapter.cpp
  adapters/core/wire.cpp
  adapters/core/promotional_hours.cpp
  adapters/provider_sim/provider_sim_adapter.cpp
  adapters/kannel/kannel_adapter.cpp
  adapters/whatsapp_cloud/whatsapp_cloud_adapter.cpp
  adapters/fcm/jwt.cpp
  adapters/fcm/fcm_adapter.cpp
  adapters/sms_http/sms_http_adapter.cpp
)
# daemon/ holds the daemon's parts; the top level makes adapters/<provider>/ includable as such.
target_include_directories(orgcast_logic PUBLIC ${CMAKE_SOURCE_DIR}/daemon ${CMAKE_SOURCE_DIR})
target_include_directories(orgcast_logic PRIVATE ${CMAKE_BINARY_DIR}/generated)
add_dependencies(orgcast_logic orgcast_openapi_spec)
target_link_libraries(orgcast_logic PUBLIC Boost::json Boost::url yaml-cpp OpenSSL::Crypto PkgConfig::ICU PkgConfig::SODIUM PkgConfig::OATH)

if(EXISTS ${CMAKE_SOURCE_DIR}/cmake/io.cmake)
  include(cmake/io.cmake)
endif()

if(ORGCAST_TESTS)
  enable_testing()
  find_package(GTest REQUIRED)
  include(cmake/tests.cmake)
endif()
if(ORGCAST_BENCH AND EXISTS ${CMAKE_SOURCE_DIR}/cmake/bench.cmake)
  include(cmake/bench.cmake)
endif()
