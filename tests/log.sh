#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# log.sh -- the disclosure log end to end: a real issuer, a real node
# and a real coordinator, as separate processes (the node holds no
# records of these citizens: each answer is the base score).  Lookups,
# then the auditor and the citizen: audit
# verify and its state, consistency on a second run, the access view,
# export and verify --full, anomalies, reconcile.  Then every tampering
# case must make audit verify fail, naming what and where: an altered
# entry, entries and hashes altered together, reordered entries, a
# truncated log, a fork, a
# missing witness, a cosignature by an unknown key, an altered and a
# stale checkpoint.  Checkpoints that a test must forge are served by
# logtool's proxy in front of the real coordinator.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
LOGTOOL=${FS_LOGTOOL:?set by meson}
dir=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$dir"' EXIT
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "not ok - $1"; fi
}
# poll runs a command until it succeeds, at most 10 seconds.
poll() {
	for _ in $(seq 1 100); do
		eval "$1" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# free_port prints a TCP port on 127.0.0.1 that nobody answers on.
free_port() {
	local p
	for p in $(seq "$1" $(($1 + 200))); do
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}
cd "$dir"

# Parties: the issuer (region testregion), the coordinator, one
# requester, one node, two witnesses and a stranger.
cat > scheme.conf <<'CONF'
[scheme]
id = test
version = t1
region = testregion
scale_min = 0
scale_max = 1000
base = 500
require_all = false
deadline = 200ms
purposes = credit_loan self
[tier good]
label = good
min = 600
[tier poor]
label = poor
min = 0
CONF
cat > issuer.conf <<CONF
[issuer]
name = test-issuer
region = testregion
key = issuer.key
oprf_seed = oprf.seed
db = issuer.db
listen = ipc://$dir/issuer.sock
purposes = credit_loan self
CONF
"$FEDSCORE" issuer init -c issuer.conf > /dev/null
for k in coord bank x w1 w2 stranger; do
	"$FEDSCORE" keygen -o $k.key > /dev/null
done
"$FEDSCORE" issuer register -c issuer.conf --name coord --role coordinator \
	--key coord.key.pub > /dev/null
"$FEDSCORE" issuer serve -c issuer.conf 2> issuer.log &
pids="$pids $!"

# Node x, whose rules match nobody here: every citizen keeps the base.
"$FEDSCORE" issuer register -c issuer.conf --name x --role node \
	--key x.key.pub > /dev/null
cat > x.conf <<CONF
[node]
name = x
key = x.key
db = x.db
listen = ipc://$dir/x.sock
coordinator = coord.key.pub
revocation_refresh = 500ms
[issuer]
url = ipc://$dir/issuer.sock
key = issuer.key.pub
oprf = oprf.seed.pub
region = testregion
CONF
printf 'code,name,dimension,points,valid_days,severe,shared,repair_bonus\nN1,minor,negative,-1,,0,0,0\n' > x.rules.csv
"$FEDSCORE" node rules import -c x.conf x.rules.csv > /dev/null
"$FEDSCORE" node serve -c x.conf 2> x.log &
pids="$pids $!"

port=$(free_port $((20000 + $$ % 20000)))
url=http://127.0.0.1:$port
write_conf() {
	cat > coord.conf <<CONF
[coordinator]
name = test-coordinator
key = coord.key
db = coord.db
scheme = scheme.conf
http = $url
revocation_refresh = 1s
witnesses = false
[issuer]
url = ipc://$dir/issuer.sock
key = issuer.key.pub
region = testregion
[node x]
key = x.key.pub
url = ipc://$dir/x.sock
[requester bank-a]
key = bank.key.pub
purposes = credit_loan
CONF
}
# start_coord starts the coordinator and waits for its checkpoint; on a
# port taken meanwhile it tries the next free one.
start_coord() {
	for _ in 1 2 3 4 5; do
		write_conf
		"$FEDSCORE" coordinator serve -c coord.conf 2>> coord.log &
		coord=$!
		pids="$pids $coord"
		if poll '"$LOGTOOL" get $url/checkpoint'; then
			return 0
		fi
		kill $coord 2>/dev/null
		port=$(free_port $((port + 1)))
		url=http://127.0.0.1:$port
	done
	return 1
}
stop_coord() {
	kill $coord && wait $coord
}
size() {
	"$LOGTOOL" get $url/checkpoint 2>/dev/null | sed -n 2p
}
# wait_size N waits until the signed checkpoint covers N entries.
wait_size() {
	local want=$1
	poll '[ "$(size)" = "$want" ]'
}
start_coord
check "the coordinator serves a signed checkpoint" '[ "$(size)" = 0 ]'

ida=11010519491231002X
idb=110105194912310038
self_a=$("$FEDSCORE" consent grant -c issuer.conf --id $ida --to self \
	--purpose self --scope self 2>/dev/null)
self_b=$("$FEDSCORE" consent grant -c issuer.conf --id $idb --to self \
	--purpose self --scope self 2>/dev/null)
tok_a=$("$FEDSCORE" consent grant -c issuer.conf --id $ida --to bank-a \
	--purpose credit_loan --scope score --uses 5 2>/dev/null)
tok_b=$("$FEDSCORE" consent grant -c issuer.conf --id $idb --to bank-a \
	--purpose credit_loan --scope tier 2>/dev/null)
access() {
	"$FEDSCORE" access --coordinator $url --coordinator-key coord.key.pub "$@"
}
# The coordinator acts on no consent before it holds a revocation list.
check "the access view answers once the revocation list is in" \
	'poll "access \"$self_a\""'

lookup() {
	"$FEDSCORE" lookup --coordinator $url --coordinator-key coord.key.pub \
		--key bank.key "$1"
}
lookup "$tok_a" > l1.json
check "a lookup that the node answers completes, at the base score" \
	'[ $? -eq 0 ] && grep -q "\"complete\": true" l1.json && grep -q "\"score\": 500" l1.json'
check "and its answer names its log index" 'grep -q "\"index\": 0" l1.json'
lookup "$tok_a" > /dev/null && lookup "$tok_b" > /dev/null
check "three disclosures, one checkpoint of 3 within a bounded wait" \
	'wait_size 3'
"$LOGTOOL" get $url/checkpoint > cp3.note

# audit verify: first run, then a second run after more lookups.
verify() {
	"$FEDSCORE" audit verify --log "${LOG:-$url}" --key coord.key.pub "$@"
}
verify --state st > v1.out
check "audit verify passes on the real log" \
	'[ $? -eq 0 ] && grep -q "all 3 entries match" v1.out'
check "and keeps the checkpoint of 3 in its state file" \
	'[ "$(sed -n 2p st)" = 3 ]'
lookup "$tok_a" > /dev/null
check "a fourth disclosure: a checkpoint of 4" 'wait_size 4'
verify --state st > v2.out
check "a second run passes: consistent with the checkpoint verified before" \
	'[ $? -eq 0 ] && grep -q "first 3 entries are unchanged" v2.out'
check "and the log's own consistency proof from 3 to 4 verifies" \
	'grep -q "consistency proof from 3 to 4 entries verifies" v2.out'
check "the state file now holds the checkpoint of 4" '[ "$(sed -n 2p st)" = 4 ]'
cp st st4

# The citizen's access view.
access "$self_a" > acc_a.out
check "citizen A sees 3 disclosures, every proof verified" \
	'[ $? -eq 0 ] && [ "$(grep -c "proof verified" acc_a.out)" = 3 ]'
check "naming who, for what and in which scope" \
	'grep -q "bank-a  *credit_loan  *score" acc_a.out'
access "$self_b" > acc_b.out
check "citizen B sees 1 disclosure, in scope tier" \
	'[ $? -eq 0 ] && [ "$(grep -c "proof verified" acc_b.out)" = 1 ] && grep -q " tier " acc_b.out'
access --json "$self_a" > acc_a.json
check "access --json says verified" \
	'grep -q "\"verified\": true" acc_a.json && ! grep -q "\"verified\": false" acc_a.json'
access "$tok_a" 2> err
check "a token that is not the citizen's self token is refused, exit 1" \
	'[ $? -eq 1 ] && grep -q "audience, purpose and scope" err'
check "viewing is not a disclosure" '[ "$(size)" = 4 ]'
"$FEDSCORE" access --coordinator $url --coordinator-key bank.key.pub \
	"$self_a" 2> err
check "a checkpoint under another key is refused, exit 1" \
	'[ $? -eq 1 ] && grep -q "no signature by the coordinator" err'

# Export and verify --full.
"$FEDSCORE" coordinator export -c coord.conf > exp.jsonl 2> /dev/null
check "coordinator export writes 4 full records" '[ "$(wc -l < exp.jsonl)" = 4 ]'
check "with the entry exactly as the log holds it" \
	'grep -q "\"entry\":\"{\\\\\"asked\\\\\":{\\\\\"x\\\\\":" exp.jsonl'
verify --state st --full exp.jsonl --issuer issuer.key.pub > vf.out
check "audit verify --full passes: every consent valid at its entry's time" \
	'[ $? -eq 0 ] && grep -q "full records: 4 checked" vf.out'
"$FEDSCORE" coordinator export -c coord.conf --from 2 > exp2.jsonl 2> /dev/null
verify --state st --full exp2.jsonl --issuer issuer.key.pub > vf2.out
check "export --from 2: 2 records, checked from there on" \
	'[ $? -eq 0 ] && [ "$(wc -l < exp2.jsonl)" = 2 ] && grep -q "full records: 2 checked" vf2.out'
sed '2s/"salt":"[^"]*"/"salt":"AAAAAAAAAAAAAAAAAAAAAA"/' exp.jsonl > bad_salt.jsonl
verify --state st --full bad_salt.jsonl --issuer issuer.key.pub > out
check "a record whose salt does not open the commitment: fails at entry 1" \
	'[ $? -eq 1 ] && grep -q "FAIL entry 1: .*subject commitment" out'
# Record 2 is citizen B's; give it citizen A's token.
a_tok=$(sed -n '1s/.*"consent":"\(v4[^"]*\)".*/\1/p' exp.jsonl)
sed "3s/\"consent\":\"v4[^\"]*\"/\"consent\":\"$a_tok\"/" exp.jsonl > bad_tok.jsonl
verify --state st --full bad_tok.jsonl --issuer issuer.key.pub > out
check "a record with another consent token: fails at entry 2" \
	'[ $? -eq 1 ] && grep -q "FAIL entry 2: .*consent token .*the entry.s consent" out'
sed '4d' exp.jsonl > short.jsonl
verify --state st --full short.jsonl --issuer issuer.key.pub > out
check "an entry without a full record: fails at entry 3" \
	'[ $? -eq 1 ] && grep -q "FAIL entry 3: no full record" out'
verify --state st --full exp.jsonl --issuer bank.key.pub > out
check "tokens under another issuer key: every entry fails" \
	'[ $? -eq 1 ] && [ "$(grep -c "FAIL entry .*not valid at" out)" = 4 ]'
check "failed runs leave the state file as it was" 'cmp -s st st4'

# Revocations: the issuer's signed statement of when it revoked each
# consent.  B's consent revoked now, after its disclosure: even with no
# grace, it did not come after the revocation.
jti_b=$("$FEDSCORE" consent verify --key issuer.key.pub --region testregion "$tok_b" |
	sed 's/.*"jti":"\([^"]*\)".*/\1/')
"$FEDSCORE" consent revoke -c issuer.conf -- "$jti_b" > /dev/null
"$FEDSCORE" issuer revocations -c issuer.conf > rev.note
check "the issuer signs its revocations as a note, one revocation" \
	'[ "$(sed -n 1p rev.note)" = fedscore.testregion/revocations ] && [ "$(sed -n 2p rev.note)" = 1 ] && grep -q "^$jti_b " rev.note'
cp st st_rev
verify --state st_rev --full exp.jsonl --issuer issuer.key.pub \
	--revocations rev.note --grace 0s > out
check "audit verify --full --revocations: revoked after its disclosures, no finding" \
	'[ $? -eq 0 ] && grep -q "checked against the issuer.s 1 revocations as of" out'
sed "s/^$jti_b 20[0-9-]*T/$jti_b 2000-01-01T/" rev.note > forged.note
verify --state st_rev --full exp.jsonl --issuer issuer.key.pub \
	--revocations forged.note > out 2> err
check "revocations moved back in time, not the issuer's signature: usage error" \
	'[ $? -eq 2 ] && grep -q "rev\|forged.note" err && grep -q "signed revocations" err'

# Anomalies: four lookups within a minute.
printf '[anomalies]\nmax_rate_per_minute = 3\nquiet_hours = none\n' > burst.conf
"$FEDSCORE" audit anomalies --full exp.jsonl -c burst.conf > out
check "audit anomalies flags a burst of 4 lookups in a minute, exit 1" \
	'[ $? -eq 1 ] && grep -q "requester bank-a: burst of 4 lookups" out'
printf '[anomalies]\nquiet_hours = none\n' > calm.conf
"$FEDSCORE" audit anomalies --full exp.jsonl -c calm.conf > out
check "with the default thresholds and no quiet hours: none, exit 0" '[ $? -eq 0 ]'
printf '[anomalies]\nquiet_hours = 0-24\n' > night.conf
"$FEDSCORE" audit anomalies --full exp.jsonl -c night.conf > out
check "quiet hours around the clock flag every lookup" \
	'[ $? -eq 1 ] && grep -q "4 lookups in the quiet hours" out'
printf '[anomalies]\ncolour = red\n' > typo.conf
"$FEDSCORE" audit anomalies --full exp.jsonl -c typo.conf 2> err
check "an unknown threshold is a usage error naming it" \
	'[ $? -eq 2 ] && grep -q colour err'

# Reconcile: each of the node's 4 releases matches a disclosure by its
# receipt; a release that no entry lists is the coordinator gathering
# data unrecorded.
"$FEDSCORE" node releases -c x.conf > x.jsonl 2> /dev/null
"$FEDSCORE" audit reconcile --full exp.jsonl --releases x=x.jsonl > out
check "reconcile matches the node's 4 releases to the 4 disclosures" \
	'[ $? -eq 0 ] && [ "$(wc -l < x.jsonl)" = 4 ]'
echo '{"time_ms":1795450833000,"request_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","receipt":"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA","jti_hash":"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA","requester":"bank-a","purpose":"credit_loan","contribution_hash":"DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDA"}' >> x.jsonl
"$FEDSCORE" audit reconcile --full exp.jsonl --releases x=x.jsonl > out
check "a release no entry lists: found, naming node and line, exit 1" \
	'[ $? -eq 1 ] && grep -q "node x, release at line 5 .*without recording it" out'

# Checkpoints forged in front of the real log: logtool's proxy serves
# the file cp.serve as /checkpoint and passes every other GET on.
pport=$(free_port $((port + 1)))
purl=http://127.0.0.1:$pport
"$LOGTOOL" get $url/checkpoint > cp4.note
"$LOGTOOL" cosign cp4.note w1.key w1 > cp.serve
"$LOGTOOL" proxy $purl $url cp.serve 2> proxy.log &
pids="$pids $!"
poll '"$LOGTOOL" get $purl/checkpoint'
LOG=$purl verify --state pst --witness w1=w1.key.pub > out
check "a checkpoint cosigned by witness w1 passes with --witness w1" \
	'[ $? -eq 0 ] && grep -q "witness w1 cosigned it" out'
LOG=$purl verify --state pst --witness w1=w1.key.pub --witness w2=w2.key.pub > out
check "a missing witness: fails naming w2" \
	'[ $? -eq 1 ] && grep -q "FAIL checkpoint: witness w2: no cosignature" out'
"$LOGTOOL" cosign cp4.note stranger.key w1 > cp.serve
LOG=$purl verify --state pst --witness w1=w1.key.pub > out
check "a cosignature by an unknown key under w1's name: fails naming it" \
	'[ $? -eq 1 ] && grep -q "witness w1: the cosignature under its name is by an unknown key" out'
# One base64 character of the signature itself, not of the key id.
last=$(tail -n 1 cp4.note)
c=${last: -10:1}
[ "$c" = A ] && c=B || c=A
{ head -n -1 cp4.note; echo "${last:0:${#last}-10}$c${last: -9}"; } > cp.serve
LOG=$purl verify --state pst > out
check "an altered checkpoint signature: fails" \
	'[ $? -eq 1 ] && grep -q "signature on the checkpoint .* does not verify" out'
sed '2s/^4$/5/' cp4.note > cp.serve
LOG=$purl verify --state pst > out
check "an altered checkpoint size: fails the signature" \
	'[ $? -eq 1 ] && grep -q "does not verify" out'
cp cp3.note cp.serve
LOG=$purl verify --state st > out
check "a stale checkpoint (3, after 4 was verified): fails" \
	'[ $? -eq 1 ] && grep -q "stale checkpoint: the log.s checkpoint has 3 entries, fewer than the 4" out'
head -c 100 cp4.note > cp.serve
LOG=$purl verify --state pst > out
check "a cut checkpoint: fails" '[ $? -eq 1 ] && grep -q "FAIL checkpoint:" out'

# A fork: the state says another root for the same size.
printf '%s\n4\n%s\n' "$(sed -n 1p st)" "$(sed -n 3p cp3.note)" > fork.state
verify --since fork.state --state st.fork > out
check "a fork (same size, another root than --since): fails naming both roots" \
	'[ $? -eq 1 ] && grep -q "fork: the log.s checkpoint of 4 entries has root" out'

# The database altered under the running coordinator.
"$LOGTOOL" alter coord.db 1 '"scope":"score"' '"scope":"tier"'
verify --state st > out
check "an altered entry: fails at entry 1, naming the tile" \
	'[ $? -eq 1 ] && grep -q "FAIL entry 1: its leaf hash is not the one tile/0/000.p/4 holds" out'
"$LOGTOOL" alter coord.db 1 '"scope":"tier"' '"scope":"score"'
verify --state st > out
check "put back, the log verifies again" '[ $? -eq 0 ]'
"$LOGTOOL" alter coord.db 2 '"scope":"tier"' '"scope":"breakdown"' --rehash
verify --state st > out
check "entry and leaf hash altered together: the recomputed root differs" \
	'[ $? -eq 1 ] && grep -q "FAIL the root of the 4 entries the log serves is" out'
"$LOGTOOL" alter coord.db 2 '"scope":"breakdown"' '"scope":"tier"' --rehash
verify --state st > out
check "put back, the log verifies again" '[ $? -eq 0 ]'

"$LOGTOOL" swap coord.db 0 2
verify --state st > out
check "two entries reordered with their leaf hashes: the recomputed root differs" \
	'[ $? -eq 1 ] && grep -q "FAIL the root of the 4 entries" out'
"$LOGTOOL" swap coord.db 0 2
verify --state st > out
check "put back in order, the log verifies again" '[ $? -eq 0 ]'

# Truncation: the last disclosure and its hashes deleted, the
# coordinator restarted on what is left.
stop_coord
"$LOGTOOL" truncate coord.db
start_coord
check "the restarted coordinator signs a checkpoint of 3" 'wait_size 3'
verify --state st > out
check "a truncated log: fails, fewer entries than verified before" \
	'[ $? -eq 1 ] && grep -q "truncated log or stale checkpoint: the log.s checkpoint has 3 entries, fewer than the 4" out'
lookup "$tok_a" > /dev/null
check "a new lookup after the truncation: a checkpoint of 4" 'wait_size 4'
verify --state st > out
check "then a new entry at index 3: a fork of the verified log" \
	'[ $? -eq 1 ] && grep -q "fork: the log.s checkpoint of 4 entries" out'
check "the state file still holds what was verified" 'cmp -s st st4'

# The public log discloses nothing (entries of version 2): no field of any
# entry equals the hash of any result a scope could give, or of a consent
# token; two identical answers make different entries; an answer's salt
# opens its entry, and another salt does not.
tok_c=$("$FEDSCORE" consent grant -c issuer.conf --id $ida --to bank-a \
	--purpose credit_loan --scope score --uses 2 2>/dev/null)
lookup "$tok_c" > c1.json && lookup "$tok_c" > c2.json
check "two lookups with one consent: two answers with the same result" \
	'[ -s c2.json ] && [ "$(jq -cS .result c1.json)" = "$(jq -cS .result c2.json)" ]'
check "and a checkpoint covering both" "wait_size $(( $(jq .disclosure.index c2.json) + 1 ))"
printf '%s\n%s\n%s\n%s\n' "$tok_a" "$tok_b" "$tok_c" "$self_a" > tokens.txt
python3 - "$url" c1.json c2.json tokens.txt > guess.out <<'PY'
import base64, hashlib, json, sys, urllib.request
url, a1, a2, toks = sys.argv[1:5]
def b64(h): return base64.urlsafe_b64encode(h).rstrip(b"=").decode()
def h(b): return b64(hashlib.blake2b(b, digest_size=32).digest())
cp = urllib.request.urlopen(url + "/checkpoint").read().decode().split("\n")
size = int(cp[1])
w = size if size < 256 else 256
path = "/tile/entries/000" + (".p/%d" % w if w < 256 else "")
bundle = urllib.request.urlopen(url + path).read()
entries, i = [], 0
while i < len(bundle):
    n = int.from_bytes(bundle[i:i + 2], "big")
    entries.append(json.loads(bundle[i + 2:i + 2 + n])); i += 2 + n
guesses = set()
tiers = [{"label": "good", "name": "good"}, {"label": "poor", "name": "poor"}]
for score in range(0, 1001):
    for t in tiers:
        for d in (False, True):
            r = {"disputed": d, "score": score, "tier": t}
            guesses.add(h(json.dumps(r, sort_keys=True, separators=(",", ":")).encode()))
for t in tiers:
    for d in (False, True):
        guesses.add(h(json.dumps({"disputed": d, "tier": t}, sort_keys=True, separators=(",", ":")).encode()))
for a in (a1, a2):
    r = json.load(open(a))["result"]
    guesses.add(h(json.dumps(r, sort_keys=True, separators=(",", ":")).encode()))
for tok in open(toks).read().split():
    guesses.add(h(tok.encode()))
v2 = [e for e in entries if e.get("v") == 2]
hits = [k for e in v2 for k, v in e.items() if isinstance(v, str) and v in guesses]
i1 = json.load(open(a1))["disclosure"]["index"]
i2 = json.load(open(a2))["disclosure"]["index"]
same = [k for k in ("consent", "subject", "result") if entries[i1][k] == entries[i2][k]]
print("guesses %d, entries of version 2: %d, fields equal to a guess: %d" % (len(guesses), len(v2), len(hits)))
print("fields the two identical answers' entries share: %s" % (",".join(same) or "none"))
PY
check "no field of the public log equals a hash of any possible result or token" \
	'grep -q "entries of version 2: [1-9][0-9]*, fields equal to a guess: 0$" guess.out'
check "two identical answers: different consent, subject and result in the log" \
	'grep -q "share: none$" guess.out'
"$FEDSCORE" audit open --log $url --answer c1.json > open.out
check "audit open: the answer's salt opens its entry" \
	'[ $? -eq 0 ] && grep -q "opens the entry.s commitment" open.out'
"$FEDSCORE" audit open --log $url --answer c1.json \
	--salt "$(jq -r .disclosure.salt c2.json)" > open.out
check "and the salt of another answer does not" \
	'[ $? -eq 1 ] && grep -q "FAIL entry .*salt does not open" open.out'

stop_coord
check "the coordinator stops cleanly" '[ $? -eq 0 ]'
check "the coordinator's log holds no token" \
	'! grep -q "v4.public" coord.log issuer.log'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
