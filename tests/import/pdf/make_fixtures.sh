#!/usr/bin/env bash
# Makes the PDF reader's fixtures with a real office suite, not with our own
# code: LibreOffice (headless) prints the HTML rendering of the shared sample
# (tests/import/corpus/sample_html_spans/input.html, real <table>s) to PDF,
# once plainly and once encrypted with an open password.  no_text.pdf is a
# page with only a drawn rectangle, as a scanned page has only an image: no
# text layer.  Run from anywhere; rewrites the files next to this script.
# Needs libreoffice-writer-nogui and fonts-noto-cjk (scripts/deps).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../corpus/sample_html_spans/input.html
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src" "$work/sample.html"
lo() { timeout 180 libreoffice --headless -env:UserInstallation=file://"$work"/profile "$@" >/dev/null; }
# "HTML (StarWriter)": the Writer import (the Writer/Web one starts with a blank page).
lo --infilter="HTML (StarWriter)" --convert-to pdf:writer_pdf_Export --outdir "$work" "$work/sample.html"
cp "$work/sample.pdf" "$here/sample.pdf"
mkdir "$work/enc"
lo --infilter="HTML (StarWriter)" \
   --convert-to 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"gongkai"}}' \
   --outdir "$work/enc" "$work/sample.html"
cp "$work/enc/sample.pdf" "$here/encrypted.pdf"
# The 2021-format report (tests/import/corpus/report_2021_html): its
# 收到和处理 table runs over two page breaks, one of them inside the
# three-line column header, and labels wrap over up to four lines.
cp "$here/../corpus/report_2021_html/input.html" "$work/report_2021.html"
lo --infilter="HTML (StarWriter)" --convert-to pdf:writer_pdf_Export --outdir "$work" "$work/report_2021.html"
cp "$work/report_2021.pdf" "$here/report_2021.pdf"
# The same report as the portal page with its footer (打印本页, 版权所有, 主办单位…)
# after the signature and the date set right.
cp "$here/../corpus/report_2021_html_footer/input.html" "$work/report_2021_footer.html"
lo --infilter="HTML (StarWriter)" --convert-to pdf:writer_pdf_Export --outdir "$work" "$work/report_2021_footer.html"
cp "$work/report_2021_footer.pdf" "$here/report_2021_footer.pdf"
# The same with two cells left blank (absent): 行政规范性文件's 本年废止件数 and
# 本年新收's 科研机构 — a blank cell has no text in a PDF at all.
python3 - "$work/report_2021.html" "$work/report_2021_blanks.html" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
for old, new in [
    ('<td><p>行政规范性文件</p></td><td><p>2</p></td><td><p>1</p></td>',
     '<td><p>行政规范性文件</p></td><td><p>2</p></td><td><p></p></td>'),
    ('<td colspan="3"><p>一、本年新收政府信息公开申请数量</p></td><td><p>5</p></td><td><p>2</p></td><td><p>0</p></td>',
     '<td colspan="3"><p>一、本年新收政府信息公开申请数量</p></td><td><p>5</p></td><td><p>2</p></td><td><p></p></td>')]:
    assert old in s
    s = s.replace(old, new)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
lo --infilter="HTML (StarWriter)" --convert-to pdf:writer_pdf_Export --outdir "$work" "$work/report_2021_blanks.html"
cp "$work/report_2021_blanks.pdf" "$here/report_2021_blanks.pdf"
# The same with page furniture and one row the format does not have: a
# running header and a two-line footer ("第 N 页 共 M 页" and the office's
# name) on every page, set in LibreOffice's own page style (the HTML import
# has none, so the document goes through LibreOffice's flat ODT, where the
# master page gets them), and a row "行政调解 7" in the 主动公开 table.
mkdir "$work/furn"
python3 - "$work/report_2021.html" "$work/furn/report_2021_furniture.html" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
row = '<tr><td><p>行政强制</p></td><td colspan="3"><p>3</p></td></tr>'
assert row in s
s = s.replace(row, row + '\n<tr><td><p>行政调解</p></td><td colspan="3"><p>7</p></td></tr>')
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
lo --infilter="HTML (StarWriter)" --convert-to fodt --outdir "$work/furn" "$work/furn/report_2021_furniture.html"
python3 - "$work/furn/report_2021_furniture.fodt" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
hf = ('<style:header-style><style:header-footer-properties fo:min-height="0.3in" '
      'fo:margin-bottom="0.15in"/></style:header-style>'
      '<style:footer-style><style:header-footer-properties fo:min-height="0.5in" '
      'fo:margin-top="0.15in"/></style:footer-style>')
s, n = re.subn(r'<style:header-style/>\s*<style:footer-style/>', hf, s)
assert n >= 1, "no page layout to give a header and footer"
body = ('<style:header><text:p>西洋镇政务公开专栏</text:p></style:header>'
        '<style:footer><text:p>第 <text:page-number text:select-page="current">1</text:page-number>'
        ' 页 共 <text:page-count>1</text:page-count> 页</text:p>'
        '<text:p>永安市西洋镇人民政府办公室印发</text:p></style:footer>')
s, n = re.subn(r'<style:master-page ([^>]*)/>', r'<style:master-page \1>' + body + '</style:master-page>', s)
assert n >= 1, "no master page"
open(p, "w", encoding="utf-8").write(s)
PY
lo --convert-to pdf:writer_pdf_Export --outdir "$work/furn" "$work/furn/report_2021_furniture.fodt"
cp "$work/furn/report_2021_furniture.pdf" "$here/report_2021_furniture.pdf"
python3 - "$here/no_text.pdf" <<'PY'
import sys
objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>"]
stream = b"0.5 g 72 400 450 300 re f"
objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
out = bytearray(b"%PDF-1.4\n")
offs = []
for i, o in enumerate(objs, 1):
    offs.append(len(out))
    out += b"%d 0 obj\n%s\nendobj\n" % (i, o)
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for o in offs:
    out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open(sys.argv[1], "wb").write(out)
PY
ls -l "$here"/*.pdf
