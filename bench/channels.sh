#!/usr/bin/env bash
# The real channels (tools/bench channels). One run, one
# machine, the same 20,000 short SMS (one part each, delivery reports asked):
#   kannel_alone_msgs_per_s        a concurrent HTTP client (curl --parallel,
#                                  64 connections) -> smsbox sendsms -> bearerbox -> fakesmsc
#   orgcast_via_kannel_msgs_per_s  POST /v1/broadcasts -> orgcastd -> smsbox -> bearerbox -> fakesmsc
#   orgcast_vs_kannel_ratio        the two divided (goal >= 0.9: orgcastd is not the bottleneck)
# Both are timed until fakesmsc, Kannel's stand-in for the phone network, has
# received every message. Then orgcastd's own rate against each local fake
# provider, limits off, 202 until every recipient is dispatched, on a warm
# daemon (the fakes' callbacks off, so that the fake is not what is
# measured; report ingestion has its own benchmark, tools/bench dlr):
#   whatsapp_fake_msgs_per_s, fcm_fake_msgs_per_s, sms_http_fake_msgs_per_s
# Every run sends the announcement template (the HTTP aggregator refuses SMS
# without a DLT template id, as Indian operators do).
# Expects: build/release built, REDIS_PORT and REDIS_PID: a running Redis.
set -euo pipefail
source tools/lib.sh
source bench/common.sh

N=${CHANNEL_MESSAGES:-20000}
# The provider account's requests in flight: as many as the Kannel client's
# connections. orgcastd's dispatcher works in windows (claim, send, record),
# so its own window total (dispatch.concurrency over its workers) is larger,
# to keep the account's slots full while windows are being recorded.
ACCOUNT_CONCURRENCY=${CHANNEL_ACCOUNT_CONCURRENCY:-64}
CONCURRENCY=${CHANNEL_CONCURRENCY:-256} WORKERS=${CHANNEL_WORKERS:-16}
SUBJECT="District meeting" DETAILS="tomorrow 10:00, party office"

# The audience: N office-bearers of one district, each with a mobile,
# WhatsApp on the same number and an app token.
data="$BENCH_WORK/data"
mkdir -p "$data"
printf 'id,parent_id,level,name,name_hi\nRJ,,state,Rajasthan,राजस्थान\nD1,RJ,district,Ajmer,अजमेर\n' > "$data/units.csv"
awk -v n="$N" 'BEGIN {
  print "id,name,name_hi,mobile,whatsapp,language,unit_id,role,tags,app_token"
  for (i = 1; i <= n; i++) printf "C%d,Member %d,सदस्य %d,98%08d,yes,en,D1,member,,tok%d\n", i, i, i, i, i
}' > "$data/contacts.csv"
announce_to_all="{\"audience\": {\"units\": [\"D1\"]}, \"template\": \"announcement\", \"variables\": {\"subject\": \"$SUBJECT\", \"details\": \"$DETAILS\"}, \"priority\": \"bulk\""

# --- Kannel: bearerbox (fake SMSC), smsbox (sendsms), fakesmsc ------------
kdir="$BENCH_WORK/kannel"
mkdir -p "$kdir"
admin_port=$(free_port) smsbox_port=$(free_port) fake_port=$(free_port) sendsms_port=$(free_port)
echo -n "bench-password" > "$kdir/password"
cat > "$kdir/kannel.conf" <<CONF
group = core
admin-port = $admin_port
admin-password = admin
admin-interface = 127.0.0.1
smsbox-port = $smsbox_port
smsbox-interface = 127.0.0.1
dlr-storage = internal
log-level = 2
log-file = "$kdir/bearerbox.log"

group = smsc
smsc = fake
smsc-id = fake
port = $fake_port
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $smsbox_port
sendsms-port = $sendsms_port
sendsms-interface = 127.0.0.1
log-level = 2
log-file = "$kdir/smsbox.log"

group = sendsms-user
username = orgcast
password = bench-password
max-messages = 10
concatenation = true
CONF
/usr/sbin/bearerbox "$kdir/kannel.conf" > "$kdir/bearerbox.out" 2>&1 &
BENCH_PIDS+=($!)
KANNEL_PIDS=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$admin_port/status" >/dev/null 2>&1 && break; sleep 0.1; done
/usr/sbin/smsbox "$kdir/kannel.conf" > "$kdir/smsbox.out" 2>&1 &
BENCH_PIDS+=($!)
KANNEL_PIDS+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$sendsms_port/cgi-bin/sendsms" && break; sleep 0.1; done
/usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r "$fake_port" -i 1 -m 0 "1 2 text unused" > "$kdir/fakesmsc.out" 2>&1 &
BENCH_PIDS+=($!)
FAKESMSC_PID=$!
for _ in $(seq 1 100); do grep -q "Fakesmsc client connected" "$kdir/bearerbox.log" 2>/dev/null && break; sleep 0.1; done

