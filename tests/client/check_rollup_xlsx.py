#!/usr/bin/python3
"""Opens `gongkai rollup --xlsx`'s workbook with an independent reader
(Debian's python3-openpyxl) and checks it against the rollup JSON the same
server gave: every number of the tables equals the JSON's sums (exactly, as
decimals), counts carry the format "0" and amounts "#,##0.00####", a cell not
every report filled has a comment "k/n 份报告填了数字", "/" stands for not
applicable.  Usage: check_rollup_xlsx.py BOOK.xlsx ROLLUP.json [COMPLIANCE.json]
(with the compliance JSON: 报送情况 lists every township as reported, late
or missing, and the 检查结果 sheet has one row per finding, and one
per township without any, with the same rule codes)"""
import json
import sys
from decimal import Decimal

import openpyxl

book, answer = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"), parse_float=Decimal)
wb = openpyxl.load_workbook(book)
rollup = answer["rollup"]
want_sum, want_na, want_partial = Decimal(0), 0, 0
for table in rollup["tables"].values():
    for row in table.values():
        for cell in row.values():
            if cell.get("reported", 0) > 0:
                want_sum += Decimal(cell["sum"])
                if cell["reported"] < rollup["reports"]:
                    want_partial += 1
            elif cell.get("not_applicable", 0) > 0:
                want_na += 1
got_sum, got_na, got_partial, numbers = Decimal(0), 0, 0, 0
sheets = [ws for ws in wb.worksheets if ws.title not in ("报送情况", "检查结果")]
assert len(sheets) == len(rollup["tables"]), [ws.title for ws in wb.worksheets]
found_new = False
for ws in sheets:
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, bool):
                raise AssertionError(f"{ws.title}!{c.coordinate}: a boolean")
            if isinstance(c.value, (int, float)):
                numbers += 1
                assert c.number_format in ("0", "#,##0.00####"), (ws.title, c.coordinate, c.number_format)
                got_sum += Decimal(repr(c.value))
                if c.comment:
                    assert "份报告填了数字" in c.comment.text, c.comment.text
                    got_partial += 1
            elif c.value == "/":
                got_na += 1
        label = row[0].value or ""
        if "本年新收" in str(label):
            vals = [c.value for c in row[1:] if isinstance(c.value, (int, float))]
            assert vals and vals[-1] == 3, (label, vals)
            found_new = True
assert found_new, "no 本年新收 row"
# Amounts cell by cell: every amount sum of the JSON is in the sheets exactly
# (as a multiset; the JSON's decimals, not a float's noise).
want_amounts = sorted(Decimal(c["sum"]) for t in rollup["tables"].values() for r in t.values()
                      for k, c in r.items() if k.startswith("amount") and c.get("reported", 0) > 0)
got_amounts = sorted(Decimal(repr(c.value)) for ws in sheets for row in ws.iter_rows() for c in row
                     if isinstance(c.value, (int, float)) and c.number_format == "#,##0.00####")
assert got_amounts == want_amounts, (got_amounts, want_amounts)
assert numbers > 0
assert got_sum == want_sum, (got_sum, want_sum)
assert got_na == want_na, (got_na, want_na)
assert got_partial == want_partial, (got_partial, want_partial)
if "coverage" in answer:
    cov = wb["报送情况"]
    assert [cov.cell(row=r, column=2).value for r in range(3, 7)] == [
        answer["coverage"][k] for k in ("expected", "submitted", "late_count", "missing_count")]
if len(sys.argv) > 3:
    comp = json.load(open(sys.argv[3], encoding="utf-8"))
    # 报送情况 lists every township: reported (late ones with their first
    # submission) or missing, as the compliance and coverage JSON say.
    cov = wb["报送情况"]
    listed = {r[0]: r for r in cov.iter_rows(min_row=9, values_only=True) if r[0]}
    assert set(listed) == {e["code"] for e in comp["entities"]}, (sorted(listed), len(comp["entities"]))
    late = {e["code"]: e["first_submitted_at"] for e in answer["coverage"]["late"]}
    missing = {e["code"] for e in answer["coverage"]["missing"]}
    for e in comp["entities"]:
        row = listed[e["code"]]
        assert row[1] == e["name"], (row, e["name"])
        if e["code"] in missing:
            assert e["state"] == "missing" and row[2] == "未报送", row
        elif e["code"] in late:
            assert row[2] == "已报送（逾期）" and row[3] == late[e["code"]], row
        else:
            assert row[2] == "已报送" and row[3] is None, row
    assert sum(1 for r in listed.values() if r[2] == "未报送") == answer["coverage"]["missing_count"]
    ws = wb["检查结果"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    want = sum(max(1, len(e.get("findings") or [])) for e in comp["entities"])
    assert len(rows) == want, (len(rows), want)
    got_codes = sorted(r[6] for r in rows if r[6])
    want_codes = sorted(f["code"] for e in comp["entities"] for f in (e.get("findings") or []))
    assert got_codes == want_codes, (got_codes, want_codes)
    assert {r[0] for r in rows} == {e["code"] for e in comp["entities"]}
print(f"ok: {len(sheets)} table sheets, {numbers} numbers, sum {got_sum}, {got_na} '/', {got_partial} comments,"
      f" amounts {[str(a) for a in got_amounts]}")
