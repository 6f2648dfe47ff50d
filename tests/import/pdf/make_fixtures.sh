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
