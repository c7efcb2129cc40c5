#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# recognition.sh -- two regions, each its own federation on real sockets:
# Yuxi (region A: issuer, a node, a coordinator with the Yuxi scheme) and
# Changzhou (region B: issuer, a node, a coordinator with the Changzhou
# scheme and a trust list signed by its credit office).  A citizen of A
# grants an attest consent; a requester's lookup in A carries the
# attestation; B recognizes it with the mapped tier, offline (`fedscore
# attest verify`) and at its coordinator (POST /v1/recognitions), which
# logs it, and reads a new trust list while running.  Then every bad case
# is refused with its reason: a region not
# in the trust list, expired (and replayed past expiry), a retired key,
# altered, a wrong salt or ID number, an altered or foreign trust list.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
SCHEMES=${FS_SCHEMES:?set by meson}
dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/# /' err 2>/dev/null; fi
}
die() { echo "not ok - $*"; echo "$pass passed, $((fail + 1)) failed"; exit 1; }
cd "$dir"

# free_port: a TCP port nothing answers on, other than those taken.
free_port() {
	local p=$((20000 + ($$ * 7 + RANDOM) % 30000))
	while (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null ||
		[ "$p" = "${port_a:-}" ]; do p=$((p + 1)); done
	echo $p
}
# wait_port P: until something accepts connections on port P (bounded).
wait_port() {
	for _ in $(seq 1 200); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
port_a=$(free_port)
port_b=$(free_port)

declare -A ID=(
	[good]=530402199002010018 [excellent]=530402199002020013
	[fair]=530402199002030019 [other]=530402199002040014
	[cz]=320402198503010012
)

# region NAME SCHEME NODE RULES RECORDS: an issuer, one node with its
# rules and records, and the keys of a coordinator and a requester.
region() {
	local r=$1 node=$3
	mkdir -p "$r" && cd "$r" || die "mkdir $r"
	cat > issuer.conf <<CONF
[issuer]
name = $r-issuer
region = $r
key = issuer.key
oprf_seed = oprf.seed
db = issuer.db
listen = ipc://$dir/$r/issuer.sock
purposes = credit_loan rental self
CONF
	"$FEDSCORE" issuer init -c issuer.conf > /dev/null || die "issuer init $r"
	for k in coord bank "$node"; do
		"$FEDSCORE" keygen -o $k.key > /dev/null || die "keygen $k"
	done
	"$FEDSCORE" issuer register -c issuer.conf --name coord \
		--role coordinator --key coord.key.pub > /dev/null
	"$FEDSCORE" issuer register -c issuer.conf --name "$node" --role node \
		--key "$node.key.pub" > /dev/null
	"$FEDSCORE" issuer serve -c issuer.conf 2> issuer.log &
	pids+=($!)
	printf '%s\n' "$4" > rules.csv
	printf '%s\n' "$5" > records.csv
	cat > node.conf <<CONF
[node]
name = $node
key = $node.key
db = node.db
listen = ipc://$dir/$r/node.sock
coordinator = coord.key.pub
revocation_refresh = 500ms
[issuer]
url = ipc://$dir/$r/issuer.sock
key = issuer.key.pub
oprf = oprf.seed.pub
region = $r
CONF
	"$FEDSCORE" node rules import -c node.conf rules.csv > /dev/null ||
		die "rules import $r"
	"$FEDSCORE" node records import -c node.conf records.csv > /dev/null ||
		die "records import $r"
	"$FEDSCORE" node serve -c node.conf 2> node.log &
	pids+=($!)
	eval "node_$r=$!"
	sed -e "s/^deadline = .*/deadline = 1s/" "$SCHEMES/$2.conf" > scheme.conf
	cd "$dir" || die "cd"
}

# coordconf REGION PORT NODE [EXTRA...]: the coordinator's
# configuration, extra lines added to [coordinator].
coordconf() {
	local r=$1 port=$2 node=$3
	shift 3
	{
		printf '[coordinator]\nname = %s-coordinator\nkey = coord.key\n' "$r"
		printf 'db = coord.db\nscheme = scheme.conf\n'
		printf 'http = http://127.0.0.1:%s\nrevocation_refresh = 500ms\n' "$port"
		for line in "$@"; do printf '%s\n' "$line"; done
		printf '[issuer]\nurl = ipc://%s/%s/issuer.sock\n' "$dir" "$r"
		printf 'key = issuer.key.pub\nregion = %s\n' "$r"
		printf '[requester bank-a]\nkey = bank.key.pub\npurposes = credit_loan rental\n'
		printf '[node %s]\nkey = %s.key.pub\nurl = ipc://%s/%s/node.sock\n' \
			"$node" "$node" "$dir" "$r"
	} > "$r/coord.conf"
}
start_coord() { # REGION PORT
	(cd "$1" && exec "$FEDSCORE" coordinator serve -c coord.conf 2>> coord.log) &
	pids+=($!)
	eval "coord_$1=$!"
	wait_port "$2" || die "the coordinator of $1 does not listen on $2"
}

# Region A, Yuxi: 600 is good, 800 excellent, 500 (no record) fair.
y=$(date +%Y)
region yuxi yuxi traffic \
	"$(printf 'code,name,dimension,points,valid_days,severe,shared,repair_bonus\nP100,good deed,positive,100,,0,0,0\nP300,great deed,positive,300,,0,0,0')" \
	"$(printf 'record_id,id_number,code,event_ref,occurred_on\nA1,%s,P100,,%s-01-02\nA2,%s,P300,,%s-01-02\nA3,%s,P100,,%s-01-02' \
		"${ID[good]}" "$y" "${ID[excellent]}" "$y" "${ID[other]}" "$y")"
coordconf yuxi "$port_a" traffic
start_coord yuxi "$port_a"

# Region B, Changzhou: its credit office signs the trust list.  Yuxi's
# good counts as Changzhou's fair here (a cautious mapping); Yuxi's fair
# is not mapped, so only its score can be recognized, linearly.
region changzhou changzhou court \
	"$(printf 'code,name,dimension,points,valid_days,severe,shared,repair_bonus\nCT10,lay juror,positive,15,1095,0,0,0')" \
	"$(printf 'record_id,id_number,code,event_ref,occurred_on\nB1,%s,CT10,,%s-01-10' "${ID[cz]}" "$y")"
"$FEDSCORE" keygen -o changzhou/office.key --name "changzhou credit office" > /dev/null
"$FEDSCORE" keygen -o old-yuxi.key > /dev/null
"$FEDSCORE" keygen -o stranger.key > /dev/null
trust_ini() { # FILE [REGION KEY RETIRED]: a trust list text for Changzhou
	cat > "$1" <<INI
# Changzhou's credit office recognizes these regions' attestations.
[trust]
local = changzhou
scheme = scheme.conf
skew = 0s

[region ${2:-yuxi}]
key = ${3:-$(cat yuxi/coord.key.pub)}
retired = ${4:-$(cat old-yuxi.key.pub)}
not_before = 2020-01-01T00:00:00Z
not_after = 2099-01-01T00:00:00Z
map.excellent = excellent
map.good = fair
score = linear
INI
}
trust_ini changzhou/trust.ini
"$FEDSCORE" attest trust sign -k changzhou/office.key -o changzhou/trust.list \
	changzhou/trust.ini > sign.out 2> err
check "the credit office signs the trust list" \
	'[ $? -eq 0 ] && grep -q "trust list of changzhou, 1 region, signed as credit-office" sign.out'
check "the trust list is a signed note" 'grep -q "^— credit-office " changzhou/trust.list'
coordconf changzhou "$port_b" court "trust = trust.list" "office = office.key.pub"
start_coord changzhou "$port_b"

grant() { # citizen scope [uses]: the token on stdout, the salt in salt.$1
	"$FEDSCORE" consent grant -c yuxi/issuer.conf --id "${ID[$1]}" --to bank-a \
		--purpose credit_loan --scope "$2" --uses "${3:-1}" 2> grant.err
	sed -n 's/^subject binding salt: \([^ ]*\)$/\1/p' grant.err > "salt.$1"
}
lookup() { # token [scope]: the answer in out, errors in err
	"$FEDSCORE" lookup --coordinator http://127.0.0.1:$port_a \
		--coordinator-key yuxi/coord.key.pub --key yuxi/bank.key \
		${2:+--scope $2} "$1" > out 2> err
}
attestation() { sed -n 's/^ *"attestation": "\(v4\.public\.[^"]*\)",*$/\1/p' out; }
verify() { # token [trust list] [citizen [salt]]
	"$FEDSCORE" attest verify --trust "${2:-changzhou/trust.list}" \
		--office changzhou/office.key.pub \
		${3:+--id "${ID[$3]}" --salt "${4:-$(cat salt.$3)}"} "$1" > vout 2> err
}
recognize() { # token: the answer in rout
	"$FEDSCORE" attest recognize --coordinator http://127.0.0.1:$port_b \
		"$1" > rout 2> err
}

# 1. Issue in A: an attest consent answers with the score and an
# attestation.
tok=$(grant good attest 3)
check "an attest consent gives the citizen a salt" '[ "$(wc -c < salt.good)" -eq 23 ]'
lookup "$tok"
check "the lookup answers with the score and the tier" \
	'[ $? -eq 0 ] && grep -q "\"score\": 600" out && grep -q "\"scope\": \"attest\"" out'
att=$(attestation)
salt_att=$(cat salt.good)
check "and with an attestation by the coordinator" '[[ "$att" == v4.public.* ]]'

# 2. Recognize in B, offline: good in Yuxi is fair in Changzhou.
verify "$att" changzhou/trust.list good "$salt_att"
check "attest verify recognizes it: Yuxi good is Changzhou fair" \
	'[ $? -eq 0 ] && grep -q "^recognized: fair (信用一般) in changzhou" vout'
check "it names the rule, the foreign tier and score, and the binding" \
	'grep -q "rule: map.good = fair" vout && grep -q "tier good (信用良好), score 600" vout && grep -q "bound to the ID number and salt shown" vout'
verify "$att"
check "without --id and --salt the binding is not checked, and says so" \
	'[ $? -eq 0 ] && grep -q "not checked" vout'
verify - changzhou/trust.list good "$salt_att" < <(printf '%s\n' "$att")
check "the token may come on standard input" '[ $? -eq 0 ]'

# 3. Recognize in B, at its coordinator, which logs it.
recognize "$att"
check "POST /v1/recognitions recognizes it as fair" \
	'[ $? -eq 0 ] && grep -q "\"recognized\": true" rout && grep -A2 "\"local_tier\"" rout | grep -q "\"name\": \"fair\""'
check "with the foreign region, tier, score and rule" \
	'grep -q "\"region\": \"yuxi\"" rout && grep -q "\"score\": 600" rout && grep -q "\"rule\": \"map.good = fair\"" rout'
first=$(sed -n 's/^ *"index": \([0-9]*\)$/\1/p' rout)
check "and records it in Changzhou's disclosure log" \
	'[ -n "$first" ] && grep -q "recognized an attestation of yuxi as fair" changzhou/coord.log'
"$FEDSCORE" attest recognize --coordinator http://127.0.0.1:$port_b \
	--coordinator-key changzhou/coord.key.pub "$att" > rout 2> err
check "the answer is signed by Changzhou's coordinator, and verifies" \
	'[ $? -eq 0 ] && grep -q "signed by the coordinator of changzhou" err && grep -q "\"signed\": \"v4.public." rout'
"$FEDSCORE" attest recognize --coordinator http://127.0.0.1:$port_b \
	--coordinator-key yuxi/coord.key.pub "$att" > rout 2> err
check "checked with another coordinator's key: refused" \
	'[ $? -eq 1 ] && grep -q "refused: the answer.s signature" err'
recognize "$att"
check "presented again while valid: recognized, logged again (the fourth time)" \
	'[ $? -eq 0 ] && [ "$(sed -n "s/^ *\"index\": \([0-9]*\)$/\1/p" rout)" = $((first + 3)) ]'

# 4. The credit code: scope tier, the tier only.
lookup "$(grant excellent attest)" tier
att_ex=$(attestation)
check "a tier-only lookup: the tier, no score, an attestation" \
	'[[ "$att_ex" == v4.public.* ]] && ! grep -q "\"score\"" out'
verify "$att_ex" changzhou/trust.list excellent
check "recognized by its tier: excellent is excellent" \
	'[ $? -eq 0 ] && grep -q "^recognized: excellent" vout && grep -q "rule: map.excellent = excellent" vout'
lookup "$(grant fair attest)" tier
verify "$(attestation)"
check "Yuxi fair, tier only: no rule applies, not recognized" \
	'[ $? -eq 1 ] && grep -q "maps no tier fair of region yuxi" err'
lookup "$(grant fair attest)"
verify "$(attestation)" changzhou/trust.list fair
check "Yuxi fair with its score: score = linear, 500 is Changzhou fair" \
	'[ $? -eq 0 ] && grep -q "^recognized: fair" vout && grep -q "score = linear (500 here)" vout'

# Scopes: an attest consent asks for attest or tier only; no other
# consent gives an attestation.
lookup "$(grant good attest)" score
check "an attest consent does not answer scope score" '[ $? -eq 1 ] && grep -q 403 err'
lookup "$(grant good score)" attest
check "a score consent does not answer scope attest" '[ $? -eq 1 ] && grep -q 403 err'
lookup "$(grant good score)"
check "and its answer carries no attestation" '[ $? -eq 0 ] && [ -z "$(attestation)" ]'

# 5. Bad input, each refused with its reason.
# A region not in the trust list.
trust_ini other.ini sanming "$(cat stranger.key.pub)" "$(cat old-yuxi.key.pub)"
cp other.ini changzhou/other.ini
"$FEDSCORE" attest trust sign -k changzhou/office.key -o changzhou/other.list \
	changzhou/other.ini > /dev/null 2> err || die "sign other.list"
verify "$att" changzhou/other.list
check "a region not in the trust list: refused, unregistered" \
	'[ $? -eq 1 ] && grep -q "region yuxi is not in the trust list" err && grep -q "(unregistered)" err'
# A retired key.
trust_ini changzhou/retired.ini yuxi "$(cat stranger.key.pub)" "$(cat yuxi/coord.key.pub)"
"$FEDSCORE" attest trust sign -k changzhou/office.key -o changzhou/retired.list \
	changzhou/retired.ini > /dev/null 2> err || die "sign retired.list"
verify "$att" changzhou/retired.list
check "signed by a retired key: refused, revoked" \
	'[ $? -eq 1 ] && grep -q "retired key of region yuxi" err && grep -q "(revoked)" err'
# Altered.
body=${att#v4.public.}
body=${body%%.*}
at=$((10 + ${#body} / 2))
altered=${att:0:$at}$([ "${att:$at:1}" = A ] && echo B || echo A)${att:$((at + 1))}
verify "$altered"
check "altered: refused, bad signature" '[ $? -eq 1 ] && grep -q "(bad-signature)" err'
recognize "$altered"
check "altered, at the coordinator: 403 bad-signature" \
	'[ $? -eq 1 ] && grep -q "403 bad-signature" err'
# A wrong salt, a wrong ID number.
verify "$att" changzhou/trust.list good "$(cat salt.excellent)"
check "a wrong salt: refused, wrong subject" \
	'[ $? -eq 1 ] && grep -q "(wrong-subject)" err'
verify "$att" changzhou/trust.list other "$salt_att"
check "another citizen's ID number: refused, wrong subject" \
	'[ $? -eq 1 ] && grep -q "not bound to the ID number and salt shown" err'
# The trust list itself: altered after signing, or by another office.
sed 's/^map.good = fair$/map.good = excellent/' changzhou/trust.list > changzhou/forged.list
verify "$att" changzhou/forged.list
check "a trust list altered after signing: refused" \
	'[ $? -eq 1 ] && grep -q "altered" err'
"$FEDSCORE" attest trust sign -k stranger.key -o changzhou/stranger.list \
	changzhou/trust.ini > /dev/null 2> err
verify "$att" changzhou/stranger.list
check "a trust list signed by another key: refused" \
	'[ $? -eq 1 ] && grep -q "not signed by the credit office" err'
"$FEDSCORE" attest recognize --coordinator http://127.0.0.1:$port_b - < /dev/null 2> err
check "an empty token is a usage error" '[ $? -eq 2 ]'

# A new list published while Changzhou's coordinator runs (moved into
# place, as an office would publish it) is read on the next recognition;
# one that does not open is logged and the one in force kept.
publish() { cp "$1" changzhou/new.list && mv changzhou/new.list changzhou/trust.list; }
cp changzhou/trust.list first.list
publish changzhou/retired.list
recognize "$att"
check "Yuxi's key retired in a new list: the running coordinator reads it, 403 revoked" \
	'[ $? -eq 1 ] && grep -q "403 revoked" err && grep -q "trust list .*trust.list read again: 1 foreign regions" changzhou/coord.log'
publish changzhou/stranger.list
recognize "$att"
check "a list not signed by the office: refused, the one in force kept" \
	'[ $? -eq 1 ] && grep -q "403 revoked" err && grep -q "the trust list changed but is refused" changzhou/coord.log'
publish first.list
recognize "$att"
check "the first list again: recognized" '[ $? -eq 0 ] && grep -q "\"recognized\": true" rout'

# Expired, and replayed past expiry: Yuxi's coordinator restarted with
# attestations valid for one second.
kill "$coord_yuxi"; wait "$coord_yuxi" 2>/dev/null
coordconf yuxi "$port_a" traffic "attest_ttl = 1s"
start_coord yuxi "$port_a"
lookup "$(grant good attest)"
short=$(attestation)
check "a short-lived attestation" '[[ "$short" == v4.public.* ]]'
expired=no
for _ in $(seq 1 40); do
	if ! verify "$short" && grep -q "(expired)" err; then expired=yes; break; fi
	sleep 0.1
done
check "expired: refused, expired" '[ $expired = yes ] && grep -q "attestation of region yuxi expired at" err'
recognize "$short"
check "replayed past expiry at the coordinator: 403 expired, and logged" \
	'[ $? -eq 1 ] && grep -q "403 expired" err && grep -q "not recognized (disclosure" err'

# An attestation needs every node: with Yuxi's node down, none is made.
kill "$node_yuxi"; wait "$node_yuxi" 2>/dev/null
lookup "$(grant good attest)"
check "a node down: no attestation (503), an incomplete score would travel unmarked" \
	'[ $? -eq 2 ] && grep -q "503" err && grep -q "an attestation needs every node" err'

check "no ID number or salt in any log" \
	'! grep -rq -e "${ID[good]}" -e "$salt_att" --include="*.log" .'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
