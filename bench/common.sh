# Shared by the pipeline benchmarks (sourced): start provider-sim and
# orgcastd (Release builds) on free loopback ports, post broadcasts, wait for
# counts. Expects REDIS_PORT (a running Redis) and tools/lib.sh sourced.
# Every process started here is stopped by bench_cleanup, by its PID.

BENCH_WORK=$(mktemp -d /tmp/orgcast-bench-run-XXXXXX)
BENCH_PIDS=()
bench_cleanup() {
  for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
  rm -rf "$BENCH_WORK"
}
trap bench_cleanup EXIT

now() { date +%s.%N; }

# cpu_ticks PID...: their user + system CPU time so far, in clock ticks.
cpu_ticks() { local t=0 pid; for pid in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$t"; }
# cpu_pct TICKS SECONDS: CPU use in % of one core.
cpu_pct() { echo "100 * $1 / $(getconf CLK_TCK) / $2" | bc; }

# start_sim NAME FLAGS...: sets SIM_PORT and SIM_PID.
start_sim() {
  local name=$1; shift
  ${BENCH_PRELOAD:+env LD_PRELOAD=$BENCH_PRELOAD} build/release/provider-sim --port-file "$BENCH_WORK/$name.port" "$@" > "$BENCH_WORK/$name.log" 2>&1 &
  SIM_PID=$!
  BENCH_PIDS+=("$SIM_PID")
  for _ in $(seq 1 100); do [ -s "$BENCH_WORK/$name.port" ] && break; sleep 0.1; done
  SIM_PORT=$(cat "$BENCH_WORK/$name.port")
}

# start_daemon NAME PREFIX DISPATCH_YAML_LINES: orgcastd dispatching to
# SIM_PORT (unless the lines add a providers: section); TEMPLATES_YAML adds
# lines to templates:, EXTRA_YAML whole sections. Sets HTTP_PORT, DAEMON_PID
# and DAEMON_CONFIG; waits until ready.
start_daemon() {
  local name=$1 prefix=$2 dispatch=$3
  HTTP_PORT=$(free_port)
  DAEMON_CONFIG="$BENCH_WORK/$name.yaml"
  [ -s "$BENCH_WORK/audit.key" ] || head -c 48 /dev/urandom | base64 > "$BENCH_WORK/audit.key"
  cat > "$DAEMON_CONFIG" <<YAML
server:
  listen: 127.0.0.1:$HTTP_PORT
  threads: ${IO_THREADS:-2}
  # wrk's many connections and requests from one address are the load, not an abuse to limit.
  max_connections_per_address: 0
  requests_per_second_per_address: 0
  requests_per_second_per_caller: 0
redis:
  port: $REDIS_PORT
  key_prefix: "$prefix"
dispatch:
  provider_url: http://127.0.0.1:$SIM_PORT
  callback_base_url: http://127.0.0.1:$HTTP_PORT
$dispatch
templates:
  dir: $PWD/templates
${TEMPLATES_YAML:-}
audit:
  key_file: $BENCH_WORK/audit.key
auth:
  required: ${AUTH_REQUIRED:-false}   # false: loopback only (the config refuses it elsewhere); these figures are of the pipeline, not of auth
  contact_reads_per_minute: 0        # the benchmark is the load, not a stolen token walking the directory
${EXTRA_YAML:-}
YAML
  if [ -n "${IMPORT_DATA:-}" ]; then
    build/release/orgcast import --config "$DAEMON_CONFIG" --units "$IMPORT_DATA/units.csv" --contacts "$IMPORT_DATA/contacts.csv" >&2
  fi
  ${BENCH_PRELOAD:+env LD_PRELOAD=$BENCH_PRELOAD} build/release/orgcastd --config "$DAEMON_CONFIG" > "$BENCH_WORK/$name-orgcastd.log" 2>&1 &
  DAEMON_PID=$!
  BENCH_PIDS+=("$DAEMON_PID")
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
}

# post_broadcast JSON: prints "<id> <recipients>".
post_broadcast() {
  local reply
  reply=$(curl -s -H 'Content-Type: application/json' "http://127.0.0.1:$HTTP_PORT/v1/broadcasts" -d "$1")
  echo "$(echo "$reply" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p') $(echo "$reply" | sed -n 's/.*"recipients":\([0-9]*\).*/\1/p')"
}

# count_of ID STATE: the broadcast's count in that state (0 if none).
count_of() {
  local n
  n=$(curl -s "http://127.0.0.1:$HTTP_PORT/v1/broadcasts/$1" | sed -n "s/.*\"counts\":{[^}]*\"$2\":\([0-9]*\).*/\1/p")
  echo "${n:-0}"
}

# wait_count ID STATE N [SECONDS]: polls every POLL_S (default 0.2) seconds
# until the count reaches N. Each poll is a curl, bash and sed: ~7 % of a
# core at 5 a second, taken from what is measured; a long run polls less.
wait_count() {
  local limit=${4:-1800} poll=${POLL_S:-0.2}
  local polls
  polls=$(echo "$limit / $poll" | bc)
  for _ in $(seq 1 "$polls"); do
    [ "$(count_of "$1" "$2")" -ge "$3" ] && return 0
    sleep "$poll"
  done
  echo "bench: broadcast $1 did not reach $3 $2 within ${limit}s" >&2
  return 1
}

# sim_stat NAME: one counter of the simulator's /stats.
sim_stat() { curl -s "http://127.0.0.1:$SIM_PORT/stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

# dispatch_breakdown: where the daemon's dispatch workers spent their time
# (seconds summed over workers, per phase) and how long provider requests
# took on average, from its /metrics.
dispatch_breakdown() {
  local metrics
  metrics=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics")
  echo "dispatch workers' time in seconds: $(echo "$metrics" |
    sed -n 's/^orgcast_dispatch_worker_microseconds_total{phase="\([a-z]*\)"} \([0-9]*\)$/\1 \2/p' |
    awk '{printf "%s%s %.1f", (NR > 1 ? ", " : ""), $1, $2 / 1e6}'); provider requests took $(echo "$metrics" |
    awk '/^orgcast_provider_request_microseconds_total/ {us += $2} /^orgcast_provider_requests_total/ {n += $2} END {printf "%.2f", n ? us / n / 1000 : 0}') ms on average"
}
