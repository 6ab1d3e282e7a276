#!/usr/bin/env bash
# Finding a person by name or number (tools/bench search) on the generated
# state: the name index the import writes beside the directory, and
# GET /v1/directory/contacts?q= against GET /healthz (the raw HTTP limit of
# the same daemon, same run). Prints:
#   name_index_mb                    Redis memory of the name index (MEMORY USAGE, exact)
#   directory_contacts_mb            Redis memory of the contact chunks it indexes
#   name_index_pct                   the first against the second
#   search_surname_per_s             q=meena (a common surname: thousands match, a page of 20 shown)
#   search_two_words_per_s           q=ramesh meena
#   search_hindi_per_s               q=मीणा
#   search_number_per_s              q=<a mobile of the directory>
#   healthz_per_s                    GET /healthz
#   search_surname_vs_healthz_pct    search_surname_per_s against healthz_per_s
# wrk, 2 threads, 16 connections, 5 s each.
# Expects: build/release built, REDIS_PORT of a running Redis, DATA the CSVs.
set -euo pipefail
source tools/lib.sh
source bench/common.sh

start_sim sim
prefix="bench:search:"
IMPORT_DATA="$DATA" start_daemon search "$prefix" "  workers: 1"
version=$(redis-cli -p "$REDIS_PORT" get "${prefix}dir:current")
bytes_of() { redis-cli -p "$REDIS_PORT" memory usage "$1" samples 0; }
index_bytes=$(bytes_of "${prefix}dir:v$version:names")
chunk_bytes=0
for key in $(redis-cli -p "$REDIS_PORT" --scan --pattern "${prefix}dir:v$version:c:*"); do
  chunk_bytes=$((chunk_bytes + $(bytes_of "$key")))
done
echo "name_index_mb=$((index_bytes / 1048576)) MB ($(redis-cli -p "$REDIS_PORT" hlen "${prefix}dir:v$version:names") buckets)"
echo "directory_contacts_mb=$((chunk_bytes / 1048576)) MB"
echo "name_index_pct=$(echo "scale=1; 100 * $index_bytes / $chunk_bytes" | bc) %"

base="http://127.0.0.1:$HTTP_PORT"
mobile=$(sed -n '2p' "$DATA/contacts.csv" | cut -d, -f4 | tr -dc '0-9')
rate() { wrk -t2 -c16 -d5s "$1" | awk '/Requests\/sec/ {print int($2)}'; }
# Refused or empty searches would be fast and wrong: each must find someone.
for q in "meena" "ramesh%20meena" "%E0%A4%AE%E0%A5%80%E0%A4%A3%E0%A4%BE" "$mobile"; do
  found=$(curl -s "$base/v1/directory/contacts?q=$q" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
  [ "${found:-0}" -gt 0 ] || { echo "bench: q=$q found nobody" >&2; exit 1; }
  echo "  (q=$q: $found match)"
done
surname=$(rate "$base/v1/directory/contacts?q=meena")
echo "search_surname_per_s=$surname requests/s"
echo "search_two_words_per_s=$(rate "$base/v1/directory/contacts?q=ramesh%20meena") requests/s"
echo "search_hindi_per_s=$(rate "$base/v1/directory/contacts?q=%E0%A4%AE%E0%A5%80%E0%A4%A3%E0%A4%BE") requests/s"
echo "search_number_per_s=$(rate "$base/v1/directory/contacts?q=$mobile") requests/s"
healthz=$(rate "$base/healthz")
echo "healthz_per_s=$healthz requests/s"
echo "search_surname_vs_healthz_pct=$(echo "scale=2; 100 * $surname / $healthz" | bc) %"
