#!/usr/bin/env bash
# The pipeline benchmark (tools/bench pipeline): Release orgcastd dispatching
# to provider-sim on loopback, Redis with AOF everysec, the generated state
# directory with members added to pass 1M people. Prints name=value unit lines:
#   enqueue_recipients_per_s   POST /v1/broadcasts to 202, the whole 1M audience
#   dispatch_msgs_per_s        202 to every recipient reported delivered, limits off (a Hindi summons template)
#   dispatch_msgs_per_s_durable  the same broadcast again with appendfsync always (and its ratio to wrk)
#   wrk_raw_req_per_s          wrk against the simulator's /send, same run: 10 s before and 10 s after, averaged
#   dispatch_vs_wrk_ratio      the two divided
#   redis_bytes_per_recipient  Redis memory growth / recipients, after the broadcast
#   orgcastd_rss_mb            orgcastd's RSS during the broadcast (its peak, VmHWM)
# Expects: build/release built, REDIS_PORT and REDIS_PID of a running Redis, DATA the CSVs.
# PIPELINE_WORKERS (default 16) and PIPELINE_CONCURRENCY (default 512) set
# dispatch.workers and dispatch.concurrency; the window is their quotient.
# Windows of 32 rather than 16: each window costs Redis script calls (its
# claim and its record), and back to back 16 workers did ~24.5k msgs/s
# where 32 did ~19-20k (docs/BENCHMARKS.md).
set -euo pipefail
source tools/lib.sh
source bench/common.sh

# Reports in batches of 100 per webhook POST, as WhatsApp's Cloud API
# batches statuses; README of tools/provider_sim.
start_sim sim --report-delay-ms 50 --report-batch 100

# The raw limit: wrk against the simulator's /send, 10 s before the
# broadcast and 10 s after it, averaged (this machine's speed drifts by
# 20 % from one minute to the next; one measurement after the broadcast
# gave ratios from 0.29 to 0.61 for the same code).
cat > "$BENCH_WORK/send.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"to": "+919829012345", "channel": "sms", "text": "Bench"}'
LUA
raw_wrk() { wrk -t2 -c512 -d10s -s "$BENCH_WORK/send.lua" "http://127.0.0.1:$SIM_PORT/send" | awk '/Requests\/sec/ {print int($2)}'; }
raw_before=$(raw_wrk)
curl -s -X POST "http://127.0.0.1:$SIM_PORT/reset" >/dev/null  # wrk's recipient is not the broadcast's
redis_before=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
IMPORT_DATA="$DATA" start_daemon pipeline "bench:pipeline:" "  rate_per_second: 1000000
  concurrency: ${PIPELINE_CONCURRENCY:-512}
  workers: ${PIPELINE_WORKERS:-16}"
redis_imported=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')

redis-cli -p "$REDIS_PORT" config resetstat >/dev/null  # commandstats from here: the broadcast's work alone
start=$(now)
# The real workload: a Hindi meeting reminder, rendered per recipient (bench/render_overhead.sh compares literal text).
read -r id total < <(post_broadcast '{"audience": {}, "template": "meeting_reminder", "channels": ["sms"], "priority": "bulk",
  "variables": {"meeting.title": "जिला कार्यसमिति की बैठक", "meeting.venue": "ज़िला कार्यालय", "meeting.time": "2026-11-25T10:00:00+05:30"}}')
accepted=$(now)
cpu_before="$(cpu_ticks "$DAEMON_PID") $(cpu_ticks "$REDIS_PID") $(cpu_ticks "$SIM_PID")"
echo "enqueue_recipients_per_s=$(echo "$total / ($accepted - $start)" | bc) recipients/s ($total recipients)"
redis_queued=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')

# Polled every 0.5 s (the figure is at most 0.5 s late over ~50 s): polling costs CPU the run needs.
POLL_S=0.5 wait_count "$id" delivered "$total"
done_at=$(now)
rate=$(echo "$total / ($done_at - $accepted)" | bc)
echo "dispatch_msgs_per_s=$rate msgs/s"
echo "  ($(dispatch_breakdown))"
# Where Redis spent its time, by command (commands run by scripts count under their own names too).
echo "  (Redis seconds by command: $(redis-cli -p "$REDIS_PORT" info commandstats |
  sed -n 's/^cmdstat_\([a-z|]*\):calls=\([0-9]*\),usec=\([0-9]*\),.*/\3 \1 \2/p' | sort -rn | head -8 |
  awk '{printf "%s%s %.1f (%d calls)", (NR > 1 ? ", " : ""), $2, $1 / 1e6, $3}'))"
read -r daemon_cpu redis_cpu sim_cpu <<< "$cpu_before"
seconds=$(echo "$done_at - $accepted" | bc)
echo "  (CPU while dispatching, % of one core: orgcastd $(cpu_pct $(($(cpu_ticks "$DAEMON_PID") - daemon_cpu)) "$seconds"), Redis $(cpu_pct $(($(cpu_ticks "$REDIS_PID") - redis_cpu)) "$seconds"), provider-sim $(cpu_pct $(($(cpu_ticks "$SIM_PID") - sim_cpu)) "$seconds"))"
redis_after=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
echo "redis_bytes_per_recipient=$(echo "($redis_after - $redis_imported) / $total" | bc) bytes (queued: $(echo "($redis_queued - $redis_imported) / $total" | bc))"
echo "orgcastd_rss_mb=$(( $(awk '/VmHWM/ {print $2}' /proc/$DAEMON_PID/status) / 1024 )) MB"
echo "provider_duplicates=$(sim_stat duplicates) recipients"
echo "  (delivery reports by outcome: $(curl -s "http://127.0.0.1:$HTTP_PORT/metrics" |
  sed -n 's/^orgcast_delivery_reports_total{.*outcome="\([a-z]*\)".*} \([0-9]*\)$/\1 \2/p' | paste -sd, -))"

# The same broadcast again with every write fsynced before Redis answers
# (appendfsync always, what docs/RELIABILITY.md prescribes against a power cut).
redis-cli -p "$REDIS_PORT" config set appendfsync always >/dev/null
read -r durable_id durable_total < <(post_broadcast '{"audience": {}, "template": "meeting_reminder", "channels": ["sms"], "priority": "bulk",
  "variables": {"meeting.title": "जिला कार्यसमिति की बैठक", "meeting.venue": "ज़िला कार्यालय", "meeting.time": "2026-11-25T10:00:00+05:30"}}')
durable_accepted=$(now)
POLL_S=0.5 wait_count "$durable_id" delivered "$durable_total"
durable_rate=$(echo "$durable_total / ($(now) - $durable_accepted)" | bc)
redis-cli -p "$REDIS_PORT" config set appendfsync everysec >/dev/null
echo "dispatch_msgs_per_s_durable=$durable_rate msgs/s (appendfsync always)"

raw_after=$(raw_wrk)
raw=$(( (raw_before + raw_after) / 2 ))
echo "wrk_raw_req_per_s=$raw req/s (before the broadcasts $raw_before, after $raw_after)"
echo "dispatch_vs_wrk_ratio=$(echo "scale=3; $rate / $raw" | bc)"
echo "dispatch_durable_vs_wrk_ratio=$(echo "scale=3; $durable_rate / $raw" | bc)"
