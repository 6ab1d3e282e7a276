# Benchmarks: built in Release by tools/bench, which runs them.
add_executable(orgcast-bench-directory bench/directory_bench.cpp)
target_link_libraries(orgcast-bench-directory PRIVATE orgcast_io)
target_precompile_headers(orgcast-bench-directory REUSE_FROM orgcast_io)
add_executable(orgcast-bench-replies bench/replies_bench.cpp)
target_link_libraries(orgcast-bench-replies PRIVATE orgcast_io CURL::libcurl)
target_precompile_headers(orgcast-bench-replies REUSE_FROM orgcast_io)
