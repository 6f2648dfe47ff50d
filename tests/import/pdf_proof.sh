#!/usr/bin/env bash
# The PDF reader's proof (issue 19 item 2), by hand for now (not in ctest:
# see docs/import.md, "PDF proof"): reports rendered to HTML are printed to
# PDF by LibreOffice headless (all files in one soffice call), the same
# reports rendered to Word (.docx) likewise, and by Chromium (--print-to-pdf,
# one file after the other, its own profile), and
# each PDF must import to exactly its report (pdf_proof check).
#
#   tests/import/pdf_proof.sh PDF_PROOF_BINARY [N_RANDOM [N_CHROMIUM]]
#
# N_RANDOM random reports per format (default 200) besides the sample and
# tests/cases; Chromium prints the first N_CHROMIUM files of each kind
# (default: all; 0: Chromium left out).  Another HTML renderer can be proved the same way: put
# <id>.html and <id>.json pairs in a directory and run the two conversions
# and `pdf_proof check DIR PDFDIR` on it.  Prints the counts and the time
# each step took; exit 1 when any PDF does not import exactly.
set -euo pipefail
proof=${1:?usage: pdf_proof.sh PDF_PROOF_BINARY [N_RANDOM [N_CHROMIUM]]}
n=${2:-200}
ncr=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)
mkdir -p "$work/in"
"$proof" emit "$work/in" "$n"
t1=$(date +%s)
mkdir -p "$work/lo" "$work/cr"
# One LibreOffice for every file; "HTML (StarWriter)" is Writer's own import
# (Writer/Web's starts with a blank page).
(cd "$work/in" && timeout 1800 libreoffice --headless -env:UserInstallation=file://"$work"/lo-profile \
  --infilter="HTML (StarWriter)" --convert-to pdf:writer_pdf_Export --outdir "$work/lo" ./*.html \
  >/dev/null 2>&1) || echo "pdf_proof.sh: LibreOffice failed" >&2
# The Word files, printed by the same office suite (its DOCX import).
mkdir -p "$work/lo-docx"
(cd "$work/in" && timeout 1800 libreoffice --headless -env:UserInstallation=file://"$work"/lo-profile \
  --convert-to pdf:writer_pdf_Export --outdir "$work/lo-docx" ./*.docx \
  >/dev/null 2>&1) || echo "pdf_proof.sh: LibreOffice (docx) failed" >&2
t2=$(date +%s)
files=("$work"/in/*.html)
if [[ -n $ncr ]]; then
  sel=()
  for kind in sample case- random-2019 random-2021; do
    k=0
    for f in "${files[@]}"; do
      b=$(basename "$f")
      [[ $b == "$kind"* ]] || continue
      ((k < ncr)) || break
      sel+=("$f")
      k=$((k + 1))
    done
  done
  files=("${sel[@]}")
fi
for f in "${files[@]}"; do
  b=$(basename "$f" .html)
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/cr-profile" --no-pdf-header-footer \
    --print-to-pdf="$work/cr/$b.pdf" "file://$f" >/dev/null 2>&1 ||
    echo "pdf_proof.sh: Chromium failed on $b" >&2
done
t3=$(date +%s)
rc=0
"$proof" check "$work/in" "$work/lo" | tail -n 40 || rc=1
"$proof" check "$work/in" "$work/lo-docx" | tail -n 40 || rc=1
if [[ $ncr == 0 ]]; then
  :   # Chromium left out
elif [[ -n $ncr ]]; then
  # only the files Chromium printed
  mkdir -p "$work/in-cr"
  for f in "${files[@]}"; do
    b=$(basename "$f" .html)
    cp "$work/in/$b.json" "$work/in-cr/"
  done
  "$proof" check "$work/in-cr" "$work/cr" | tail -n 40 || rc=1
else
  "$proof" check "$work/in" "$work/cr" | tail -n 40 || rc=1
fi
t4=$(date +%s)
echo "pdf_proof.sh: emit $((t1 - t0)) s, LibreOffice $((t2 - t1)) s ($(ls "$work/lo" | wc -l) + $(ls "$work/lo-docx" | wc -l) PDFs)," \
     "Chromium $((t3 - t2)) s (${#files[@]} PDFs), import and compare $((t4 - t3)) s"
exit $rc
