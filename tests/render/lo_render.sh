#!/bin/bash
# lo_render.sh — what `gongkai render` writes, opened by an independent
# reader: LibreOffice headless (a private profile, bounded by timeouts, one
# soffice run per conversion over many files).
#  1. our .docx → text: every label and value of the tables in printed order
#     (check_lo_text.py), for the sample and random reports (gen_reports,
#     fixed seed) of both formats; a file LibreOffice cannot open fails here;
#  2. our .docx → PDF (sample, one random 2021 report): pdftotext finds the
#     merged headers and values;
#  3. our HTML → .docx saved by LibreOffice ("MS Word 2007 XML"): `gongkai
#     import` of that foreign Word file gives exactly the report (canonical JSON).
# usage: lo_render.sh GONGKAI GEN_REPORTS TEST_DATA FORMATS_DIR
set -u
G=$1 GEN=$2 DATA=$3 FORMATS=$4
HERE=$(cd "$(dirname "$0")" && pwd)
SOFFICE=$(command -v soffice || command -v libreoffice) || { echo "FAIL: LibreOffice not installed"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T"/json "$T"/docx "$T"/html "$T"/txt "$T"/pdf "$T"/lodocx
fail=0
bad() { echo "FAIL: $*"; fail=1; }
lo() { timeout 90 "$SOFFICE" -env:UserInstallation=file://"$T"/profile --headless "$@" >"$T"/lo.log 2>&1 ||
       { bad "soffice $*: $(tail -3 "$T"/lo.log)"; }; }

cp "$DATA/sample-350481101-2020.json" "$T/json/sample.json"
"$GEN" 15 4 2019 "$T/json" && "$GEN" 15 4 2021 "$T/json" || { echo "FAIL: gen_reports"; exit 1; }
for j in "$T"/json/*.json; do
  b=$(basename "$j" .json)
  "$G" render "$j" --docx -o "$T/docx/$b.docx" --name 永安市贡川镇 || bad "render --docx $b"
  "$G" render "$j" --html -o "$T/html/$b.html" --name 永安市贡川镇 || bad "render --html $b"
done
n=$(ls "$T"/json | wc -l)

# 1. text of our Word files
lo --convert-to "txt:Text (encoded):UTF8" --outdir "$T/txt" "$T"/docx/*.docx
for j in "$T"/json/*.json; do
  b=$(basename "$j" .json)
  [ -s "$T/txt/$b.txt" ] || { bad "LibreOffice did not convert $b.docx"; continue; }
  python3 "$HERE/check_lo_text.py" "$FORMATS" "$j" "$T/txt/$b.txt" || fail=1
done

# 2. PDF of two of them
lo --convert-to pdf --outdir "$T/pdf" "$T/docx/sample.docx" "$T/docx/2021-000.docx"
for b in sample 2021-000; do
  if [ -s "$T/pdf/$b.pdf" ] && pdftotext -layout "$T/pdf/$b.pdf" "$T/pdf/$b.txt" &&
     grep -q "申请人情况" "$T/pdf/$b.txt" && grep -q "法人或其他组织" "$T/pdf/$b.txt" &&
     grep -q "本年新收政府信息公开申请数量" "$T/pdf/$b.txt"; then
    echo "ok: $b.pdf"
  else
    bad "$b.pdf: no PDF or its text lacks the requests table"
  fi
done
grep -q "24252.311082\|73802895.9" "$T/pdf/sample.txt" 2>/dev/null || grep -q "行政事业性收费" "$T/pdf/sample.txt" ||
  bad "sample.pdf lacks the fee row"

# 3. LibreOffice's own Word file from our HTML imports to the report
lo --infilter="HTML (StarWriter)" --convert-to "docx:MS Word 2007 XML" --outdir "$T/lodocx" "$T"/html/*.html
same=0
for j in "$T"/json/*.json; do
  b=$(basename "$j" .json)
  e=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entity"])' "$j")
  if [ ! -s "$T/lodocx/$b.docx" ]; then bad "LibreOffice did not save $b.html as .docx"; continue; fi
  "$G" import "$T/lodocx/$b.docx" --entity "$e" -o "$T/lodocx/$b.json" 2>"$T/err"; rc=$?
  # a report without any table is refused by the Word reader by design (docx_no_table)
  if python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("tables") else 1)' "$j"; then
    if [ $rc = 0 ] && python3 -c 'import decimal,json,sys; a,b=(json.load(open(p),parse_float=decimal.Decimal) for p in sys.argv[1:3]); sys.exit(a!=b)' "$j" "$T/lodocx/$b.json"; then
      same=$((same + 1))
    else
      bad "LibreOffice's $b.docx imports differently (exit $rc): $(head -3 "$T/err")"
    fi
  fi
done
echo "LibreOffice: $n reports; $same of LibreOffice's .docx (from our HTML) import exactly"
[ "$same" -ge 8 ] || bad "too few exact imports of LibreOffice's .docx"
exit $fail
