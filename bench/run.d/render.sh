#!/usr/bin/env bash
# gongkai render (issue 15 item 8, target: <= 20 ms per report) as HTML and
# DOCX, each next to `gongkai import` of the same report as HTML, in the same
# run.  200 renderings per report and kind: bounded.
set -euo pipefail
b=${1:-build/bench}
echo "## render: the sample (2019 format) and the 2021 corpus report, HTML and DOCX, vs import of their HTML"
"$b"/bench/bench_render 200 tests/data/sample-350481101-2020.json \
  tests/import/corpus/report_2021_html/expected.json
