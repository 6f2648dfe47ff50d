#!/usr/bin/env bash
# `gongkai check` and `gongkai template` as a person uses them: output and
# exit codes (0 no errors, 1 errors, 2 not a report).
set -u
bin=$1 data=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$bin" check "$data/sample-350481101-2020.json"); rc=$?
[ $rc -eq 1 ] || fail "sample: exit $rc, want 1"
grep -q 'structure.missing_table' <<<"$out" || fail "sample: no missing_table: $out"
grep -q '缺少第四部分“政府信息公开行政复议、行政诉讼情况”表格' <<<"$out" || fail "sample: message: $out"
[ "$(grep -c '^  错误' <<<"$out")" -eq 1 ] || fail "sample: want exactly one error line: $out"

"$bin" template --year 2022 --entity 350481101 >"$tmp/t.json" || fail "template exit"
grep -q '"format": "2021"' "$tmp/t.json" || fail "template format for 2022"
out=$("$bin" check "$tmp/t.json"); rc=$?
# a fresh template has blank prose: three missing_narrative errors, nothing else
[ $rc -eq 1 ] || fail "template check exit $rc"
[ "$(grep -c 'structure.missing_narrative' <<<"$out")" -eq 3 ] || fail "template: $out"
[ "$(grep -c '^  错误' <<<"$out")" -eq 3 ] || fail "template: only narrative errors expected: $out"

sed -e 's/"overview": ""/"overview": "总体情况"/' -e 's/"problems": ""/"problems": "问题"/' \
    -e 's/"other": ""/"other": "无"/' "$tmp/t.json" >"$tmp/ok.json"
"$bin" check "$tmp/ok.json" >/dev/null; rc=$?
[ $rc -eq 0 ] || fail "filled template: exit $rc, want 0"

printf '{"format":"2021",\n  "year": 2022,,}' >"$tmp/bad.json"
err=$("$bin" check "$tmp/bad.json" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "bad json: exit $rc"
grep -q '第 2 行第 16 列' <<<"$err" || fail "bad json: no line/column: $err"
"$bin" check "$tmp/missing.json" 2>/dev/null; [ $? -eq 2 ] || fail "missing file exit"

js=$("$bin" check --json "$data/sample-350481101-2020.json" "$tmp/ok.json")
grep -q '"status": "errors"' <<<"$js" || fail "json status"
grep -q '"status": "ok"' <<<"$js" || fail "json ok status"
"$bin" template --year 2022 --entity 3504 --format 1999 2>/dev/null; [ $? -eq 2 ] || fail "unknown format"
# the client's years are the core's (GK_YEAR_MIN..GK_YEAR_MAX), checked before any network
err=$(GONGKAI_URL= GONGKAI_TOKEN= "$bin" status 350481 --year 2005 2>&1); rc=$?
[ $rc -eq 2 ] || fail "year 2005: exit $rc, want 2"
grep -q '年度应为 2008 到 2100 之间的年份' <<<"$err" || fail "year 2005: message: $err"
# the import usage lists the registry's versions, not a hardcoded pair
"$bin" import --help 2>&1 | grep -q -- '--format F      报告格式 2019 或 2021' || fail "import usage: format versions"
printf '{"format":"2030","year":2022,"entity":"35"}' >"$tmp/f.json"
err=$("$bin" check "$tmp/f.json" 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || fail "unknown format: exit $rc"
grep -q '未知的报告格式 format “2030”（已知：2019、2021）' <<<"$err" || fail "unknown format message: $err"
# a number jansson cannot hold is a finding on its cell, not "not a report"
printf '{"format":"2021","year":2022,"entity":"35","tables":{"active":{"licensing":{"decisions":18446744073709551616}}}}' >"$tmp/big.json"
out=$("$bin" check "$tmp/big.json" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "2^64 in a cell: exit $rc, want 1: $out"
grep -q 'value.invalid  *tables.active.licensing.decisions .*18446744073709551616 超出可表示的范围' <<<"$out" \
  || fail "2^64 in a cell: $out"
echo "ok"
