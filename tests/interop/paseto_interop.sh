#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# paseto_interop.sh -- fedscore's PASETO v4.public against an independent
# implementation, panva/paseto on Node.  Done means: a token from fedscore
# verifies there given the issuer's k4.public key, a token made there with
# the issuer's k4.secret key verifies with fedscore, and a tampered token
# is refused by both.
#
# usage: paseto_interop.sh PASETO_TOOL PASETO_INTEROP_MJS NPM_DIR
#
# The npm package is installed into NPM_DIR (under the build directory)
# the first time.  Without node, npm or the package, the test is skipped
# with exit code 77, which meson reports as SKIP.

set -u

TOOL=$1
MJS=$2
NPM_DIR=$3
PKG=paseto@3.1.4

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok - $*"
}

command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
if [ ! -f "$NPM_DIR/node_modules/paseto/package.json" ]; then
	mkdir -p "$NPM_DIR" || fail "cannot create $NPM_DIR"
	echo "installing $PKG into $NPM_DIR"
	npm install --prefix "$NPM_DIR" --no-audit --no-fund --prefer-offline \
	    --fetch-retries=1 --fetch-timeout=60000 \
	    "$PKG" >"$NPM_DIR/install.log" 2>&1 ||
	    skip "npm install $PKG failed (offline, no cache?); see $NPM_DIR/install.log"
fi
export FS_NPM="$NPM_DIR"

C() { "$TOOL" "$@"; }
N() { node "$MJS" "$@"; }

VERSION=$(N version) || skip "cannot load $PKG from $NPM_DIR"
echo "fedscore against $VERSION"

# refused CMD...: CMD must refuse (exit 1), neither accept nor fail to run.
refused() {
	"$@" >/dev/null 2>"$TMP/err"
	rc=$?
	[ $rc -eq 1 ] || fail "expected a refusal (1), got $rc from: $* $(cat "$TMP/err")"
	cat "$TMP/err"
}

# tamper TOKEN POS: one base64url character changed.
tamper() {
	printf '%s\n' "$1" | awk -v p="$2" '{
		c = substr($0, p, 1); r = (c == "A") ? "B" : "A"
		print substr($0, 1, p - 1) r substr($0, p + 1) }'
}

TMP=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$TMP"' EXIT

# The issuer's keys, made by fedscore; another pair made by the library.
C keygen >"$TMP/ckeys" || fail "paseto_tool keygen"
CSEC=$(sed -n 1p "$TMP/ckeys")
CPUB=$(sed -n 2p "$TMP/ckeys")
CPID=$(C pid "$CPUB") || fail "paseto_tool pid"
N keygen >"$TMP/nkeys" || fail "node keygen"
NSEC=$(sed -n 1p "$TMP/nkeys")
NPUB=$(sed -n 2p "$TMP/nkeys")
case $NSEC in k4.secret.*) ;; *) fail "node made no k4.secret: $NSEC" ;; esac

# 1. Raw PASETO, footer and implicit assertion: Ed25519 is deterministic,
# so both must make the very same token, and each must open the other's.
MSG='{"data":"fedscore interop","n":1}'
FOOTER="{\"kid\":\"$CPID\"}"
TC=$(printf '%s' "$MSG" | C sign "$CSEC" "$FOOTER" cz) || fail "C sign"
TN=$(printf '%s' "$MSG" | N sign "$CSEC" "$FOOTER" cz) || fail "node sign"
[ "$TC" = "$TN" ] || fail "tokens differ:
  fedscore: $TC
  node:     $TN"
ok "same key, message, footer and assertion: the same token"
[ "$(N open "$CPUB" "$FOOTER" cz "$TC")" = "$MSG" ] || fail "node open of fedscore's token"
[ "$(C open "$CPUB" "$FOOTER" cz "$TN")" = "$MSG" ] || fail "C open of node's token"
ok "each opens the other's token"

# 2. Keys made by the library, read by fedscore from PASERK, both ways.
TC=$(printf 'binary \001\002' | C sign "$NSEC" "" "") || fail "C sign with node's key"
N open "$NPUB" "" "" "$TC" >"$TMP/m" || fail "node open with its own key"
printf 'binary \001\002' | cmp -s - "$TMP/m" || fail "message changed"
TN=$(printf 'from node' | N sign "$NSEC" "" "") || fail "node sign"
[ "$(C open "$NPUB" "" "" "$TN")" = "from node" ] || fail "C open of node's token"
ok "keys made by the library, as k4.secret and k4.public"

