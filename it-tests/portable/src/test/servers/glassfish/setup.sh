#!/usr/bin/env bash
# GlassFish 7: a fresh domain1 (the distribution's own is replaced) in the freshly unpacked server, bound to 127.0.0.1 (ports from --portbase:
# admin base+48, HTTP base+80), configured as an administrator would with asadmin: the client secret as a password
# alias, the RAR deployed, three connector pools and resources, msal4j's loggers at FINE. The domain is stopped
# again; Arquillian starts it for the tests and stops it after them.
#   setup.sh <glassfish home> <rar> <portbase> <alias password file> <login port> <graph port> <smtp port> <trust store>
set -euo pipefail
GF=$1 RAR=$2 PORTBASE=$3 ALIASFILE=$4 LOGIN=$5 GRAPH=$6 SMTP=$7 TRUST=$8
ASADMIN=("$GF/bin/asadmin" --port $((PORTBASE + 48)))
DOMAIN_XML="$GF/glassfish/domains/domain1/config/domain.xml"

# The name stays domain1: the Arquillian adapter (2.1.0) cannot stop a domain it is given by name.
rm -rf "$GF/glassfish/domains/domain1"
"$GF/bin/asadmin" create-domain --portbase "$PORTBASE" --nopassword=true domain1
# Every listener on loopback only.
sed -i -e 's/address="0.0.0.0"/address="127.0.0.1"/g' \
       -e '/<network-listener [^>]*address=/!s/<network-listener \([^>]*\)name="\(http-listener-1\|http-listener-2\|admin-listener\)"/<network-listener address="127.0.0.1" \1name="\2"/' \
       "$DOMAIN_XML"
"$GF/bin/asadmin" start-domain domain1
trap '"$GF/bin/asadmin" stop-domain domain1' EXIT

# The secret goes into the domain's password store; pools name it ${ALIAS=m365-client-secret}. In --property the
# '=' inside the reference must be escaped (\=), as ':' in a value is (\:): GlassFish refuses an unescaped one.
"${ASADMIN[@]}" --passwordfile "$ALIASFILE" create-password-alias m365-client-secret
"${ASADMIN[@]}" deploy "$RAR"

common="tenantId=5f0c9a3e-2b41-4c8e-9d7a-1e6b3c2d4f50:clientId=8a1f6e2c-7d3b-4e59-a0c4-92b5d8e1f736"
common+=":fromAddress=notifications@contoso.test:authorityUrl=https\\://127.0.0.1\\:$LOGIN"
common+=":trustStorePath=$TRUST:trustStorePassword=changeit"
pool() { # name jndi properties
  "${ASADMIN[@]}" create-connector-connection-pool --raname m365-mail-connector \
      --connectiondefinition org.m365mail.api.MailConnectionFactory --steadypoolsize 0 --maxpoolsize 3 \
      --property "$3" "$1"
  "${ASADMIN[@]}" create-connector-resource --poolname "$1" "$2"
}
pool PortableGraphPool mail/PortableGraph \
  "transport=GRAPH:$common:clientSecret=\${ALIAS\\=m365-client-secret}:graphUrl=https\\://127.0.0.1\\:$GRAPH"
pool PortableSmtpPool mail/PortableSmtp \
  "transport=SMTP:$common:clientSecret=\${ALIAS\\=m365-client-secret}:smtpHost=127.0.0.1:smtpPort=$SMTP"
pool PortableWrongSecretPool mail/PortableWrongSecret \
  "transport=GRAPH:$common:clientSecret=not-the-secret-42:graphUrl=https\\://127.0.0.1\\:$GRAPH"
# The README's claim: GlassFish refuses the unescaped form. If it ever takes it, the README must change.
if out=$("${ASADMIN[@]}" create-connector-connection-pool --raname m365-mail-connector \
      --connectiondefinition org.m365mail.api.MailConnectionFactory \
      --property "transport=GRAPH:$common:clientSecret=\${ALIAS=m365-client-secret}" UnescapedAliasPool 2>&1); then
  echo "GlassFish took clientSecret=\${ALIAS=...} unescaped in --property; README.md says it refuses it"; exit 1
fi
case "$out" in
  *'Invalid property syntax'*) echo "As expected, GlassFish refuses an unescaped '=' in --property: ${out%%$'\n'*}" ;;
  *) echo "GlassFish refused the unescaped alias for another reason: $out"; exit 1 ;;
esac
"${ASADMIN[@]}" set-log-levels com.microsoft.aad.msal4j=FINE
