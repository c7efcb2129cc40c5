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
kill $server; wait $server
check "serve stops cleanly" '[ $? -eq 0 ]'
server=
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
