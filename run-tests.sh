#!/usr/bin/env bash
# Runs every test (the README's test command): unit tests, the Arquillian tests with the RAR in Payara Micro (one of
# them in headless Chromium), and the EAR on Payara Server. The browser test drives Debian's chromium through its
# chromedriver, and the outbox's tests start throwaway PostgreSQL servers from Debian's postgresql package; these are
# installed here from Debian's packages when missing. Afterwards, the test output, reports and server logs are scanned
# for secrets and tokens. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")"

# --all-servers: the portable suite (it-tests/portable) on GlassFish 7, WildFly 39 and Open Liberty 26, each from
# Maven Central, unpacked fresh into target/, started and stopped by the build on 127.0.0.1 (one after the other;
# GlassFish admin 24848 / HTTP 24880, WildFly offset 20000 / HTTP 28080, Liberty HTTP 29080 must be free). It builds
# and installs the connector first (without its tests), then prints each server's result and time, and scans the
# output and the servers' logs for secrets. Not part of the default run. --servers=glassfish,wildfly picks some.
if [ "${1:-}" = "--all-servers" ] || [[ "${1:-}" == --servers=* ]]; then
  servers="glassfish wildfly liberty"
  if [[ "$1" == --servers=* ]]; then servers=${1#--servers=}; servers=${servers//,/ }; fi
  shift
  mkdir -p target
  mvn -B install -DskipTests "$@" 2>&1 | tee target/all-servers-build.log
  status=0
  summary=""
  for server in $servers; do
    start=$(date +%s)
    if mvn -B -f it-tests/portable/pom.xml -P"$server" verify "$@" 2>&1 | tee "target/test-run-$server.log"; then
      result=PASS
    else
      result=FAIL; status=1
    fi
    tests=$(grep -Eo 'Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$'               "target/test-run-$server.log" | tail -1 || true)
    summary+="$server: $result (${tests:-no tests ran}) in $(( $(date +%s) - start )) s"$'\n'
  done
  # (GlassFish's and WildFly's server.log are found by the scan itself; Liberty's logs are named here.)
  tools/scan-secrets.sh target/all-servers-build.log target/test-run-{glassfish,wildfly,liberty}.log \
      it-tests/portable/target/wlp/usr/servers/arq/logs/{messages,trace}.log || status=1
  printf '%s' "$summary"
  exit $status
fi

missing=()
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  missing+=(chromium chromium-driver)
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing Debian's ${missing[*]} for the browser and outbox tests..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Everything the tests print is kept, and scanned afterwards for secrets and tokens (tools/scan-secrets.sh).
mkdir -p target
mvn -B verify "$@" 2>&1 | tee target/test-run.log
tools/scan-secrets.sh target/test-run.log
