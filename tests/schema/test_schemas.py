#!/usr/bin/python3
# test_schemas.py — the report JSON Schemas in schemas/ are what
# scripts/gen-schemas makes of formats/*.json today (so they cannot drift from
# the registry), are valid 2020-12 schemas, and an independent validator
# (Debian's python3-jsonschema) accepts the real sample and every
# tests/cases report the parser accepts, and rejects those it rejects
# (unknown key, string count, negative count, fraction, ...).  Also
# schemas/openapi.json (scripts/gen-openapi): up to date, its paths and
# methods exactly daemon/http.c's route table, every $ref resolved and every
# component schema a valid 2020-12 schema.
# Usage: test_schemas.py REPO_ROOT
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import jsonschema
from jsonschema import Draft202012Validator

ROOT = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Findings that mean "the parser did not accept this value or key": the
# schema must reject such a report.
REJECTING = {"value.invalid", "structure.unknown_cell"}
# Cases the parser rejects for a reason a JSON Schema does not express:
# the number of decimals of an amount (the daemon's precision, lib/value.c)
# and a calendar date (30 February).  Asserted to pass the schema, so a
# change of either side is noticed here.
BEYOND_SCHEMA = {"value.invalid/trigger-amount-decimals.json",
                 "value.invalid/trigger-published-at.json"}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def schema_for(version):
    return load(os.path.join(ROOT, "schemas", "report-%s.schema.json" % version))


def validator(version):
    return Draft202012Validator(schema_for(version))


def build_case(case):
    """A tests/cases file as the report it describes: base plus dotted 'set' paths."""
    r = copy.deepcopy(case["base"])
    for path, value in case.get("set", {}).items():
        node = r
        parts = path.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return r


def cases():
    base = os.path.join(ROOT, "tests", "cases")
    for d in sorted(os.listdir(base)):
        for n in sorted(os.listdir(os.path.join(base, d))):
            if n.endswith(".json"):
                yield "%s/%s" % (d, n), load(os.path.join(base, d, n))


class Schemas(unittest.TestCase):
    def test_up_to_date_with_registry(self):
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen-schemas"), out], check=True)
            made = sorted(os.listdir(out))
            versions = sorted(load(os.path.join(ROOT, "formats", n))["version"]
                              for n in os.listdir(os.path.join(ROOT, "formats")) if n.endswith(".json"))
            self.assertEqual(made, ["report-%s.schema.json" % v for v in versions])
            for n in made:
                with open(os.path.join(out, n), "rb") as a, open(os.path.join(ROOT, "schemas", n), "rb") as b:
                    self.assertEqual(a.read(), b.read(), "schemas/%s is stale: run scripts/gen-schemas" % n)

    def test_valid_against_metaschema(self):
        for v in ("2019", "2021"):
            Draft202012Validator.check_schema(schema_for(v))

    def test_every_registry_cell_described(self):
        for v in ("2019", "2021"):
            fmt, s = load(os.path.join(ROOT, "formats", "%s.json" % v)), schema_for(v)
            tables = s["properties"]["tables"]["properties"]
            n = 0
            for t in fmt["tables"]:
                kinds = {c["key"]: c["kind"] for c in t["columns"]}
                for row in t["rows"]:
                    for c in row.get("columns") or kinds:
                        self.assertEqual(tables[t["key"]]["properties"][row["key"]]["properties"][c]["x-gongkai-kind"], kinds[c])
                        n += 1
            self.assertGreater(n, 50)

    def test_sample_validates(self):
        sample = load(os.path.join(ROOT, "tests", "data", "sample-350481101-2020.json"))
        validator(sample["format"]).validate(sample)

    def test_cases_agree_with_parser(self):
        seen_reject = seen_accept = 0
        for name, case in cases():
            report = build_case(case)
            errors = list(validator(report["format"]).iter_errors(report))
            codes = {e["code"] for e in case.get("expect", [])}
            if codes & REJECTING and name not in BEYOND_SCHEMA:
                self.assertTrue(errors, "%s: the parser rejects it, the schema accepts it" % name)
                seen_reject += 1
            else:
                self.assertEqual([e.message for e in errors], [], name)
                seen_accept += 1
        self.assertGreater(seen_reject, 5)
        self.assertGreater(seen_accept, 20)

    def test_invalid_reports_rejected(self):
        sample = load(os.path.join(ROOT, "tests", "data", "sample-350481101-2020.json"))
        v = validator("2019")

        def mutant(f):
            r = copy.deepcopy(sample)
            f(r)
            return r
        bad = {
            "unknown top key": lambda r: r.update(remark="x"),
            "unknown table": lambda r: r["tables"].update(bogus={}),
            "unknown row": lambda r: r["tables"]["requests"].update(bogus_row={"total": 1}),
            "unknown column": lambda r: r["tables"].setdefault("appeals", {"review": {}})["review"].update(bogus=1),
            "string count": lambda r: r["tables"]["requests"]["received"].update(total="7"),
            "negative count": lambda r: r["tables"]["requests"]["received"].update(total=-1),
            "fraction count": lambda r: r["tables"]["requests"]["received"].update(total=1.5),
            "amount as string": lambda r: r["tables"]["active"]["procurement"].update(amount_yuan="1.5"),
            "negative amount": lambda r: r["tables"]["active"]["procurement"].update(amount_yuan=-0.5),
            "other format": lambda r: r.update(format="2021"),
            "year too early": lambda r: r.update(year=2000),
            "entity letters": lambda r: r.update(entity="35ab"),
            "no entity": lambda r: r.pop("entity"),
            "narrative number": lambda r: r["narrative"].update(overview=3),
            "unknown narrative": lambda r: r["narrative"].update(summary="x"),
        }
        for what, f in bad.items():
            with self.assertRaises(jsonschema.ValidationError, msg=what):
                v.validate(mutant(f))
        good = {
            "null cell": lambda r: r["tables"]["requests"]["received"].update(total=None),
            "absent row": lambda r: r["tables"]["requests"].pop("received"),
            "negative change": lambda r: r["tables"]["active"]["licensing"].update(change=-3),
            "six-decimal amount": lambda r: r["tables"]["active"]["procurement"].update(amount_yuan=24252.311082),
            "integer amount": lambda r: r["tables"]["active"]["procurement"].update(amount_yuan=12),
        }
        for what, f in good.items():
            self.assertEqual([e.message for e in v.iter_errors(mutant(f))], [], what)


