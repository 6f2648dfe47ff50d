#!/usr/bin/python3
# test_openapi_doc.py — schemas/openapi.json is a valid OpenAPI 3.1
# document by the OpenAPI Initiative's own JSON Schemas (tests/schema/oas-3.1/,
# see its README for their source), checked by an independent validator
# (Debian's python3-jsonschema); and every JSON example in docs/api.md is an
# instance of the schema the document gives for its route, so the prose and
# the machine description cannot drift apart.
# Usage: test_openapi_doc.py REPO_ROOT
import copy
import json
import os
import re
import sys
import unittest

from jsonschema import Draft202012Validator

ROOT = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OAS = os.path.join(ROOT, "tests", "schema", "oas-3.1")
ELIDED = "\u2026"  # "…": what docs/api.md writes for the parts an example leaves out


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def oas_validator(root_name):
    """A validator for one of the OAS schemas, its $refs to the others
    resolved from the files here (never fetched)."""
    schemas = {n: load(os.path.join(OAS, n)) for n in os.listdir(OAS) if n.endswith(".json")}
    root = schemas[root_name]
    try:
        from referencing import Registry, Resource  # python3-jsonschema >= 4.18
        registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas.values())
        return Draft202012Validator(root, registry=registry)
    except ImportError:
        from jsonschema import RefResolver  # Debian 12's 4.10
        resolver = RefResolver.from_schema(root, store={s["$id"]: s for s in schemas.values()})
        return Draft202012Validator(root, resolver=resolver)


