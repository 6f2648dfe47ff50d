#!/usr/bin/python3
"""The Excel fill-in template (`gongkai template --xlsx`) round trip, with
an independent reader and writer (Debian's python3-openpyxl).

1. The template of each format, opened by openpyxl: the sheet is protected
   without a password; GK_format/GK_year/GK_entity/GK_template hold the
   report's identity; every cell of the format (formats/*.json) has its
   defined name, pointing at an unlocked cell with a data validation fit for
   its kind (counts whole >= 0, `change` whole and signed, amounts >= 0 with
   6 decimals, "/" and 不适用 allowed); the prose sections and the date are
   named and unlocked; every other written cell is locked.
2. N random fills per format (fixed seed): absent, 0, null ("/" or 不适用),
   counts, negative `change`, amounts with up to 6 decimals (some tiny, so
   openpyxl writes them in exponent form), prose with line breaks, a
   publication date or none; every 2nd workbook rewritten with a
   shared-string table (as Excel saves), every 3rd with numbers as formulas
   with cached results.  `gongkai import` must give exactly what was filled
   (exit 0, nothing unplaced).
3. Bad workbooks, each exit 2 with its code and nothing on stdout: a name
   pointing at a missing sheet, at a range, at #REF!, beyond the rows
   bound; a template missing a name; a sheet of 1,000,000 rows (template and
   plain workbook).  A value that is not a number: exit 3, kept invalid; a
   formula saved without its result: exit 3, reported as unknown.

Usage: test_xlsx_template.py GONGKAI FORMATS_DIR [N]
"""
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from decimal import Decimal

import openpyxl

GONGKAI, FORMATS = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 200
ENTITY = "350481101"
SHEET = "年度报告"
TMP = tempfile.mkdtemp(prefix="gk-xlsx-tpl-")


def fmt_cells(version):
    f = json.load(open(os.path.join(FORMATS, version + ".json"), encoding="utf-8"))
    cells = []
    for t in f["tables"]:
        kinds = {c["key"]: c.get("kind", "count") for c in t["columns"]}
        for r in t["rows"]:
            cols = r.get("columns") or [c["key"] for c in t["columns"]]
            for c in cols:
                cells.append((t["key"], r["key"], c, kinds[c]))
    return cells


def run(args, check_rc=None):
    p = subprocess.run([GONGKAI] + args, capture_output=True)
    if check_rc is not None and p.returncode != check_rc:
        raise AssertionError(f"{args}: exit {p.returncode}, want {check_rc}\n{p.stderr.decode()}")
    return p


def names_of(wb):
    try:
        return {d.name: d.attr_text for d in wb.defined_names.definedName}
    except AttributeError:
        return {k: v.attr_text for k, v in wb.defined_names.items()}


def cell_of(ref):
    m = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+)", ref)
    assert m, ref
    return m.group(1), f"{m.group(2)}{m.group(3)}"


def check_template(path, version, year, cells):
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [SHEET], wb.sheetnames
    ws = wb[SHEET]
    assert ws.protection.sheet, "sheet not protected"
    assert not ws.protection.password, "protection has a password"
    names = names_of(wb)
    assert names["GK_format"].strip('"') == version, names["GK_format"]
    assert int(names["GK_year"]) == year
    assert names["GK_entity"].strip('"') == ENTITY
    assert int(names["GK_template"]) == 1
    rules = []
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            rules.append((rng, dv))

    def validation_of(coord):
        hits = []
        for rng, dv in rules:
            a, _, b = rng.partition(":")
            b = b or a
            ca, cb = openpyxl.utils.cell.coordinate_to_tuple(a), openpyxl.utils.cell.coordinate_to_tuple(b)
            r, c = openpyxl.utils.cell.coordinate_to_tuple(coord)
            if ca[0] <= r <= cb[0] and ca[1] <= c <= cb[1]:
                hits.append(dv)
        assert len(hits) == 1, (coord, len(hits))
        return hits[0]

    inputs = set()
    for t, r, c, kind in cells:
        sheet, coord = cell_of(names[f"GK_{t}_{r}_{c}"])
        assert sheet == SHEET
        assert coord not in inputs, coord
        inputs.add(coord)
        cell = ws[coord]
        assert cell.protection.locked is False, coord
        assert cell.value is None, (coord, cell.value)
        dv = validation_of(coord)
        f = dv.formula1
        assert dv.type == "custom" and dv.errorStyle in (None, "stop"), (coord, dv.type)
        assert '"/"' in f and '"不适用"' in f and "ISNUMBER" in f, f
        if kind == "count":
            assert "INT(" in f and ">=0" in f, f
        elif kind == "signed_count":
            assert "INT(" in f and ">=0" not in f, f
        else:
            assert "ROUND(" in f and ",6)" in f and ">=0" in f, f
    for key in ("GK_narrative_overview", "GK_narrative_problems", "GK_narrative_other", "GK_published_at"):
        sheet, coord = cell_of(names[key])
        assert ws[coord].protection.locked is False, key
        inputs.add(coord)
    labels = 0
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None and c.coordinate not in inputs:
                assert c.protection.locked is not False, c.coordinate
                labels += 1
    assert labels > 40, labels
    return names


