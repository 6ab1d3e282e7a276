#!/usr/bin/env bash
# Enqueue memory (run by tools/bench pipeline): on one directory of ≥ 5M
# people, orgcastd's peak RSS while it accepts a ~1M-recipient broadcast and
# while it accepts one to everybody. POST /v1/broadcasts works in slices
# (fetch, encode, write, free), so the peak should not grow with the
# audience beyond the index. Prints name=value unit lines:
#   enqueue_rss_mb_1m                 VmHWM during the ~1M POST (reset just before it)
#   enqueue_rss_mb_5m                 VmHWM during the POST to everybody (reset just before it)
#   enqueue_rss_growth_mb_5m_vs_1m    the two subtracted (goal ≤ 64 MB)
#   enqueue_5m_recipients_per_s       the POST to everybody, to its 202
# Both are queued at once (one with a send_at to come would be resolved only
# when it starts); quiet hours for announcements all day hold every
# recipient at dispatch, so nothing is sent meanwhile.
# The peak is reset with /proc/PID/clear_refs (5: reset VmHWM to the RSS now).
# Expects: build/release built, REDIS_PORT of a running Redis, DATA the CSVs.
set -euo pipefail
source tools/lib.sh
source bench/common.sh

start_sim sim
EXTRA_YAML=$'time_rules:\n  quiet_hours: {announcement: "00:00-23:59"}' IMPORT_DATA="$DATA" start_daemon enqueue "bench:enqueue:" "  workers: 1"
body() {  # body AUDIENCE_JSON
  echo "{\"audience\": $1, \"template\": \"announcement\", \"channels\": [\"sms\"],
    \"variables\": {\"subject\": \"जिला कार्यसमिति की बैठक\", \"details\": \"ज़िला कार्यालय\"}}"
}
peak_mb() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$DAEMON_PID/status"; }
reset_peak() { echo 5 > "/proc/$DAEMON_PID/clear_refs"; }

# Ten of the fifty districts: about a fifth of the people.
reset_peak
read -r _ one_total < <(post_broadcast "$(body '{"units": ["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D10"]}')")
one=$(peak_mb)
reset_peak
start=$(now)
read -r _ all_total < <(post_broadcast "$(body '{}')")
accepted=$(now)
all=$(peak_mb)
echo "enqueue_rss_mb_1m=$one MB ($one_total recipients)"
echo "enqueue_rss_mb_5m=$all MB ($all_total recipients)"
echo "enqueue_rss_growth_mb_5m_vs_1m=$((all - one)) MB"
echo "enqueue_5m_recipients_per_s=$(echo "$all_total / ($accepted - $start)" | bc) recipients/s"
# Where each POST's time went, as orgcastd logs it.
grep -o 'queued: .*' "$BENCH_WORK/enqueue-orgcastd.log" | sed 's/^/  (/; s/$/)/'
