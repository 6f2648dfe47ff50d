#!/usr/bin/python3
"""Reads the supervision list's printable page and workbook with independent
readers and checks them against its JSON (issue 17, item 5):
 - the page: parsed by html.parser, lang zh-CN, no <script>, no inline event
   handler or style attribute, one <style> whose SHA-256 is the one the
   Content-Security-Policy allows (and no 'unsafe-inline'), a print rule, and
   every missing and late unit and every confirmed finding's message there;
 - the workbook: opened by openpyxl, its four sheets, one row per missing
   unit, late unit and confirmed finding, with the same codes and texts.
 - the Word document (when given): opened as a zip by zipfile, its
   word/document.xml parsed by ElementTree, the same texts as the page in
   its paragraphs and table cells.
Usage: check_supervision.py PAGE.html CSP WORKBOOK.xlsx ANSWER.json [DOCUMENT.docx]"""
import base64
import zipfile
import xml.etree.ElementTree as ET
import hashlib
import html
import json
import sys
from html.parser import HTMLParser

import openpyxl

page_file, csp, book, answer_file = sys.argv[1:5]
model = json.load(open(answer_file, encoding="utf-8"))
page = open(page_file, encoding="utf-8").read()


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.styles, self.in_style, self.text, self.lang = [], [], False, [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, _ in attrs:
            assert not k.startswith("on") and k != "style", (tag, k)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.styles.append(data)
        else:
            self.text.append(data)


p = Page()
p.feed(page)
assert p.lang == "zh-CN", p.lang
assert "script" not in p.tags, "a <script> in the page"
assert len(p.styles) == 1, p.styles
style = p.styles[0]
digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
assert "'sha256-%s'" % digest in csp, (digest, csp)
assert "unsafe-inline" not in csp and "default-src 'none'" in csp, csp
assert "@media print" in style and "@page" in style
text = "".join(p.text)   # entities resolved: what a reader sees
for u in model["missing"] + model["late"]:
    assert u["name"] in text and u["code"] in text, u
for u in model["confirmed"]:
    for f in u["findings"]:
        assert f["message"] in text, f["message"]
        assert f["reason"] in text, f["reason"]
        assert (f["cell"] or f["path"]) in text, f
title = model["region"]["name"]
assert title in text

wb = openpyxl.load_workbook(book)
assert wb.sheetnames == ["概况", "未报送", "逾期报送", "确认问题"], wb.sheetnames


def rows(name):
    ws = wb[name]
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    return [r for r in got if any(v is not None for v in r)]


assert [r[1] for r in rows("未报送")] == [u["code"] for u in model["missing"]]
assert [r[1] for r in rows("逾期报送")] == [u["code"] for u in model["late"]]
want = [(u["code"], f["code"], f["message"], f["reason"]) for u in model["confirmed"] for f in u["findings"]]
got = [(r[1], r[4], r[6], r[8] or "") for r in rows("确认问题")]
assert got == want, (got, want)
summary = {r[0].value: r[1].value for r in wb["概况"].iter_rows(min_row=5) if r[0].value}
assert summary["应报送单位"] == model["summary"]["expected"], summary
assert summary["未报送"] == model["summary"]["missing"], summary
if len(sys.argv) > 5:
    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(sys.argv[5]) as z:
        assert z.testzip() is None
        root = ET.fromstring(z.read("word/document.xml"))
    paras = ["".join(t.text or "" for t in p.iter(W + "t")) for p in root.iter(W + "p")]
    alltext = "\n".join(paras)
    assert model["region"]["name"] in paras[0] and "通报" in paras[0], paras[0]
    cells = ["".join(t.text or "" for t in tc.iter(W + "t")) for tc in root.iter(W + "tc")]
    for u in model["missing"] + model["late"]:
        assert u["code"] in cells and u["name"] in cells, u
    for u in model["confirmed"]:
        assert any(u["name"] in p for p in paras), u["name"]
        for f in u["findings"]:
            assert f["message"] in cells and f["reason"] in cells, f
            assert (f["cell"] or f["path"] or "整份报告") in cells, f
    assert len(list(root.iter(W + "tbl"))) == 2 + len(model["confirmed"]), "one table per list and per unit"
print("supervision page and workbook: ok (%d missing, %d late, %d confirmed)" % (
    len(model["missing"]), len(model["late"]), len(want)))
