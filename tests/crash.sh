#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# crash.sh -- the coordinator killed (SIGKILL) in the middle of lookups,
# and what it leaves.  One federation -- an issuer, three department
# nodes, a coordinator with the Yuxi scheme -- in which only the
# coordinator is killed and started again.
#
# First at each named step of a lookup, through the test hook
# FS_TEST_CRASH_AT (coordinator/server.c): before the admission, after
# it, during the fan-out (two nodes answered, the third not asked), after
# every node answered, after the disclosure was written (before the
# answer left).  Then ROUNDS times (20 by default) at a random moment,
# drawn from a seed printed first (FS_CRASH_SEED=N draws the same delays
# again), under lookups from 6 clients at once.
#
# After each crash the coordinator starts again and, before anything
# else, logs every lookup it had admitted without recording its outcome
# as an "interrupted" entry.  Then: every lookup a client received a 200
# for is in the log, with the result it was given; no one-use consent is
# answered twice or in two entries; a request sent again is refused as
# replayed (401) exactly when the coordinator had admitted it, and a
# consent it had admitted is refused as used (409); `fedscore audit
# verify --full` (with every node as a witness) and `fedscore audit
# reconcile` (every node's signed release log) find nothing.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
SCHEMES=${FS_SCHEMES:?set by meson}
LOGTOOL=${FS_LOGTOOL:?set by meson}
PY=${FS_PYTHON:-python3}
ROUNDS=${FS_CRASH_ROUNDS:-20}
seed=${FS_CRASH_SEED:-$RANDOM}
echo "seed=$seed (FS_CRASH_SEED=$seed draws the same delays again)"
RANDOM=$seed
dir=$(mktemp -d)
pids=()
coord=
cleanup() {
	[ -n "$coord" ] && kill -9 "$coord" 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${FS_KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "not ok - $1"; fi
}
die() { echo "not ok - $*"; echo "$pass passed, $((fail + 1)) failed"; exit 1; }
# poll CMD: until CMD succeeds, at most 15 s.
poll() {
	for _ in $(seq 1 150); do
		eval "$1" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
cd "$dir"

port=$((20000 + ($$ * 11 + RANDOM) % 30000))
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
url=http://127.0.0.1:$port

cat > issuer.conf <<CONF
[issuer]
name = yuxi-issuer
region = yuxi
key = issuer.key
oprf_seed = oprf.seed
db = issuer.db
listen = ipc://$dir/issuer.sock
purposes = credit_loan self
CONF
"$FEDSCORE" issuer init -c issuer.conf > /dev/null || die "issuer init"
"$FEDSCORE" keygen -o coord.key > /dev/null
"$FEDSCORE" keygen -o bank.key > /dev/null
"$FEDSCORE" issuer register -c issuer.conf --name coord --role coordinator \
	--key coord.key.pub > /dev/null
"$FEDSCORE" issuer serve -c issuer.conf 2> issuer.log &
pids+=($!)

ids=(530402199001010016 530402199001020011 530402199001030017 530402199001040012)
y=$(date +%Y)
nodes=(traffic court tax)
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
	printf 'code,name,dimension,points,valid_days,severe,shared,repair_bonus\nN,minor,negative,-7,,0,0,0\nP,good deed,positive,9,,0,0,0\n' \
		> $n.rules.csv
	{
		echo "record_id,id_number,code,event_ref,occurred_on"
		echo "$n-1,${ids[0]},N,a,$y-01-02"
		echo "$n-2,${ids[1]},P,b,$y-01-03"
		echo "$n-3,${ids[2]},N,c,$y-01-04"
	} > $n.records.csv
	"$FEDSCORE" node rules import -c $n.conf $n.rules.csv > /dev/null ||
		die "rules import $n"
	"$FEDSCORE" node records import -c $n.conf $n.records.csv > /dev/null ||
		die "records import $n"
	"$FEDSCORE" node serve -c $n.conf 2> $n.log &
	pids+=($!)
done

# The preset requires every node; a long deadline keeps a node slowed
# down by the machine from making a lookup refused.
sed -e "s/^deadline = .*/deadline = 10s/" "$SCHEMES/yuxi.conf" > scheme.conf
cat > coord.conf <<CONF
[coordinator]
name = yuxi-coordinator
key = coord.key
db = coord.db
scheme = scheme.conf
http = $url
revocation_refresh = 500ms
[issuer]
url = ipc://$dir/issuer.sock
key = issuer.key.pub
region = yuxi
[requester bank-a]
key = bank.key.pub
purposes = credit_loan
CONF
for n in "${nodes[@]}"; do
	printf '[node %s]\nkey = %s.key.pub\nurl = ipc://%s/%s.sock\n' \
		$n $n "$dir" $n >> coord.conf
done

grant() { # [citizen]: a consent for one lookup
	"$FEDSCORE" consent grant -c issuer.conf --id "${ids[${1:-$((RANDOM % 4))}]}" \
		--to bank-a --purpose credit_loan --scope breakdown --uses 1 2> /dev/null
}
self=$("$FEDSCORE" consent grant -c issuer.conf --id "${ids[3]}" --to self \
	--purpose self --scope self 2> /dev/null)

# start_coord [STEP]: starts the coordinator, armed to die at STEP, and
# waits until it acts on consent (its revocation list is in): the
# citizen's access view answers.
# (Disowned, so that the shell does not report each kill.)
start_coord() {
	if [ -n "${1:-}" ]; then
		FS_TEST_CRASH_AT=$1 "$FEDSCORE" coordinator serve -c coord.conf 2>> coord.log &
	else
		"$FEDSCORE" coordinator serve -c coord.conf 2>> coord.log &
	fi
	coord=$!
	disown $coord
	poll '"$FEDSCORE" access --coordinator $url --coordinator-key coord.key.pub "$self"'
}
# gone: the coordinator's process has ended.
gone() { poll '! kill -0 $coord'; }
# kill_coord: SIGKILL, as a power cut would stop it.
kill_coord() {
	kill -9 "$coord" 2>/dev/null
	gone
	coord=
}
# post NAME: sends the request NAME.req; the reply in NAME.out, its
# status in NAME.status ("none" without a reply).
post() {
	"$LOGTOOL" post $url/v1/lookups "$1.req" > "$1.out" 2> "$1.err"
	case $? in
	0|1) sed -n 's/^status //p' "$1.err" > "$1.status" ;;
	*) echo none > "$1.status" ;;
	esac
}
status() { cat "$1.status"; }

