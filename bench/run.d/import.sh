#!/usr/bin/env bash
# gongkai import's readers on the same reports (issue 15, target: a typical
# report as DOCX or XLSX imported in <= 20 ms; issue 19: a typical 4-page
# report as PDF in <= 100 ms), each next to the same report as HTML or text,
# measured in the same run.  200 imports per file (PDF: 50): bounded.
set -euo pipefail
b=${1:-build/bench}
c=tests/import/corpus
echo "## import: the sample (2019 format) as HTML (baseline), and as DOCX saved by LibreOffice"
"$b"/bench/bench_import 200 "$c/sample_html_spans/input.html" "$c/docx_lo_sample/input.docx"
echo "## import: the 2021 report as text (baseline), HTML, DOCX (LibreOffice, Word-like), XLSX"
"$b"/bench/bench_import 200 "$c/report_2021_text/input.txt" "$c/report_2021_html/input.html" \
  "$c/docx_lo_2021/input.docx" "$c/docx_word_features/input.docx" "$c/xlsx_2021/input.xlsx" \
  "$c/xlsx_2021_shared_formulas/input.xlsx"
echo "## import: the same 2021 report as HTML (baseline) and as the filled Excel template"
echo "## (read by its defined names), and that workbook without its names (general rules)"
"$b"/bench/bench_import 200 "$c/report_2021_html/input.html" "$c/xlsx_template_2021/input.xlsx" \
  "$c/xlsx_template_no_names/input.xlsx"
echo "## import: the 2021 report as HTML (baseline), as PDF printed by LibreOffice (3 pages), and"
echo "##         the same with a running header, page-number footer and one more row (4 pages)"
p=tests/import/pdf
"$b"/bench/bench_import 50 "$c/report_2021_html/input.html" "$p/report_2021.pdf" \
  "$p/report_2021_furniture.pdf"
echo "## import: the sample (2019 format, 6 pages) as HTML (baseline) and as PDF"
"$b"/bench/bench_import 50 "$c/sample_html_spans/input.html" "$p/sample.pdf"