def amount(rng):
    k = rng.random()
    if k < 0.2:
        return Decimal(rng.randint(0, 10 ** 6))
    if k < 0.35:
        return Decimal(rng.randint(1, 99)).scaleb(-6)   # 0.000001 …: exponent form
    return Decimal(rng.randint(0, 10 ** 13)).scaleb(-6)   # up to 10^7 with 6 decimals


def fill(rng, cells, names):
    """Returns {cell key: value} (Decimal/int/None for null) and the writes."""
    want, writes = {}, {}
    for t, r, c, kind in cells:
        coord = cell_of(names[f"GK_{t}_{r}_{c}"])[1]
        k = rng.random()
        if k < 0.2:
            continue                               # absent
        if k < 0.3:
            writes[coord] = rng.choice(["/", "不适用"])
            want[(t, r, c)] = None
            continue
        if k < 0.45:
            v = Decimal(0) if kind == "amount" else 0
        elif kind == "amount":
            v = amount(rng)
        elif kind == "signed_count":
            v = rng.randint(-5000, 5000)
        else:
            v = rng.choice([rng.randint(1, 9), rng.randint(10, 10 ** 6), rng.randint(10 ** 6, 10 ** 12)])
        writes[coord] = v
        want[(t, r, c)] = v
    narrative = {}
    for key in ("overview", "problems", "other"):
        if rng.random() < 0.8:
            text = rng.choice(["本年度", "我镇", "政务公开", "依申请公开"]) + f"工作情况第{rng.randint(1, 999)}条。"
            if rng.random() < 0.5:
                text += "\n第二段：<b>&amp;“引号”</b>"
            writes[cell_of(names["GK_narrative_" + key])[1]] = text
            narrative[key] = text
    published = None
    if rng.random() < 0.6:
        published = f"20{rng.randint(21, 25)}-0{rng.randint(1, 9)}-{rng.randint(10, 28)}"
        writes[cell_of(names["GK_published_at"])[1]] = published
    return want, narrative, published, writes


def to_shared_strings(data):
    """openpyxl writes strings inline; Excel keeps them in xl/sharedStrings.xml."""
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = src.read("xl/worksheets/sheet1.xml").decode("utf-8")
    strings = []

    def shared(m):
        strings.append(m.group(3))
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{len(strings) - 1}</v></c>'
    sheet = re.sub(r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', shared, sheet,
                   flags=re.S)
    assert strings and "inlineStr" not in sheet
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in strings) + "</sst>")
    return rezip(src, {"xl/worksheets/sheet1.xml": sheet.encode("utf-8"), "xl/sharedStrings.xml": sst.encode("utf-8")},
                 rels=True)