rels=()
for n in "${nodes[@]}"; do rels+=(--releases "$n=$n.jsonl" --node-key "$n=$n.key.pub"); done
wits=()
for n in "${nodes[@]}"; do wits+=(--witness "$n=$n.key.pub"); done
mkdir -p audit
# audited WHAT: the log verified in full, every node's release log
# reconciled with it, no finding; the checkpoint may lag the last entry
# by a second and its cosignatures by another, so verify is polled.
audited() {
	"$FEDSCORE" coordinator export -c coord.conf > export.jsonl 2> /dev/null || return 1
	for n in "${nodes[@]}"; do
		"$FEDSCORE" node releases -c $n.conf --checkpoint $n.jsonl.checkpoint \
			> $n.jsonl 2> /dev/null || return 1
	done
	local entries
	entries=$(wc -l < export.jsonl)
	if ! poll '"$FEDSCORE" audit verify --log $url --key coord.key.pub "${wits[@]}" \
		--state audit/verify.state --full export.jsonl --issuer issuer.key.pub \
		> verify.out 2>&1 && grep -q "all $entries entries" verify.out'; then
		echo "# $1: audit verify:"; sed 's/^/#   /' verify.out | tail -n 8
		return 1
	fi
	if ! "$FEDSCORE" audit reconcile --full export.jsonl "${rels[@]}" \
		--state-dir audit > reconcile.out 2>&1; then
		echo "# $1: audit reconcile:"; grep FAIL reconcile.out | head -n 8 | sed 's/^/#   /'
		return 1
	fi
}

# entry_of TOKEN: the kind of the log's entries for TOKEN's consent, one
# a line (disclosure, refused or interrupted), from export.jsonl.
entry_of() {
	"$PY" - "$1" <<'PY'
import base64, hashlib, json, sys
h = base64.urlsafe_b64encode(hashlib.blake2b(sys.argv[1].encode(), digest_size=32).digest()).rstrip(b'=').decode()
for line in open('export.jsonl'):
    r = json.loads(line)
    e = json.loads(r['entry'])
    # The entry commits to the consent under its salt; the full record
    # beside it carries the token.
    if r['consent'] == sys.argv[1]:
        print(e.get('type') or ('refused' if 'refused' in e else 'disclosure'))
PY
}
releases_of() { # TOKEN: how many releases the nodes logged for its consent
	local jti jh
	jti=$("$FEDSCORE" consent verify --key issuer.key.pub --region yuxi "$1" |
		sed 's/.*"jti":"\([^"]*\)".*/\1/')
	jh=$("$PY" -c 'import base64,hashlib,sys; j=base64.urlsafe_b64decode(sys.argv[1]+"=="); print(base64.urlsafe_b64encode(hashlib.blake2b(j,digest_size=32).digest()).rstrip(b"=").decode())' "$jti")
	cat "${nodes[@]/%/.jsonl}" | grep -c "\"jti_hash\":\"$jh\""
}

start_coord || die "the coordinator does not start on $port"
t0=$(date +%s)