# wait_quiet PID...: until they use under 10 % of a core (60 s at most), so
# that no work of one round (Kannel's delivery reports) spills into the next.
wait_quiet() {
  local before
  for _ in $(seq 1 120); do
    before=$(cpu_ticks "$@")
    sleep 0.5
    [ "$(cpu_pct $(($(cpu_ticks "$@") - before)) 0.5)" -lt 10 ] && return 0
  done
  echo "bench: still busy after 60 s: $*" >&2
}

received() { grep -c "Got message" "$kdir/fakesmsc.out" || true; }
# wait_received N: until fakesmsc has N messages (10 minutes at most).
wait_received() {
  for _ in $(seq 1 3000); do [ "$(received)" -ge "$1" ] && return 0; sleep 0.2; done
  echo "bench: fakesmsc received $(received) of $1" >&2
  return 1
}

# Kannel alone. Its delivery reports go to a sink that answers 200 at once
# (provider-sim's /stats), as orgcastd's go to orgcastd below.
start_sim sink
# url_encode TEXT: every byte but [A-Za-z0-9.~_-] as %XX.
url_encode() {
  local text=$1 out="" c i
  for ((i = 0; i < ${#text}; i++)); do
    c=${text:i:1}
    case "$c" in
      [A-Za-z0-9.~_-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  echo "$out"
}
dlr_q=$(url_encode "http://127.0.0.1:$SIM_PORT/stats?id=x&type=%d")
meta_q=$(url_encode "?smpp?PE_ID=1101000000000000001&TEMPLATE_ID=1107172300000000012")
# What orgcastd renders for each: "Dear Member 7, District meeting: tomorrow 10:00, party office. -Party Office".
awk -v n="$N" -v base="http://127.0.0.1:$sendsms_port/cgi-bin/sendsms?username=orgcast&password=bench-password&from=ORGCST&charset=UTF-8&coding=0&dlr-mask=31" \
    -v subject="$SUBJECT" -v details="$DETAILS" -v dlr="$dlr_q" -v meta="$meta_q" 'BEGIN {
  for (i = 1; i <= n; i++) {
    text = "Dear Member " i ", " subject ": " details ". -Party Office"
    gsub(/ /, "+", text); gsub(/,/, "%2C", text); gsub(/:/, "%3A", text)
    printf "url = \"%s&to=9198%08d&text=%s&dlr-url=%s&meta-data=%s\"\noutput = /dev/null\n", base, i, text, dlr, meta
  }
}' > "$kdir/urls.curl"
# kannel_alone: one round of the client; sets SECONDS_TAKEN.
kannel_alone() {
  local start_s target=$(($(received) + N)) cpu
  start_s=$(now)
  cpu=$(cpu_ticks "${KANNEL_PIDS[@]}")
  curl -s --parallel --parallel-immediate --parallel-max 64 -K "$kdir/urls.curl" 2> "$kdir/curl.err"
  wait_received "$target"
  SECONDS_TAKEN=$(echo "$(now) - $start_s" | bc)
  echo "  (Kannel alone: $(echo "$N / $SECONDS_TAKEN" | bc) msgs/s; CPU meanwhile: Kannel $(cpu_pct $(($(cpu_ticks "${KANNEL_PIDS[@]}") - cpu)) "$SECONDS_TAKEN") % of one core)"
  wait_quiet "${KANNEL_PIDS[@]}"
}

# orgcastd -> Kannel: one account, no rate limit, as many requests in flight as the client above.
provider_yaml() {  # provider_yaml TYPE CHANNEL URL [EXTRA SETTINGS...]
  printf 'providers:\n  - name: p\n    type: %s\n    channels: [%s]\n    url: "%s"\n    rate_per_second: 1000000\n    concurrency: %s\n' "$1" "$2" "$3" "$ACCOUNT_CONCURRENCY"
  shift 3
  for setting in "$@"; do printf '    %s\n' "$setting"; done
}
# cpu_since PEER_PID...: turns run_broadcast's daemon_cpu, peer_cpu and
# redis_cpu tick counts into % of one core over SECONDS_TAKEN.
cpu_since() {
  daemon_cpu=$(cpu_pct $(($(cpu_ticks "$DAEMON_PID") - daemon_cpu)) "$SECONDS_TAKEN")
  peer_cpu=$(cpu_pct $(($(cpu_ticks "$@") - peer_cpu)) "$SECONDS_TAKEN")
  redis_cpu=$(cpu_pct $(($(cpu_ticks "$REDIS_PID") - redis_cpu)) "$SECONDS_TAKEN")
}

# wait_dispatched ID: polls every 20 ms (10 minutes at most) until every recipient is dispatched.
wait_dispatched() {
  for _ in $(seq 1 30000); do
    # Nobody queued or sending any more (the fakes here send no reports).
    curl -s "http://127.0.0.1:$HTTP_PORT/v1/broadcasts/$1" | grep '"queued":0' | grep -qv '"sending":' && return 0
    sleep 0.02
  done
  echo "bench: broadcast $1 was not dispatched in time" >&2
  return 1
}

# run_broadcast NAME PREFIX CHANNEL PROVIDER_YAML PEER_PID...: starts an
# orgcastd with that provider, sends the announcement to everyone on
# CHANNEL, sets SECONDS_TAKEN to seconds from 202 to every recipient
# dispatched (for Kannel: received by fakesmsc), prints the CPU orgcastd and
# the provider's processes used meanwhile, then stops the daemon.
run_broadcast() {
  local name=$1 prefix=$2 channel=$3 providers=$4 id sent start_s daemon_cpu peer_cpu redis_cpu
  shift 4
  IMPORT_DATA="$data" TEMPLATES_YAML='  dlt_entity_id: "1101000000000000001"' start_daemon "$name" "$prefix" "  concurrency: $CONCURRENCY
  workers: $WORKERS
$providers"
  if [ -z "${TO_PHONES:-}" ]; then
    # A long-running daemon has its provider connections open: one untimed
    # broadcast first (the Kannel runs stay cold, as the curl client is).
    read -r id sent < <(post_broadcast "${announce_to_all}, \"channels\": [\"$channel\"]}")
    wait_dispatched "$id"
  fi
  read -r id sent < <(post_broadcast "${announce_to_all}, \"channels\": [\"$channel\"]}")
  [ "$sent" = "$N" ] || { echo "bench: $name queued ${sent:-nothing}, not $N" >&2; cat "$BENCH_WORK/$name-orgcastd.log" >&2; return 1; }
  start_s=$(now)
  daemon_cpu=$(cpu_ticks "$DAEMON_PID") peer_cpu=$(cpu_ticks "$@") redis_cpu=$(cpu_ticks "$REDIS_PID")
  if [ "$channel" = sms ] && [ -n "${TO_PHONES:-}" ]; then
    wait_received "$TO_PHONES"
    SECONDS_TAKEN=$(echo "$(now) - $start_s" | bc)
    cpu_since "$@"
    # Kannel's delivery reports must reach this daemon before it stops.
    wait_count "$id" delivered "$N" 120
    wait_quiet "$@"
  else
    wait_dispatched "$id"
    SECONDS_TAKEN=$(echo "$(now) - $start_s" | bc)
    cpu_since "$@"
  fi
  local counts
  counts=$(curl -s "http://127.0.0.1:$HTTP_PORT/v1/broadcasts/$id" | sed -n 's/.*"counts":\({[^}]*}\).*/\1/p')
  echo "  ($name: $(echo "$N / $SECONDS_TAKEN" | bc) msgs/s, $counts; CPU meanwhile: orgcastd $daemon_cpu %, Redis $redis_cpu %, provider $peer_cpu % of one core)"
  echo "  ($name: $(dispatch_breakdown))"
  stop_pid "$DAEMON_PID"
}

# Two rounds each, alternating, so that both see the same machine.
kannel_s=0 orgcast_s=0
for round in 1 2; do
  kannel_alone
  kannel_s=$(echo "$kannel_s + $SECONDS_TAKEN" | bc)
  TO_PHONES=$(($(received) + N)) run_broadcast "kannel-$round" "bench:ch-kannel-$round:" sms "$(provider_yaml kannel sms "http://127.0.0.1:$sendsms_port" \
    "username: orgcast" "password_file: $kdir/password" "sender: ORGCST")" "${KANNEL_PIDS[@]}"
  orgcast_s=$(echo "$orgcast_s + $SECONDS_TAKEN" | bc)
done
kannel_rate=$(echo "2 * $N / $kannel_s" | bc)
orgcast_rate=$(echo "2 * $N / $orgcast_s" | bc)
echo "kannel_alone_msgs_per_s=$kannel_rate msgs/s ($N SMS twice, curl --parallel 64 -> smsbox -> bearerbox -> fakesmsc)"
echo "orgcast_via_kannel_msgs_per_s=$orgcast_rate msgs/s (the same, POST -> orgcastd -> smsbox -> bearerbox -> fakesmsc)"
echo "orgcast_vs_kannel_ratio=$(echo "scale=3; $orgcast_rate / $kannel_rate" | bc) (goal >= 0.9)"

# Kannel is done: stopped, so that it takes nothing from what follows.
idle_cpu=$(cpu_ticks "${KANNEL_PIDS[@]}" "$FAKESMSC_PID")
sleep 2
echo "  (Kannel idle, after the runs: $(cpu_pct $(($(cpu_ticks "${KANNEL_PIDS[@]}" "$FAKESMSC_PID") - idle_cpu)) 2) % of one core)"
for pid in "$FAKESMSC_PID" "${KANNEL_PIDS[@]}"; do stop_pid "$pid"; done

# --- The fakes of the HTTP providers ---------------------------------------
start_fake() {  # start_fake PROGRAM FLAGS...: sets FAKE_PORT and FAKE_PID
  local program=$1; shift
  build/release/"$program" --port-file "$BENCH_WORK/$program.port" "$@" > "$BENCH_WORK/$program.log" 2>&1 &
  BENCH_PIDS+=($!)
  FAKE_PID=$!
  for _ in $(seq 1 100); do [ -s "$BENCH_WORK/$program.port" ] && break; sleep 0.1; done
  FAKE_PORT=$(cat "$BENCH_WORK/$program.port")
}
echo -n "bench-token" > "$BENCH_WORK/token"

start_fake fake-whatsapp --token bench-token --app-secret bench-token --statuses 0
run_broadcast whatsapp "bench:ch-wa:" whatsapp "$(provider_yaml whatsapp_cloud whatsapp "http://127.0.0.1:$FAKE_PORT" "phone_number_id: \"1\"" \
  "access_token_file: $BENCH_WORK/token" "app_secret_file: $BENCH_WORK/token" "verify_token_file: $BENCH_WORK/token")" "$FAKE_PID"
echo "whatsapp_fake_msgs_per_s=$(echo "$N / $SECONDS_TAKEN" | bc) msgs/s (orgcastd -> fake-whatsapp, template messages, limits off)"

# FCM: a fresh service account; fake-fcm checks the token exchange's JWT with its public key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$BENCH_WORK/fcm.key" 2>/dev/null
openssl pkey -in "$BENCH_WORK/fcm.key" -pubout -out "$BENCH_WORK/fcm.pub"
start_fake fake-fcm --public-key "$BENCH_WORK/fcm.pub"
# The key's PEM in one JSON string: its newlines as \n.
pem=$(awk '{printf "%s\\n", $0}' "$BENCH_WORK/fcm.key")
printf '{"type": "service_account", "project_id": "bench", "private_key_id": "k1", "private_key": "%s", "client_email": "bench@bench.iam.gserviceaccount.com", "token_uri": "%s"}\n' \
  "$pem" "http://127.0.0.1:$FAKE_PORT/token" > "$BENCH_WORK/service-account.json"
run_broadcast fcm "bench:ch-fcm:" push "$(provider_yaml fcm push "http://127.0.0.1:$FAKE_PORT" "service_account_file: $BENCH_WORK/service-account.json")" "$FAKE_PID"
echo "fcm_fake_msgs_per_s=$(echo "$N / $SECONDS_TAKEN" | bc) msgs/s (orgcastd -> fake-fcm, one OAuth2 token)"

echo -n "Bearer bench-token" > "$BENCH_WORK/auth"
start_fake fake-sms-http --api-key bench-token --reports 0
run_broadcast sms_http "bench:ch-http:" sms "$(provider_yaml sms_http sms "http://127.0.0.1:$FAKE_PORT/v1/sms" "auth_header: Authorization" \
  "auth_value_file: $BENCH_WORK/auth" "id_path: data.message_id")" "$FAKE_PID"
echo "sms_http_fake_msgs_per_s=$(echo "$N / $SECONDS_TAKEN" | bc) msgs/s (orgcastd -> fake-sms-http, JSON, limits off)"
