#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# http.sh -- the coordinator's HTTP API against broken and hostile
# clients, on a real issuer and a real coordinator whose one node is
# down (each lookup completes without it).
#
# Every refusal of the server itself (404, 405, 413, 415, 400 for an
# empty body, 431, 429) is an RFC 9457 problem with its status.  Then
# slow clients (tests/slowclient.c): 2000 connections from 127.0.0.2
# trickling header bytes, faster than the idle timeout, while 127.0.0.1
# gets GET /checkpoint and a signed lookup answered before the request
# deadline (http_timeout = 5s) could have expired; the trickling
# connections are all closed at the deadline.  Then the limits per
# address and, behind a trusted proxy, per client.  Then TLS: a CA and a
# server certificate made with openssl, HTTPS checked by curl, openssl
# s_client (TLS 1.1 refused, 1.2 and 1.3 served), fedscore lookup, access
# and audit verify with --cacert; an https:// address without a
# certificate, or with a key others can read, refuses to start; clients
# stalled in the middle of their ClientHello are closed at the deadline
# while others are served.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
SLOW=${FS_SLOWCLIENT:?set by meson}
for tool in curl openssl; do
	command -v $tool > /dev/null ||
		{ echo "SKIP: no $tool (Debian package $tool)"; exit 77; }
done
# 2000 connections at each end, and the daemons' own descriptors.
ulimit -n 8192 2> /dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 4600 ]; then
	echo "SKIP: at most $(ulimit -n) open files (ulimit -n), 4600 needed"
	exit 77