def to_formulas(data):
    """Numbers as formulas with their cached results (=v+0)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = src.read("xl/worksheets/sheet1.xml").decode("utf-8")
    sheet, k = re.subn(r'<c r="([A-Z]+\d+)"([^>]*?) t="n"><v>([^<]+)</v></c>',
                       lambda m: f'<c r="{m.group(1)}"{m.group(2)}><f>{m.group(3)}+0</f><v>{m.group(3)}</v></c>', sheet)
    return rezip(src, {"xl/worksheets/sheet1.xml": sheet.encode("utf-8")}), k


def rezip(src, replace, rels=False):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            body = replace.get(name, src.read(name))
            if rels and name == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            if rels and name == "[Content_Types].xml":
                body = body.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            z.writestr(name, body)
        for name, body in replace.items():
            if name not in src.namelist():
                z.writestr(name, body)
    return out.getvalue()


def compare(out, version, year, want, narrative, published, what):
    got = json.loads(out, parse_float=Decimal)
    assert (got["format"], got["year"], got["entity"]) == (version, year, ENTITY), what
    flat = {}
    for t, rows in got.get("tables", {}).items():
        for r, cols in rows.items():
            for c, v in cols.items():
                flat[(t, r, c)] = v
    norm = lambda d: {k: (None if v is None else Decimal(v)) for k, v in d.items()}
    if norm(flat) != norm(want):
        diff = [(k, flat.get(k, "absent"), want.get(k, "absent")) for k in set(flat) | set(want)
                if norm(flat).get(k, "x") != norm(want).get(k, "x")]
        raise AssertionError(f"{what}: cells differ: {diff[:5]}")
    for k, v in flat.items():
        if v is not None and k[2] != "amount_yuan" and k[2] != "amount_10k_yuan":
            assert isinstance(v, int), (what, k, v)
    assert got.get("narrative", {}) == narrative, (what, got.get("narrative"), narrative)
    assert got.get("published_at") == published, (what, got.get("published_at"), published)


def bad(path, code, what):
    p = run(["import", path if path.startswith("/") else os.path.join(TMP, path)])
    assert p.returncode == 2, (what, p.returncode, p.stderr.decode())
    assert code in p.stderr.decode(), (what, p.stderr.decode())
    assert p.stdout == b"", what


def with_workbook_xml(data, edit):
    src = zipfile.ZipFile(io.BytesIO(data))
    wbx = src.read("xl/workbook.xml").decode("utf-8")
    new = edit(wbx)
    assert new != wbx
    return rezip(src, {"xl/workbook.xml": new.encode("utf-8")})


def million_rows(data):
    src = zipfile.ZipFile(io.BytesIO(data))
    sheet = src.read("xl/worksheets/sheet1.xml").decode("utf-8")
    rows = "".join(f'<row r="{i}"/>' for i in range(1, 1000001))
    sheet = re.sub(r"<sheetData>.*</sheetData>|<sheetData/>", "<sheetData>" + rows + "</sheetData>", sheet, flags=re.S)
    return rezip(src, {"xl/worksheets/sheet1.xml": sheet.encode("utf-8")})


def main():
    rng = random.Random(20261204)
    total = 0
    for version, year in (("2019", 2020), ("2021", 2024)):
        cells = fmt_cells(version)
        tpl = os.path.join(TMP, f"template-{version}.xlsx")
        run(["template", "--xlsx", "--year", str(year), "--entity", ENTITY, "-o", tpl], 0)
        names = check_template(tpl, version, year, cells)
        # the blank template imports to a report with nothing in it
        p = run(["import", tpl], 0)
        compare(p.stdout, version, year, {}, {}, None, "blank template")
        n_shared = n_formula = 0
        wb = openpyxl.load_workbook(tpl)
        ws = wb[SHEET]
        for i in range(N):
            want, narrative, published, writes = fill(rng, cells, names)
            # the template is loaded once; each fill is written, saved, then undone
            for coord, v in writes.items():
                ws[coord] = v
            buf = io.BytesIO()
            wb.save(buf)
            for coord in writes:
                ws[coord] = None
            data = buf.getvalue()
            if i % 2 == 1:
                data = to_shared_strings(data)
                n_shared += 1
            if i % 3 == 2:
                data, k = to_formulas(data)
                n_formula += k > 0
            path = os.path.join(TMP, f"filled-{version}-{i}.xlsx")
            with open(path, "wb") as f:
                f.write(data)
            p = run(["import", path])
            err = p.stderr.decode()
            assert p.returncode == 0 and "未放入" not in err, (path, p.returncode, err)
            compare(p.stdout, version, year, want, narrative, published, path)
            os.unlink(path)
            total += 1
        assert n_shared >= N // 2 and n_formula >= N // 3 - 1, (n_shared, n_formula)
        data = open(tpl, "rb").read()
        first = f"GK_{cells[0][0]}_{cells[0][1]}_{cells[0][2]}"
        pat = re.compile(r'(<definedName name="' + first + r'">)[^<]*(</definedName>)')
        for what, target, code in (("missing sheet", "'不存在'!$B$11", "xlsx_bad_name"),
                                   ("range", "'年度报告'!$B$11:$C$12", "xlsx_bad_name"),
                                   ("#REF!", "#REF!", "xlsx_bad_name"),
                                   ("beyond the rows", "'年度报告'!$B$1048576", "xlsx_bad_name")):
            path = os.path.join(TMP, f"bad-{version}.xlsx")
            with open(path, "wb") as f:
                f.write(with_workbook_xml(data, lambda x: pat.sub(lambda m: m.group(1) + target + m.group(2), x)))
            bad(path, code, what)
        with open(os.path.join(TMP, "bad.xlsx"), "wb") as f:
            f.write(with_workbook_xml(data, lambda x: pat.sub("", x)))
        bad("bad.xlsx", "xlsx_template_broken", "a name missing")
        with open(os.path.join(TMP, "bad.xlsx"), "wb") as f:
            f.write(with_workbook_xml(data, lambda x: re.sub(r'(<definedName name="GK_year">)[^<]*', r"\g<1>1900", x)))
        bad("bad.xlsx", "xlsx_template_broken", "a bad year")
        # not a number where a count goes: kept invalid, reported, exit 3
        wb = openpyxl.load_workbook(tpl)
        wb[SHEET][cell_of(names[first])[1]] = "十二"
        wb.save(os.path.join(TMP, "text.xlsx"))
        p = run(["import", os.path.join(TMP, "text.xlsx")], 3)
        assert "未放入" in p.stderr.decode() and first in p.stderr.decode(), p.stderr.decode()
        got = json.loads(p.stdout)
        assert got["tables"][cells[0][0]][cells[0][1]][cells[0][2]] == "十二", got
        # a formula saved without its result (openpyxl does not calculate): unknown, not blank
        wb = openpyxl.load_workbook(tpl)
        wb[SHEET][cell_of(names[first])[1]] = "=6+6"
        wb.save(os.path.join(TMP, "formula.xlsx"))
        p = run(["import", os.path.join(TMP, "formula.xlsx")], 3)
        assert "公式没有保存计算结果" in p.stderr.decode() and first in p.stderr.decode(), p.stderr.decode()
    # usage errors of the writer: exit 2, no file
    for args, why in ((["--xlsx"], "no -o"), (["-o", os.path.join(TMP, "x.xlsx")], "-o without --xlsx"),
                      (["--xlsx", "-o", os.path.join(TMP, "x.xlsx"), "--entity", "35'0"], "bad entity")):
        a = ["template", "--year", "2024", "--entity", ENTITY] + args if "--entity" not in args else \
            ["template", "--year", "2024"] + args
        p = run(a)
        assert p.returncode == 2 and p.stderr, (why, p.returncode)
        assert not os.path.exists(os.path.join(TMP, "x.xlsx")), why
    # a sheet of 1,000,000 rows: the template and a plain workbook
    data = open(os.path.join(TMP, "template-2021.xlsx"), "rb").read()
    with open(os.path.join(TMP, "rows.xlsx"), "wb") as f:
        f.write(million_rows(data))
    bad("rows.xlsx", "xlsx_too_many_rows", "1,000,000 rows (template)")
    with open(os.path.join(TMP, "rows-plain.xlsx"), "wb") as f:
        f.write(with_workbook_xml(million_rows(data), lambda x: x.replace('name="GK_template"', 'name="X_template"')))
    bad("rows-plain.xlsx", "xlsx_too_many_rows", "1,000,000 rows (plain workbook)")
    print(f"ok: {total} filled templates imported exactly; bad workbooks refused")


if __name__ == "__main__":
    main()
