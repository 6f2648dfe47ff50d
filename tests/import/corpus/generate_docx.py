#!/usr/bin/env python3
"""Writes the Word (.docx) cases of the import corpus, reproducibly.

Why generated, and from what: the expected JSON of every good case is the
hand-checked expected.json of an existing text/HTML case (written by
generate.py from the sample, not by the importer), so a .docx case proves
that the Word reader yields exactly what the other readers yield.

* docx_lo_sample, docx_lo_2021: LibreOffice (Writer, headless) converts the
  HTML cases to .docx — a package we did not write, with w:gridSpan and
  w:vMerge from the HTML spans.  Needs `libreoffice` (libreoffice-writer-nogui).
* docx_word_features: a package written here as Word writes it: headings
  numbered by Word's automatic numbering (the text says only 总体情况),
  tracked changes (a deleted wrong number beside the inserted right one),
  a content control, a hyperlink and fields.
* docx_bad_*: a truncated zip, a zip bomb, an "encrypted" entry, a DTD with
  an entity, no table at all, a legacy .doc, a zip that is no Office file: exit 2.

Run from anywhere: python3 tests/import/corpus/generate_docx.py
"""
import io
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FIXED_TIME = (2021, 1, 1, 0, 0, 0)

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://www.example.gov.cn/" TargetMode="External"/>
</Relationships>"""
NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>"""


