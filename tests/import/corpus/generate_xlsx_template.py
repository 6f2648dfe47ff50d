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
rules — the entity found from the title, which names it (永安市安砂镇, from
the registry shipped with gongkai) — it must give the same expected.json,
since the template is the printed layout.
xlsx_template_lo_2021: the filled template opened and saved by LibreOffice
Calc (headless): another program's package — its own shared strings,
unquoted sheet names in the names, its own number text.
xlsx_template_lo_2019: a 2019-format report of fixed pseudo-random values
(absent, 0, "/", 不适用, a negative 本年增/减, amounts with six decimals,
one of them 0.000001) typed into the template by openpyxl and saved by
LibreOffice; its expected.json is written from those values, not by the
importer.  Both LibreOffice cases need `libreoffice` (libreoffice-calc-nogui)
when regenerated only; the tests read the committed files.

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


def libreoffice_xlsx(data):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.xlsx")
        with open(src, "wb") as f:
            f.write(data)
        out = os.path.join(tmp, "out")
        subprocess.run(["libreoffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "xlsx:Calc Office Open XML", "--outdir", out, src],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        with open(os.path.join(out, "in.xlsx"), "rb") as f:
            return f.read()


def report_2019():
    """Fixed pseudo-random values for every cell of the 2019 format."""
    import random
    rng = random.Random(2019)
    f = json.load(open(os.path.join(HERE, "..", "..", "..", "formats", "2019.json"), encoding="utf-8"))
    tables = {}
    amounts = iter([Decimal("9492382.57026"), Decimal("0.000001"), Decimal("24252.311082")])
    for t in f["tables"]:
        kinds = {c["key"]: c.get("kind", "count") for c in t["columns"]}
        for r in t["rows"]:
            for c in r.get("columns") or [c["key"] for c in t["columns"]]:
                k = rng.random()
                if k < 0.15:
                    continue
                if k < 0.25:
                    v = None
                elif k < 0.4:
                    v = 0
                elif kinds[c] == "amount":
                    v = next(amounts, Decimal(rng.randint(1, 10 ** 12)).scaleb(-6))
                elif kinds[c] == "signed_count":
                    v = -rng.randint(1, 500)
                else:
                    v = rng.randint(1, 10 ** 6)
                tables.setdefault(t["key"], {}).setdefault(r["key"], {})[c] = v
    return {"format": "2019", "year": 2020, "entity": "350481101", "published_at": "2021-01-28",
            "narrative": {"overview": "2020年，贡川镇依法公开政府信息。\n第二段。", "problems": "问题与改进。",
                          "other": "无。"},
            "tables": tables}


def dump_exact(doc):
    """JSON with Decimals as their exact digits."""
    def enc(v):
        if isinstance(v, Decimal):
            return "@@" + str(v) + "@@"
        raise TypeError(v)
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=enc)
    return (re.sub(r'"@@([^@]+)@@"', r"\1", text) + "\n").encode("utf-8")


def main():
    gongkai = sys.argv[1]
    src = os.path.join(HERE, "report_2021_text")
    expected = json.load(open(os.path.join(src, "expected.json"), encoding="utf-8"), parse_float=Decimal)
    case = json.load(open(os.path.join(src, "case.json"), encoding="utf-8"))
    data = filled(gongkai, expected)
    tcase = dict(case, input="input.xlsx")
    tcase.pop("regions", None)   # entity, year and format come from the names
    write_case("xlsx_template_2021", {"input.xlsx": data}, tcase, os.path.join(src, "expected.json"))
    lo_case = dict(tcase)
    write_case("xlsx_template_lo_2021", {"input.xlsx": libreoffice_xlsx(data)}, lo_case,
               os.path.join(src, "expected.json"))
    r19 = report_2019()
    tmp = tempfile.mkdtemp(prefix="gk-tpl-corpus-")
    with open(os.path.join(tmp, "expected.json"), "wb") as f:
        f.write(dump_exact(r19))
    write_case("xlsx_template_lo_2019", {"input.xlsx": libreoffice_xlsx(filled(gongkai, r19))},
               {"input": "input.xlsx", "exit": 0, "unplaced": 0}, os.path.join(tmp, "expected.json"))
    # the entity from the title, as for a printed report: the template's
    # title names it from the shipped registry (永安市安砂镇 for 350481102)
    regions = "code,name,parent_code\n35,福建省,\n3504,三明市,35\n350481,永安市,3504\n350481102,安砂镇,350481\n"
    write_case("xlsx_template_no_names", {"input.xlsx": without_names(data), "regions.csv": regions.encode("utf-8")},
               dict(tcase, regions="regions.csv"), os.path.join(src, "expected.json"))


if __name__ == "__main__":
    main()
