#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# node.sh -- a real issuer and a real node, as separate processes over nng
# ipc sockets, and a helper playing the coordinator (lookup_tool).  The
# node imports rules and records (pseudonymized through the issuer),
# disputes, corrects and repairs, then answers consented lookups; the
# contribution is checked value by value.  Every bad request is refused
# with its own error and the daemon keeps serving.  No sleeps stand in
# for synchronization: clients wait for their peers themselves, and the
# two checks that wait for the node's background refresh poll a bounded
# number of times.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
LOOKUP=$(realpath "${1:?usage: node.sh LOOKUP_TOOL}")
SAMPLE=$(realpath "$(dirname "$0")/../deploy/sample/changzhou")
command -v jq >/dev/null || { echo "node.sh needs jq (apt-get install jq)"; exit 1; }
dir=$(mktemp -d)
issuer= node=
trap 'for p in $issuer $node; do kill $p 2>/dev/null; done; rm -rf "$dir"' EXIT
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "not ok - $1"; fi
}
cd "$dir"
day() { date -u -d "@$(( $(date +%s) + 8 * 3600 + $1 * 86400 ))" +%F; }

# Two citizens with valid GB 11643 check characters.
A=320402198503120019
B=320402199001010025

cat > issuer.conf <<CONF
[issuer]
name = test-issuer
region = testregion
key = issuer.key
oprf_seed = oprf.seed
db = issuer.db
listen = ipc://$dir/issuer.sock
CONF
# The same issuer key for another region: its tokens are wrong-region here.
sed 's/^region = .*/region = otherregion/; s/issuer.db/issuer2.db/' \
	issuer.conf > issuer2.conf
"$FEDSCORE" issuer init -c issuer.conf > /dev/null
"$FEDSCORE" keygen -o node.key > /dev/null
"$FEDSCORE" keygen -o coord.key > /dev/null
"$FEDSCORE" keygen -o stranger.key > /dev/null
"$FEDSCORE" issuer register -c issuer.conf --name traffic --role node \
	--key node.key.pub > /dev/null
"$FEDSCORE" issuer serve -c issuer.conf 2> issuer.log &
issuer=$!

cat > node.conf <<CONF
[node]
name = traffic-police
key = node.key
db = node.db
listen = ipc://$dir/node.sock
coordinator = coord.key.pub
revocation_refresh = 100ms
revocation_max_age = 2s
[issuer]
url = ipc://$dir/issuer.sock
key = issuer.key.pub
oprf = oprf.seed.pub
region = testregion
CONF

cat > rules.csv <<'CSV'
code,name,dimension,points,valid_days,severe,shared,repair_bonus
TP-RED,闯红灯,negative,-5,365,0,0,
TP-DUI,酒后驾驶机动车,negative,-50,,1,0,5
TP-SPEED,"超速50%以上, 机动车",negative,-20,,0,0,3
TP-PARK,违法停车,negative,-10,,0,0,
CT-DEF,失信被执行人,negative,-100,1825,1,1,10
VOL,志愿服务,positive,10,,0,0,
CSV
"$FEDSCORE" node rules import -c node.conf rules.csv > out
check "rules import states the version" 'grep -q "^rules version [0-9a-f]\{32\} imported" out'
RV=$(sed -n 's/^rules version \([0-9a-f]*\) imported.*/\1/p' out)

cat > records.csv <<CSV
record_id,id_number,code,event_ref,occurred_on,valid_until
R-EXP,$A,TP-RED,,$(day -400),
R-NOREF,$A,TP-RED,,$(day -10),
R-DUI,$A,TP-DUI,苏D12345-01,$(day -100),
R-REP,$A,TP-SPEED,苏D12345-02,$(day -200),
R-DEF1,$A,CT-DEF,（2024）苏0402执1234号,$(day -300),
R-DEF2,$A,CT-DEF,(2024)苏0402执1234号,$(day -290),
R-VOL,$A,VOL,,$(day -30),
R-VOL2,$A,VOL,V-2024-7,$(day -20),
R-VOL3,$A,VOL,v-2024-7,$(day -19),
R-PARK,$A,TP-PARK,P-9,$(day -5),$(day 30)
R-B,$B,TP-DUI,B-1,$(day -3),
CSV
"$FEDSCORE" node records import -c node.conf records.csv > out
check "records import pseudonymizes two citizens through the issuer" \
	'grep -q "imported 11 records: 11 new, 0 updated; 2 ID numbers pseudonymized through the issuer, 0 from" out'
