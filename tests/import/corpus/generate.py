#!/usr/bin/env python3
"""Writes the importer's corpus: variants of the published sample and a
2021-format report, each case a directory with the input, case.json (options,
expected exit code, number of unplaced items, the codes `check` must find)
and expected.json.

The expected JSON is NOT produced by the importer: for the sample variants it
is the hand-checked tests/data/sample-350481101-2020.json (the same report, so
the same JSON), cut down by hand for the truncated cases; the 2021 report's is
written out below.  Run from anywhere: python3 generate.py SHARED_DIR
"""
import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
SAMPLE = os.path.join(SHARED, "samples", "000_97e675048cbabdae.txt")
REFERENCE = os.path.join(ROOT, "tests", "data", "sample-350481101-2020.json")

REGIONS_CSV = """code,name,parent_code
35,福建省,
3504,三明市,35
350481,永安市,3504
350481001,燕西街道,350481
350481101,贡川镇,350481
350481102,西洋镇,350481
350427,沙县区,3504
350427101,高桥镇,350427
"""


def write_case(name, files, case, expected):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    for fname, content in files.items():
        if isinstance(content, bytes):
            with open(os.path.join(d, fname), "wb") as f:
                f.write(content)
            continue
        with open(os.path.join(d, fname), "w", encoding="utf-8", newline="") as f:
            f.write(content)
    with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as f:
        json.dump(case, f, ensure_ascii=False, indent=2)
        f.write("\n")
    path = os.path.join(d, "expected.json")
    if expected is None:
        if os.path.exists(path):
            os.remove(path)
    else:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(expected, f, ensure_ascii=False, indent=2)
            f.write("\n")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------
# The sample, split into its parts (line numbers as in the file, 1-based).
lines = open(SAMPLE, encoding="utf-8").read().split("\n")
ref = json.load(open(REFERENCE, encoding="utf-8"))


def rng(a, b):
    return lines[a - 1:b]


head = rng(1, 52)            # title, preamble, section 一
active_tab = rng(53, 73)     # 二 heading + table
requests_tab = rng(74, 103)  # 三 heading + table
tail = rng(104, len(lines))  # 四(=五) and 六

# 1. one cell per line: every non-blank cell of the tables on its own line.
def one_per_line(block):
    out = []
    for ln in block:
        if "\t" in ln:
            out.extend(c.strip() for c in ln.split("\t") if c.strip())
        else:
            out.append(ln)
    return out


text = "\n".join(head + one_per_line(active_tab) + one_per_line(requests_tab) + tail)
write_case("sample_one_cell_per_line", {"input.txt": text},
           {"input": "input.txt", "entity": "350481101", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table"]}, ref)

# 2. '|' rows, full-width digits and brackets mixed in, a thousands separator
#    and units where they keep the value.
FW = str.maketrans("0123456789()./", "０１２３４５６７８９（）．／")


def pipes(block, fullwidth_every=2):
    out = []
    k = 0
    for ln in block:
        if "\t" not in ln:
            out.append(ln)
            continue
        cells = [c.strip() for c in ln.split("\t")]
        k += 1
        if k % fullwidth_every == 0:
            cells = [c.translate(FW) for c in cells]
        out.append("| " + " | ".join(cells) + " |")
    return out


act = pipes(active_tab)
act = [ln.replace("| 208 |", "| 0,208 |").replace("| ２０８ |", "| ０,２０８ |") for ln in act]
act = [ln.replace("| 政府集中采购 | 0 | 0 |", "| 政府集中采购 | 0 | 0元 |") for ln in act]
text = "\n".join(head + act + pipes(requests_tab, 3) + tail)
write_case("sample_pipes_fullwidth", {"input.txt": text},
           {"input": "input.txt", "entity": "350481101", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table"]}, ref)

# 3. HTML as portals publish it: paragraphs, tables with rowspan/colspan,
#    &nbsp; in blank cells, <p> in cells, a label split by <br />.  The entity
#    comes from the region list.
def para_html(block):
    out = []
    for ln in block:
        if not ln.strip():
            continue
        if ln.strip() in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                          "四、存在的主要问题及改进措施", "六、其他需要报告的事项"):
            out.append('<p style="text-indent:2em"><strong>%s</strong></p>' % esc(ln.strip()))
        else:
            out.append('<p style="text-indent:2em">%s</p>' % esc(ln.strip()))
    return out


def td(x, **attrs):
    a = "".join(' %s="%s"' % (k, v) for k, v in attrs.items())
    body = x if x else "&nbsp;"
    return "<td%s><p>%s</p></td>" % (a, body)


active_html = ["<table border=\"1\" cellspacing=\"0\">", "<tbody>"]
for group, header, rows in [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("规章", ["0", "0", "0"]), ("规范性文件", ["0", "0", "0"])]),
    ("第二十条第（五）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政许可", ["10", "0", "0"]), ("其他对外管理<br />服务事项", ["208", "0", "0"])]),
    ("第二十条第（六）项", ["上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政处罚", ["5", "0", "0"]), ("行政强制", ["5", "0", "0"])]),
    ("第二十条第（八）项", ["上一年项目数量", "本年增/减", ""],
     [("行政事业性收费", ["0", "0", ""])]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额（元）", ""],
     [("政府集中采购", ["0", "0", ""])]),
]:
    active_html.append("<tr>%s</tr>" % td(group, colspan=4))
    active_html.append("<tr>%s</tr>" % "".join(td(x) for x in ["信息内容"] + header))
    for label, vals in rows:
        active_html.append("<tr>%s</tr>" % "".join(td(x) for x in [label] + vals))
