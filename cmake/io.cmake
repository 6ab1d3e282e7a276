# The Lua scripts (daemon/<part>/lua/*.lua), embedded at build time.
file(GLOB ORGCAST_LUA_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/daemon/*/lua/*.lua)
set(ORGCAST_LUA_HEADER ${CMAKE_BINARY_DIR}/generated/lua_scripts.hpp)
string(REPLACE ";" "|" ORGCAST_LUA_LIST "${ORGCAST_LUA_FILES}")
add_custom_command(OUTPUT ${ORGCAST_LUA_HEADER}
  COMMAND ${CMAKE_COMMAND} "-DFILES=${ORGCAST_LUA_LIST}" -DNAMESPACE=lua -DOUTPUT=${ORGCAST_LUA_HEADER} -P ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
  DEPENDS ${ORGCAST_LUA_FILES} ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
  COMMENT "Embedding the Lua scripts" VERBATIM)
add_custom_target(orgcast_lua DEPENDS ${ORGCAST_LUA_HEADER})

# The I/O library: Redis client, HTTP server, directory store, API handlers.
add_library(orgcast_io STATIC
  daemon/redis/client.cpp
  daemon/http_client/client.cpp
  daemon/http_client/keepalive_pool.cpp
  daemon/dispatch/http_transport.cpp
  daemon/http/problem.cpp
  daemon/http/router.cpp
  daemon/http/cors.cpp
  daemon/http/multipart.cpp
  daemon/http/server.cpp
  daemon/metrics/registry.cpp
  daemon/directory_store/store.cpp
  daemon/directory_store/watcher.cpp
  daemon/api/common.cpp
  daemon/api/document_rules.cpp
  daemon/api/author_now.cpp
  daemon/api/schedule_api.cpp
  daemon/schedule/schedule_store.cpp
  daemon/api/inbound_json.cpp
  daemon/api/blackout_api.cpp
  daemon/time_rules/blackout_store.cpp
  daemon/api/request_limits.cpp
  daemon/api/caller_scope.cpp
  daemon/api/contact_read_limit.cpp
  daemon/api/health_api.cpp
  daemon/api/directory_api.cpp
  daemon/api/units_api.cpp
  daemon/api/audience_api.cpp
  daemon/api/template_api.cpp
  daemon/api/broadcast_api.cpp
  daemon/api/scheduled_broadcasts.cpp
  daemon/api/contact_search.cpp
  daemon/api/paging.cpp
  daemon/api/broadcast_listing.cpp
  daemon/api/enqueue.cpp
  daemon/api/event_stream.cpp
  daemon/api/routes.cpp
  daemon/api/auth_guard.cpp
  daemon/api/access_api.cpp
  daemon/api/users_api.cpp
  daemon/api/audit_api.cpp
  daemon/api/approval_api.cpp
  daemon/api/approvals.cpp
  daemon/api/send_quota.cpp
  daemon/api/audit_trail.cpp
  daemon/api/session_api.cpp
  daemon/auth/session_store.cpp
  daemon/auth/auth_store.cpp
  daemon/auth/authenticator.cpp
  daemon/api/meeting_api.cpp
  daemon/api/meeting_tally.cpp
  daemon/api/meeting_notices.cpp
  daemon/api/attendance_api.cpp
  daemon/api/report_api.cpp
  daemon/api/reply_link_api.cpp
  daemon/reports/report_store.cpp
  daemon/meetings/meeting_store.cpp
  daemon/api/webhook_api.cpp
  daemon/api/people_api.cpp
  daemon/dispatch/chunk_work.cpp
  daemon/tracking/chunk_keys.cpp
  daemon/tracking/report_tracker.cpp
  daemon/tracking/report_timeouts.cpp
  daemon/broadcast/retention_sweep.cpp
  daemon/schedule/scheduler.cpp
  daemon/inbound/inbound_store.cpp
  daemon/inbound/inbound_path.cpp
  daemon/replies/reply_queue.cpp
  daemon/replies/reply_lane.cpp
  daemon/dispatch/dispatcher.cpp
  daemon/broadcast/store.cpp
  daemon/audit/audit_log.cpp
  daemon/approvals/approval_store.cpp
  daemon/http/standalone.cpp
  daemon/app/secrets.cpp
  daemon/app/providers.cpp
  daemon/app/daemon.cpp
  daemon/app/io_threads.cpp
)
target_link_libraries(orgcast_io PUBLIC orgcast_logic Boost::url PkgConfig::HIREDIS PkgConfig::SYSTEMD CURL::libcurl OpenSSL::Crypto Threads::Threads)
target_precompile_headers(orgcast_io PRIVATE ${CMAKE_SOURCE_DIR}/daemon/pch/asio_pch.hpp)
target_include_directories(orgcast_io PUBLIC ${CMAKE_BINARY_DIR}/generated)
add_dependencies(orgcast_io orgcast_lua)

add_executable(orgcastd daemon/app/orgcastd_main.cpp)
target_link_libraries(orgcastd PRIVATE orgcast_io $<$<NOT:$<BOOL:${ORGCAST_SANITIZE}>>:${JEMALLOC_LIBRARY}>)

add_executable(orgcast daemon/cli/orgcast_main.cpp daemon/cli/access_commands.cpp daemon/cli/audit_commands.cpp daemon/cli/redis_options.cpp)
target_link_libraries(orgcast PRIVATE orgcast_io CURL::libcurl)
target_precompile_headers(orgcast REUSE_FROM orgcast_io)

add_executable(orgcast-gen-directory tools/gen_directory/main.cpp)
target_link_libraries(orgcast-gen-directory PRIVATE orgcast_logic)

# The provider simulator (tests, benchmarks, demo): see tools/provider_sim/README.md.
add_executable(provider-sim tools/provider_sim/main.cpp)
target_link_libraries(provider-sim PRIVATE orgcast_io $<$<NOT:$<BOOL:${ORGCAST_SANITIZE}>>:${JEMALLOC_LIBRARY}>)
target_precompile_headers(provider-sim REUSE_FROM orgcast_io)

# Local fakes of the real providers (adapters/<provider>/fake/), for tests and benchmarks.
add_executable(fake-whatsapp adapters/whatsapp_cloud/fake/fake_whatsapp.cpp)
target_link_libraries(fake-whatsapp PRIVATE orgcast_io)
target_precompile_headers(fake-whatsapp REUSE_FROM orgcast_io)
add_executable(fake-fcm adapters/fcm/fake/fake_fcm.cpp)
target_link_libraries(fake-fcm PRIVATE orgcast_io)
target_precompile_headers(fake-fcm REUSE_FROM orgcast_io)
add_executable(fake-sms-http adapters/sms_http/fake/fake_sms_http.cpp)
target_link_libraries(fake-sms-http PRIVATE orgcast_io)
target_precompile_headers(fake-sms-http REUSE_FROM orgcast_io)