"$FEDSCORE" node records import -c node.conf records.csv > out
check "a re-import updates and finds every ID in the cache" \
	'grep -q "0 new, 11 updated; 0 ID numbers pseudonymized through the issuer, 2 from the cache" out'
check "no ID number is stored in clear" \
	'! grep -a -q -e "$A" -e "$B" node.db node.db.release node.db-wal 2>/dev/null'

printf 'record_id,id_number,code,event_ref,occurred_on\nX1,%s,NOPE,,%s\n' \
	"$A" "$(day -1)" > bad.csv
"$FEDSCORE" node records import -c node.conf bad.csv 2> err
check "an unknown code is refused with its line, exit 2" \
	'[ $? -eq 2 ] && grep -q "bad.csv:2: expected a code of the current rules" err'

"$FEDSCORE" node dispute open -c node.conf --record R-DUI --reason "not my car" > out
check "a dispute is flagged with its due dates" 'grep -q "flag due .* check due" out'
"$FEDSCORE" node dispute open -c node.conf --record R-PARK --reason "moved" > /dev/null
"$FEDSCORE" node dispute resolve -c node.conf --record R-PARK --corrected --points -4 > /dev/null
"$FEDSCORE" node repair -c node.conf --record R-REP --date "$(day -50)" > out
check "repair is recorded" 'grep -q "R-REP repaired" out'
"$FEDSCORE" node repair -c node.conf --record R-VOL --date "$(day -1)" 2> err
check "a positive record cannot be repaired" '[ $? -eq 2 ] && grep -q "negative rule" err'
"$FEDSCORE" node disputes -c node.conf > out
check "disputes lists the open one" 'grep -q "^R-DUI" out && ! grep -q "^R-PARK" out'

"$FEDSCORE" node serve -c node.conf 2> node.log &
node=$!

SA=$("$FEDSCORE" pseudonym -c node.conf --id $A)
SB=$("$FEDSCORE" pseudonym -c node.conf --id $B)
grant() { "$FEDSCORE" consent grant -c "${CONF:-issuer.conf}" --to bank \
	--purpose credit_loan --scope score "$@" 2> grant.err; }
jti() { sed -n 's/^consent \([^ ]*\) granted.*/\1/p' grant.err; }
lookup() { "$LOOKUP" -k "${KEY:-coord.key}" --node node.key.pub \
	-d "ipc://$dir/node.sock" "$@"; }

T=$(grant --id $A --uses 2)
lookup --subject "$SA" --token "$T" > c.json
check "a consented lookup answers, exit 0" '[ $? -eq 0 ] && jq -e .ok c.json > /dev/null'
v() { jq -c "$1" c.json; }
check "negative: no-ref -5, disputed DUI -50, corrected parking -4" '[ "$(v .dims.negative)" = -59 ]'
check "positive: volunteering once without ref, once for V-2024-7" '[ "$(v .dims.positive)" = 20 ]'
check "repair: the repaired speeding record's bonus only" '[ "$(v .dims.repair)" = 3 ]'
check "basic and usage are zero" '[ "$(v .dims.basic)" = 0 ] && [ "$(v .dims.usage)" = 0 ]'
check "the shared behavior reported twice is one item of -100" \
	'[ "$(v "[.shared[] | [.dim, .points]]")" = "[[\"negative\",-100]]" ]'
check "its behavior key is 32 bytes" '[ "$(v ".shared[0].key | length")" = 43 ]'
check "the disputed record flags the contribution" '[ "$(v .disputed)" = true ]'
check "10 records considered, 7 counted" \
	'[ "$(v .considered)" = 10 ] && [ "$(v .counted)" = 7 ]'
check "the rules version is stated" '[ "$(v .rules_version)" = "\"$RV\"" ]'
check "nothing else leaves the node" \
	'[ "$(v "keys - [\"receipt\"]")" = "[\"considered\",\"counted\",\"dims\",\"disputed\",\"ok\",\"rules_version\",\"shared\"]" ]'

