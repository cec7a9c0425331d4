#!/usr/bin/env bash
# Open Liberty: a fresh server "arq" in the freshly unpacked runtime, with the RAR, the server.xml above (the
# client secret, as applicationPassword, and the trust store's password encoded with securityUtility, {aes}, under a
# key of its own) and the client secret also as a file-based variable (variables/m365ClientSecret, readable by the
# server's user only). Arquillian starts and stops the server.
#   setup.sh <wlp home> <rar> <server.xml template, filtered> <secret file>
set -euo pipefail
WLP=$1 RAR=$2 TEMPLATE=$3 SECRETFILE=$4
SERVER="$WLP/usr/servers/arq"
"$WLP/bin/server" create arq
cp "$RAR" "$SERVER/m365-mail-connector.rar"
# Liberty 26 encodes {aes} only with a key of one's own: a random AES-256 key, given to the server as the variable
# wlp.aes.encryption.key in bootstrap.properties (readable by the server's user only), kept out of server.xml.
KEY=$(head -c 32 /dev/urandom | base64 -w0)
AES=$("$WLP/bin/securityUtility" encode --encoding=aes --base64Key="$KEY" changeit)
SECRET=$(sed -n 's/^AS_ADMIN_ALIASPASSWORD=//p' "$SECRETFILE" | tr -d '\n')
SECRET_AES=$("$WLP/bin/securityUtility" encode --encoding=aes --base64Key="$KEY" "$SECRET")
( umask 077; echo "wlp.aes.encryption.key=$KEY" >> "$SERVER/bootstrap.properties" )
sed -e "s|@TRUST_STORE_PASSWORD_AES@|$AES|g" -e "s|@CLIENT_SECRET_AES@|$SECRET_AES|g" "$TEMPLATE" > "$SERVER/server.xml"
mkdir -p "$SERVER/variables"
( umask 077; printf '%s' "$SECRET" > "$SERVER/variables/m365ClientSecret" )
