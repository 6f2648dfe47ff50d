#!/bin/bash
# cli_render.sh — `gongkai render` as a person runs it: the sample rendered
# imports back to the same JSON (also without --name, the title then naming
# the entity from the shipped registry), a rollup answer renders, and bad
# input gives a clear message with exit 2 (usage, not a report) or 1 (file).
# usage: cli_render.sh GONGKAI TEST_DATA_DIR
set -u
G=$1
DATA=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
canon() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$1"; }

SAMPLE=$DATA/sample-350481101-2020.json
# 1. HTML: render, import, compare (entity found from the title by the registry)
if "$G" render "$SAMPLE" --html -o "$T/s.html" && "$G" import "$T/s.html" -o "$T/s.json" 2>"$T/err" &&
   [ "$(canon "$SAMPLE")" = "$(canon "$T/s.json")" ]; then
  ok "html round trip"
else
  bad "html round trip"; cat "$T/err"
fi
grep -q '<h1>永安市贡川镇<br />2020年政府信息公开工作年度报告</h1>' "$T/s.html" && ok "title names the entity" ||
  bad "title: $(grep -o '<h1>.*</h1>' "$T/s.html")"
# standard output, --name
"$G" render "$SAMPLE" --html --name 贡川镇人民政府 >"$T/o.html" && grep -q '<h1>贡川镇人民政府<br />' "$T/o.html" &&
  ok "stdout and --name" || bad "stdout and --name"
# the daemon's answer {"report": …} renders the report inside
python3 -c 'import json,sys; print(json.dumps({"entity":"350481101","year":2020,"revision":1,"report":json.load(open(sys.argv[1]))}, ensure_ascii=False))' "$SAMPLE" >"$T/answer.json"
"$G" render "$T/answer.json" --html -o "$T/a.html" && cmp -s "$T/a.html" "$T/s.html" && ok "server answer" ||
  bad "server answer differs"

# Word: the same through --docx
if "$G" render "$SAMPLE" --docx -o "$T/s.docx" && "$G" import "$T/s.docx" -o "$T/d.json" 2>"$T/err" &&
   [ "$(canon "$SAMPLE")" = "$(canon "$T/d.json")" ]; then
  ok "docx round trip"
else
  bad "docx round trip"; cat "$T/err"
fi

# a rollup answer: the county's draft (sums, "(1/2)", "/", prose to be written)
cat >"$T/rollup.json" <<'J'
{"region":{"code":"350481","name":"永安市"},"year":2020,"format":"2019",
 "rollup":{"format":"2019","reports":2,"tables":{
  "requests":{"received":{"total":{"sum":5,"reported":1,"not_applicable":0,"blank":1},
                          "natural_person":{"sum":7,"reported":2,"not_applicable":0,"blank":0},
                          "enterprise":{"sum":0,"reported":0,"not_applicable":2,"blank":0}}},
  "active":{"procurement":{"amount_yuan":{"sum":73802895.900001,"reported":2,"not_applicable":0,"blank":0}}}}}}
J
if "$G" render "$T/rollup.json" --html -o "$T/r.html" && grep -q '<h1>永安市<br />2020年政府信息公开工作年度报告</h1>' "$T/r.html" &&
   grep -q '汇总稿' "$T/r.html" && grep -q '>5 (1/2)<' "$T/r.html" && grep -q '>7<' "$T/r.html" &&
   grep -q '>73802895.900001<' "$T/r.html" && grep -q '（待填写）' "$T/r.html" &&
   grep -q '<td class="n">/</td><td class="n"></td>' "$T/r.html"; then
  ok "rollup draft"
else
  bad "rollup draft"
fi
"$G" render "$T/rollup.json" --docx -o "$T/r.docx" && [ "$(head -c 2 "$T/r.docx")" = PK ] && ok "rollup draft docx" ||
  bad "rollup draft docx"

# 2. errors
"$G" render "$SAMPLE" --docx 2>"$T/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q -- "-o" "$T/err" && ok "docx without -o: exit 2" || bad "docx without -o: exit $rc"
"$G" render "$SAMPLE" --docx --html -o "$T/x" 2>"$T/err"; rc=$?
[ $rc = 2 ] && [ ! -e "$T/x" ] && ok "two kinds: exit 2" || bad "two kinds: exit $rc"
"$G" render "$SAMPLE" -o "$T/x.html" 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q -- "--html" "$T/err" && ok "no kind: exit 2" || bad "no kind: exit $rc"
echo '{"format":"1999","year":2020,"entity":"1"}' >"$T/bad.json"
"$G" render "$T/bad.json" --html -o "$T/x.html" 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "不是年度报告" "$T/err" && [ ! -e "$T/x.html" ] && ok "not a report: exit 2, nothing written" ||
  bad "not a report: exit $rc $(cat "$T/err")"
echo 'not json' >"$T/bad2.json"
"$G" render "$T/bad2.json" --html 2>"$T/err" >/dev/null; rc=$?
[ $rc = 2 ] && grep -q "不是 JSON" "$T/err" && ok "not JSON: exit 2" || bad "not JSON: exit $rc"
"$G" render "$T/missing.json" --html 2>"$T/err" >/dev/null; rc=$?
[ $rc = 1 ] && grep -q "无法读取" "$T/err" && ok "missing file: exit 1" || bad "missing file: exit $rc"
exit $fail