active_html += ["</tbody>", "</table>"]

Z7 = ["0"] * 7
req = ["<table border=\"1\">",
       "<tr>%s%s</tr>" % (td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                             colspan=3, rowspan=3), td("申请人情况", colspan=7)),
       "<tr>%s%s%s</tr>" % (td("自然人", rowspan=2), td("法人或其他组织", colspan=5),
                            td("总计", rowspan=2)),
       "<tr>%s</tr>" % "".join(td(x) for x in ["商业企业", "科研机构", "社会公益组织",
                                              "法律服务机构", "其他"]),
       "<tr>%s%s</tr>" % (td("一、本年新收政府信息公开申请数量", colspan=3), "".join(map(td, Z7))),
       "<tr>%s%s</tr>" % (td("二、上年结转政府信息公开申请数量", colspan=3), "".join(map(td, Z7))),
       "<tr>%s%s%s</tr>" % (td("三、本年度办理结果", rowspan=20), td("（一）予以公开", colspan=2),
                            "".join(map(td, Z7))),
       "<tr>%s%s</tr>" % (td("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2),
                          "".join(map(td, Z7)))]
for group, items in [("（三）不予公开", ["1.属于国家秘密", "2.其他法律行政法规禁止公开",
                                        "3.危及“三安全一稳定”", "4.保护第三方合法权益",
                                        "5.属于三类内部事务信息", "6.属于四类过程性信息",
                                        "7.属于行政执法案卷", "8.属于行政查询事项"]),
                     ("（四）无法提供", ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
                                        "3.补正后申请内容仍不明确"]),
                     ("（五）不予处理", ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
                                        "4.无正当理由大量反复申请",
                                        "5.要求行政机关确认或重新出具已获取信息"])]:
    for i, item in enumerate(items):
        first = td(group, rowspan=len(items)) if i == 0 else ""
        req.append("<tr>%s%s%s</tr>" % (first, td(item), "".join(map(td, Z7))))
req += ["<tr>%s%s</tr>" % (td("（六）其他处理", colspan=2), "".join(map(td, Z7))),
        "<tr>%s%s</tr>" % (td("（七）总计", colspan=2), "".join(map(td, Z7))),
        "<tr>%s%s</tr>" % (td("四、结转下年度继续办理", colspan=3), "".join(map(td, Z7))),
        "</table>"]

html_lines = ["<!DOCTYPE html>", "<html>", "<head>",
              '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
              "<title>永安市贡川镇人民政府2020年政府信息公开工作年度报告</title>", "</head>", "<body>",
              '<div class="article">',
              '<h1 style="text-align:center">永安市贡川镇人民政府</h1>',
              '<h1 style="text-align:center">2020&nbsp;年政府信息公开工作年度报告</h1>']
