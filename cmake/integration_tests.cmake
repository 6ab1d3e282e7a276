# Integration tests: real Redis (started by tools/test, port in
# ORGCAST_TEST_REDIS_PORT), real orgcastd and orgcast processes.
add_library(orgcast_test_support STATIC
  tests/support/process.cpp
  tests/support/redis_server.cpp
  tests/support/http_client.cpp
  tests/support/daemon_under_test.cpp
  tests/support/provider_sim_process.cpp
  tests/support/kannel.cpp
  tests/support/fake_provider.cpp
  tests/support/generated_directory.cpp
)
target_include_directories(orgcast_test_support PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(orgcast_test_support PUBLIC orgcast_io CURL::libcurl GTest::gtest GTest::gmock)
target_compile_definitions(orgcast_test_support PUBLIC ORGCAST_SOURCE_DIR="${CMAKE_SOURCE_DIR}" ORGCAST_BUILD_DIR="${CMAKE_BINARY_DIR}")

# The power-cut test's LD_PRELOAD shim for redis-server (fsync sizes of the AOF).
add_library(orgcast_fsync_shim SHARED tests/support/fsync_shim.cpp)
target_link_libraries(orgcast_fsync_shim PRIVATE ${CMAKE_DL_LIBS})
# Not under the sanitizers: it is loaded into redis-server, which is not built with them.
target_compile_options(orgcast_fsync_shim PRIVATE -fno-sanitize=all)
target_link_options(orgcast_fsync_shim PRIVATE -fno-sanitize=all)

add_executable(orgcast_integration_tests
  tests/integration/redis_client_test.cpp
  tests/integration/directory_api_test.cpp
  tests/integration/daemon_lifecycle_test.cpp
  tests/integration/malformed_http_test.cpp
  tests/integration/http_client_test.cpp
  tests/integration/broadcast_api_test.cpp
  tests/integration/template_test.cpp
  tests/integration/kannel_test.cpp
  tests/integration/whatsapp_test.cpp
  tests/integration/fallback_test.cpp
  tests/integration/sms_http_test.cpp
  tests/integration/provider_accounts_test.cpp
  tests/integration/dispatch_test.cpp
  tests/integration/dispatch_policy_test.cpp
  tests/integration/priority_test.cpp
  tests/integration/crash_test.cpp
  tests/integration/durability_test.cpp
  tests/integration/faults_test.cpp
  tests/integration/idempotency_test.cpp
  tests/integration/lua_scripts_test.cpp
  tests/integration/dispatcher_clock_test.cpp
  tests/integration/replies_test.cpp
  tests/integration/auto_replies_test.cpp
  tests/integration/replies_end_to_end_test.cpp
  tests/integration/scheduler_test.cpp
  tests/integration/meetings_test.cpp
  tests/integration/access_test.cpp
  tests/integration/scope_test.cpp
  tests/integration/audit_test.cpp
  tests/integration/approvals_test.cpp
  tests/integration/power_cut_test.cpp
  tests/integration/api_document_test.cpp
  tests/integration/client_limits_test.cpp
  tests/integration/blackouts_test.cpp
  tests/integration/schedules_test.cpp
  tests/integration/scheduled_broadcasts_test.cpp
  tests/integration/contact_search_test.cpp
)
target_link_libraries(orgcast_integration_tests PRIVATE orgcast_test_support GTest::gtest_main)
target_precompile_headers(orgcast_integration_tests REUSE_FROM orgcast_io)
add_dependencies(orgcast_integration_tests orgcast_fsync_shim orgcastd orgcast provider-sim fake-whatsapp fake-fcm fake-sms-http orgcast-gen-directory)
gtest_discover_tests(orgcast_integration_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300 LABELS integration)

# The systemd unit passes systemd-analyze verify.
add_test(NAME systemd_unit_verifies COMMAND ${CMAKE_SOURCE_DIR}/tests/systemd/verify-unit.sh
         ${CMAKE_SOURCE_DIR}/systemd/orgcastd.service ${CMAKE_BINARY_DIR}/orgcastd)