def zip_bytes(parts, compress=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = compress
            z.writestr(info, data)
    return out.getvalue()


def run(text):
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(inner, numbered=False):
    ppr = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>' if numbered else ""
    return f"<w:p>{ppr}{inner}</w:p>"


def cell(text):
    if text == "2":   # a tracked correction: 9 deleted, 2 inserted
        inner = ('<w:del w:id="1" w:author="a" w:date="2022-01-05T00:00:00Z"><w:r><w:delText>9</w:delText></w:r></w:del>'
                 '<w:ins w:id="2" w:author="a" w:date="2022-01-05T00:00:00Z">' + run("2") + "</w:ins>")
    else:
        inner = run(text) if text else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="1000" w:type="dxa"/></w:tcPr><w:p>{inner}</w:p></w:tc>'


def table(rows):
    width = max(len(r) for r in rows)
    grid = "".join('<w:gridCol w:w="1000"/>' for _ in range(width))
    trs = "".join("<w:tr>" + "".join(cell(c) for c in r) + "</w:tr>" for r in rows)
    return f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{trs}</w:tbl>'


def word_features_docx(text):
    """The 2021 text case as Word would save it (see the module comment)."""
    body, rows = [], []
    heading = re.compile(r"^([一二三四五六])、(.*)$")
    top_headings = {"总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                    "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"}
    for line in text.split("\n"):
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        if rows:
            body.append(table(rows))
            rows = []
        if not line.strip():
            continue
        m = heading.match(line)
        if m and m.group(2) in top_headings:
            # "的" makes the title inexact: only Word's numeral makes it a heading
            title = m.group(2).replace("政府信息情况", "政府信息的情况").replace("申请情况", "申请的情况")
            body.append(para(run(title), numbered=True))
        elif line.startswith("2021年，"):
            # overview: a deletion, an insertion, a hyperlink, a field, a
            # content control, as Word writes them
            head, tail = line[:5], line[5:]
            inner = ('<w:del w:id="3" w:author="a" w:date="2022-01-05T00:00:00Z"><w:r><w:delText>2020年，</w:delText></w:r></w:del>'
                     '<w:ins w:id="4" w:author="a" w:date="2022-01-05T00:00:00Z">' + run(head) + "</w:ins>"
                     + f'<w:hyperlink r:id="rId2">{run(tail[:3])}</w:hyperlink>'
                     + f'<w:fldSimple w:instr=" QUOTE x ">{run(tail[3:8])}</w:fldSimple>'
                     + '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> QUOTE y </w:instrText></w:r>'
                     + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run(tail[8:]) + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
            body.append(f'<w:sdt><w:sdtPr><w:alias w:val="总体情况"/></w:sdtPr><w:sdtContent>{para(inner)}</w:sdtContent></w:sdt>')
        else:
            body.append(para(run(line)))
    if rows:
        body.append(table(rows))
    doc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
           + "".join(body) + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>')
    return zip_bytes([("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                      ("word/_rels/document.xml.rels", DOC_RELS), ("word/document.xml", doc),
                      ("word/numbering.xml", NUMBERING)])


def minimal_docx(document_xml):
    return zip_bytes([("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", RELS),
                      ("word/document.xml", document_xml)])


def encrypted(data):
    """Sets the 'encrypted' bit of every entry (local and central headers)."""
    b = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = b.find(sig)
        while i >= 0:
            flags = struct.unpack_from("<H", b, i + off)[0] | 1
            struct.pack_into("<H", b, i + off, flags)
            i = b.find(sig, i + 4)
    return bytes(b)


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


def libreoffice_docx(html_path):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "input.html")
        shutil.copy(html_path, src)
        subprocess.run(["libreoffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, src],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        with open(os.path.join(tmp, "input.docx"), "rb") as f:
            return f.read()


def case_file(case, name):
    with open(os.path.join(HERE, case, name), "rb") as f:
        return f.read()


def main():
    for name, src in (("docx_lo_sample", "sample_html_spans"), ("docx_lo_2021", "report_2021_html")):
        srccase = json.load(open(os.path.join(HERE, src, "case.json"), encoding="utf-8"))
        srccase["input"] = "input.docx"
        write_case(name, {"input.docx": libreoffice_docx(os.path.join(HERE, src, "input.html")),
                          "regions.csv": case_file(src, "regions.csv")},
                   srccase, os.path.join(HERE, src, "expected.json"))

    src = "report_2021_text"
    srccase = json.load(open(os.path.join(HERE, src, "case.json"), encoding="utf-8"))
    srccase["input"] = "input.docx"
    text = case_file(src, "input.txt").decode("utf-8")
    write_case("docx_word_features", {"input.docx": word_features_docx(text),
                                      "regions.csv": case_file(src, "regions.csv")},
               srccase, os.path.join(HERE, src, "expected.json"))

    good = case_file("docx_lo_sample", "input.docx")
    bad = {
        "docx_bad_truncated": (good[: len(good) // 2], "zip_invalid"),
        # 40 MiB of blanks inside a paragraph: a few dozen KiB compressed
        "docx_bad_bomb": (minimal_docx(f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'
                                       + " " * (40 << 20) + "</w:t></w:r></w:p></w:body></w:document>"),
                          "zip_bomb"),
        "docx_bad_encrypted": (encrypted(good), "package_encrypted"),
        "docx_bad_dtd": (minimal_docx('<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
                                      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY x SYSTEM "http://127.0.0.1/x">]>'
                                      f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&b;&x;</w:t></w:r></w:p>'
                                      "</w:body></w:document>"), "xml_dtd"),
        "docx_bad_no_table": (minimal_docx(f'<w:document xmlns:w="{W}"><w:body>'
                                           + para(run("永安市西洋镇2021年政府信息公开工作年度报告"))
                                           + para(run("一、总体情况")) + "</w:body></w:document>"),
                              "docx_no_table"),
        "docx_bad_legacy_doc": (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + bytes(504), "legacy_office"),
        "docx_bad_other_zip": (zip_bytes([("[Content_Types].xml", CONTENT_TYPES), ("readme.txt", "x")]),
                               "ooxml_not_office"),
    }
    for name, (data, code) in bad.items():
        write_case(name, {"input.docx": data}, {"input": "input.docx", "entity": "350481101",
                                                "exit": 2, "error": code})


if __name__ == "__main__":
    main()
