#!/usr/bin/env bash
# The pipeline benchmark (tools/bench pipeline): Release orgcastd dispatching
# to provider-sim on loopback, Redis with AOF everysec, the generated state
# directory. Prints name=value unit lines:
#   enqueue_recipients_per_s   POST /v1/broadcasts to 202, whole state (~645k people)
#   dispatch_msgs_per_s        202 to every recipient reported delivered, limits high
#   wrk_raw_req_per_s          wrk against the simulator's /send, same run
#   dispatch_vs_wrk_ratio      the two divided
#   redis_bytes_per_recipient  Redis memory growth / recipients, after the broadcast
#   orgcastd_rss_mb            orgcastd's RSS at the end
# Expects: build/release built, REDIS_PORT set to a running Redis, DATA the state CSVs.
set -euo pipefail
source tools/lib.sh
work=$(mktemp -d /tmp/orgcast-pipeline-XXXXXX)
SIM_PID="" DAEMON_PID=""
cleanup() { stop_pid "$DAEMON_PID"; stop_pid "$SIM_PID"; rm -rf "$work"; }
trap cleanup EXIT

build/release/provider-sim --port-file "$work/sim.port" --report-delay-ms 50 > "$work/sim.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do [ -s "$work/sim.port" ] && break; sleep 0.1; done
sim_port=$(cat "$work/sim.port")
http_port=$(free_port)
cat > "$work/orgcast.yaml" <<YAML
server:
  listen: 127.0.0.1:$http_port
redis:
  port: $REDIS_PORT
  key_prefix: "bench:pipeline:"
dispatch:
  provider_url: http://127.0.0.1:$sim_port
  callback_base_url: http://127.0.0.1:$http_port
  rate_per_second: 1000000
  concurrency: 64
  workers: 4
YAML
build/release/orgcast import --config "$work/orgcast.yaml" --units "$DATA/units.csv" --contacts "$DATA/contacts.csv" >&2
redis_before=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
build/release/orgcastd --config "$work/orgcast.yaml" > "$work/orgcastd.log" 2>&1 &
DAEMON_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

start=$(date +%s.%N)
reply=$(curl -s -H 'Content-Type: application/json' "http://127.0.0.1:$http_port/v1/broadcasts" \
  -d '{"audience": {}, "message": {"text": "Bench"}, "channels": ["sms"], "priority": "bulk"}')
accepted=$(date +%s.%N)
id=$(echo "$reply" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
total=$(echo "$reply" | sed -n 's/.*"recipients":\([0-9]*\).*/\1/p')
echo "enqueue_recipients_per_s=$(echo "$total / ($accepted - $start)" | bc) recipients/s"

delivered=0
for _ in $(seq 1 3600); do
  delivered=$(curl -s "http://127.0.0.1:$http_port/v1/broadcasts/$id" | sed -n 's/.*"delivered":\([0-9]*\).*/\1/p')
  [ "${delivered:-0}" -ge "$total" ] && break
  sleep 0.5
done
done_at=$(date +%s.%N)
rate=$(echo "$total / ($done_at - $accepted)" | bc)
echo "dispatch_msgs_per_s=$rate msgs/s"
redis_after=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
echo "redis_bytes_per_recipient=$(echo "($redis_after - $redis_before) / $total" | bc) bytes"
echo "orgcastd_rss_mb=$(( $(awk '/VmRSS/ {print $2}' /proc/$DAEMON_PID/status) / 1024 )) MB"

cat > "$work/send.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"to": "+919829012345", "channel": "sms", "text": "Bench"}'
LUA
raw=$(wrk -t2 -c64 -d10s -s "$work/send.lua" "http://127.0.0.1:$sim_port/send" | awk '/Requests\/sec/ {print int($2)}')
echo "wrk_raw_req_per_s=$raw req/s"
echo "dispatch_vs_wrk_ratio=$(echo "scale=3; $rate / $raw" | bc)"
