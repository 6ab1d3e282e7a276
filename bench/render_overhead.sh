#!/usr/bin/env bash
# What rendering templates at dispatch costs (tools/bench render): the same
# audience sent four times through one orgcastd, alternating literal text
# (a reply) and the Hindi meeting reminder template (every recipient's name,
# a date and a clock in IST, the DLT check), so both see the same machine.
# Prints name=value unit lines:
#   literal_msgs_per_s     202 to every recipient delivered, literal text
#   template_msgs_per_s    the same with the reminder template
#   render_overhead_pct    how much longer the template took (goal: at most 10)
# Expects: build/release built, REDIS_PORT set to a running Redis, DATA the CSVs.
set -euo pipefail
source tools/lib.sh
source bench/common.sh

start_sim sim --report-delay-ms 50 --report-batch 100
IMPORT_DATA="$DATA" start_daemon render "bench:render:" "  rate_per_second: 1000000
  concurrency: 512
  workers: 32"

audience='"audience": {"units": ["D1","D2","D3","D4","D5","D6","D7","D8","D9","D10","D11","D12","D13","D14","D15","D16","D17","D18","D19","D20"]}, "channels": ["sms"], "priority": "bulk"'
literal="{$audience, \"kind\": \"reply\", \"message\": {\"text\": \"जिला कार्यसमिति की बैठक बुधवार, 25 नवंबर 2026 को सुबह 10:00 बजे ज़िला कार्यालय में होगी। आएँगे तो YES, नहीं तो NO भेजें।\"}}"
summons="{$audience, \"template\": \"meeting_reminder\", \"variables\": {\"meeting.title\": \"जिला कार्यसमिति की बैठक\", \"meeting.venue\": \"ज़िला कार्यालय\", \"meeting.time\": \"2026-11-25T10:00:00+05:30\"}}"

# send BODY: prints "<seconds from 202 to every recipient delivered> <recipients>".
send() {
  local id sent accepted
  read -r id sent < <(post_broadcast "$1")
  accepted=$(now)
  wait_count "$id" delivered "$sent"
  echo "$(echo "$(now) - $accepted" | bc) $sent"
}

literal_s=0 template_s=0 SENT=0
for round in 1 2; do
  read -r t SENT < <(send "$literal"); literal_s=$(echo "$literal_s + $t" | bc)
  read -r t SENT < <(send "$summons"); template_s=$(echo "$template_s + $t" | bc)
done
echo "literal_msgs_per_s=$(echo "2 * $SENT / $literal_s" | bc) msgs/s ($SENT recipients, twice)"
echo "template_msgs_per_s=$(echo "2 * $SENT / $template_s" | bc) msgs/s"
echo "render_overhead_pct=$(echo "scale=1; 100 * ($template_s - $literal_s) / $literal_s" | bc) %"