lookup --subject "$SA" --token "$T" > c2.json
check "the second use answers the same" '[ $? -eq 0 ] && [ "$(jq -c .dims c2.json)" = "$(v .dims)" ]'
refused() { # refused NAME ARGS...: the lookup exits 1 with error NAME
	local want=$1; shift
	lookup "$@" > r.json
	[ $? -eq 1 ] && [ "$(jq -r .error r.json)" = "$want" ]
}
check "a third use of a 2-use token is refused: used-up" 'refused used-up --subject "$SA" --token "$T"'
T2=$(grant --id $A --uses 100)
check "a replayed request is refused: replayed" 'refused replayed --replay --subject "$SA" --token "$T2"'
check "garbage bytes are refused" 'lookup --garbage --subject "$SA" --token x > r.json; [ $? -eq 1 ] && jq -e ".ok == false" r.json > /dev/null'
check "a lookup in clear is refused: malformed" 'refused malformed --clear --subject "$SA" --token "$T2"'
check "another message type is refused: type" 'refused type --type 1 --subject "$SA" --token "$T2"'
check "a lookup past its deadline is refused: timeout" 'refused timeout --deadline-ms -1000 --subject "$SA" --token "$T2"'
check "a lookup from another key than the coordinator's: unregistered" \
	'KEY=stranger.key refused unregistered --subject "$SA" --token "$T2"'
check "no token: refused" 'refused refused --subject "$SA" --token ""'
check "a garbage token is refused: truncated" 'refused truncated --subject "$SA" --token "v4.public.AAAA"'
TB=$(grant --id $B)
check "a token for another subject: wrong-subject" 'refused wrong-subject --subject "$SA" --token "$TB"'
TR=$(CONF=issuer2.conf grant --id $A)
check "a token for another region: wrong-region" 'refused wrong-region --subject "$SA" --token "$TR"'
lookup --subject "$SB" --token "$TB" > b.json
check "citizen B's own token gives B's contribution" \
	'[ "$(jq -c .dims.negative b.json)" = -50 ] && [ "$(jq .disputed b.json)" = false ]'

TV=$(grant --id $A --uses 1000)
V=$(jti)
check "before revocation the token works" 'lookup --subject "$SA" --token "$TV" > /dev/null'
"$FEDSCORE" consent revoke -c issuer.conf "$V" > /dev/null
revoked=no
for i in $(seq 1 200); do
	if refused revoked --subject "$SA" --token "$TV"; then revoked=yes; break; fi
done
check "after revocation, once the node has refreshed its list: revoked" '[ $revoked = yes ]'
check "and the daemon still serves a valid token" 'lookup --subject "$SA" --token "$T2" > /dev/null'

"$FEDSCORE" node releases -c node.conf > releases.jsonl 2> err
check "the release log exports one JSON line per release" \
	'[ $? -eq 0 ] && [ "$(wc -l < releases.jsonl)" -ge 5 ] && grep -q "^$(wc -l < releases.jsonl) releases" err'
R1=$(jq -r .receipt c.json)
check "with the receipt the coordinator lists for the first lookup" \
	'[ "$(jq -r "select(.receipt == \"$R1\") | .requester + \" \" + .purpose" releases.jsonl)" = "bank credit_loan" ]'
check "and no ID number, token or subject in it" \
	'! grep -q -e "$A" -e "$T2" -e "$SA" releases.jsonl'
check "releases and refusals are logged without ID numbers or tokens" \
	'grep -q "released to bank for credit_loan" node.log && grep -q "refused request .*used-up" node.log && ! grep -q -e "$A" -e "$B" -e "$T2" node.log'

