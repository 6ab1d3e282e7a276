#!/usr/bin/env bash
# The rate limit (tools/bench rate): orgcastd limited to 500 messages/s sends
# a ~50k broadcast (four districts); the simulator's accepted count is read 5 s and 65 s after
# the 202, so the measured rate covers 60 s of steady sending. Prints:
#   rate_limit_measured_per_s  messages per second the provider saw
#   rate_limit_error_pct       |measured - 500| / 500, in percent (goal <= 5)
set -euo pipefail
source tools/lib.sh
source bench/common.sh

start_sim sim --report-delay-ms 50
IMPORT_DATA="$DATA" start_daemon rate "bench:rate:" "  rate_per_second: 500
  concurrency: 64
  workers: 4"
read -r id total < <(post_broadcast '{"audience": {"units": ["D1","D2","D3","D4"]}, "template": "announcement", "variables": {"subject": "Bench", "details": "at the office"}, "channels": ["sms"]}')
sleep 5
first=$(sim_stat accepted)
t0=$(now)
sleep 60
second=$(sim_stat accepted)
t1=$(now)
measured=$(echo "scale=1; ($second - $first) / ($t1 - $t0)" | bc)
echo "rate_limit_measured_per_s=$measured msgs/s (limit 500; $total recipients)"
echo "rate_limit_error_pct=$(echo "scale=2; e = ($measured - 500) * 100 / 500; if (e < 0) -e else e" | bc) %"
