#!/usr/bin/python3
"""Writes the Excel (.xlsx) cases of the import corpus, reproducibly.

Why: townships keep their tables in Excel or WPS Spreadsheets in the printed
layout.  xlsx_2021 is the 2021 text case laid out in a workbook by openpyxl
(Debian's python3-openpyxl, an independent writer): a title merged across
the sheet, each line a row, each tab-separated cell a cell, whole numbers as
numbers and everything else ("1,234", "/", "125000元") as shared strings.
It must give the hand-checked expected.json of the text case exactly, and so
must xlsx_2021_shared_formulas, the same workbook with shared strings (as
Excel saves; openpyxl 3.0 writes inline strings) and formulas (cached
results) for the totals and three numbers in Excel's exponent form.
xlsx_bad_rows: a sheet of 20 001 rows (the reader's bound is 20 000): exit 2.

Run: /usr/bin/python3 tests/import/corpus/generate_xlsx.py (needs openpyxl).
"""
import io
import json
import os
import re
import shutil
import zipfile

import openpyxl

HERE = os.path.dirname(os.path.abspath(__file__))


def write_case(name, files, case, expected=None):
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)  # a case is rewritten whole
    os.makedirs(d)
    for fname, content in files.items():
        with open(os.path.join(d, fname), "wb") as f:
            f.write(content)
    with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as f:
        json.dump(case, f, ensure_ascii=False, indent=2)
        f.write("\n")
    if expected is not None:
        shutil.copy(expected, os.path.join(d, "expected.json"))


def fixed_zip(data):
    """openpyxl stamps the time into docProps: rewritten with fixed dates so
    the file is the same on every run."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            body = src.read(name)
            if name == "docProps/core.xml":
                body = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2022-01-20T00:00:00Z", body)
            info = zipfile.ZipInfo(name, (2022, 1, 20, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return out.getvalue()


def workbook_2021(text):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "年度报告"
    lines = [l for l in text.split("\n") if l.strip()]
    for i, line in enumerate(lines, start=1):
        cells = line.split("\t")
        for j, c in enumerate(cells, start=1):
            if c == "":
                continue
            ws.cell(row=i, column=j, value=int(c) if re.fullmatch(r"-?\d+", c) else c)
    # the title (line 2) printed across the table's width
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=8)
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def shared_and_formulas(data):
    """The same workbook as Excel saves it: openpyxl writes its strings
    inline; here they go to a shared-string table (xl/sharedStrings.xml,
    with its relationship and content type), and each row's 总计 in column H
    becomes a formula with its cached result — the importer must read the
    result, not the formula."""
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = src.read("xl/worksheets/sheet1.xml").decode("utf-8")
    strings = []

    def shared(m):
        strings.append(m.group(3))
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{len(strings) - 1}</v></c>'
    # numeric cells only (no t= but n), before their neighbours become shared strings
    sheet = re.sub(r'<c r="(H(\d+))"( s="\d+")?( t="n")?><v>(-?\d+)</v></c>',
                   lambda m: f'<c r="{m.group(1)}"{m.group(3) or ""}><f>SUM(B{m.group(2)}:G{m.group(2)})</f><v>{m.group(5)}</v></c>',
                   sheet)
    sheet = re.sub(r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t>(.*?)</t></is></c>', shared, sheet)
    # Excel's exponent form for some numbers (it writes 1E-4 for 0.0001):
    # 5 → 5E0, 12 → 1.2E1, 3 → 30E-1 — the reader must give 5, 12, 3 exactly
    n_exp = 0
    for plain, exp in (("5", "5E0"), ("12", "1.2E1"), ("3", "30E-1")):
        sheet, k = re.subn(r'(<c r="[B-G]\d+"(?: s="\d+")?(?: t="n")?><v>)' + plain + "(</v>)",
                           lambda m: m.group(1) + exp + m.group(2), sheet, count=1)
        n_exp += k
    assert n_exp == 3
    assert strings and "<f>SUM(" in sheet and "inlineStr" not in sheet
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'count="{len(strings)}" uniqueCount="{len(strings)}">' + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        def put(name, body):
            info = zipfile.ZipInfo(name, (2022, 1, 20, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
        for name in src.namelist():
            body = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                body = sheet.encode("utf-8")
            elif name == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            elif name == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            put(name, body)
        put("xl/sharedStrings.xml", sst.encode("utf-8"))
    return out.getvalue()


def workbook_rows(n):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("x")
    for i in range(n):
        ws.append([i])
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def main():
    src = "report_2021_text"
    case = json.load(open(os.path.join(HERE, src, "case.json"), encoding="utf-8"))
    case["input"] = "input.xlsx"
    text = open(os.path.join(HERE, src, "input.txt"), encoding="utf-8").read()
    regions = open(os.path.join(HERE, src, "regions.csv"), "rb").read()
    write_case("xlsx_2021", {"input.xlsx": workbook_2021(text), "regions.csv": regions}, case,
               os.path.join(HERE, src, "expected.json"))
    write_case("xlsx_2021_shared_formulas",
               {"input.xlsx": shared_and_formulas(workbook_2021(text)), "regions.csv": regions}, case,
               os.path.join(HERE, src, "expected.json"))
    write_case("xlsx_bad_rows", {"input.xlsx": workbook_rows(20001)},
               {"input": "input.xlsx", "entity": "350481101", "exit": 2, "error": "xlsx_too_many_rows"})


if __name__ == "__main__":
    main()
