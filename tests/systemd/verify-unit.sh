#!/usr/bin/env bash
# Checks systemd/orgcastd.service with systemd-analyze verify. The unit names
# /usr/bin/orgcastd, which is not installed on a build machine, so a copy
# pointing at the freshly built binary is verified (everything else as is).
set -euo pipefail
unit="$1"
binary="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/bin/orgcastd|$binary|" "$unit" > "$work/orgcastd.service"
# LoadCredential needs the source file to exist only at start, not for verify.
output=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$work/orgcastd.service" 2>&1) || {
  echo "$output"
  echo "systemd-analyze verify failed"
  exit 1
}
# verify exits 0 on some warnings; treat any line about our unit as a failure.
if echo "$output" | grep -q "orgcastd.service"; then
  echo "$output"
  exit 1
fi
grep -q '^Type=notify' "$unit" && grep -q '^WatchdogSec=' "$unit" && grep -q '^ProtectSystem=strict' "$unit" &&
  grep -q '^NoNewPrivileges=yes' "$unit" || { echo "the unit lacks Type=notify, a watchdog or sandboxing"; exit 1; }
echo "systemd-analyze verify: ok"
