#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# tlog_interop.sh TLOG_TOOL TLOGCHECK_DIR BUILD_DIR
#
# Checkpoints, inclusion proofs and consistency proofs written by fedscore
# (tlog_tool) must be accepted by Go's golang.org/x/mod/sumdb/note and
# sumdb/tlog (tlogcheck), and every tampered copy refused.  Go is built
# offline, in GOPATH mode, against Debian's golang-golang-x-mod-dev.
# Exit status: 0 passed, 1 failed, 77 skipped (Go or the package missing;
# FS_GOPATH overrides the GOPATH holding golang.org/x/mod).

set -u

tool=$1
src=$2
build=$3
gopath=${FS_GOPATH:-/usr/share/gocode} # Debian installs Go sources here

if ! command -v go >/dev/null 2>&1; then
	echo "SKIP: no go command (Debian package golang-go)"
	exit 77
fi
for p in note tlog; do
	if [ ! -d "$gopath/src/golang.org/x/mod/sumdb/$p" ]; then
		echo "SKIP: no golang.org/x/mod/sumdb/$p in $gopath" \
		    "(Debian package golang-golang-x-mod-dev)"
		exit 77
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tlog-interop.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
check=$build/tlogcheck

if ! env GO111MODULE=off GOPATH="$gopath" GOPROXY=off GOFLAGS= \
    GOCACHE="$build/gocache" go build -o "$check" "$src/main.go"; then
	echo "FAIL: cannot build tlogcheck against $gopath"
	exit 1
fi

passed=0
failed=0

ok() {
	echo "ok: $1"
	passed=$((passed + 1))
}

bad() {
	echo "FAIL: $1"
	sed 's/^/    /' "$work/out"
	failed=$((failed + 1))
}

# make NAME SIZE INDEX OLD writes a fresh log into $work/NAME.
make() {
	rm -rf "${work:?}/$1"
	mkdir "$work/$1" && "$tool" "$work/$1" "$2" "$3" "$4" >"$work/out" 2>&1
}

accept() {
	if "$check" "$work/$1" >"$work/out" 2>&1; then
		ok "Go accepts $2"
	else
		bad "Go refuses $2"
	fi
}

# refuse wants exit status 1 (refused), not 2 (could not read the input).
refuse() {
	"$check" "$work/$1" >"$work/out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ]; then
		ok "Go refuses $2: $(tail -n 1 "$work/out")"
	else
		bad "Go exits $rc, not 1, on $2"
	fi
}

# flip FILE LINE COLUMN changes one base64 or decimal character in place.
flip() {
	awk -v l="$2" -v c="$3" 'NR == l {
		ch = substr($0, c, 1)
		d = index("0123456789", ch)
		r = d ? (d % 10) : (ch == "A") ? "B" : "A"
		$0 = substr($0, 1, c - 1) r substr($0, c + 1)
	} { print }' "$1" >"$1.new" && mv "$1.new" "$1"
}

for t in "1 0 1" "2 1 1" "3 0 2" "7 6 4" "8 3 8" "70 37 13" \
    "1000 999 512" "1025 1024 1"; do
	set -- $t
	if make good "$1" "$2" "$3"; then
		accept good "size $1, entry $2, consistency from $3"
	else
		bad "tlog_tool $t"
	fi
done

# Tampered copies of one log: each must be refused.
tamper() {
	make t 70 37 13 || { bad "tlog_tool 70 37 13"; return; }
	flip "$work/t/$1" "$2" "$3"
	refuse t "$4"
}
tamper checkpoint 2 1 "a checkpoint with another size"
tamper checkpoint 3 5 "a checkpoint with another root"
tamper checkpoint 5 40 "a checkpoint with a broken log signature"
tamper checkpoint 6 40 "a checkpoint with a broken cosignature"
tamper inclusion 1 1 "an inclusion proof for another index"
tamper inclusion 2 3 "an inclusion proof for another entry"
tamper inclusion 3 5 "an inclusion proof with a changed hash"
tamper inclusion 9 5 "an inclusion proof with its last hash changed"
tamper consistency 1 1 "a consistency proof from another size"
tamper consistency 2 5 "a consistency proof from another root"
tamper consistency 3 5 "a consistency proof with a changed hash"

# A proof missing its last hash.
make t 70 37 13 && sed -i '$d' "$work/t/inclusion" &&
	refuse t "an inclusion proof missing a hash"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