# 3. Consent tokens.  fedscore issues, the library verifies with the
# issuer's k4.public, checking the kid, the region and the times.
TC=$(C issue "$CSEC" cz) || fail "C issue"
N verify "$CPUB" "$CPID" cz "$TC" >"$TMP/claims" || fail "node verify of fedscore's consent token"
grep -q '"reg":"cz"' "$TMP/claims" || fail "claims: $(cat "$TMP/claims")"
ok "fedscore's consent token verifies with the library: $(cat "$TMP/claims")"
refused N verify "$CPUB" "$CPID" yx "$TC"
ok "the library refuses it for another region"

# The library issues with the issuer's k4.secret, fedscore verifies.
TN=$(N issue "$CSEC" "$CPID" cz) || fail "node issue"
C verify "$CPUB" cz "$TN" >"$TMP/claims" || fail "C verify of the library's consent token"
grep -q '"scope":"breakdown"' "$TMP/claims" || fail "claims: $(cat "$TMP/claims")"
ok "the library's consent token verifies with fedscore: $(cat "$TMP/claims")"
refused C verify "$CPUB" yx "$TN" | grep -q wrong-region || fail "not wrong-region"
ok "fedscore refuses it for another region: wrong-region"
refused C verify "$NPUB" cz "$TN" | grep -q wrong-key || fail "not wrong-key"
ok "fedscore refuses it under another key: wrong-key"

# 4. Tampered tokens: a character of the message, of the signature.
for T in "$TC" "$TN"; do
	BODY=$(printf '%s' "$T" | cut -d. -f3)
	for P in 30 $((10 + ${#BODY} - 20)); do
		F=$(tamper "$T" "$P")
		[ "$F" != "$T" ] || fail "tamper did nothing"
		refused C verify "$CPUB" cz "$F" | grep -q bad-signature ||
		    fail "fedscore: not bad-signature"
		refused N verify "$CPUB" "$CPID" cz "$F"
	done
done
ok "tampered consent tokens are refused by both"
F=$(tamper "$(printf '%s' "$MSG" | C sign "$CSEC" "$FOOTER" cz)" 40)
refused C open "$CPUB" "$FOOTER" cz "$F"
refused N open "$CPUB" "$FOOTER" cz "$F"
ok "a tampered raw token is refused by both"

# 5. The same through the fedscore command an issuer runs: a token from
# 'fedscore consent grant' verifies with the library, and a token the
# library makes with the issuer's k4.secret verifies with 'fedscore
# consent verify'.
if [ -n "${FEDSCORE:-}" ]; then
	cat >"$TMP/issuer.conf" <<CONF
[issuer]
name = interop-issuer
region = cz
key = issuer.key
oprf_seed = oprf.seed
db = issuer.db
listen = ipc://$TMP/issuer.sock
CONF
	"$FEDSCORE" issuer init -c "$TMP/issuer.conf" >/dev/null ||
	    fail "fedscore issuer init"
	ISEC=$(grep '^k4\.secret\.' "$TMP/issuer.key")
	IPUB=$(cat "$TMP/issuer.key.pub")
	IPID=$("$FEDSCORE" key id "$TMP/issuer.key.pub")
	TC=$("$FEDSCORE" consent grant -c "$TMP/issuer.conf" \
	    --id 11010519491231002X --to bank.example --purpose credit_loan \
	    --scope score 2>/dev/null) || fail "fedscore consent grant"
	N verify "$IPUB" "$IPID" cz "$TC" >"$TMP/claims" ||
	    fail "the library refuses the token of fedscore consent grant"
	grep -q '"aud":"bank.example"' "$TMP/claims" || fail "claims: $(cat "$TMP/claims")"
	ok "a token from 'fedscore consent grant' verifies with the library"
	TN=$(N issue "$ISEC" "$IPID" cz) || fail "node issue"
	"$FEDSCORE" consent verify --key "$TMP/issuer.key.pub" --region cz \
	    "$TN" >"$TMP/claims" || fail "fedscore consent verify refuses the library's token"
	ok "the library's token verifies with 'fedscore consent verify'"
	F=$(tamper "$TN" 40)
	refused "$FEDSCORE" consent verify --key "$TMP/issuer.key.pub" \
	    --region cz "$F" | grep -q bad-signature || fail "not bad-signature"
	ok "'fedscore consent verify' refuses the tampered token"
fi

echo "PASS"