# The sample data of four departments imports, and a defaulter listed by
# the court and reported again by tax (the case number written once with
# full-width, once with ASCII brackets) has one behavior key at both.
for dept in traffic court tax civil; do
	"$FEDSCORE" keygen -o $dept.key > /dev/null
	"$FEDSCORE" issuer register -c issuer.conf --name s-$dept --role node \
		--key $dept.key.pub > /dev/null
	sed "s/^key = node.key/key = $dept.key/; s/^db = node.db/db = $dept.db/" \
		node.conf > $dept.conf
	"$FEDSCORE" node rules import -c $dept.conf "$SAMPLE/$dept-rules.csv" > /dev/null &&
		"$FEDSCORE" node records import -c $dept.conf \
			"$SAMPLE/$dept-records.csv" > $dept.out
	check "sample data of $dept imports" '[ $? -eq 0 ]'
done
key_at() { "$FEDSCORE" node show -c $1.conf --id $2 |
	sed -n "s/^  shared behavior \([0-9a-f]*\): $3.*/\1/p"; }
k1=$(key_at court 320402197707070039 negative)
k2=$(key_at tax 320402197707070039 negative)
check "court and tax give the listing the same behavior key" '[ -n "$k1" ] && [ "$k1" = "$k2" ]'
k3=$(key_at court 320482197506050084 negative)
check "another citizen's listing has another key" '[ -n "$k3" ] && [ "$k3" != "$k1" ]'
k4=$(key_at traffic 320404199302180071 positive)
k5=$(key_at civil 320404199302180071 positive)
check "public security and civil affairs share the 见义勇为 key" '[ -n "$k4" ] && [ "$k4" = "$k5" ]'

# A bulk import (100 000 records or more): written in one pass without
# reading the cache, then its 20 000 new citizens pseudonymized through
# the issuer once the whole file is checked; each found by subject after.
sed 's/^db = node.db/db = bulk.db/; /^listen/d' node.conf > bulk.conf
"$FEDSCORE" node rules import -c bulk.conf rules.csv > /dev/null
awk -v on="$(day -10)" 'BEGIN {
	split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " ")
	print "record_id,id_number,code,event_ref,occurred_on"
	for (i = 0; i < 20000; i++) {
		id = sprintf("320402%04d%02d%02d%03d", 1950 + i % 50,
		    1 + int(i / 50) % 12, 1 + int(i / 600) % 28, 1 + int(i / 16800))
		sum = 0
		for (k = 1; k <= 17; k++) sum += substr(id, k, 1) * w[k]
		id = id substr("10X98765432", sum % 11 + 1, 1)
		if (i == 7) print id > "bulk-id"
		for (r = 0; r < 5; r++) printf "BK%d-%d,%s,TP-RED,,%s\n", i, r, id, on
	}
}' > bulk.csv
"$FEDSCORE" node records import -c bulk.conf bulk.csv > out
check "a bulk import pseudonymizes its 20000 citizens after the whole file" \
	'grep -q "imported 100000 records: 100000 new, 0 updated; 20000 ID numbers pseudonymized through the issuer, the others" out'
"$FEDSCORE" node show -c bulk.conf --id "$(cat bulk-id)" > out
check "and a citizen of it has their 5 records, found by subject" \
	'grep -q "negative -25," out && grep -q "5 of 5 records counted" out'
"$FEDSCORE" node records import -c bulk.conf bulk.csv > out
check "a bulk re-import asks the issuer nothing" \
	'grep -q "0 new, 100000 updated; 0 ID numbers pseudonymized through the issuer, the others from the cache" out'
printf 'BK-BAD,%s,NOPE,,%s\n' "$(cat bulk-id)" "$(day -1)" >> bulk.csv
"$FEDSCORE" node records import -c bulk.conf bulk.csv 2> err
check "a bad last line fails the bulk import with its line number" \
	'[ $? -eq 2 ] && grep -q "bulk.csv:100002: expected a code of the current rules" err'
"$FEDSCORE" node show -c bulk.conf --id "$(cat bulk-id)" > out
check "and leaves what was imported before" 'grep -q "5 of 5 records counted" out'

# Fail closed: with the issuer gone, the list grows old and lookups stop.
kill $issuer; wait $issuer 2>/dev/null; issuer=
stale=no
for i in $(seq 1 300); do
	if refused stale --subject "$SA" --token "$T2"; then stale=yes; break; fi
done
check "without the issuer, past revocation_max_age: stale" '[ $stale = yes ]'

kill $node; wait $node
check "serve stops cleanly" '[ $? -eq 0 ]'
node=
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
