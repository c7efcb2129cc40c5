#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# federation.sh -- the whole federation as separate processes on real
# sockets: an issuer, four department nodes, a coordinator with the Yuxi
# scheme, and a requester.  Checks the scoring rules end to end
# (cross-department max deduction and addition, base and clamping, every
# Yuxi tier boundary, expiry, repair, disputes), scope filtering, consent
# uses across a restart, revocation within one refresh, and a node down.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
SCHEMES=${FS_SCHEMES:?set by meson}
FS_LOGTOOL=${FS_LOGTOOL:?set by meson}
dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${FS_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "not ok - $1"; fi
}
die() { echo "not ok - $*"; echo "$pass passed, $((fail + 1)) failed"; exit 1; }
cd "$dir"

# A free TCP port for the HTTP API: nothing answers on it.
port=$((20000 + ($$ * 7 + RANDOM) % 30000))
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done

# wait_port P: until something accepts connections on port P (bounded).
wait_port() {
	for _ in $(seq 1 200); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# The issuer.
cat > issuer.conf <<CONF
[issuer]
name = yuxi-issuer
region = yuxi
key = issuer.key
oprf_seed = oprf.seed
db = issuer.db
listen = ipc://$dir/issuer.sock
purposes = credit_loan rental self
CONF
"$FEDSCORE" issuer init -c issuer.conf > /dev/null || die "issuer init"
"$FEDSCORE" keygen -o coord.key > /dev/null
"$FEDSCORE" keygen -o bank.key > /dev/null
"$FEDSCORE" issuer register -c issuer.conf --name coord --role coordinator \
	--key coord.key.pub > /dev/null
"$FEDSCORE" issuer serve -c issuer.conf 2> issuer.log &
pids+=($!)

# Citizens: one per score to reach, plus one for the shared behaviors.
declare -A ID=(
	[c499]=530402199001010016 [c500]=530402199001020011
	[c599]=530402199001030017 [c600]=530402199001040012
	[c799]=530402199001050018 [c800]=530402199001060013
	[c0]=530402199001070019 [c1000]=530402199001080014
	[mix]=53040219900109001X
)

# Four departments.  Points are chosen to land on the tier boundaries.
mkdir -p data
cat > data/traffic.rules.csv <<'CSV'
code,name,dimension,points,valid_days,severe,shared,repair_bonus
N1,minor violation,negative,-1,,0,0,0
N500,very severe violation,negative,-500,,1,0,0
TR05,running a red light,negative,-5,365,0,0,2
CSV
cat > data/court.rules.csv <<'CSV'
code,name,dimension,points,valid_days,severe,shared,repair_bonus
CT01,court-listed defaulter,negative,-100,1095,1,1,20
P100,mediation volunteer,positive,100,,0,0,0
CSV
cat > data/tax.rules.csv <<'CSV'
code,name,dimension,points,valid_days,severe,shared,repair_bonus
TX01,defaulter reported by tax,negative,-80,1095,1,1,15
TX02,tax arrears,negative,-30,1095,0,0,10
CSV
cat > data/volunteer.rules.csv <<'CSV'
code,name,dimension,points,valid_days,severe,shared,repair_bonus
P500,national moral model,positive,500,,0,0,0
CV01,100 hours volunteering,positive,10,1095,0,1,0
CV02,honoured volunteer,positive,30,1095,0,1,0
CSV
y=$(date +%Y)
cat > data/traffic.records.csv <<CSV
record_id,id_number,code,event_ref,occurred_on
T1,${ID[c499]},N1,,$y-01-02
T2,${ID[c599]},N1,,$y-01-02
T3,${ID[c799]},N1,,$y-01-02
T4,${ID[c0]},N500,A,$y-01-02
T5,${ID[c0]},N500,B,$y-01-03
T6,${ID[mix]},TR05,R-2019,2019-05-01
T7,${ID[mix]},TR05,R-1,$y-01-05
CSV
cat > data/court.records.csv <<CSV
record_id,id_number,code,event_ref,occurred_on
C1,${ID[c599]},P100,a,$y-01-02
C2,${ID[c600]},P100,a,$y-01-02
C3,${ID[c799]},P100,a,$y-01-02
C4,${ID[c799]},P100,b,$y-01-03
C5,${ID[c799]},P100,c,$y-01-04
C6,${ID[c800]},P100,a,$y-01-02
C7,${ID[c800]},P100,b,$y-01-03
C8,${ID[c800]},P100,c,$y-01-04
C9,${ID[mix]},CT01,(2025)苏0402执1234号,$y-02-01
C10,${ID[mix]},CT01,(2025)苏0402执1234号,$y-02-01
CSV
cat > data/tax.records.csv <<CSV
record_id,id_number,code,event_ref,occurred_on
X1,${ID[mix]},TX01,(2025)苏0402执1234号,$y-02-03
X2,${ID[mix]},TX02,TX-77,$y-03-01
CSV
cat > data/volunteer.records.csv <<CSV
record_id,id_number,code,event_ref,occurred_on
V1,${ID[c1000]},P500,x,$y-01-02
V2,${ID[c1000]},P500,y,$y-01-03
V3,${ID[mix]},CV01,VOL-2026-88,$y-04-01
V4,${ID[mix]},CV02,VOL-2026-88,$y-04-01
CSV

nodes=(traffic court tax volunteer)
for n in "${nodes[@]}"; do
	"$FEDSCORE" keygen -o $n.key > /dev/null
	"$FEDSCORE" issuer register -c issuer.conf --name $n --role node \
		--key $n.key.pub > /dev/null
	cat > $n.conf <<CONF
[node]
name = $n
key = $n.key
db = $n.db
listen = ipc://$dir/$n.sock
coordinator = coord.key.pub
revocation_refresh = 500ms
[issuer]
url = ipc://$dir/issuer.sock
key = issuer.key.pub
oprf = oprf.seed.pub
region = yuxi
CONF
	"$FEDSCORE" node rules import -c $n.conf data/$n.rules.csv > /dev/null ||
		die "rules import $n"
	"$FEDSCORE" node records import -c $n.conf data/$n.records.csv > /dev/null ||
		die "records import $n"
done
# The tax arrears were repaired; a traffic record is under dispute.
"$FEDSCORE" node repair -c tax.conf --record X2 --date $y-03-15 > /dev/null ||
	die "repair"
"$FEDSCORE" node dispute open -c traffic.conf --record T7 \
	--reason "not my car" > /dev/null || die "dispute"
for n in "${nodes[@]}"; do
	"$FEDSCORE" node serve -c $n.conf 2> $n.log &
	pids+=($!)
done

# The coordinator, with the Yuxi scheme.
coordconf() { # $1 file, $2 db, $3 require_all
	sed -e "s/^require_all = .*/require_all = $3/" \
	    -e "s/^deadline = .*/deadline = 1s/" "$SCHEMES/yuxi.conf" > scheme-$3.conf
	cat > "$1" <<CONF
[coordinator]
name = yuxi-coordinator
key = coord.key
db = $2
scheme = scheme-$3.conf
http = http://127.0.0.1:$port
revocation_refresh = 500ms
[issuer]
url = ipc://$dir/issuer.sock
key = issuer.key.pub
region = yuxi
[requester bank-a]
key = bank.key.pub
purposes = credit_loan rental
CONF
	for n in "${nodes[@]}"; do
		printf '[node %s]\nkey = %s.key.pub\nurl = ipc://%s/%s.sock\n' \
			$n $n "$dir" $n >> "$1"
	done
}
coordconf coord.conf coord.db false
start_coord() {
	"$FEDSCORE" coordinator serve -c "$1" 2>> coord.log &
	coord=$!
	pids+=($coord)
	wait_port $port || die "the coordinator does not listen on $port"
}
start_coord coord.conf

grant() { # citizen purpose scope [uses]
	"$FEDSCORE" consent grant -c issuer.conf --id "${ID[$1]}" --to bank-a \
		--purpose "$2" --scope "$3" --uses "${4:-1}" 2> /dev/null
}
lookup() { # token [scope]: the answer in out, errors in err
	"$FEDSCORE" lookup --coordinator http://127.0.0.1:$port \
		--coordinator-key coord.key.pub --key bank.key \
		${2:+--scope $2} "$1" > out 2> err
}
score_of() { sed -n 's/^ *"score": \([0-9]*\),*$/\1/p' out; }
tier_of() { sed -n '/"tier"/,/}/s/^ *"name": "\(.*\)"$/\1/p' out; }

# Every Yuxi tier boundary, the base, and clamping at both ends.
for c in c499:499:poor c500:500:fair c599:599:fair c600:600:good \
	c799:799:good c800:800:excellent c0:0:poor c1000:1000:excellent; do
	IFS=: read -r who want tier <<< "$c"
	lookup "$(grant "$who" credit_loan score)"
	check "$who scores $want, tier $tier" \
		'[ "$(score_of)" = "$want" ] && [ "$(tier_of)" = "$tier" ]'
done

# The mixed citizen: court and tax report the same defaulter event (-100
# and -80: only -100 counts); the same volunteering is reported twice (+10
# and +30: only +30 counts); the 2019 red light has expired; the tax
# arrears were repaired (+10 repair bonus, -30 gone); the 2026 red light
# (-5) is under dispute and counts, flagged.
lookup "$(grant mix credit_loan breakdown)"
check "breakdown: negative = -100 - 5 (max deduction, expired out)" \
	'grep -q "\"negative\": -105" out'
check "breakdown: positive = +30 (max addition)" 'grep -q "\"positive\": 30" out'
check "breakdown: repair = +10 (the repaired arrears' bonus)" 'grep -q "\"repair\": 10" out'
check "score = 500 - 105 + 30 + 10 = 435" '[ "$(score_of)" = 435 ]'
check "the disputed record is flagged" 'grep -q "\"disputed\": true" out'
check "all four nodes answered" 'grep -q "\"answered\": 4" out && grep -q "\"complete\": true" out'
check "rules and scheme versions are stated" \
	'grep -q "\"traffic\": \"" out && grep -q "\"id\": \"yuxi\"" out'

# Scope filtering: a tier consent shows the tier only; a request may ask
# for less than the consent, never more.
lookup "$(grant mix credit_loan tier)"
check "scope tier: the tier, no score, no breakdown" \
	'[ "$(tier_of)" = poor ] && ! grep -q "\"score\"" out && ! grep -q breakdown out'
lookup "$(grant mix credit_loan breakdown)" score
check "asking for less than granted: score without breakdown" \
	'[ "$(score_of)" = 435 ] && ! grep -q breakdown out'
lookup "$(grant mix credit_loan score)" breakdown
check "asking for more than granted: 403 scope" '[ $? -eq 1 ] && grep -q "403" err'

# Garbage on the HTTP API: refused with a status, and the coordinator keeps
# serving.  A body larger than any request is refused before it is read.
http_status() { # raw request on stdin: prints the status code
	exec 3<> /dev/tcp/127.0.0.1/$port || return 1
	cat >&3
	head -n 1 <&3 | cut -d' ' -f2
	exec 3>&-
}
json='Content-Type: application/json'
st=$(printf 'POST /v1/lookups HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Length: 100000000\r\n\r\n' "$json" | http_status)
check "a 100 MB body is refused unread: 413" '[ "$st" = 413 ]'
st=$(printf 'POST /v1/lookups HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Length: 9\r\n\r\n{not json' "$json" | http_status)
check "a body that is not JSON: 422" '[ "$st" = 422 ]'
st=$(printf 'POST /v1/lookups HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Length: 25\r\n\r\n{"request":"v4.public.x"}' "$json" | http_status)
check "a request token that does not read: 422" '[ "$st" = 422 ]'
lookup "$(grant c600 credit_loan score)"
check "and the coordinator still answers" '[ $? -eq 0 ]'

# Purposes: self is granted by the issuer but not registered for bank-a.
lookup "$(grant mix self score)"
check "a purpose the requester is not registered for: 403" '[ $? -eq 1 ] && grep -q "not registered for purpose" err'

# Uses: two uses, counted across a coordinator restart.
tok=$(grant c600 credit_loan score 2)
lookup "$tok"; first=$?
lookup "$tok"; second=$?
check "a consent for 2 uses answers twice" '[ $first -eq 0 ] && [ $second -eq 0 ]'
kill $coord; wait $coord 2>/dev/null
start_coord coord.conf
lookup "$tok"
check "the third use is refused after a restart: 409" '[ $? -eq 1 ] && grep -q "409" err'

# Two lookups at once on a consent for one use: exactly one is answered.
tok=$(grant c600 credit_loan score 1)
for i in 1 2 3; do
	"$FEDSCORE" lookup --coordinator http://127.0.0.1:$port \
		--coordinator-key coord.key.pub --key bank.key "$tok" \
		> race$i.out 2> race$i.err &
	racers[$i]=$!
done
answered=0
for i in 1 2 3; do wait ${racers[$i]} && answered=$((answered + 1)); done
check "three lookups at once on one use: one answered" '[ $answered -eq 1 ]'

# Revocation: refused within one refresh of the revocation list.
tok=$(grant c600 credit_loan score 50)
lookup "$tok"
check "a fresh consent answers" '[ $? -eq 0 ]'
jti=$("$FEDSCORE" consent verify --key issuer.key.pub --region yuxi "$tok" |
	sed 's/.*"jti":"\([^"]*\)".*/\1/')
"$FEDSCORE" consent revoke -c issuer.conf "$jti" > /dev/null
refused=no
for _ in $(seq 1 150); do
	if ! lookup "$tok" && grep -q revoked err; then refused=yes; break; fi
	sleep 0.1
done
check "revoked consent is refused within a refresh" '[ $refused = yes ]'

# A forged consent and a replayed request are refused.
tok=$(grant c600 credit_loan score)
# One character of the signature (the end of the part before the
# footer) changed: the token still reads.
body=${tok#v4.public.}
body=${body%%.*}
at=$((10 + ${#body} - 10))
forged=${tok:0:$at}$([ "${tok:$at:1}" = A ] && echo B || echo A)${tok:$((at + 1))}
lookup "$forged"
check "a forged consent: 403 bad signature" '[ $? -eq 1 ] && grep -q "403" err && grep -q "signature" err'

# One more answered lookup: every node releases, and its disclosure is the
# last one, which the rewrite below removes.
lookup "$(grant c600 credit_loan score)"
check "a lookup all four nodes answer" '[ $? -eq 0 ] && grep -q "\"answered\": 4" out'

# Every release of every node so far matches a disclosure by its receipt,
# and each node's export matches the checkpoint of its release log the
# node signed; the auditor keeps those checkpoints for the next audit.
"$FEDSCORE" coordinator export -c coord.conf > export.jsonl 2> /dev/null
rels=()
for n in "${nodes[@]}"; do
	"$FEDSCORE" node releases -c $n.conf \
		--checkpoint $n.releases.jsonl.checkpoint > $n.releases.jsonl 2> /dev/null
	rels+=(--releases "$n=$n.releases.jsonl" --node-key "$n=$n.key.pub")
done
mkdir -p audit-nodes
"$FEDSCORE" audit reconcile --full export.jsonl "${rels[@]}" --state-dir audit-nodes > out
check "audit reconcile matches every node release to a disclosure" '[ $? -eq 0 ]'
check "and every node's releases to the checkpoint it signed" \
	'[ "$(grep -c "releases match its signed checkpoint (fedscore.yuxi/.*/releases)" out)" = 4 ]'
mkdir -p old
cp court.releases.jsonl court.releases.jsonl.checkpoint old/
sed '1s/"purpose":"[a-z_]*"/"purpose":"marketing"/' court.releases.jsonl > court.altered.jsonl
cp court.releases.jsonl.checkpoint court.altered.jsonl.checkpoint
"$FEDSCORE" audit reconcile --full export.jsonl --releases court=court.altered.jsonl \
	--node-key court=court.key.pub > out
check "an altered release fails against the node's checkpoint" \
	'[ $? -eq 1 ] && grep -q "FAIL node court: court.altered.jsonl does not hash to the root its checkpoint signs" out'
"$FEDSCORE" audit reconcile --full export.jsonl --releases court=court.releases.jsonl \
	--node-key court=tax.key.pub > out
check "a checkpoint checked with another node's key fails" \
	'[ $? -eq 1 ] && grep -q "FAIL node court: checkpoint" out'

# Every node witnesses the log: the served checkpoint carries their
# cosignatures (C2SP tlog-cosignature/v1), which audit verify checks.
wit=()
for n in "${nodes[@]}"; do wit+=(--witness "$n=$n.key.pub"); done
# A checkpoint is signed at most a second after entries arrive, then
# cosigned: wait until one covers every disclosure.
entries=$(wc -l < export.jsonl)
verified=no
for _ in $(seq 1 100); do
	if "$FEDSCORE" audit verify --log http://127.0.0.1:$port \
		--key coord.key.pub "${wit[@]}" --state audit.state \
		--full export.jsonl --issuer issuer.key.pub > verify.out 2>&1 &&
		grep -q "all $entries entries" verify.out; then
		verified=yes
		break
	fi
	sleep 0.1
done
check "audit verify: the log, its entries and all four witnesses' cosignatures" \
	'[ $verified = yes ] || { tail -5 verify.out; false; }'

# A rewritten log: the last disclosure removed behind the coordinator's
# back, and another appended in its place, gives another root for a size
# the witnesses cosigned.  They refuse (a fork), and the auditor, who
# checks the cosignatures, fails.
kill $coord; wait $coord 2>/dev/null
"$FS_LOGTOOL" truncate coord.db > /dev/null || die "logtool truncate"
start_coord coord.conf
lookup "$(grant c600 credit_loan score)"
forked=no
for _ in $(seq 1 100); do
	if grep -q "a fork" court.log; then forked=yes; break; fi
	sleep 0.1
done
check "the witnesses refuse to cosign a forked log" '[ $forked = yes ]'
"$FEDSCORE" audit verify --log http://127.0.0.1:$port --key coord.key.pub \
	"${wit[@]}" --state audit.state > verify.out 2>&1
check "and audit verify fails on it" '[ $? -eq 1 ]'

# A node down: the answer says which, and is flagged incomplete.
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null # traffic
lookup "$(grant c600 credit_loan score)"
check "node down: answered, incomplete, the node named" \
	'[ $? -eq 0 ] && grep -q "\"complete\": false" out && grep -q "\"answered\": 3" out && grep -q "\"node\": \"traffic\"" out'
# ... or refused when the scheme requires every node.
kill $coord; wait $coord 2>/dev/null
coordconf coord-all.conf coord.db true
start_coord coord-all.conf
lookup "$(grant c600 credit_loan score)"
check "node down with require_all: 503" '[ $? -eq 2 ] && grep -q 503 err'
# The three nodes that answered released their contributions: the log
# records the refused lookup (no result), so those releases match.  The
# four releases of the disclosure the rewrite above removed do not.
"$FEDSCORE" coordinator export -c coord-all.conf > export.jsonl 2> /dev/null
check "the refused lookup is in the log, without a result" \
	'tail -n 1 export.jsonl | grep -q "refused" && ! tail -n 1 export.jsonl | grep -q "result\\\":"'
rels=()
for n in "${nodes[@]}"; do
	"$FEDSCORE" node releases -c $n.conf \
		--checkpoint $n.releases.jsonl.checkpoint > $n.releases.jsonl 2> /dev/null
	rels+=(--releases "$n=$n.releases.jsonl" --node-key "$n=$n.key.pub")
done
"$FEDSCORE" audit reconcile --full export.jsonl "${rels[@]}" --state-dir audit-nodes > out
check "audit reconcile: only the 4 releases of the removed disclosure lack one" \
	'[ $? -eq 1 ] && grep -q "FAILED, 4 findings" out || { cat out; false; }'
check "and each node's release log extends the one verified before" \
	'[ "$(grep -c "the release log extends the one verified before" out)" = 4 ]'
"$FEDSCORE" audit reconcile --full export.jsonl --releases court=old/court.releases.jsonl \
	--node-key court=court.key.pub --state-dir audit-nodes > out
check "an older, shorter release log, though signed, fails: releases removed" \
	'[ $? -eq 1 ] && grep -q "FAIL node court: the release log shrank from" out'

# No node answers: no score, even under a scheme that accepts a partial
# one; the refusal is logged and the consent's use spent.
kill $coord; wait $coord 2>/dev/null
start_coord coord.conf
for p in "${pids[@]:2:3}"; do kill "$p"; wait "$p" 2>/dev/null; done # court tax volunteer
tok=$(grant c600 credit_loan score)
lookup "$tok"
check "no node answers, require_all = false: 503 incomplete, no score" \
	'[ $? -eq 2 ] && grep -q "503 too few parties answered" err && grep -q "no node answered (0 of 4 answered)" err'
"$FEDSCORE" coordinator export -c coord.conf > export.jsonl 2> /dev/null
last() { tail -n 1 export.jsonl | jq -r .entry | jq -c "$1"; }
check "and the refusal is logged: incomplete, no receipt, the 4 requests asked" \
	'[ "$(last .refused)" = "\"incomplete\"" ] && [ "$(last ".receipts | length")" = 0 ] && [ "$(last ".asked | length")" = 4 ]'
lookup "$tok"
check "the one-use consent it spent: 409" '[ $? -eq 1 ] && grep -q 409 err'

check "no ID number in any log" '! grep -q "${ID[mix]}" ./*.log'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
