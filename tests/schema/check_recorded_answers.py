#!/usr/bin/python3
# check_recorded_answers.py — the JSON answers the integration tests
# received (recorded by tests/integration/harness.c into GK_ANSWERS_DIR)
# validated against schemas/openapi.json: for a route of the document, the
# status must be described and the answer must match its schema.  Paths the
# document does not have (the tests probe unknown ones on purpose) are
# counted, not checked.
# Usage: check_recorded_answers.py REPO_ROOT DIR
import json
import os
import re
import sys

from jsonschema import Draft202012Validator


def records(d):
    for n in sorted(os.listdir(d)):
        if not n.startswith("answers-"):
            continue
        with open(os.path.join(d, n), "rb") as f:
            data = f.read()
        pos = 0
        while pos < len(data):
            nl = data.index(b"\n", pos)
            head, path = data[pos:nl].decode().split("\t", 1)
            method, status, length = head.split(" ")
            body = data[nl + 1:nl + 1 + int(length)]
            pos = nl + 1 + int(length) + 1
            yield method, path, int(status), body


def main():
    root, d = sys.argv[1], sys.argv[2]
    with open(os.path.join(root, "schemas", "openapi.json"), encoding="utf-8") as f:
        doc = json.load(f)
    matchers = [(re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)) + "$"), t) for t in doc["paths"]]
    validators = {}
    n = checked = skipped = 0
    problems = {}
    for method, path, status, body in records(d):
        n += 1
        bare = path.split("?", 1)[0]
        template = next((t for m, t in matchers if m.match(bare)), None)
        op = doc["paths"][template].get(method.lower()) if template else None
        if op is None:
            skipped += 1
            continue
        resp = op["responses"].get(str(status))
        if resp is None:
            problems.setdefault("%s %s: status %d not described" % (method, template, status), path)
            continue
        schema = resp.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            problems.setdefault("%s %s %d: no JSON schema" % (method, template, status), path)
            continue
        key = json.dumps(schema, sort_keys=True)
        if key not in validators:
            validators[key] = Draft202012Validator({"allOf": [schema], "components": doc["components"]})
        try:
            answer = json.loads(body)
        except ValueError:
            problems.setdefault("%s %s %d: not JSON" % (method, template, status), path)
            continue
        for e in validators[key].iter_errors(answer):
            problems.setdefault("%s %s %d: %s: %s" % (method, template, status,
                                                       "/".join(map(str, e.absolute_path)), e.message[:200]), path)
        checked += 1
    print("%d answers recorded, %d validated, %d of paths the document does not have" % (n, checked, skipped))
    for p, example in sorted(problems.items()):
        print("  %s   (e.g. %s)" % (p, example))
    if n == 0:
        print("nothing recorded: run the integration tests with GK_ANSWERS_DIR set")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