def daemon_routes():
    """{path pattern: {methods}} of the route table in daemon/http.c."""
    with open(os.path.join(ROOT, "daemon", "http.c"), encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("static const route_def routes[]"):]
    table = table[:table.index("};")]
    out = {}
    for path, methods in re.findall(r'\{"(/[^"]*)",\s*([A-Z_ |]+),', table):
        out.setdefault(path, set()).update(m.strip()[2:].lower() for m in methods.split("|"))
    return out


class OpenAPI(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = load(os.path.join(ROOT, "schemas", "openapi.json"))

    def test_up_to_date(self):
        with tempfile.TemporaryDirectory() as out:
            made = os.path.join(out, "openapi.json")
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen-openapi"), made], check=True)
            with open(made, "rb") as a, open(os.path.join(ROOT, "schemas", "openapi.json"), "rb") as b:
                self.assertEqual(a.read(), b.read(), "schemas/openapi.json is stale: run scripts/gen-openapi")

    def test_paths_are_the_daemons_routes(self):
        routes = daemon_routes()
        self.assertGreater(len(routes), 10)
        described = {re.sub(r"\{[^}]+\}", "*", p): {m for m in ops if m in ("get", "post", "put", "delete", "patch")}
                     for p, ops in self.doc["paths"].items()}
        self.assertEqual(sorted(described), sorted(routes), "paths differ from daemon/http.c's routes")
        for p, methods in routes.items():
            self.assertEqual(described[p], methods, p)

    def test_every_operation_documents_errors(self):
        for p, ops in self.doc["paths"].items():
            for m, o in ops.items():
                self.assertIn("500", o["responses"], (p, m))
                self.assertIn("Retry-After", json.dumps(o["responses"]["503"]), (p, m))
                if o.get("security"):
                    self.assertIn("401", o["responses"], (p, m))
                for code, r in o["responses"].items():
                    if code >= "400":
                        self.assertIn("#/components/schemas/Error", json.dumps(r), (p, m, code))

    def test_refs_resolve_and_schemas_valid(self):
        text = json.dumps(self.doc)
        refs = set(re.findall(r'"\$ref": "#/([^"]+)"', text))
        self.assertTrue(refs)
        for ref in refs:
            node = self.doc
            for part in ref.split("/"):
                node = node[part]
        for name, sch in self.doc["components"]["schemas"].items():
            Draft202012Validator.check_schema(sch)
        self.assertEqual(self.doc["openapi"], "3.1.0")

    def test_report_bodies_validate_through_openapi(self):
        """The request body schema, resolved inside the document, takes the
        sample and refuses a string count."""
        v = Draft202012Validator({"$ref": "#/components/schemas/Report", "components": self.doc["components"]})
        sample = load(os.path.join(ROOT, "tests", "data", "sample-350481101-2020.json"))
        self.assertEqual([e.message for e in v.iter_errors(sample)], [])
        sample["tables"]["requests"]["received"]["total"] = "0"
        self.assertTrue(list(v.iter_errors(sample)))
        err = {"error": {"code": "not_found", "message": "没有这个格式版本：1999", "path": ""}}
        ev = Draft202012Validator({"$ref": "#/components/schemas/Error", "components": self.doc["components"]})
        self.assertEqual(list(ev.iter_errors(err)), [])
        self.assertTrue(list(ev.iter_errors({"error": {"code": "x"}})))


if __name__ == "__main__":
    unittest.main(verbosity=2)
