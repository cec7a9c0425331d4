#!/usr/bin/env bash
# Open Liberty: a fresh server "arq" in the freshly unpacked runtime, with the RAR, the server.xml above (the
# trust store's password encoded with securityUtility, {aes}) and the client secret as a file-based variable
# (variables/m365ClientSecret, readable by the server's user only). Arquillian starts and stops the server.
#   setup.sh <wlp home> <rar> <server.xml template, filtered> <secret file>
set -euo pipefail
WLP=$1 RAR=$2 TEMPLATE=$3 SECRETFILE=$4
SERVER="$WLP/usr/servers/arq"
"$WLP/bin/server" create arq
cp "$RAR" "$SERVER/m365-mail-connector.rar"
AES=$("$WLP/bin/securityUtility" encode --encoding=aes changeit)
sed "s|@TRUST_STORE_PASSWORD_AES@|$AES|g" "$TEMPLATE" > "$SERVER/server.xml"
mkdir -p "$SERVER/variables"
( umask 077; sed -n 's/^AS_ADMIN_ALIASPASSWORD=//p' "$SECRETFILE" | tr -d '\n' > "$SERVER/variables/m365ClientSecret" )
