#!/usr/bin/env bash
# Delivery-report ingestion (tools/bench dlr): a broadcast to ten districts
# (~200k people) is sent while the simulator holds every report; then it
# releases them all at once (batches of 100 per POST, 8 connections) and we
# time until orgcastd has applied every one. Prints:
#   dlr_ingest_per_s   reports applied per second (POST /v1/webhooks/sim)
set -euo pipefail
source tools/lib.sh
source bench/common.sh

start_sim sim --hold-reports 1 --report-batch 100
IMPORT_DATA="$DATA" start_daemon dlr "bench:dlr:" "  rate_per_second: 1000000
  concurrency: 512
  workers: 32"
read -r id total < <(post_broadcast '{"audience": {"units": ["D1","D2","D3","D4","D5","D6","D7","D8","D9","D10"]}, "template": "announcement", "variables": {"subject": "Bench", "details": "at the office"}, "channels": ["sms"]}')
wait_count "$id" sent "$total"
start=$(now)
curl -s -X POST "http://127.0.0.1:$SIM_PORT/reports/release" >/dev/null
wait_count "$id" delivered "$total"
done_at=$(now)
echo "dlr_ingest_per_s=$(echo "$total / ($done_at - $start)" | bc) reports/s ($total reports)"
