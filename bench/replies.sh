#!/usr/bin/env bash
# Replies at the state's scale (tools/bench replies): orgcastd with the
# generated state (645,418 office-bearers), a meeting of all of them, half
# answering by signed WhatsApp webhooks (bench/replies_bench.cpp). The
# summons goes by SMS to provider-sim at 1 a second, so that sending takes
# nothing from the replies measured. Prints:
#   inbound_replies_per_s   answers until the tally shows every one (goal: at least 10,000)
#   meeting_tally_ms        p50 of GET /v1/meetings/{id}, the whole state summoned, half answered (goal: at most 50)
# Expects: build/release built, REDIS_PORT set to a running Redis, DATA the CSVs.
set -euo pipefail
source tools/lib.sh
source bench/common.sh

start_sim sim
echo -n "bench-secret" > "$BENCH_WORK/secret"
IMPORT_DATA="$DATA" start_daemon replies "bench:replies:" "  rate_per_second: 1
providers:
  - name: sim
    type: sim
    channels: [sms, push]
    url: http://127.0.0.1:$SIM_PORT
    rate_per_second: 1
  - name: whatsapp
    type: whatsapp_cloud
    channels: [whatsapp]
    url: http://127.0.0.1:$SIM_PORT
    rate_per_second: 1
    phone_number_id: \"1\"
    access_token_file: $BENCH_WORK/secret
    app_secret_file: $BENCH_WORK/secret
    verify_token_file: $BENCH_WORK/secret"
build/release/orgcast-bench-replies --url "http://127.0.0.1:$HTTP_PORT" --units "$DATA/units.csv" --contacts "$DATA/contacts.csv" \
  --app-secret bench-secret --connections "${CONNECTIONS:-8}" --batch "${BATCH:-100}"
echo "  (orgcastd RSS after: $(($(awk '/VmRSS/ {print $2}' "/proc/$DAEMON_PID/status") / 1024)) MB)"
