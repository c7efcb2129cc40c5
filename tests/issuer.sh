#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# issuer.sh -- a real issuer daemon and real nodes, as separate processes
# over nng: two nodes with different keys get the same subject for the
# same ID; an unregistered node and the coordinator get no evaluation; the
# daemon keeps serving after garbage.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$dir"' EXIT
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "not ok - $1"; fi
}
cd "$dir"
sock="ipc://$dir/issuer.sock"
cat > issuer.conf <<CONF
[issuer]
name = test-issuer
region = testregion
key = issuer.key
oprf_seed = oprf.seed
db = issuer.db
listen = $sock
purposes = credit_loan self
CONF
"$FEDSCORE" issuer init -c issuer.conf > init.out
check "issuer init creates the keys" '[ -f issuer.key ] && [ -f oprf.seed ] && [ -f oprf.seed.pub ]'
check "the OPRF seed is 0600" '[ "$(stat -c %a oprf.seed)" = 600 ]'
pub1=$(cat oprf.seed.pub)
"$FEDSCORE" issuer init -c issuer.conf > init2.out
check "init again keeps the same OPRF key" '[ "$(cat oprf.seed.pub)" = "$pub1" ]'

for n in traffic court stranger coord; do
	"$FEDSCORE" keygen -o $n.key > /dev/null
	cat > $n.conf <<CONF
[node]
key = $n.key
[issuer]
url = $sock
key = issuer.key.pub
oprf = oprf.seed.pub
region = testregion
CONF
done
"$FEDSCORE" issuer register -c issuer.conf --name traffic --role node --key traffic.key.pub > /dev/null
"$FEDSCORE" issuer register -c issuer.conf --name court --role node --key court.key.pub > /dev/null
"$FEDSCORE" issuer register -c issuer.conf --name coord --role coordinator --key coord.key.pub > /dev/null
"$FEDSCORE" issuer register -c issuer.conf --name traffic --role node --key stranger.key.pub 2> err
check "a name is registered once" '[ $? -eq 2 ] && grep -q "already registered" err'

"$FEDSCORE" issuer serve -c issuer.conf 2> serve.log &
server=$!

id=11010519491231002X
a=$("$FEDSCORE" pseudonym -c traffic.conf --id $id)
check "node traffic gets a subject" '[ ${#a} -eq 43 ]'
b=$("$FEDSCORE" pseudonym -c court.conf --id ${id,,})
check "node court, another key, gets the same subject (x normalized)" '[ "$a" = "$b" ]'
c=$("$FEDSCORE" pseudonym -c court.conf --id 110105194912310038)
check "another ID gives another subject" '[ -n "$c" ] && [ "$c" != "$a" ]'

"$FEDSCORE" pseudonym -c stranger.conf --id $id 2> err
check "an unregistered node is refused, exit 1" '[ $? -eq 1 ] && grep -q "not registered" err'
"$FEDSCORE" pseudonym -c coord.conf --id $id 2> err
check "the coordinator gets no evaluation" '[ $? -eq 1 ] && grep -q "only registered nodes" err'
"$FEDSCORE" pseudonym -c traffic.conf --id 110105194902301234 2> err
check "an ID with a date that does not exist is refused before sending" \
	'[ $? -eq 2 ] && grep -q "birth date" err'

# Garbage on the wire: the daemon answers with an error and keeps serving.
"$FEDSCORE" ping -k traffic.key --peer issuer.key.pub -d "$sock" 2> err
check "a message of the wrong type is refused" '[ $? -eq 1 ] && grep -q "expected an evaluation" err'
d=$("$FEDSCORE" pseudonym -c traffic.conf --id $id)
check "and the daemon keeps serving" '[ "$d" = "$a" ]'

check "evaluations are logged with sender and count, never inputs" \
	'grep -q "evaluated a batch of 1 for node court" serve.log && ! grep -q "$id" serve.log'
# Consent: grant, verify, refuse, revoke.
tok=$("$FEDSCORE" consent grant -c issuer.conf --id $id --to bank-a \
	--purpose credit_loan --scope score --ttl 10m --uses 2 2> grant.err)
check "consent grant prints a v4.public token" '[[ "$tok" == v4.public.* ]]'
jti=$(sed -n 's/^consent \([^ ]*\) granted.*/\1/p' grant.err)
check "and names its jti" '[ ${#jti} -eq 22 ]'
"$FEDSCORE" consent verify --key issuer.key.pub --region testregion "$tok" > claims
check "consent verify accepts it and prints the claims" \
	'grep -q "\"aud\":\"bank-a\"" claims && grep -q "\"uses\":2" claims && grep -q "\"sub\":\"$a\"" claims'
"$FEDSCORE" consent verify --key issuer.key.pub --region otherregion "$tok" 2> err
check "another region: refused, exit 1, wrong-region" '[ $? -eq 1 ] && grep -q wrong-region err'
"$FEDSCORE" consent verify --key traffic.key.pub --region testregion "$tok" 2> err
check "another key: refused, wrong-key" '[ $? -eq 1 ] && grep -q wrong-key err'
forged=${tok:0:40}$([ "${tok:40:1}" = A ] && echo B || echo A)${tok:41}
"$FEDSCORE" consent verify --key issuer.key.pub --region testregion "$forged" 2> err
check "a forged token: refused, bad-signature" '[ $? -eq 1 ] && grep -q bad-signature err'
"$FEDSCORE" consent verify --key issuer.key.pub --region testregion "${tok:0:50}" 2> err
check "a truncated token: refused" '[ $? -eq 1 ]'
"$FEDSCORE" consent verify --key issuer.key.pub --region testregion "${tok}=" 2> err
check "a padded token: refused, malformed" '[ $? -eq 1 ] && grep -q malformed err'
"$FEDSCORE" consent grant -c issuer.conf --id $id --to bank-a --purpose punish \
	--scope score 2> err
check "a purpose the issuer does not grant is refused" '[ $? -eq 1 ] && grep -q "punish" err'
"$FEDSCORE" consent grant -c issuer.conf --id $id --to bank-a \
	--purpose credit_loan --scope everything 2> err
check "an unknown scope is a usage error" '[ $? -eq 2 ] && grep -q "expected --scope" err'
"$FEDSCORE" consent grant -c issuer.conf --id 11010519491231002Y --to bank-a \
	--purpose credit_loan --scope score 2> err
check "an invalid ID number is refused, saying which part" '[ $? -eq 2 ] && grep -q "character 18: expected a digit or X" err'
"$FEDSCORE" consent revoke -c issuer.conf "$jti" > /dev/null 2> err
check "consent revoke" '[ $? -eq 0 ] || { cat err; false; }'
"$FEDSCORE" consent revoke -c issuer.conf "$jti" 2> err
check "revoking twice says so" '[ $? -eq 2 ] && grep -q "already revoked" err'
"$FEDSCORE" consent revoke -c issuer.conf AAAAAAAAAAAAAAAAAAAAAA 2> err
check "revoking an unknown jti says so" '[ $? -eq 2 ] && grep -q "no consent" err'

kill $server; wait $server
check "serve stops cleanly" '[ $? -eq 0 ]'
server=
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
