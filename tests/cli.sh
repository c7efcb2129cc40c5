#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# cli.sh -- runs the real fedscore command: usage matches the man pages,
# keygen's promises about key files hold, and ping refuses a peer whose
# key we do not hold.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
MAN=${FS_MAN:?set by meson}
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# Every command's --help equals the SYNOPSIS of its man page.
for cmd in "" keygen key ping demo issuer pseudonym consent coordinator lookup \
	access audit attest node; do
	page=$MAN/fedscore${cmd:+-$cmd}.1
	want=$(sed -n '/^\.SH SYNOPSIS/,/^\.fi/p' "$page" | sed '1,2d;$d')
	if [ -z "$cmd" ]; then
		got=$("$FEDSCORE" --help | sed -n 's/^usage: //p')
	else
		got=$("$FEDSCORE" "$cmd" --help | sed 's/^usage: //; s/^ *//')
	fi
	check "synopsis of fedscore${cmd:+ $cmd} matches $page" '[ "$got" = "$want" ]'
done

# keygen: 0600 secret, one-line public key, refuses to overwrite (exit 2),
# and the id it prints is the one 'key id' prints.
cd "$dir"
id=$("$FEDSCORE" keygen -o k --name "test node")
check "keygen exits 0" '[ $? -eq 0 ]'
check "secret key mode is 0600" '[ "$(stat -c %a k)" = 600 ]'
check "public key is one k4.public line" \
	'[ "$(wc -l < k.pub)" -eq 1 ] && grep -q "^k4\.public\." k.pub'
check "keygen prints a k4.pid" '[[ "$id" == k4.pid.* ]]'
check "key id of k.pub equals keygen's" '[ "$("$FEDSCORE" key id k.pub)" = "$id" ]'
check "key id of the secret key too" '[ "$("$FEDSCORE" key id k)" = "$id" ]'
before=$(sha256sum k k.pub)
"$FEDSCORE" keygen -o k 2>err
check "keygen refuses to overwrite, exit 2" '[ $? -eq 2 ]'
check "and says why" 'grep -q "exists" err'
check "and leaves both files as they were" '[ "$(sha256sum k k.pub)" = "$before" ]'
chmod 644 k
"$FEDSCORE" key id k >/dev/null 2>err
check "a secret key others can read is refused" '[ $? -eq 2 ] && grep -q permissions err'
chmod 600 k
"$FEDSCORE" nosuch 2>/dev/null
check "an unknown command is a usage error" '[ $? -eq 2 ]'

# ping: a server that does not know us drops the ping; with the right
# keys the reply verifies.
"$FEDSCORE" keygen -o a >/dev/null && "$FEDSCORE" keygen -o b >/dev/null &&
	"$FEDSCORE" keygen -o stranger >/dev/null
url="ipc://$dir/b.sock"
"$FEDSCORE" ping serve -k b --peer a.pub -l "$url" 2>server.err &
server=$!
"$FEDSCORE" ping -k a --peer b.pub -d "$url" -m hello >out
check "ping with registered keys succeeds" '[ $? -eq 0 ] && grep -q "^pong" out'
timeout 30 "$FEDSCORE" ping -k stranger --peer b.pub -d "$url" 2>err
rc=$?
check "ping from an unregistered key is refused, exit 1" '[ $rc -eq 1 ]'
check "and the refusal names the reason" 'grep -q "not registered" err'
kill "$server"
wait "$server"
check "ping serve stops cleanly on SIGTERM" '[ $? -eq 0 ]'
check "server reported the unregistered sender" 'grep -q "not registered" server.err'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
