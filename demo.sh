#!/usr/bin/env bash
# The demo: Payara Micro with the connector (RAR) and its console (WAR), sending one mail.
#
#   ./demo.sh            against the local Microsoft 365 stand-in (no account needed)
#   ./demo.sh --once     the same, but stop after the first mail instead of staying up
#
# Against real Microsoft 365, set these first (see README "Setting up Microsoft 365"):
#   M365_TENANT_ID  M365_CLIENT_ID  M365_CLIENT_SECRET  M365_FROM  M365_TO   [M365_TRANSPORT=GRAPH|SMTP]
#
# Ports: DEMO_HTTP_PORT (Payara Micro, default 8080), DEMO_VIEWER_PORT (stand-in outbox page, default 9090).
# The console needs the server's sign-in and the role m365-mail-admin: the demo creates the user DEMO_ADMIN_USER
# (default "admin") with DEMO_ADMIN_PASSWORD, or a random password it prints once. Micro listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")"

once=false
[ "${1:-}" = "--once" ] && once=true
[ "${CI:-}" = "true" ] && once=true

http_port="${DEMO_HTTP_PORT:-8080}"
viewer_port="${DEMO_VIEWER_PORT:-9090}"
run_dir="$PWD/demo-run"
dist="$PWD/demo/target/demo"
pids=()

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
fail() { printf '\nDemo failed: %s\n' "$*" >&2; exit 1; }
cleanup() {
  for pid in "${pids[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  rm -f "$run_dir/postboot.asadmin" "$run_dir/preboot.asadmin" "$run_dir/admin-password.txt" \
      "$run_dir/curl-admin.conf"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v java >/dev/null || fail "java is not installed (JDK 17 or newer is needed)"
command -v mvn >/dev/null || fail "mvn is not installed (Maven 3.8 or newer is needed)"
command -v curl >/dev/null || fail "curl is not installed"

say "Building the connector, the console and the stand-in (first run downloads Payara Micro, about 100 MB)"
mvn -B -q -DskipTests package -pl demo -am

rm -rf "$run_dir" && mkdir -p "$run_dir"

# asadmin --property separates pairs with ':' — escape the ones inside values (URLs, Windows paths).
esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/:/\\:/g'; }

if [ -n "${M365_TENANT_ID:-}" ]; then
  for v in M365_CLIENT_ID M365_CLIENT_SECRET M365_FROM M365_TO; do
    [ -n "${!v:-}" ] || fail "$v is not set (needed with M365_TENANT_ID for real Microsoft 365)"
  done
  say "Using real Microsoft 365: tenant $M365_TENANT_ID, mailbox $M365_FROM, transport ${M365_TRANSPORT:-GRAPH}"
  properties="transport=${M365_TRANSPORT:-GRAPH}:tenantId=$(esc "$M365_TENANT_ID"):clientId=$(esc "$M365_CLIENT_ID")"
  properties+=":clientSecret=$(esc "$M365_CLIENT_SECRET"):fromAddress=$(esc "$M365_FROM")"
  recipient="$M365_TO"
  viewer=""
else
  say "Starting the local Microsoft 365 stand-in (Entra ID, Graph, Exchange SMTP on 127.0.0.1)"
  java -jar "$dist/m365-sandbox.jar" --work-dir "$run_dir/sandbox" --viewer-port "$viewer_port" \
      > "$run_dir/sandbox.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 60); do
    [ -f "$run_dir/sandbox/sandbox.properties" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || fail "the stand-in stopped; see $run_dir/sandbox.log"
    sleep 0.5
  done
  [ -f "$run_dir/sandbox/sandbox.properties" ] || fail "the stand-in did not start; see $run_dir/sandbox.log"
  prop() { grep "^$1=" "$run_dir/sandbox/sandbox.properties" | cut -d= -f2-; }
  properties="transport=${M365_TRANSPORT:-GRAPH}:tenantId=$(prop tenantId):clientId=$(prop clientId)"
  properties+=":clientSecret=$(esc "$(prop clientSecret)"):fromAddress=$(prop fromAddress)"
  properties+=":fromName=Contoso Notifications"
  properties+=":authorityUrl=$(esc "$(prop authorityUrl)"):graphUrl=$(esc "$(prop graphUrl)")"
  properties+=":smtpHost=$(prop smtpHost):smtpPort=$(prop smtpPort)"
  properties+=":trustStorePath=$(esc "$(prop trustStorePath)"):trustStorePassword=$(prop trustStorePassword)"
  recipient="$(prop recipient)"
  viewer="$(prop viewerUrl)"
fi

admin_user="${DEMO_ADMIN_USER:-admin}"
admin_password="${DEMO_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20)}"
case "$admin_user" in *[!A-Za-z0-9._-]*|"") fail "DEMO_ADMIN_USER may hold only letters, digits, '.', '_' and '-'";; esac

# The README's asadmin commands, run by Payara Micro after boot and before the console is deployed, and an
# administrator of the console in Micro's file realm. Before boot: listen on this machine only.
umask 077
printf 'AS_ADMIN_USERPASSWORD=%s\n' "$admin_password" > "$run_dir/admin-password.txt"
# curl reads the credentials from a file, so they do not show in the process list.
printf 'user = "%s:%s"\n' "$admin_user" "$admin_password" > "$run_dir/curl-admin.conf"
cat > "$run_dir/preboot.asadmin" <<EOF
set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1
EOF
cat > "$run_dir/postboot.asadmin" <<EOF
deploy $dist/m365-mail-connector.rar
create-resource-adapter-config m365-mail-connector
create-connector-connection-pool --raname m365-mail-connector --connectiondefinition org.m365mail.api.MailConnectionFactory --steadypoolsize 0 --maxpoolsize 3 --property "$properties" Office365Pool
create-connector-resource --poolname Office365Pool mail/Office365
create-file-user --groups m365-mail-admin --passwordfile $run_dir/admin-password.txt $admin_user
EOF
umask 022

say "Starting Payara Micro with the connector and the console on port $http_port"
java -jar "$dist/payara-micro.jar" --nocluster --port "$http_port" \
    --prebootcommandfile "$run_dir/preboot.asadmin" --postbootcommandfile "$run_dir/postboot.asadmin" \
    --deploy "$dist/m365-mail-console.war" --contextroot m365-mail-console \
    > "$run_dir/payara-micro.log" 2>&1 &
pids+=($!)
micro_pid=$!
for _ in $(seq 1 240); do
  grep -q 'Payara Micro .* ready in' "$run_dir/payara-micro.log" 2>/dev/null && break
  kill -0 "$micro_pid" 2>/dev/null || fail "Payara Micro stopped; see $run_dir/payara-micro.log"
  sleep 0.5
done
grep -q 'Payara Micro .* ready in' "$run_dir/payara-micro.log" || fail "Payara Micro did not start; see $run_dir/payara-micro.log"
grep -q 'Boot Command create-connector-resource returned with result SUCCESS' "$run_dir/payara-micro.log" \
  || fail "the connector resource was not created; see $run_dir/payara-micro.log"
grep -q 'Boot Command create-file-user returned with result SUCCESS' "$run_dir/payara-micro.log" \
  || fail "the console's administrator was not created; see $run_dir/payara-micro.log"
rm -f "$run_dir/admin-password.txt"

console="http://localhost:$http_port/m365-mail-console/"
say "Signing in to the console as $admin_user, as a script would (BASIC, then the session's CSRF token)"
jar="$run_dir/console-cookies.txt"
anonymous=$(curl -s -o /dev/null -w '%{http_code}' "${console}api/factories")
[ "$anonymous" = 401 ] || fail "the console answered $anonymous without sign-in; it must answer 401"
session=$(curl -s -S -K "$run_dir/curl-admin.conf" -c "$jar" -b "$jar" "${console}api/factories")
csrf=$(printf '%s' "$session" | sed -n 's/.*"csrfToken":"\([^"]*\)".*/\1/p')
[ -n "$csrf" ] || fail "the console gave no CSRF token: $session"

say "Sending a test mail to $recipient through the console"
answer=$(curl -s -S -K "$run_dir/curl-admin.conf" -c "$jar" -b "$jar" -H "X-CSRF-Token: $csrf" \
    -X POST "${console}api/test-mail" --data-urlencode "jndiName=mail/Office365" \
    --data-urlencode "to=$recipient" \
    --data-urlencode "subject=Hello from the Microsoft 365 mail connector demo" \
    --data-urlencode "body=This mail went from an application in Payara Micro through the connector.")
echo "$answer"
case "$answer" in
  *'"sent":true'*) ;;
  *) fail "the mail was not sent (see above and $run_dir/payara-micro.log)";;