fi
dir=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2> /dev/null; done
	wait 2> /dev/null
	[ -n "${FS_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "not ok - $1"; fi
}
die() { echo "not ok - $*"; echo "$pass passed, $((fail + 1)) failed"; exit 1; }
# poll runs a command until it succeeds, at most 20 seconds.
poll() {
	for _ in $(seq 1 200); do
		eval "$1" > /dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
cd "$dir"

# The issuer, the coordinator's keys, a requester, a node that never
# answers.
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
"$FEDSCORE" issuer init -c issuer.conf > /dev/null || die "issuer init"
for k in coord bank x; do "$FEDSCORE" keygen -o $k.key > /dev/null; done
"$FEDSCORE" issuer register -c issuer.conf --name coord --role coordinator \
	--key coord.key.pub > /dev/null
"$FEDSCORE" issuer serve -c issuer.conf 2> issuer.log &
pids="$pids $!"

port=$((20000 + ($$ * 7 + RANDOM) % 30000))
while (exec 3<> /dev/tcp/127.0.0.1/$port) 2> /dev/null; do port=$((port + 1)); done
# coordconf URL [SETTING...]: the coordinator's configuration, with
# settings of its HTTP server.
coordconf() {
	local url=$1
	shift
	{
		printf '[coordinator]\nname = test-coordinator\nkey = coord.key\n'
		printf 'db = coord.db\nscheme = scheme.conf\nhttp = %s\n' "$url"
		printf 'revocation_refresh = 1s\nhttp_timeout = 5s\n'
		printf '%s\n' "$@"
		printf '[issuer]\nurl = ipc://%s/issuer.sock\n' "$dir"
		printf 'key = issuer.key.pub\nregion = testregion\n'
		printf '[node x]\nkey = x.key.pub\nurl = ipc://%s/nobody.sock\n' "$dir"
		printf '[requester bank-a]\nkey = bank.key.pub\npurposes = credit_loan\n'
	} > coord.conf
}
# start_coord URL CURL-ARGS...: starts the coordinator and waits until
# it serves its checkpoint.
start_coord() {
	local url=$1
	shift
	# Debug lines name each request's client and status.
	FEDSCORE_LOG=debug "$FEDSCORE" coordinator serve -c coord.conf \
		2>> coord.log &
	coord=$!
	pids="$pids $coord"
	poll "curl -sf $* $url/checkpoint" || die "the coordinator does not serve $url"
}
stop_coord() { kill $coord; wait $coord 2> /dev/null; }

url=http://127.0.0.1:$port
coordconf $url "http_max_connections = 3000" "http_max_per_ip = 2500" \
	"trusted_proxies = 127.0.0.1, 127.0.0.4"
start_coord $url

# problem WANT CURL-ARGS...: the status is WANT, and the answer an RFC 9457
# problem saying so.
problem() {
	local want=$1 got
	shift
	got=$(curl -s -o body -D headers -w '%{http_code} %{content_type}' "$@")
	[ "$got" = "$want application/problem+json" ] &&
		grep -q "\"status\":$want" body &&
		grep -q '"type":"urn:fedscore:problem:' body ||
		{ echo "    got $got: $(head -c 300 body)"; false; }
}
json='Content-Type: application/json'
check "an unknown path: 404 problem" 'problem 404 $url/nope'
check "a POST to GET /checkpoint: 405 problem with Allow: GET, HEAD" \
	'problem 405 -X POST -H "$json" -d "{}" $url/checkpoint &&
	grep -qi "^Allow: GET, HEAD" headers'
check "a GET of POST /v1/lookups: 405 problem with Allow: POST" \
	'problem 405 $url/v1/lookups && grep -qi "^Allow: POST" headers'
check "a POST that is not application/json: 415 problem" \
	'problem 415 -X POST -d "{}" $url/v1/lookups'
check "an empty POST: 400 problem" \
	'problem 400 -X POST -H "$json" $url/v1/lookups'
head -c 70000 /dev/zero | tr '\0' a > big
check "a body over 64 KiB: 413 problem" \
	'problem 413 -X POST -H "$json" --data-binary @big $url/v1/lookups'
check "a chunked body over 64 KiB: 413 problem" \
	'problem 413 -X POST -H "$json" -H "Transfer-Encoding: chunked" \
	--data-binary @big $url/v1/lookups'
check "a 20 KB header: 431 problem" \
	'problem 431 -H "X-Big: $(head -c 20000 big)" $url/checkpoint'
check "a 60 KB header: 431 problem" \
	'problem 431 -H "X-Big: $(head -c 60000 big)" $url/checkpoint'
check "a body that is not JSON: 422 problem" \
	'problem 422 -X POST -H "$json" -d "{not json" $url/v1/lookups'
check "a bad tile path: 404 problem" 'problem 404 $url/tile/x/1'
check "a tile of level 9, past any 64-bit size: 404 problem" \
	'problem 404 $url/tile/9/x999/999'
check "a 100 KB header, past the connection's memory: 431, or closed" \
	'st=$(curl -s -o /dev/null -w "%{http_code}" \
	-H "X-Big: $(head -c 100000 /dev/zero | tr "\\0" a)" $url/checkpoint)
	[ "$st" = 431 ] || [ "$st" = 000 ]'
check "HEAD /checkpoint: 200" \
	'[ "$(curl -s -o /dev/null -I -w "%{http_code}" $url/checkpoint)" = 200 ]'

tok=$("$FEDSCORE" consent grant -c issuer.conf --id 11010519491231002X \
	--to bank-a --purpose credit_loan --scope score --uses 50 2> /dev/null)
self=$("$FEDSCORE" consent grant -c issuer.conf --id 11010519491231002X \
	--to self --purpose self --scope self 2> /dev/null)
lookup() { # URL [ARGS]
	local u=$1
	shift
	"$FEDSCORE" lookup --coordinator "$u" --coordinator-key coord.key.pub \
		--key bank.key "$@" "$tok"
}
# lookup_ok URL [ARGS]: the coordinator answered the lookup.  Its one
# node is down, so the answer is a refusal with no number in it: 503,
# every node asked and none answered.
lookup_ok() {
	lookup "$@" > out 2> err ||
		grep -q 'refused (503 .*(0 of 1 answered); missing' err
}
# The coordinator acts on no consent before it holds a revocation list.
check "a signed lookup is answered (503: its one node is down)" \
	'poll "lookup_ok $url"'

# Slow clients: 2000 connections from 127.0.0.2, each sending a request
# line and a header, then a byte every second: never idle for the 5 s
# idle timeout, so only the request deadline closes them.
"$SLOW" 127.0.0.2 127.0.0.1 $port 2000 \
	'GET /checkpoint HTTP/1.1\r\nHost: x\r\n' 1000 20000 ready > slow.out &
slow=$!
pids="$pids $slow"
poll '[ -s ready ]' || die "the slow clients did not connect"
ready=$(now_ms)
cp_status=$(curl -s -o /dev/null -w '%{http_code}' $url/checkpoint)
cp_ms=$(($(now_ms) - ready))
lookup_ok $url
lk=$?
lk_ms=$(($(now_ms) - ready))
echo "# while 2000 trickled: GET /checkpoint ${cp_ms} ms, the lookup ${lk_ms} ms after"
check "GET /checkpoint is answered meanwhile, before the deadline ($cp_ms ms)" \
	'[ "$cp_status" = 200 ] && [ $cp_ms -lt 5000 ]'
check "a signed lookup is answered meanwhile, before the deadline ($lk_ms ms)" \
	'[ $lk -eq 0 ] && [ $lk_ms -lt 5000 ]'
wait $slow
echo "# slow clients: $(cat slow.out)"
eval "$(tr ' ' '\n' < slow.out | sed 's/^/s_/')"
check "all 2000 trickling connections are closed by the server" \
	'[ "$s_opened" = 2000 ] && [ "$s_closed" = 2000 ] && [ "$s_early" = 0 ]'
check "each at the 5 s deadline, not before, within a margin ($s_min_ms to $s_max_ms ms)" \
	'[ $s_min_ms -ge 3500 ] && [ $s_max_ms -le 8000 ]'
check "the coordinator says why it closed them" \
	'grep -q "connections that sent no whole request within 5000 ms" coord.log'
check "and still answers" \
	'[ "$(curl -s -o /dev/null -w "%{http_code}" $url/checkpoint)" = 200 ]'

# Limits: 20 connections per address; behind a trusted proxy, 20
# requests in progress per client, the client being the last hop of
# X-Forwarded-For.
stop_coord
coordconf $url "http_max_per_ip = 20" "trusted_proxies = 127.0.0.1 127.0.0.4"
start_coord $url
rm -f ready
"$SLOW" 127.0.0.3 127.0.0.1 $port 30 'GET /checkpoint HTTP/1.1\r\n' 0 12000 \
	ready > slow.out &
slow=$!
pids="$pids $slow"
poll '[ -s ready ]' || die "the clients from 127.0.0.3 did not connect"
check "another address is served meanwhile" \
	'[ "$(curl -s -o /dev/null -w "%{http_code}" $url/checkpoint)" = 200 ]'
wait $slow
eval "$(tr ' ' '\n' < slow.out | sed 's/^/s_/')"
echo "# 30 from one address: $(cat slow.out)"
check "30 connections from one address: 10 refused at once, 20 closed at the deadline" \
	'[ "$s_early" = 10 ] && [ "$s_closed" = 30 ] && [ $s_min_ms -ge 3500 ]'
rm -f ready
"$SLOW" 127.0.0.4 127.0.0.1 $port 20 \
	'POST /v1/lookups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Forwarded-For: 203.0.113.7\r\nContent-Length: 100\r\n\r\n' \
	0 12000 ready > slow.out &
slow=$!
pids="$pids $slow"
poll '[ -s ready ]' || die "the proxied clients did not connect"
check "20 requests of client 203.0.113.7 in progress through a proxy: its next is a 429 problem" \
	'poll "problem 429 -H \"X-Forwarded-For: 198.51.100.9, 203.0.113.7\" $url/checkpoint"'
check "the log names the client behind the proxy" \
	'grep -q "203.0.113.7 GET /checkpoint: 429" coord.log'
check "only the proxy's last hop counts: the hops before are the client's to write" \
	'[ "$(curl -s -o /dev/null -w "%{http_code}" \
	-H "X-Forwarded-For: 203.0.113.7, 198.51.100.9" $url/checkpoint)" = 200 ]'
check "X-Forwarded-For from an address that is not a trusted proxy is ignored" \
	'[ "$(curl -s -o /dev/null -w "%{http_code}" --interface 127.0.0.2 \
	-H "X-Forwarded-For: 203.0.113.7" $url/checkpoint)" = 200 ]'
wait $slow
stop_coord

# TLS: a CA, and a certificate for 127.0.0.1 that it signs.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout ca.key -out ca.pem -days 2 -subj "/CN=fedscore test CA" 2> /dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout tls.key -out tls.csr -subj "/CN=127.0.0.1" 2> /dev/null
printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\n' > san.ext
openssl x509 -req -in tls.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-out tls.pem -days 2 -extfile san.ext 2> /dev/null || die "openssl x509"
chmod 600 tls.key
surl=https://127.0.0.1:$port

coordconf $surl
"$FEDSCORE" coordinator serve -c coord.conf 2> err
check "an https:// address without a certificate refuses to start, saying so" \
	'[ $? -eq 2 ] && grep -q "needs a certificate: expected tls_cert and tls_key" err'
coordconf $surl "tls_cert = tls.pem" "tls_key = tls.key"
chmod 644 tls.key
"$FEDSCORE" coordinator serve -c coord.conf 2> err
check "a TLS key others can read is refused" \
	'[ $? -eq 2 ] && grep -q "tls_key .*expected mode 0600" err'
chmod 600 tls.key
coordconf $url "tls_cert = tls.pem" "tls_key = tls.key"
"$FEDSCORE" coordinator serve -c coord.conf 2> err
check "a certificate for an http:// address is refused, not ignored" \
	'[ $? -eq 2 ] && grep -q "expected an https:// address" err'

coordconf $surl "tls_cert = tls.pem" "tls_key = tls.key"
start_coord $surl --cacert ca.pem
check "curl --cacert: GET /checkpoint over HTTPS" \
	'[ "$(curl -s --cacert ca.pem -o /dev/null -w "%{http_code}" $surl/checkpoint)" = 200 ]'
check "curl without the CA: the certificate is not trusted" \
	'curl -s -o /dev/null $surl/checkpoint; [ $? -eq 60 ]'
check "a refusal over HTTPS is a problem too" \
	'problem 404 --cacert ca.pem $surl/nope'
echo | openssl s_client -connect 127.0.0.1:$port -tls1_1 \
	-cipher 'DEFAULT:@SECLEVEL=0' > s11.out 2>&1
check "openssl s_client -tls1_1 is refused" \
	'[ $? -ne 0 ] && grep -q "Cipher is (NONE)" s11.out'
echo | openssl s_client -connect 127.0.0.1:$port -tls1_2 -CAfile ca.pem \
	> s12.out 2>&1
check "openssl s_client -tls1_2 is served, the certificate verified" \
	'grep -q "Protocol  *: TLSv1.2" s12.out && grep -q "Verify return code: 0 (ok)" s12.out'
echo | openssl s_client -connect 127.0.0.1:$port -tls1_3 -CAfile ca.pem \
	> s13.out 2>&1
check "openssl s_client -tls1_3 is served" 'grep -q "TLSv1.3" s13.out'
lookup_ok $surl --cacert ca.pem
check "fedscore lookup --cacert over HTTPS" '[ $? -eq 0 ]'
lookup $surl > out 2> err
check "fedscore lookup without the CA fails, naming the certificate" \
	'[ $? -eq 2 ] && grep -qi "certificate" err'
check "fedscore access --cacert over HTTPS" \
	'poll "\"$FEDSCORE\" access --coordinator $surl --coordinator-key coord.key.pub \
	--cacert ca.pem \"$self\""'
check "fedscore audit verify --log https://... --cacert" \
	'poll "\"$FEDSCORE\" audit verify --log $surl --key coord.key.pub \
	--state audit.state --cacert ca.pem"'

# Clients stalled inside their ClientHello: a TLS record header for 512
# bytes, then part of the handshake, then nothing.
rm -f ready
"$SLOW" 127.0.0.5 127.0.0.1 $port 50 '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' \
	0 15000 ready > slow.out &
slow=$!
pids="$pids $slow"
poll '[ -s ready ]' || die "the stalled TLS clients did not connect"
ready=$(now_ms)
st=$(curl -s --cacert ca.pem -o /dev/null -w '%{http_code}' $surl/checkpoint)
ms=$(($(now_ms) - ready))
check "HTTPS is served meanwhile ($ms ms)" '[ "$st" = 200 ] && [ $ms -lt 5000 ]'
wait $slow
eval "$(tr ' ' '\n' < slow.out | sed 's/^/s_/')"
echo "# stalled handshakes: $(cat slow.out)"
check "50 handshakes stalled midway are closed at the deadline ($s_min_ms to $s_max_ms ms)" \
	'[ "$s_closed" = 50 ] && [ "$s_early" = 0 ] && [ $s_min_ms -ge 3500 ] &&
	[ $s_max_ms -le 8000 ]'
stop_coord
check "the coordinator stops cleanly" '[ $? -eq 0 ]'
check "no token in the coordinator's log" '! grep -Eq "v4\.public\.[A-Za-z0-9_-]{20}" coord.log'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
