#!/usr/bin/env python3
"""Writes small PDF seeds for fuzz_import_pdf: the real fixtures are 230 KB
(embedded CJK fonts) and poppler is slow on them, so libFuzzer starts from
hand-made pages a few hundred bytes long: a table of Latin-1 text and
numbers in columns (Helvetica, no embedding), a wrapped label, and a page
without text.  Run from anywhere; writes next to this script."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def pdf(stream, font=True):
    res = b"<< /Font << /F1 5 0 R >> >>" if font else b"<< >>"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources "
            + res + b" >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
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
    return bytes(out)


def text(cells):
    ops = [b"BT /F1 12 Tf"]
    for x, y, s in cells:
        ops.append(b"1 0 0 1 %d %d Tm (%s) Tj" % (x, y, s))
    ops.append(b"ET")
    return b"\n".join(ops)


table = [(72, 760, b"2020 report"), (72, 720, b"item"), (200, 720, b"made"), (300, 720, b"public"),
         (72, 700, b"rules"), (200, 700, b"0"), (300, 700, b"12"),
         (72, 686, b"other admin"), (200, 680, b"208"), (300, 680, b"0"), (72, 672, b"services"),
         (72, 40, b"3")]
open(os.path.join(HERE, "table.pdf"), "wb").write(pdf(text(table)))
open(os.path.join(HERE, "no_text.pdf"), "wb").write(pdf(b"0.5 g 72 400 450 300 re f", False))