esac

if [ -n "$viewer" ]; then
  say "What the stand-in delivered"
  curl -s -S "${viewer}messages.json"
  echo
  curl -s -S "${viewer}messages.json" | grep -q 'Hello from the Microsoft 365 mail connector demo' \
    || fail "the stand-in shows no delivered mail"
  say "Delivered. Outbox: $viewer    Console: $console"
else
  say "Accepted by Microsoft 365. Look in $recipient's inbox.    Console: $console"
fi
server="http://localhost:$http_port"
say "The connector at Payara Micro's readiness check: $server/health/ready"
ready=$(curl -s -S "$server/health/ready")
echo "$ready"
case "$ready" in
  *'"name":"m365-mail mail/Office365","status":"UP"'*) ;;
  *) fail "no UP readiness check of the connector at $server/health/ready (see $run_dir/payara-micro.log)";;
esac
say "Its counts at Payara Micro's metrics: $server/metrics?scope=application (the connector's lines)"
metrics=$(curl -s -S -H 'Accept: text/plain' "$server/metrics?scope=application" | grep '^m365mail_' || true)
printf '%s\n' "$metrics" | grep -E 'm365mail_(messages_sent_total|messages_failed_total\{[^}]*reason="authentication"|tokens_requested_total|send_duration_seconds_count)' || true
printf '%s\n' "$metrics" | grep -Eq '^m365mail_messages_sent_total\{[^}]*factory="mail/Office365"[^}]*\} [1-9]' \
  || fail "the metrics do not count the sent mail (see $server/metrics?scope=application)"

if [ -n "${DEMO_ADMIN_PASSWORD:-}" ]; then
  say "Console sign-in: user $admin_user, the password in DEMO_ADMIN_PASSWORD (listening on 127.0.0.1 only)"
else
  say "Console sign-in: user $admin_user, password $admin_password (made for this run; listening on 127.0.0.1 only)"
fi

if [ "$once" = true ]; then
  say "Stopping (--once)."
  exit 0
fi
say "Running. Send more mail from the console; press Ctrl-C to stop."
wait "$micro_pid"