# 1. Each named step.  want: the status of the request sent again after
# the restart (the crash cut the first one off), the log's entries for
# its consent, and the releases the nodes logged for it.
for spec in before-admission:200:disclosure:3 after-admission:401:interrupted:0 \
	fanout:401:interrupted:2 after-answers:401:interrupted:3 \
	after-disclosure:401:disclosure:3; do
	IFS=: read -r step again kind nrel <<< "$spec"
	kill_coord
	start_coord "$step" || die "the coordinator does not start with FS_TEST_CRASH_AT=$step"
	tok=$(grant 0)
	echo "$tok" > s-$step.tok
	"$LOGTOOL" request bank.key "$tok" > s-$step.req
	post s-$step
	gone
	died=$?
	coord=
	check "$step: the coordinator dies there, no answer leaves" \
		'[ $died -eq 0 ] && [ "$(status s-$step)" = none ] && [ "$(tail -n 1 coord.log | sed "s/.*: //")" = "killing myself" ]'
	start_coord || die "the coordinator does not start again after $step"
	cp s-$step.req s-$step-again.req
	post s-$step-again
	check "$step: the same request again: $again" '[ "$(status s-$step-again)" = $again ]'
	"$LOGTOOL" request bank.key "$tok" > s-$step-new.req
	post s-$step-new
	check "$step: a new request on the one-use consent: 409" \
		'[ "$(status s-$step-new)" = 409 ] && grep -q used-up s-$step-new.out'
	check "$step: the log, every release reconciled, no finding" 'audited $step'
	check "$step: one entry for the consent: $kind; $nrel releases" \
		'[ "$(entry_of "$tok")" = $kind ] && [ "$(releases_of "$tok")" = $nrel ]'
done
check "the interrupted lookups are named in the coordinator's log" \
	'[ "$(grep -c "was interrupted by a stop: logged as entry" coord.log)" = 3 ]'