html_lines += para_html(rng(7, 52))
html_lines += para_html(["二、主动公开政府信息情况"]) + active_html
html_lines += para_html(["三、收到和处理政府信息公开申请情况"]) + req
html_lines += para_html(tail)
html_lines += ["</div>", "</body>", "</html>"]
html = "\n".join(html_lines) + "\n"
write_case("sample_html_spans", {"input.html": html, "regions.csv": REGIONS_CSV},
           {"input": "input.html", "regions": "regions.csv", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table"]}, ref)

# 4. The sample's own text with a region list instead of --entity.
write_case("sample_text_regions", {"input.txt": "\n".join(lines), "regions.csv": REGIONS_CSV},
           {"input": "input.txt", "regions": "regions.csv", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table"]}, ref)

# 5. Without --entity or a region list: not importable (exit 2).
write_case("sample_no_entity", {"input.txt": "\n".join(lines)},
           {"input": "input.txt", "exit": 2, "error": "no_entity"}, None)

# 6. Truncated text: cut inside the requests table, in the middle of a row.
cut = lines.index("\t\t7.属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0")
trunc_text = "\n".join(lines[:cut] + ["\t\t7.属于行政执法案卷\t0\t0\t0"])
exp = copy.deepcopy(ref)
del exp["narrative"]["problems"]
del exp["narrative"]["other"]
req_rows = list(exp["tables"]["requests"].keys())
keep = req_rows[:req_rows.index("withheld_enforcement_file")]
exp["tables"]["requests"] = {k: v for k, v in exp["tables"]["requests"].items() if k in keep}
exp["tables"]["requests"]["withheld_enforcement_file"] = {
    "natural_person": 0, "enterprise": 0, "research": 0}
# unplaced: the row's 4 missing values (one item: the file ends in that row,
# so its 3 values are placed), the 12 rows after it (withheld_query_matter …
# carried_forward).  Sections 四, 五, 六 missing at the end are notes: absent
# from the JSON, and check reports them.
write_case("truncated_text", {"input.txt": trunc_text},
           {"input": "input.txt", "entity": "350481101", "exit": 3, "unplaced": 1 + 12},
           exp)

# 7. Truncated HTML: the page stops inside the requests table (libxml2 recovers).
cut_at = html.index("<td><p>4.保护第三方合法权益</p></td>")
trunc_html = html[:cut_at]
exp = copy.deepcopy(ref)
del exp["narrative"]["problems"]
del exp["narrative"]["other"]
keep = req_rows[:req_rows.index("withheld_third_party")]
exp["tables"]["requests"] = {k: v for k, v in exp["tables"]["requests"].items() if k in keep}
write_case("truncated_html", {"input.html": trunc_html, "regions.csv": REGIONS_CSV},
           {"input": "input.html", "regions": "regions.csv", "exit": 3,
            "unplaced": 16}, exp)

# 7b. A complete report without section 六: absent from the JSON, a note, exit
#     0 (as the sample's missing section 四); check reports it.
cut = lines.index("六、其他需要报告的事项")
exp = copy.deepcopy(ref)
del exp["narrative"]["other"]
write_case("sample_no_section_six", {"input.txt": "\n".join(lines[:cut])},
           {"input": "input.txt", "entity": "350481101", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table", "structure.missing_narrative"]}, exp)

# 8. Not a report.
write_case("not_a_report", {"input.txt": "会议纪要\n\n今天讨论了三件事。\n一是……\n"},
           {"input": "input.txt", "entity": "350481101", "exit": 2, "error": "not_a_report"},
           None)

# ---------------------------------------------------------------------------
# A 2021-format report, written for the corpus: numbers that satisfy every
# sum rule, "/" for rules a township does not make, a thousands separator,
# an amount in 万元 given as 元, the appeals table as one row of 15 under the
# two-level header, and a publication date at the end.
R21_ROWS = [
    ("一、本年新收政府信息公开申请数量", [5, 2, 0, 0, 1, 0, 8]),
    ("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1]),
    ("三、本年度办理结果\t（一）予以公开", [3, 1, 0, 0, 0, 0, 4]),
    ("\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [1, 0, 0, 0, 0, 0, 1]),
    ("\t（三）不予公开\t1.属于国家秘密", [0] * 7),
    ("\t\t2.其他法律行政法规禁止公开", [0] * 7),
    ("\t\t3.危及“三安全一稳定”", [0] * 7),
    ("\t\t4.保护第三方合法权益", [0] * 7),
    ("\t\t5.属于三类内部事务信息", [0] * 7),
    ("\t\t6.属于四类过程性信息", [0] * 7),
    ("\t\t7.属于行政执法案卷", [0] * 7),
    ("\t\t8.属于行政查询事项", [0] * 7),
    ("\t（四）无法提供\t1.本机关不掌握相关政府信息", [1, 0, 0, 0, 0, 0, 1]),
    ("\t\t2.没有现成信息需要另行制作", [0] * 7),
    ("\t\t3.补正后申请内容仍不明确", [0] * 7),
    ("\t（五）不予处理\t1.信访举报投诉类申请", [0] * 7),
    ("\t\t2.重复申请", [0, 1, 0, 0, 0, 0, 1]),
    ("\t\t3.要求提供公开出版物", [0] * 7),
    ("\t\t4.无正当理由大量反复申请", [0] * 7),
    ("\t\t5.要求行政机关确认或重新出具已获取信息", [0] * 7),
    ("\t（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [0] * 7),
    ("\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", [0] * 7),
    ("\t\t3.其他", [0, 0, 0, 0, 1, 0, 1]),
    ("\t（七）总计", [5, 2, 0, 0, 1, 0, 8]),
    ("四、结转下年度继续办理", [1, 0, 0, 0, 0, 0, 1]),
]
R21_KEYS = ["received", "carried_over", "granted", "partly_granted", "withheld_state_secret",
            "withheld_law_prohibits", "withheld_three_safeties", "withheld_third_party",
            "withheld_internal_affairs", "withheld_process_info", "withheld_enforcement_file",
            "withheld_query_matter", "unavailable_not_held", "unavailable_needs_creation",
            "unavailable_unclear", "rejected_petition", "rejected_duplicate",
            "rejected_publication", "rejected_excessive", "rejected_confirmation",
            "other_no_correction", "other_unpaid_fee", "other_misc", "total", "carried_forward"]
REQ_COLS = ["natural_person", "enterprise", "research", "nonprofit", "legal_service", "other_org",
            "total"]
APPEALS = [[1, 0, 0, 1, 2], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]]
APP_COLS = ["upheld", "corrected", "other", "pending", "total"]

OVERVIEW21 = ("2021年，西洋镇认真贯彻落实《中华人民共和国政府信息公开条例》，"
              "统计期限为2021年1月1日至2021年12月31日。")
PROBLEMS21 = "存在的主要问题是公开内容不够全面。下一步将加强培训，完善制度。"
OTHER21 = "本年度未收取信息处理费。"

t21 = ["永安市西洋镇人民政府", "2021年政府信息公开工作年度报告", "",
       "一、总体情况", "", OVERVIEW21, "",
       "二、主动公开政府信息情况", "",
       "第二十条第（一）项\t\t\t",
       "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
       "规章\t/\t/\t/",
       "行政规范性文件\t2\t1\t5",
       "第二十条第（五）项\t\t\t",
       "信息内容\t本年处理决定数量\t\t",
       "行政许可\t1,234\t\t",
       "第二十条第（六）项\t\t\t",
       "信息内容\t本年处理决定数量\t\t",
       "行政处罚\t12\t\t",
       "行政强制\t3\t\t",
       "第二十条第（八）项\t\t\t",
       "信息内容\t本年收费金额（单位：万元）\t\t",
       "行政事业性收费\t125000元\t\t", "",
       "三、收到和处理政府信息公开申请情况", "",
       "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况\t\t\t\t\t\t",
       "\t自然人\t法人或其他组织\t\t\t\t\t总计",
       "\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t"]
for label, vals in R21_ROWS:
    t21.append(label + "\t" + "\t".join(str(v) for v in vals))
t21 += ["", "四、政府信息公开行政复议、行政诉讼情况", "",
        "行政复议\t\t\t\t\t行政诉讼",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉",
        "\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
        "\t".join(str(v) for row in APPEALS for v in row) + "\t",
        "", "五、存在的主要问题及改进情况", "", PROBLEMS21,
        "", "六、其他需要报告的事项", "", OTHER21, "",
        "永安市西洋镇人民政府", "2022年1月20日", ""]

exp21 = {
    "format": "2021", "year": 2021, "entity": "350481102", "published_at": "2022-01-20",
    "narrative": {"overview": OVERVIEW21, "problems": PROBLEMS21, "other": OTHER21},
    "tables": {
        "active": {
            "rules": {"issued": None, "repealed": None, "in_force": None},
            "normative_documents": {"issued": 2, "repealed": 1, "in_force": 5},
            "licensing": {"decisions": 1234},
            "penalties": {"decisions": 12},
            "coercive_measures": {"decisions": 3},
            "fees": {"amount_10k_yuan": 12.5},
        },
        "requests": {k: dict(zip(REQ_COLS, vals)) for k, (_, vals) in zip(R21_KEYS, R21_ROWS)},
        "appeals": {k: dict(zip(APP_COLS, v)) for k, v in
                    zip(["review", "suit_direct", "suit_after_review"], APPEALS)},
    },
}
write_case("report_2021_text", {"input.txt": "\n".join(t21), "regions.csv": REGIONS_CSV},
           {"input": "input.txt", "regions": "regions.csv", "exit": 0, "unplaced": 0,
            "findings": ["value.not_applicable"] * 3}, exp21)

# 9. The same 2021 report as HTML, the appeals table with its real spans, the
#    requests table one row per <tr> with rowspans for the groups.
def row_html(label_cells, vals):
    return "<tr>%s%s</tr>" % ("".join(label_cells), "".join(td(str(v)) for v in vals))


h = ["<html><head><meta charset=\"utf-8\"></head><body>",
     "<p align=\"center\">永安市西洋镇人民政府<br/>2021年政府信息公开工作年度报告</p>",
     "<p>一、总体情况</p>", "<p>%s</p>" % OVERVIEW21,
     "<p>二、主动公开政府信息情况</p>", "<table border=\"1\">",
     "<tr>%s</tr>" % td("第二十条第（一）项", colspan=4),
     "<tr>%s</tr>" % "".join(td(x) for x in ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]),
     "<tr>%s</tr>" % "".join(td(x) for x in ["规章", "—", "—", "—"]),
     "<tr>%s</tr>" % "".join(td(x) for x in ["行政规范性文件", "2", "1", "5"]),
     "<tr>%s</tr>" % td("第二十条第（五）项", colspan=4),
     "<tr>%s%s</tr>" % (td("信息内容"), td("本年处理决定数量", colspan=3)),
     "<tr>%s%s</tr>" % (td("行政许可"), td("1 234", colspan=3)),
     "<tr>%s</tr>" % td("第二十条第（六）项", colspan=4),
     "<tr>%s%s</tr>" % (td("信息内容"), td("本年处理决定数量", colspan=3)),
     "<tr>%s%s</tr>" % (td("行政处罚"), td("１２", colspan=3)),
     "<tr>%s%s</tr>" % (td("行政强制"), td("3", colspan=3)),
     "<tr>%s</tr>" % td("第二十条第（八）项", colspan=4),
     "<tr>%s%s</tr>" % (td("信息内容"), td("本年收费金额<br />（单位：万元）", colspan=3)),
     "<tr>%s%s</tr>" % (td("行政事业性收费"), td("12.5", colspan=3)),
     "</table>", "<p>三、收到和处理政府信息公开申请情况</p>", "<table border=\"1\">",
     "<tr>%s%s</tr>" % (td("", colspan=3, rowspan=3), td("申请人情况", colspan=7)),
     "<tr>%s%s%s</tr>" % (td("自然人", rowspan=2), td("法人或其他组织", colspan=5),
                          td("总计", rowspan=2)),
     "<tr>%s</tr>" % "".join(td(x) for x in ["商业企业", "科研机构", "社会公益组织",
                                            "法律服务机构", "其他"])]
groups = {"（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5, "（六）其他处理": 3}
for i, (label, vals) in enumerate(R21_ROWS):
    parts = [p for p in label.split("\t")]
    if i < 2 or i == len(R21_ROWS) - 1:
        h.append(row_html([td(parts[0], colspan=3)], vals))
        continue
    cells = []
    if i == 2:
        cells.append(td("三、本年度办理结果", rowspan=22))
    rest = [p for p in parts if p and p != "三、本年度办理结果"]
    if len(rest) == 1 and rest[0] in ("（一）予以公开", "（七）总计") or rest[0].startswith("（二）"):
        cells.append(td(rest[0], colspan=2))
    else:
        if rest[0] in groups:
            cells.append(td(rest[0], rowspan=groups[rest[0]]))
            rest = rest[1:]
        cells.append(td(rest[-1]))
    h.append(row_html(cells, vals))
h += ["</table>", "<p>四、政府信息公开行政复议、行政诉讼情况</p>", "<table border=\"1\">",
      "<tr>%s%s</tr>" % (td("行政复议", colspan=5), td("行政诉讼", colspan=10)),
      "<tr>%s%s%s</tr>" % ("".join(td(x, rowspan=2) for x in ["结果<br />维持", "结果<br />纠正",
                                                              "其他<br />结果", "尚未<br />审结",
                                                              "总计"]),
                           td("未经复议直接起诉", colspan=5), td("复议后起诉", colspan=5)),
      "<tr>%s</tr>" % "".join(td(x) for x in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
      "<tr>%s</tr>" % "".join(td(str(v)) for row in APPEALS for v in row),
      "</table>",
      "<p>五、存在的主要问题及改进情况</p>", "<p>%s</p>" % PROBLEMS21,
      "<p>六、其他需要报告的事项</p>", "<p>%s</p>" % OTHER21,
      "<p align=\"right\">永安市西洋镇人民政府</p>", "<p align=\"right\">2022年1月20日</p>",
      "</body></html>"]
write_case("report_2021_html", {"input.html": "\n".join(h) + "\n", "regions.csv": REGIONS_CSV},
           {"input": "input.html", "regions": "regions.csv", "exit": 0, "unplaced": 0,
            "findings": ["value.not_applicable"] * 3}, exp21)

# 9b. The same page with the portal's footer after the signature and date:
#     furniture ends section 六 and is dropped with notes (exit 0), and the
#     date before it is still the publication date.
FOOTER = ["<div class=\"foot\"><p>【打印本页】【关闭窗口】</p>",
          "<p>版权所有：永安市人民政府&nbsp;&nbsp;闽ICP备05012345号-1</p>",
          "<p>主办单位：永安市人民政府办公室</p><p>网站标识码：3504810001</p></div>"]
hf = h[:-1] + FOOTER + h[-1:]
write_case("report_2021_html_footer",
           {"input.html": "\n".join(hf) + "\n", "regions.csv": REGIONS_CSV},
           {"input": "input.html", "regions": "regions.csv", "exit": 0, "unplaced": 0,
            "findings": ["value.not_applicable"] * 3}, exp21)

# 9c. Text copied from a page: the footer, then a line that is no furniture —
#     section 六 ends at the footer, the line is reported (exit 3).
write_case("sample_footer_text",
           {"input.txt": "\n".join(lines + ["", "【打印本页】【关闭窗口】",
                                              "版权所有：永安市人民政府\u3000闽ICP备05012345号",
                                              "相关链接：三明市人民政府门户网站"])},
           {"input": "input.txt", "entity": "350481101", "exit": 3, "unplaced": 1,
            "findings": ["structure.missing_table"]}, ref)

# 10. A stray note inside a table and a row with one value too many: imported,
#     both reported (exit 3).
bad = list(lines)
i = bad.index("行政处罚\t5\t0\t0")
bad[i] = "行政处罚\t5\t0\t0\t7"
bad.insert(i + 1, "注：本表数据来源于镇综合执法队")
write_case("unplaced_extra", {"input.txt": "\n".join(bad)},
           {"input": "input.txt", "entity": "350481101", "exit": 3, "unplaced": 2,
            "findings": ["structure.missing_table"]}, ref)
# 11. GBK, as Chinese Windows saves text, and a GB2312 page that says so.
write_case("sample_text_gbk", {"input.txt": "\r\n".join(lines).encode("gb18030")},
           {"input": "input.txt", "entity": "350481101", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table"]}, ref)
write_case("sample_html_gb2312",
           {"input.html": html.replace("charset=utf-8", "charset=gb2312").encode("gb18030")},
           {"input": "input.html", "entity": "350481101", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table"]}, ref)
# 12. Word's "Unicode text": UTF-16LE with a BOM and CRLF; and UTF-16BE.
write_case("sample_text_utf16le",
           {"input.txt": "\ufeff".encode("utf-16-le") + "\r\n".join(lines).encode("utf-16-le")},
           {"input": "input.txt", "entity": "350481101", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table"]}, ref)
write_case("sample_text_utf16be",
           {"input.txt": "\ufeff".encode("utf-16-be") + "\n".join(lines).encode("utf-16-be")},
           {"input": "input.txt", "entity": "350481101", "exit": 0, "unplaced": 0,
            "findings": ["structure.missing_table"]}, ref)
print("corpus written to", HERE)
