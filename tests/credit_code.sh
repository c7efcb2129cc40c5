#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# credit_code.sh -- the credit code: an attestation drawn as a QR code, as
# a PNG that zbarimg (Debian's zbar-tools) reads back to the same token,
# which then verifies under a signed trust list; and on the terminal, in
# half blocks.  Skipped (77) without zbarimg.
set -u
FEDSCORE=${FEDSCORE:?set by meson}
SCHEMES=${FS_SCHEMES:?set by meson}
TOOL=${FS_ATTEST_TOOL:?set by meson}
if ! command -v zbarimg > /dev/null 2>&1; then
	echo "SKIP: zbarimg is not installed (Debian package zbar-tools)"
	exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0 fail=0
check() {
	if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"
	else fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/# /' err 2>/dev/null; fi
}
cd "$dir"

"$FEDSCORE" keygen -o yuxi.key > /dev/null
"$FEDSCORE" keygen -o office.key > /dev/null
cp "$SCHEMES/yuxi.conf" "$SCHEMES/changzhou.conf" .
cat > trust.ini <<INI
[trust]
local = changzhou
scheme = changzhou.conf
[region yuxi]
key = $(cat yuxi.key.pub)
not_before = 2020-01-01T00:00:00Z
not_after = 2099-01-01T00:00:00Z
map.excellent = excellent
map.good = good
map.fair = fair
map.poor = poor
INI
"$FEDSCORE" attest trust sign -k office.key -o trust.list trust.ini > /dev/null 2> err
check "the trust list is signed" '[ $? -eq 0 ]'

id=530402199002010018
salt=AQIDBAUGBwgJCgsMDQ4PEA
tier=$("$TOOL" yuxi.key yuxi.conf tier:good --bind $id $salt)
score=$("$TOOL" yuxi.key yuxi.conf 812)
for t in tier score; do
	tok=${!t}
	"$FEDSCORE" attest code --png $t.png "$tok" 2> err
	check "$t attestation: a PNG credit code" '[ $? -eq 0 ] && [ -s $t.png ]'
	got=$(zbarimg -q --raw $t.png 2> err)
	check "$t attestation: zbarimg reads back the same token" '[ "$got" = "$tok" ]'
done
zbarimg -q --raw tier.png 2> /dev/null | "$FEDSCORE" attest verify --trust trust.list \
	--office office.key.pub --id $id --salt $salt - > out 2> err
check "the decoded code verifies, subject included: good in changzhou" \
	'[ $? -eq 0 ] && grep -q "^recognized: good" out && grep -q "bound to the ID number" out'
zbarimg -q --raw score.png 2> /dev/null | "$FEDSCORE" attest verify --trust trust.list \
	--office office.key.pub - > out 2> err
check "the score code verifies: 812 is excellent" '[ $? -eq 0 ] && grep -q "^recognized: excellent" out'

# On the terminal: two module rows a line, a quiet zone of two modules.
"$FEDSCORE" attest code "$tier" > term 2> err
check "a terminal credit code" '[ $? -eq 0 ] && grep -q "█" term'
w=$(head -1 term | wc -m)
check "every line is as wide as the code" \
	'[ "$(while IFS= read -r l; do printf "%s\n" "$l" | wc -m; done < term | sort -u | wc -l)" -eq 1 ]'
check "and half as tall as wide (half blocks)" \
	'[ $(( ($(wc -l < term) * 2 - (w - 1)) )) -ge 0 ] && [ $(( $(wc -l < term) * 2 - (w - 1) )) -le 1 ]'
"$FEDSCORE" attest code "not a token" 2> err
check "a code of something else is refused" '[ $? -eq 2 ] && grep -q "expected an attestation" err'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
