#!/usr/bin/env bash
# The fault soak at full size: messages sent from many threads over Graph and over SMTP while the stand-in injects
# faults at random, then what the application was told compared with what arrived (docs/reliability.md).
# Usage: ./soak.sh [messages per transport, default 10000] [threads, default 16]
set -euo pipefail
cd "$(dirname "$0")"
messages="${1:-10000}"
threads="${2:-16}"
mvn -B -q install -DskipTests -pl connector/adapter -am
log=connector/adapter/target/soak.log
status=0
mvn -B -pl connector/adapter surefire:test -Dtest=FaultSoakTest -Dsoak.messages="$messages" \
  -Dsoak.threads="$threads" >"$log" 2>&1 || status=$?
grep -E "soak: sent|Tests run:|FAIL" "$log" || true
echo "full output: $log"
exit "$status"