# 2. Random moments, under 6 clients at once.  Each client sends lookups
# on fresh one-use consents, one after the other, until the coordinator
# stops answering.  The consents are minted with the issuer's key from
# one granted per citizen, and the requests signed, before the round, so
# that the clients keep the coordinator busy.
for i in 0 1 2 3; do template[$i]=$(grant $i); done
client() { # ROUND K
	local i=0 b tok req
	while IFS=$'\t' read -r tok req; do
		i=$((i + 1))
		b=r$1/c$2-$i
		echo "$tok" > $b.tok
		echo "$req" > $b.req
		post $b
		[ "$(status $b)" = none ] && break
	done < r$1/c$2.lines
}
clients="1 2 3 4 5 6"
total_ok=0 total_cut=0 total_adm=0
for r in $(seq 1 "$ROUNDS"); do
	mkdir -p r$r
	[ -n "$coord" ] || start_coord || die "round $r: the coordinator does not start"
	cl=()
	for k in $clients; do
		"$LOGTOOL" mint issuer.key bank.key "${template[$((RANDOM % 4))]}" 25 \
			> r$r/c$k.lines || die "round $r: cannot mint consents"
	done
	for k in $clients; do client $r $k & cl+=($!); done
	delay=$((100 + RANDOM % 1500))
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill_coord
	wait "${cl[@]}"
	start_coord || die "round $r: the coordinator does not start again"
	"$FEDSCORE" coordinator export -c coord.conf > r$r/before.jsonl 2> /dev/null
	# What the crash cut off, sent again; and two answered requests.
	again=()
	for f in r$r/*.status; do
		b=${f%.status}
		if [ "$(status $b)" = none ]; then
			cp $b.req $b-again.req
			post $b-again & again+=($!)
			total_cut=$((total_cut + 1))
		fi
	done
	for f in $(grep -l '^200$' r$r/*.status | head -n 2); do
		b=${f%.status}
		cp $b.req $b-replay.req
		post $b-replay & again+=($!)
	done
	wait "${again[@]}"
	if ! "$PY" - r$r > r$r/check.out 2>&1 <<'PY'
import base64, glob, hashlib, json, os, sys
rd = sys.argv[1]
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
def h(b): return b64(hashlib.blake2b(b, digest_size=32).digest())
def rd_(p):
    try: return open(p).read().strip()
    except OSError: return None
before = {}
for line in open(rd + '/before.jsonl'):
    r = json.loads(line)
    e = json.loads(r['entry'])
    # Keyed by the token's hash, from the full record: the entry itself
    # commits to the consent under a salt of its own.
    before.setdefault(h(r['consent'].encode()), []).append(e)
bad = []
oks = cut = admitted_cut = 0
for st in sorted(glob.glob(rd + '/c*.status')):
    b = st[:-len('.status')]
    if b.endswith('-again') or b.endswith('-replay'):
        continue
    tok = rd_(b + '.tok')
    ch = h(tok.encode())
    s, again = rd_(st), rd_(b + '-again.status')
    admitted = ch in before
    if s == 'none':
        cut += 1
        admitted_cut += admitted
        # Cut off: admitted (in the log after the restart) means the
        # request and the use were spent; else it was never seen.
        want = '401' if admitted else '200'
        if again != want:
            bad.append('%s: cut off, %s, sent again: %s, expected %s' % (b, 'admitted' if admitted else 'not admitted', again, want))
    elif s == '200' and not admitted:
        bad.append('%s: answered 200 but not in the log' % b)
    elif s not in ('200', 'none'):
        bad.append('%s: refused %s with every node up' % (b, s))
    if s == '200':
        oks += 1
        rep = rd_(b + '-replay.status')
        if rep is not None and rep != '401':
            bad.append('%s: the answered request sent again: %s' % (b, rep))
    if len(before.get(ch, [])) > 1:
        bad.append('%s: the one-use consent has %d entries' % (b, len(before[ch])))
print('ok=%d' % oks)
print('answered %d, cut off %d, of which the coordinator had admitted %d' % (oks, cut, admitted_cut))
for x in bad: print(x)
sys.exit(1 if bad else 0)
PY
	then
		fail=$((fail + 1)); echo "not ok - round $r: requests and the log disagree"
		sed 's/^/#   /' r$r/check.out | head -n 10
	fi
	total_ok=$((total_ok + $(sed -n 's/^ok=//p' r$r/check.out)))
	total_adm=$((total_adm + $(sed -n 's/.*had admitted //p' r$r/check.out)))
	audited "round $r" || { fail=$((fail + 1)); echo "not ok - round $r: audit (killed after ${delay} ms)"; }
	echo "# round $r: killed after $delay ms: $(grep '^answered' r$r/check.out)"
done
check "$ROUNDS crashes at random moments under 6 clients: every round consistent and audited" \
	'[ $fail -eq 0 ]'

# 3. Over the whole run: each answer in the log with the result the
# client was given, no consent answered twice, no request answered twice.
"$FEDSCORE" coordinator export -c coord.conf > export.jsonl 2> /dev/null
"$PY" - > final.out 2>&1 <<'PY'
import base64, glob, hashlib, json, sys
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
def h(b): return b64(hashlib.blake2b(b, digest_size=32).digest())
log = [json.loads(l) for l in open('export.jsonl')]
bad, seen_tok, seen_req, n = [], {}, {}, 0
for st in sorted(glob.glob('r*/c*.status') + glob.glob('s-*.status')):
    b = st[:-len('.status')]
    if open(st).read().strip() != '200':
        continue
    n += 1
    a = json.load(open(b + '.out'))['answer']
    i = a['disclosure']['index']
    e = json.loads(log[i]['entry'])
    # The entry commits to the result under the salt the answer carries.
    salt = base64.urlsafe_b64decode(a['disclosure']['salt'] + '==')
    rj = json.dumps(a['result'], sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode()
    res = b64(hashlib.blake2b(b'result\0' + rj, digest_size=32, key=salt).digest())
    if e.get('result') != res:
        bad.append('%s: entry %d does not hold the result the client got' % (b, i))
    c = log[i]['consent']
    base = b
    for suffix in ('-again', '-replay', '-new'):
        base = base[:-len(suffix)] if base.endswith(suffix) else base
    if c != open(base + '.tok').read().strip():
        bad.append('%s: entry %d is not of the consent the client used' % (b, i))
    if c in seen_tok:
        bad.append('%s: consent answered twice (%s)' % (b, seen_tok[c]))
    seen_tok[c] = b
    if a['request'] in seen_req:
        bad.append('%s: request answered twice (%s)' % (b, seen_req[a['request']]))
    seen_req[a['request']] = b
kinds = {}
for r in log:
    e = json.loads(r['entry'])
    k = e.get('type') or ('refused' if 'refused' in e else 'disclosure')
    kinds[k] = kinds.get(k, 0) + 1
print('answers=%d entries=%d %s' % (n, len(log), ' '.join('%s=%d' % kv for kv in sorted(kinds.items()))))
for x in bad: print(x)
sys.exit(1 if bad else 0)
PY
st=$?
cat final.out | sed 's/^/# /'
check "every 200 is in the log with its result; no consent or request answered twice" '[ $st -eq 0 ]'
check "no daemon crashed on its own (no sanitizer report)" \
	'! grep -q "AddressSanitizer\|runtime error" ./*.log'
echo "# random rounds: $total_ok lookups answered, $total_cut cut off and sent again, $total_adm of them admitted when the coordinator died; $(( $(date +%s) - t0 )) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
