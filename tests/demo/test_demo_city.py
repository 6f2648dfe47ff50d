#!/usr/bin/python3
# test_demo_city.py — scripts/demo-city makes the same 29 reports of 永安市 on
# every run (plus one draft, corrected later), each valid against its format's generated JSON Schema
# (python3-jsonschema), and the real `gongkai check` finds exactly the planted
# arithmetic faults and nothing in the clean reports.
# Usage: test_demo_city.py REPO_ROOT GONGKAI_BINARY
import json
import os
import subprocess
import sys
import tempfile
import unittest

from jsonschema import Draft202012Validator

GONGKAI = sys.argv.pop(2)
ROOT = sys.argv.pop(1)
DEMO = os.path.join(ROOT, "scripts", "demo-city")

# (file → finding codes `gongkai check` must report); every other file has none.
EXPECTED_OFFLINE = {
    "350481101-2020.json": {"structure.missing_table"},   # the real sample: no appeals table
    "350481107-2020.json": {"requests.row_total", "requests.balance"},
    "350481203-2021.json": {"requests.outcome_total"},
    "350481102-2021.json": {"appeals.row_total"},
    "350481001-2021-draft.json": {"requests.row_total", "requests.balance"},   # corrected in revision 2
}


def generate(d):
    subprocess.run([sys.executable, DEMO, "generate", d], check=True)
    out = {}
    for n in sorted(os.listdir(d)):
        with open(os.path.join(d, n), "rb") as f:
            out[n] = f.read()
    return out


class DemoCity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = os.path.join(cls.tmp.name, "a")
        cls.files = generate(cls.dir)
        cls.reports = {n: json.loads(b) for n, b in cls.files.items()}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_deterministic(self):
        again = generate(os.path.join(self.tmp.name, "b"))
        self.assertEqual(sorted(again), sorted(self.files))
        for n in self.files:
            self.assertEqual(again[n], self.files[n], n)

    def test_county_two_years_one_missing(self):
        years = {2020: set(), 2021: set()}
        self.assertEqual(len(self.files), 30)
        self.assertEqual([n for n in self.files if "draft" in n], ["350481001-2021-draft.json"])
        for r in self.reports.values():
            years[r["year"]].add(r["entity"])
            self.assertEqual(r["format"], {2020: "2019", 2021: "2021"}[r["year"]])
        self.assertEqual(len(years[2020]), 15)
        self.assertEqual(years[2020] - years[2021], {"350481204"})
        self.assertTrue(all(e.startswith("350481") for e in years[2020]))

    def test_valid_against_generated_schema(self):
        for n, r in self.reports.items():
            with open(os.path.join(ROOT, "schemas", "report-%s.schema.json" % r["format"]), encoding="utf-8") as f:
                errors = [e.message for e in Draft202012Validator(json.load(f)).iter_errors(r)]
            self.assertEqual(errors, [], n)

    def test_offline_check_finds_planted_faults_only(self):
        p = subprocess.run([GONGKAI, "check", "--json"] + [os.path.join(self.dir, n) for n in sorted(self.files)],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1, p.stderr)  # some reports have errors
        results = json.loads(p.stdout)
        self.assertEqual(len(results), len(self.files))
        for r in results:
            n = os.path.basename(r["file"])
            codes = {f["code"] for f in r["findings"]}
            self.assertEqual(codes, EXPECTED_OFFLINE.get(n, set()), n)

    def test_planted_database_faults(self):
        r = self.reports
        late = {n for n, x in r.items() if x.get("published_at", "") > "%d-01-31" % (x["year"] + 1)}
        self.assertEqual(late, {"350481104-2020.json", "350481202-2020.json", "350481106-2021.json"})
        self.assertEqual(r["350481003-2021.json"]["narrative"]["overview"],
                         r["350481002-2021.json"]["narrative"]["overview"].replace("燕西街道", "燕南街道"))
        self.assertIn("高桥镇", r["350481103-2021.json"]["narrative"]["overview"])
        self.assertIn("高桥镇", json.dumps(r["350481101-2020.json"]["narrative"], ensure_ascii=False))
        a, b = r["350481004-2020.json"]["tables"]["requests"], r["350481004-2021.json"]["tables"]["requests"]
        self.assertNotEqual(a["carried_forward"], b["carried_over"])
        for e in ("350481001", "350481100", "350481105"):
            self.assertEqual(r["%s-2020.json" % e]["tables"]["requests"]["carried_forward"],
                             r["%s-2021.json" % e]["tables"]["requests"]["carried_over"], e)


if __name__ == "__main__":
    unittest.main(verbosity=2)
