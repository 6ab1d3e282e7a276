# Unit tests: pure logic, no services.
add_executable(orgcast_unit_tests
  tests/unit/chunk_work_timing_test.cpp
  tests/unit/csv_test.cpp
  tests/unit/unit_search_test.cpp
  tests/unit/name_index_test.cpp
  tests/unit/keywords_test.cpp
  tests/unit/auth_test.cpp
  tests/unit/audit_chain_test.cpp
  tests/unit/auto_reply_test.cpp
  tests/unit/reply_link_test.cpp
  tests/unit/text_test.cpp
  tests/unit/json_repeated_key_test.cpp
  tests/unit/openapi_test.cpp
  tests/unit/time_rules_test.cpp
  tests/unit/cron_test.cpp
  tests/unit/sms_segments_test.cpp
  tests/unit/dlt_match_test.cpp
  tests/unit/ist_time_test.cpp
  tests/unit/templates_test.cpp
  tests/unit/pricing_test.cpp
  tests/unit/phone_test.cpp
  tests/unit/config_test.cpp
  tests/unit/importer_test.cpp
  tests/unit/resolver_test.cpp
  tests/unit/codec_test.cpp
  tests/unit/http_parts_test.cpp
  tests/unit/dispatch_parts_test.cpp
  tests/unit/provider_sim_adapter_test.cpp
  tests/unit/kannel_adapter_test.cpp
  tests/unit/whatsapp_cloud_adapter_test.cpp
  tests/unit/fcm_adapter_test.cpp
  tests/unit/sms_http_adapter_test.cpp
  tests/support/fake_provider.cpp
  tests/unit/broadcast_spec_test.cpp
)
# http_parts_test needs the router (orgcast_io); everything else is pure logic.
target_link_libraries(orgcast_unit_tests PRIVATE orgcast_io GTest::gtest_main GTest::gmock)
target_include_directories(orgcast_unit_tests PRIVATE ${CMAKE_SOURCE_DIR}/tests)
target_compile_definitions(orgcast_unit_tests PRIVATE ORGCAST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
include(GoogleTest)
gtest_discover_tests(orgcast_unit_tests DISCOVERY_TIMEOUT 60)

if(EXISTS ${CMAKE_SOURCE_DIR}/cmake/integration_tests.cmake)
  include(cmake/integration_tests.cmake)
endif()
