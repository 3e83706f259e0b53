#!/usr/bin/env python3
"""Check detc's JSON Schemas (schemas/*.json) outside of the Rust build.

  python3 -m venv /tmp/schemavenv && /tmp/schemavenv/bin/pip install jsonschema pyyaml
  /tmp/schemavenv/bin/python tools/schema-check/check_schemas.py [--corpus DIR ...] [--strict]

(a) every schema must be a valid draft 2020-12 schema;
(b) the hand-written cases in cases.yml must pass/fail as declared;
(c) every YAML document of the corpora (default: ../shared/corpus/auth0/detections and
    ../shared/corpus/sigmahq-sample) is validated and failures are printed.
Documents are classified like pySigma: `correlation` key -> correlation.json, `filter` -> filter.json,
else rule.json. Dates stay strings (the YAML timestamp resolver is removed), like detc's loader.
Exit status: 1 if a schema is invalid or a case misbehaves (with --strict also on corpus failures).
"""
import argparse
import json
import pathlib
import sys

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SCHEMA_DIR = REPO / "schemas"
DEFAULT_CORPORA = [
    REPO.parent / "shared" / "corpus" / "auth0" / "detections",
    REPO.parent / "shared" / "corpus" / "sigmahq-sample",
]
KINDS = ["rule", "correlation", "filter", "tests"]


class StringDateLoader(yaml.SafeLoader):
    """SafeLoader (YAML 1.1 like PyYAML/pySigma) that leaves YYYY-MM-DD scalars as strings."""


StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_schemas():
    schemas = {k: json.loads((SCHEMA_DIR / f"{k}.json").read_text()) for k in KINDS}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    validators = {
        k: Draft202012Validator(s, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)
        for k, s in schemas.items()
    }
    return schemas, validators


def classify(doc):
    if isinstance(doc, dict) and "correlation" in doc:
        return "correlation"
    if isinstance(doc, dict) and "filter" in doc:
        return "filter"
    return "rule"


def fmt_path(err):
    return "/" + "/".join(str(p) for p in err.absolute_path)


def describe(err):
    """One line per leaf error; for anyOf/oneOf failures also the schema's description."""
    line = f"{fmt_path(err)}: {err.message}"
    desc = err.schema.get("description") if isinstance(err.schema, dict) else None
    if desc and err.validator in ("anyOf", "oneOf", "not", "type", "required", "const", "enum"):
        line += f"  [{desc}]"
    return line


def errors_of(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))


def check_schemas(schemas):
    ok = True
    for k, s in schemas.items():
        try:
            Draft202012Validator.check_schema(s)
            assert s.get("$schema") == "https://json-schema.org/draft/2020-12/schema", "$schema"
            assert s.get("$id") == f"https://detc.dev/schemas/{k}.json", "$id"
            print(f"schema ok      {k}.json")
        except Exception as e:  # noqa: BLE001
            ok = False
            print(f"schema INVALID {k}.json: {e}")
    return ok


def check_cases(validators):
    cases = yaml.load((HERE / "cases.yml").read_text(), Loader=StringDateLoader)
    bad = 0
    for c in cases:
        errs = errors_of(validators[c["schema"]], c["doc"])
        want_valid = c["valid"]
        problem = None
        if want_valid and errs:
            problem = "expected valid, got: " + "; ".join(describe(e) for e in errs)
        elif not want_valid and not errs:
            problem = "expected INVALID, but it passed"
        elif not want_valid and c.get("error"):
            text = "\n".join(describe(e) for e in errs)
            if c["error"] not in text:
                problem = f"error text lacks {c['error']!r}; got: {text}"
        if problem:
            bad += 1
            print(f"case FAIL  {c['name']}: {problem}")
        else:
            first = "" if want_valid else "  -> " + describe(best_match(errs))
            print(f"case ok    {c['name']}{first}")
    print(f"cases: {len(cases) - bad} passed, {bad} failed")
    return bad == 0


def check_corpus(validators, roots):
    failures, ndocs = 0, 0
    for root in roots:
        for path in sorted(pathlib.Path(root).rglob("*.yml")):
            try:
                docs = list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=StringDateLoader))
            except yaml.YAMLError as e:
                failures += 1
                print(f"FAIL {path}: YAML error: {e}")
                continue
            for i, doc in enumerate(docs):
                if doc is None:
                    continue
                ndocs += 1
                kind = classify(doc)
                errs = errors_of(validators[kind], doc)
                if errs:
                    failures += 1
                    print(f"FAIL {path} doc#{i} ({kind}):")
                    for e in errs:
                        print(f"     {describe(e)}")
    print(f"corpus: {ndocs} documents, {failures} failing")
    return failures == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", help="directory of .yml files (repeatable)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when corpus documents fail")
    args = ap.parse_args()
    schemas, validators = load_schemas()
    ok = check_schemas(schemas)
    ok &= check_cases(validators)
    corpus_ok = check_corpus(validators, args.corpus or [d for d in DEFAULT_CORPORA if d.is_dir()])
    if args.strict:
        ok &= corpus_ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
