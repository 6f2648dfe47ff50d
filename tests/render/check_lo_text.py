#!/usr/bin/env python3
"""check_lo_text.py — the text LibreOffice extracted from a rendered .docx
(`soffice --convert-to txt`) holds the report: every present table's section
heading, and, in printed order, each row's label followed by its cells' texts
("/" for null, numbers exactly as in the JSON, amounts with their decimals).
An independent reader of our Word file: if LibreOffice could not open it, or
laid the tables out wrongly, the sequence is not there.
Usage: check_lo_text.py FORMATS_DIR REPORT.json TEXT.txt"""
import decimal
import json
import re
import sys


def printed(v):
    if v is None:
        return "/"
    return str(v)


def main():
    formats_dir, report_path, text_path = sys.argv[1:4]
    with open(report_path, encoding="utf-8") as f:
        rep = json.load(f, parse_float=decimal.Decimal)
    with open("%s/%s.json" % (formats_dir, rep["format"]), encoding="utf-8") as f:
        fmt = json.load(f)
    with open(text_path, encoding="utf-8-sig") as f:
        lines = [ln.strip() for ln in f.read().split("\n")]
    lines = [ln for ln in lines if ln]
    tokens = ["%d年政府信息公开工作年度报告" % rep["year"]]
    tables = rep.get("tables", {})
    for t in fmt["tables"]:
        given = tables.get(t["key"])
        if not given:
            continue
        tokens.append("%s、%s" % (t["section"], t["label"]))
        for row in t["rows"]:
            cols = row.get("columns") or [c["key"] for c in t["columns"]]
            cells = given.get(row["key"], {})
            if t["key"] != "appeals":   # the appeals' labels sit above one row of values
                tokens.append(re.split(r"[ ：:]", row["label"])[-1])
            for c in cols:
                if c in cells:
                    tokens.append(printed(cells[c]))
    # every token, in order (a subsequence of the extracted lines)
    i = 0
    for tok in tokens:
        while i < len(lines) and lines[i] != tok:
            i += 1
        if i == len(lines):
            sys.exit("%s: “%s” not found in order in LibreOffice's text" % (text_path, tok))
        i += 1
    print("ok %s: %d labels and values in order" % (text_path, len(tokens)))


main()
