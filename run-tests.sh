#!/usr/bin/env bash
# Runs every test (the README's test command): unit tests, the Arquillian tests with the RAR in Payara Micro (one of
# them in headless Chromium), and the EAR on Payara Server. The browser test drives Debian's chromium through its
# chromedriver, and the outbox's tests start throwaway PostgreSQL servers from Debian's postgresql package; these are
# installed here from Debian's packages when missing. Afterwards, the test output, reports and server logs are scanned
# for secrets and tokens. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")"

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
