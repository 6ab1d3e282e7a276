#!/usr/bin/env bash
# What checking credentials costs (tools/bench auth): two orgcastd on the
# generated state, one with auth.required (requests carry a state
# administrator's token) and one without (allowed on loopback only), the
# same requests to each with wrk, in six paired rounds (5 s each: the
# machine drifts ±20 % from one minute to the next). Prints:
#   auth_off_req_per_s / auth_on_req_per_s   GET /v1/directory (a status read) and
#                                            POST /v1/audiences/preview (a district's mandal presidents), summed
#   auth_overhead_pct                        how much slower with tokens, the median of the rounds (goal: at most 5)
#   login_ms                                 p50 of 21 POST /v1/session (Argon2id, libsodium's interactive limits)
# Expects: build/release built, REDIS_PORT set to a running Redis, DATA the CSVs.
set -euo pipefail
source tools/lib.sh
source bench/common.sh

start_sim sim
IMPORT_DATA="$DATA" AUTH_REQUIRED=false start_daemon auth-off "bench:auth-off:" "  rate_per_second: 1"
off_port=$HTTP_PORT
IMPORT_DATA="$DATA" AUTH_REQUIRED=true start_daemon auth-on "bench:auth-on:" "  rate_per_second: 1"
on_port=$HTTP_PORT
token=$(build/release/orgcast tokens create --config "$DAEMON_CONFIG" --name bench --profile state_admin --scope '*' 2>/dev/null)

cat > "$BENCH_WORK/preview.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"selector": {"units": ["D1"], "levels": ["mandal"], "roles": ["president"]}}'
LUA
# rate PORT [HEADER]: requests/s of the status read plus the preview, 5 s each.
rate() {
  local port=$1; shift
  local status preview
  status=$(wrk -t2 -c32 -d5s "$@" "http://127.0.0.1:$port/v1/directory" | awk '/Requests\/sec/ {print int($2)}')
  preview=$(wrk -t2 -c32 -d5s -s "$BENCH_WORK/preview.lua" "$@" "http://127.0.0.1:$port/v1/audiences/preview" | awk '/Requests\/sec/ {print int($2)}')
  echo $((status + preview))
}
# Refused requests would be fast and wrong: both must answer 200.
for port in "$off_port" "$on_port"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/directory")
  [ "$code" = 200 ] || { echo "bench: GET /v1/directory on port $port answered $code" >&2; exit 1; }
done
# Paired rounds: each compares the two daemons within the same 20 s, the
# order swapped every round (so a machine speeding up or slowing down
# favours neither), and the figure is the median of the rounds' overheads:
# the machine's minute-to-minute drift (±20 %) is larger than the effect.
off=0 on=0 overheads=()
for round in 1 2 3 4 5 6; do
  if [ $((round % 2)) = 1 ]; then
    a=$(rate "$off_port"); b=$(rate "$on_port" -H "Authorization: Bearer $token")
  else
    b=$(rate "$on_port" -H "Authorization: Bearer $token"); a=$(rate "$off_port")
  fi
  off=$((off + a)) on=$((on + b))
  overheads+=("$(echo "scale=2; 100 * ($a - $b) / $a" | bc)")
done
median=$(printf '%s\n' "${overheads[@]}" | sort -g | awk '{v[NR]=$1} END {printf "%.1f", (v[3] + v[4]) / 2}')
echo "auth_off_req_per_s=$((off / 6)) req/s (GET /v1/directory + POST /v1/audiences/preview, wrk 2 threads x 32 connections, 5 s each, six rounds)"
echo "auth_on_req_per_s=$((on / 6)) req/s (the same with a state administrator's token)"
echo "auth_overhead_pct=$median % (median of six paired rounds: ${overheads[*]})"
# Logins: a user made with the CLI (a profile without a second factor: the
# figure is the password check), 21 logins one after another, each timed by curl.
echo -n "bench password 1" > "$BENCH_WORK/password"
build/release/orgcast users add --config "$DAEMON_CONFIG" --username bench --profile district_president --scope '*' \
  --password-file "$BENCH_WORK/password" >/dev/null
times=$(for _ in $(seq 1 21); do
  curl -s -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' "http://127.0.0.1:$on_port/v1/session" \
    -d '{"username": "bench", "password": "bench password 1"}'
done | sort -n)
echo "login_ms=$(echo "$times" | sed -n 11p | awk '{printf "%.0f", $1 * 1000}') ms (p50 of 21 logins; fastest $(echo "$times" | head -1 | awk '{printf "%.0f", $1 * 1000}'), slowest $(echo "$times" | tail -1 | awk '{printf "%.0f", $1 * 1000}'))"
