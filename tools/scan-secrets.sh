#!/usr/bin/env bash
# The secret scan run after the tests (docs/security.md): no secret or token the tests use may appear in anything the
# tests captured — the build's output (every log line and exception the unit and integration tests printed), the test
# reports, and the servers' own logs. It looks for the known secret values (client secret, passwords, token store and
# cache keys, certificate passwords) and for the shapes of tokens (JWT access and ID tokens, the stand-in's refresh
# tokens, SASL XOAUTH2 strings). Usage: tools/scan-secrets.sh [build-output.log ...]
set -euo pipefail
cd "$(dirname "$0")/.."

# Fixed strings: the stand-in's secrets (sandbox/…/SandboxDefaults.java) and those the tests configure.
secrets=(
  'sandbox~secret.value-not-for-production'
  'sandbox-user-password'
  'sandbox-other-user-password'
  'sandbox-identity-header-value'
  'pfx-password-value'
  'a passphrase of sixteen+'
  'cluster-cache-key, sixteen+'
  'keep-alive test key, 16+'
  'lifecycle store key, 16+'
  'wrong-secret-value-7Qx!'
  'misconfig-cert-pass'
)
# Shapes: a JWT (header and payload both base64url JSON), the stand-in's refresh tokens, a SASL XOAUTH2 string
# (base64 of "user="), a bearer header with a value.
patterns=(
  'eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.'
  '0\.AXsandbox[A-Za-z0-9_-]{8,}'
  'dXNlcj[0-9A-Za-z+/]{20,}'
  'Bearer [A-Za-z0-9_.-]{20,}'
)

files=("$@")
while IFS= read -r -d '' f; do files+=("$f"); done < <(find . -path ./.git -prune -o \
  \( -path '*/target/surefire-reports/*' -o -path '*/target/failsafe-reports/*' -o -name 'server.log*' \) \
  -type f -print0 2>/dev/null)

scan() {
  local found=0 f s p
  for f in "$@"; do
    [ -f "$f" ] || continue
    for s in "${secrets[@]}"; do
      if grep -qF -- "$s" "$f"; then
        echo "SECRET in $f: a known secret value (${s:0:4}…) at line(s) $(grep -nF -- "$s" "$f" | cut -d: -f1 | head -5 | tr '\n' ' ')"
        found=1
      fi
    done
    for p in "${patterns[@]}"; do
      if grep -qE -- "$p" "$f"; then
        echo "SECRET in $f: something shaped like a token (/${p:0:12}…/) at line(s) $(grep -nE -- "$p" "$f" | cut -d: -f1 | head -5 | tr '\n' ' ')"
        found=1
      fi
    done
  done
  return $found
}

# The scan must be able to fail: it must find a planted token in a file of its own.
probe="$(mktemp)"
trap 'rm -f "$probe"' EXIT
printf 'log line with Bearer eyJhbGciOiJSUzI1NiJ9x.eyJ0aWQiOiJ4In0xxxxxx.sig\n' >"$probe"
if scan "$probe" >/dev/null; then
  echo "secret scan: the scan did not find a planted token; it is broken" >&2
  exit 2
fi

if scan "${files[@]}"; then
  echo "secret scan: no secret or token in ${#files[@]} files of test output, reports and server logs"
else
  echo "secret scan: FAILED — a secret or token reached test output, a report or a server log (above)" >&2
  exit 1
fi
