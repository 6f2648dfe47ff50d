#!/usr/bin/python3
"""Writes the corpus cases of the Excel fill-in template, reproducibly.

Why: the template (`gongkai template --xlsx`) is read back by its defined
names; these cases hold one filled copy each so that the corpus runner, the
command-line test and bench/run.d/import.sh have a typical report as a
template next to the same report as text and HTML (report_2021_text,
report_2021_html).  The values come from the hand-checked
report_2021_text/expected.json and are filled in by openpyxl (Debian's
python3-openpyxl, an independent writer), as a township would type them:
numbers as numbers, null as "/" (one as 不适用), prose in its cell.

xlsx_template_2021: the filled template; must give that expected.json.
xlsx_template_no_names: the same workbook with its defined names removed
(as if re-saved by a program that drops them): read by the general table
rules, it must give the same expected.json, since the template is the
printed layout.

Run: /usr/bin/python3 tests/import/corpus/generate_xlsx_template.py build/asan/client/gongkai
"""
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal

import openpyxl

from generate_xlsx import HERE, fixed_zip, write_case


def filled(gongkai, expected):
    tmp = tempfile.mkdtemp(prefix="gk-tpl-corpus-")
    tpl = os.path.join(tmp, "t.xlsx")
    subprocess.run([gongkai, "template", "--xlsx", "--year", str(expected["year"]), "--entity",
                    expected["entity"], "-o", tpl], check=True, capture_output=True)
    wb = openpyxl.load_workbook(tpl)
    names = {d.name: d.attr_text for d in wb.defined_names.definedName}
    ws = wb["年度报告"]
    coord = lambda name: re.sub(r"[$']", "", names[name]).split("!")[1]
    first_null = True
    for t, rows in expected["tables"].items():
        for r, cols in rows.items():
            for c, v in cols.items():
                if v is None:
                    v, first_null = ("不适用" if first_null else "/"), False
                elif isinstance(v, Decimal) and v == v.to_integral_value():
                    v = int(v)
                ws[coord(f"GK_{t}_{r}_{c}")] = v
    for k, text in expected.get("narrative", {}).items():
        ws[coord("GK_narrative_" + k)] = text
    if "published_at" in expected:
        ws[coord("GK_published_at")] = expected["published_at"]
    buf = io.BytesIO()
    wb.save(buf)
    return fixed_zip(buf.getvalue())


def without_names(data):
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            body = src.read(name)
            if name == "xl/workbook.xml":
                body = re.sub(rb"<definedNames>.*</definedNames>", b"", body, flags=re.S)
                assert b"GK_" not in body
            z.writestr(name, body)
    return fixed_zip(out.getvalue())


def main():
    gongkai = sys.argv[1]
    src = os.path.join(HERE, "report_2021_text")
    expected = json.load(open(os.path.join(src, "expected.json"), encoding="utf-8"), parse_float=Decimal)
    case = json.load(open(os.path.join(src, "case.json"), encoding="utf-8"))
    data = filled(gongkai, expected)
    tcase = dict(case, input="input.xlsx")
    tcase.pop("regions", None)   # entity, year and format come from the names
    write_case("xlsx_template_2021", {"input.xlsx": data}, tcase, os.path.join(src, "expected.json"))
    # the title names the code, not the town: the entity is given
    write_case("xlsx_template_no_names", {"input.xlsx": without_names(data)},
               dict(tcase, entity=expected["entity"]), os.path.join(src, "expected.json"))


if __name__ == "__main__":
    main()
