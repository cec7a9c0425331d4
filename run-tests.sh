#!/usr/bin/env bash
# Runs every test (the README's test command): unit tests, the Arquillian tests with the RAR in Payara Micro (one of
# them in headless Chromium), and the EAR on Payara Server. The browser test drives Debian's chromium through its
# chromedriver; they are installed here from Debian's packages when missing. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing Debian's chromium and chromium-driver for the browser test..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
fi

exec mvn -B verify "$@"
