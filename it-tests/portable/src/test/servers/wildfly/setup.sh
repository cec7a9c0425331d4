#!/usr/bin/env bash
# WildFly: the freshly unpacked server configured offline with jboss-cli (embed-server) as an administrator would:
# the client secret encrypted into an Elytron expression (${ENC::...}) whose key is in a secret-key credential store,
# the RAR in deployments/, the resource adapter with three connection definitions (min-pool-size 0), msal4j's
# loggers at DEBUG. Arquillian then starts the server (port offset 20000; WildFly binds 127.0.0.1 by default) and
# stops it after the tests.
#   setup.sh <wildfly home> <rar> <secret file> <login port> <graph port> <smtp port> <trust store>
set -euo pipefail
WF=$1 RAR=$2 SECRETFILE=$3 LOGIN=$4 GRAPH=$5 SMTP=$6 TRUST=$7
CLI="$WF/bin/jboss-cli.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cp "$RAR" "$WF/standalone/deployments/m365-mail-connector.rar"

# 1. The credential store with a generated secret key, the expression resolver, and the secret encrypted with it.
SECRET=$(sed -n 's/^AS_ADMIN_ALIASPASSWORD=//p' "$SECRETFILE")
cat > "$WORK/store.cli" <<CLI
embed-server --server-config=standalone.xml --std-out=discard
/subsystem=elytron/secret-key-credential-store=m365-store:add(path=m365-store.cs, relative-to=jboss.server.config.dir, create=true, populate=true)
/subsystem=elytron/expression=encryption:add(resolvers=[{name=m365, credential-store=m365-store, secret-key=key}])
/subsystem=elytron/expression=encryption:create-expression(resolver=m365, clear-text="$SECRET")
stop-embedded-server
CLI
"$CLI" --file="$WORK/store.cli" > "$WORK/store.out"
ENC=$(grep -o '\${ENC::[^"]*}' "$WORK/store.out" | head -1)
if [ -z "$ENC" ]; then
  echo "no encrypted expression was made:"; sed 's/'"$SECRET"'/***/g' "$WORK/store.out"; exit 1
fi

# 2. The resource adapter and its connection definitions, named by the managed connection factory's class.
def() { # name transport secret extra-properties...
  local name=$1 transport=$2 secret=$3; shift 3
  local base=/subsystem=resource-adapters/resource-adapter=m365/connection-definitions=$name
  echo "$base:add(class-name=org.m365mail.outbound.MailManagedConnectionFactory, jndi-name=java:/mail/$name, min-pool-size=0, max-pool-size=3)"
  for p in "transport=$transport" "tenantId=5f0c9a3e-2b41-4c8e-9d7a-1e6b3c2d4f50" \
           "clientId=8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736" "clientSecret=$secret" \
           "fromAddress=notifications@contoso.test" "authorityUrl=https://127.0.0.1:$LOGIN" \
           "trustStorePath=$TRUST" "trustStorePassword=changeit" "$@"; do
    echo "$base/config-properties=${p%%=*}:add(value=\"${p#*=}\")"
  done
}
{
  echo "embed-server --server-config=standalone.xml --std-out=discard"
  echo "/subsystem=resource-adapters/resource-adapter=m365:add(archive=m365-mail-connector.rar, transaction-support=NoTransaction)"
  def PortableGraph GRAPH "$ENC" "graphUrl=https://127.0.0.1:$GRAPH"
  def PortableSmtp SMTP "$ENC" "smtpHost=127.0.0.1" "smtpPort=$SMTP"
  def PortableWrongSecret GRAPH "not-the-secret-42" "graphUrl=https://127.0.0.1:$GRAPH"
  echo "/subsystem=logging/logger=com.microsoft.aad.msal4j:add(level=DEBUG)"
  echo "stop-embedded-server"
} > "$WORK/adapter.cli"
"$CLI" --file="$WORK/adapter.cli"