def examples():
    """(heading, line, text) of every ```json block of docs/api.md."""
    with open(os.path.join(ROOT, "docs", "api.md"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    heading, out, i = "", [], 0
    while i < len(lines):
        if lines[i].startswith("#"):
            heading = lines[i]
        if lines[i].strip() == "```json":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            out.append((heading, i + 1, "\n".join(lines[i + 1:j])))
            i = j
        i += 1
    return out


def as_json(text):
    """An example with elisions as JSON: `[…]` → [], `{…}` and `{ …words… }`
    → an object marked elided, `, …` before a closing brace marks the object
    elided, before a bracket it is dropped."""
    t = re.sub(r"\[\s*…\s*\]", "[]", text)
    t = re.sub(r"\{\s*…[^{}\"]*\}", '{"…":1}', t)
    t = re.sub(r",\s*…\s*\}", ',"…":1}', t)
    t = re.sub(r",\s*…\s*,", ',"…":1,', t)
    t = re.sub(r",\s*…\s*\]", "]", t)
    return json.loads(t)


def placeholder(v):
    return isinstance(v, str) and (ELIDED in v or re.fullmatch(r"<[^<>]+>", v) is not None)


def real_errors(validator, instance):
    """Errors not explained by an elision: inside an object marked elided,
    or about a placeholder value ("…", "<sha256 hex …>")."""
    out = []
    for e in validator.iter_errors(instance):
        node, elided = instance, isinstance(instance, dict) and ELIDED in instance
        for part in e.absolute_path:
            node = node[part]
            elided = elided or (isinstance(node, dict) and ELIDED in node)
        if elided or placeholder(node):
            continue
        out.append("%s: %s" % ("/".join(map(str, e.absolute_path)), e.message))
    return out


def route_of(heading, doc):
    """The (template, method) a heading like "## GET /api/v1/regions/{code}/rollup?year=Y" names."""
    m = re.search(r"\b(GET|POST) (/[^\s\[?,]*)", heading)
    if m is None:
        return None, None
    path = m.group(2)
    return (path if path in doc["paths"] else None), m.group(1).lower()


class Document(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = load(os.path.join(ROOT, "schemas", "openapi.json"))

    def test_valid_openapi_3_1(self):
        """The structure (schema.json) and, with the OAS dialect, every
        Schema Object in it (schema-base.json)."""
        # schema-base.json checks Schema Objects in the OAS dialect, a
        # superset of the plain 2020-12 the document declares: what is valid
        # 2020-12 is valid there, so the document is checked as if it used it.
        as_oas_dialect = dict(self.doc, jsonSchemaDialect="https://spec.openapis.org/oas/3.1/dialect/base")
        for name, d in (("schema.json", self.doc), ("schema-base.json", as_oas_dialect)):
            errors = ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message)
                      for e in oas_validator(name).iter_errors(d)]
            self.assertEqual(errors, [], name)

    def test_the_oas_schemas_bite(self):
        """The validator really applies them: broken documents fail."""
        v = oas_validator("schema.json")
        bad = {"no info": lambda d: d.pop("info"),
               "bad version": lambda d: d.update(openapi="3.0.3"),
               "response without description": lambda d: d["paths"]["/healthz"]["get"]["responses"]["200"].pop("description"),
               "parameter in nowhere": lambda d: d["paths"]["/api/v1/changes"]["get"]["parameters"][0].update({"in": "body"}),
               "security scheme without type": lambda d: d["components"]["securitySchemes"]["bearer"].pop("type")}
        for what, f in bad.items():
            d = copy.deepcopy(self.doc)
            f(d)
            self.assertTrue(list(v.iter_errors(d)), what)
        # and in the dialect, a Schema Object that is not one
        d = dict(copy.deepcopy(self.doc), jsonSchemaDialect="https://spec.openapis.org/oas/3.1/dialect/base")
        d["components"]["schemas"]["Change"]["type"] = "thing"
        self.assertTrue(list(oas_validator("schema-base.json").iter_errors(d)), "schema type not a type")

    def test_every_answer_has_a_shape(self):
        """No 2xx JSON answer is left as a bare `object`, except the document itself."""
        for p, ops in self.doc["paths"].items():
            for m, o in ops.items():
                for code, r in o["responses"].items():
                    s = r.get("content", {}).get("application/json", {}).get("schema")
                    if code.startswith("2") and s is not None and p != "/api/v1/openapi.json":
                        self.assertIn("$ref", s, (p, m, code))

    def test_docs_examples_match(self):
        exs = examples()
        self.assertGreater(len(exs), 10)
        for heading, line, text in exs:
            where = "docs/api.md:%d (%s)" % (line, heading)
            try:
                instance = as_json(text)
            except ValueError as e:
                self.fail("%s: not JSON even with its elisions: %s" % (where, e))
            template, method = route_of(heading, self.doc)
            self.assertIsNotNone(template, "%s: the heading names no route of the document" % where)
            op = self.doc["paths"][template][method]
            candidates = [r["content"]["application/json"]["schema"] for c, r in sorted(op["responses"].items())
                          if c.startswith("2") and "application/json" in r.get("content", {})]
            # a body of JSON only (POST /import takes the file itself)
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                candidates.append(op["requestBody"]["content"]["application/json"]["schema"])
            results = []
            for s in candidates:
                v = Draft202012Validator({"allOf": [s], "components": self.doc["components"]})
                results.append(real_errors(v, instance))
            self.assertTrue(any(r == [] for r in results), "%s: matches no answer or body of %s %s: %s" %
                            (where, method.upper(), template, results))

    def test_elision_rules(self):
        """Elisions excuse only what they stand for."""
        v = Draft202012Validator({"allOf": [{"$ref": "#/components/schemas/Region"}], "components": self.doc["components"]})
        self.assertEqual(real_errors(v, as_json('{"code":"35","name":"福建省","level":1,"parent":"0","children":[…]}')), [])
        self.assertTrue(real_errors(v, as_json('{"code":35,"name":"福建省","level":1,"parent":"0","children":[]}')))
        self.assertTrue(real_errors(v, as_json('{"code":"35","name":"福建省","level":"1","children":[{"code":"3501"}, …]}')))


if __name__ == "__main__":
    unittest.main(verbosity=2)
