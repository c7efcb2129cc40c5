#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# quickstart.sh -- set up a Debian 12 machine for fedscore and run it.
#
#   deploy/quickstart.sh demo   install what is missing, build, run the demo
#   deploy/quickstart.sh test   install what is missing, build, run all tests
#
# Debian packages are installed with apt-get only when missing (as root,
# or through sudo).  The build goes to ./build.
set -eu

cd "$(dirname "$0")/.."

# What building needs (libqrencode and libpng draw credit codes,
# libmicrohttpd serves the HTTP APIs and libcurl fetches them), and
# what the tests add: Node.js for the PASETO interoperability test, Go and
# x/mod for the transparency-log one, zbar to read a credit code back, jq
# for reading the node test's JSON, curl and openssl for the HTTP test's
# raw requests and its TLS certificates.
build_pkgs="gcc pkg-config meson ninja-build cmake libsodium-dev libnng-dev
libsqlite3-dev libmsgpack-dev libjansson-dev libcmocka-dev libqrencode-dev
libpng-dev libssl-dev libmicrohttpd-dev libcurl4-openssl-dev"
test_pkgs="golang-go golang-golang-x-mod-dev zbar-tools jq curl openssl"

usage() {
	echo "usage: deploy/quickstart.sh demo|test" >&2
	exit 2
}

[ $# -eq 1 ] || usage
case "$1" in
demo) want="$build_pkgs" ;;
test) want="$build_pkgs $test_pkgs"
	# Node.js may come from elsewhere than Debian; install it only when
	# there is none at all.
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
		want="$want nodejs npm" ;;
*) usage ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "quickstart: installing$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

[ -f build/build.ninja ] || meson setup build
meson compile -C build

case "$1" in
demo) exec ./build/cli/fedscore demo ;;
test) exec meson test -C build --print-errorlogs ;;
esac
