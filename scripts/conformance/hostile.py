#!/usr/bin/env python3
"""Hostile names and patterns against Elastic's own parsers.

Writes a generated catalog into a temporary folder: for every hostile string (quotes, backslashes,
pipes, brackets, line breaks, NUL, bidi controls, `/`, backticks, operator words) and every position
(field name in a comparison, exists, null, regex, `IN` list and `fieldref`; the `fieldref` target; a
regex pattern; a value, alone and in a list; a correlation's group-by, aliased group-by, value field and rule name) one
rule, plus the same rule with a benign string (its twin). It runs `detc convert` for lucene, esql
and eql over the folder and parses every query with luqum, the `eql` package and
detection-rules-esql-py. A hostile query must parse to a tree of the same shape as its twin's (node
types, with names and literal texts left out); a refused document must be refused for a documented
reason (a control character, a backtick in an EQL name, a regex ending in a lone backslash, a name
that is only `{}`).

Usage: hostile.py --detc target/release/detc [--keep DIR]
Needs the packages of requirements-pysigma.txt (run it with that venv's python).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HOSTILE = [
    "a'b",
    'a"b',
    "a\\",
    "a\\\\",
    "a\\/",
    "a/b",
    "a b",
    "a)b(",
    "a]b[c",
    "a}b{",
    "a:b",
    "a=b",
    "a==b or c",
    "a | delete",
    "x` | y",
    "a\nb",
    "a\rb",
    "a\tb",
    "a\x00b",
    "a\u202eb",
    "\u2066a\u2069",
    "-a",
    "1a",
    "a..b",
    "a.",
    "OR",
    "AND",
    "NOT",
    "and",
    "not",
    "where",
    "first",
    "a.by",
    "{}",
    "a{}",
    "é😀",
    "a*b",
    "a?b",
    "a%b",
    "a,b",
    "a#b",
    "a;b",
    "a!b",
    "a~b",
    "a^b",
    "a&&b",
    "a\\*",
    'a "b" c\\',
    "a b\\",
    "a\u3000b",
    "a \\\" OR x:y",
]
BENIGN = "h"

# Reasons a target may refuse a hostile string (substring of detc's message), and when.
REFUSALS = [
    ("control character", lambda s, pos: any(ord(c) < 32 or 127 <= ord(c) < 160 for c in s)),
    ("backtick", lambda s, pos: "`" in s),
    ("lone backslash", lambda s, pos: (len(s) - len(s.rstrip("\\"))) % 2 == 1),
    ("array suffix", lambda s, pos: s.replace("{}", "") == ""),
    # A pattern the rule's regex flavour rejects is a check error: convert withholds the document and
    # reports that error (it never reaches a query).
    ("invalid regular expression", lambda s, pos: pos == "regex-pattern"),
]

# Known parser differences, not detc defects: luqum rejects a backslash before a line break, which
# Lucene's own query parser reads as an escaped character (`<#_ESCAPED_CHAR: "\\" ~[]>`).
KNOWN = {("lucene", pos, s) for pos in ("value", "value-in") for s in ("a\nb", "a\rb")}

BASE = {"title": "A", "name": "a", "logsource": {"product": "x"},
        "detection": {"sel": {"data.type": "f"}, "condition": "sel"}}


def rule(selection: dict) -> list[dict]:
    return [{"title": "T", "logsource": {"product": "x"},
             "detection": {"sel": selection, "condition": "sel"}}]


def correlation(kind: str, s: str, *, b_name="b", group="g", aliases=None, field="v") -> list[dict]:
    b = {"title": "B", "name": b_name, "logsource": {"product": "x"},
         "detection": {"sel": {"data.type": "s"}, "condition": "sel"}}
    rules = ["a"] if kind == "event_count" else ["a", b_name]  # one rule: EQL can count it too
    corr = {"type": kind, "rules": rules, "group-by": [group], "timespan": "10m",
            "condition": {"gte": 2, "field": field}}
    if aliases:
        corr["aliases"] = {group: {"a": "data.ip", b_name: "data.src"}}
    return [BASE, b, {"title": "C", "correlation": corr}]


def positions(s: str) -> dict[str, list[dict]]:
    """The documents that put `s` into each position (a field name cannot hold `|` in Sigma)."""
    out = {
        "regex-pattern": rule({"f|re": s}),
        "fieldref-target": rule({"a|fieldref": s}),
        "group-by": correlation("event_count", s, group=s),
        "aliased-group-by": correlation("temporal", s, group=s, aliases=True),
        "value-field": correlation("value_count", s, field=s),
        "label": correlation("temporal", s, b_name=s),
    }
    if not any(c in s for c in "*?"):  # wildcards choose another comparison form
        out["value"] = rule({"f": s})
        out["value-in"] = rule({"f": [s, "w"]})
    if "|" not in s:
        out.update({
            "field-compare": rule({s: "v"}),
            "field-exists": rule({f"{s}|exists": True}),
            "field-null": rule({s: None}),
            "field-regex": rule({f"{s}|re": "x"}),
            "field-in": rule({s: ["v", "w"]}),
            "fieldref-field": rule({f"{s}|fieldref": "b"}),
        })
    return out


# --------------------------------------------------------------------------------------------------
# parse-tree shapes


def lucene_shape(q: str):
    from luqum.parser import parser

    def walk(node):
        name = type(node).__name__
        if name in ("Word", "Phrase"):
            return "TERM"
        if name == "Regex":
            return "REGEX"
        return (name, [walk(c) for c in node.children])

    return walk(parser.parse(q))


def eql_shape(q: str):
    import eql

    def walk(node):
        if isinstance(node, (eql.ast.Field, eql.ast.String)):
            return type(node).__name__
        if isinstance(node, eql.ast.BaseNode):
            return (type(node).__name__, [walk(v) for _, v in node.iter_slots()
                                          if isinstance(v, (eql.ast.BaseNode, list, tuple))])
        if isinstance(node, (list, tuple)):
            return [walk(v) for v in node]
        return type(node).__name__

    with eql.parser.elasticsearch_syntax:
        return walk(eql.parse_query(q))


def esql_shape(q: str):
    import esql

    def walk(node):
        return (type(node).__name__, [walk(c) for c in node.iter_children()])

    return walk(esql.parse_query(q))


SHAPES = {"lucene": lucene_shape, "esql": esql_shape, "eql": eql_shape}


# --------------------------------------------------------------------------------------------------


def convert(detc: str, target: str, folder: Path) -> dict[str, dict]:
    """detc's JSON Lines output per file name (the last document of a file is the one under test)."""
    proc = subprocess.run([detc, "convert", "-t", target, "--format", "jsonl", str(folder)],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"hostile: detc convert -t {target} failed ({proc.returncode}):\n{proc.stderr}")
    out: dict[str, dict] = {}
    for line in proc.stdout.splitlines():
        doc = json.loads(line)
        out[Path(doc["path"]).name] = doc  # later documents of a file replace earlier ones
    return out


def errors(doc: dict) -> list[str]:
    return [d.get("message", "") for d in doc.get("diagnostics", []) if d.get("severity") == "error"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--detc", required=True)
    ap.add_argument("--targets", default="lucene,esql,eql")
    ap.add_argument("--keep", help="write the catalog here instead of a temporary folder")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cases = []  # (file, twin file, hostile string, position)
        for i, s in enumerate(HOSTILE):
            for pos, docs in positions(s).items():
                twin_docs = positions(BENIGN)[pos]
                name, twin = f"{pos}-{i:02}.yml", f"{pos}-{i:02}-twin.yml"
                for file, content in ((name, docs), (twin, twin_docs)):
                    (folder / file).write_text(yaml.safe_dump_all(content, allow_unicode=False, sort_keys=False))
                cases.append((name, twin, s, pos))

        failures: list[str] = []
        counts: dict[str, dict[str, int]] = {}
        for target in args.targets.split(","):
            shape = SHAPES[target]
            docs = convert(args.detc, target, folder)
            tally = counts.setdefault(target, {"same shape": 0, "refused": 0, "unsupported here": 0})
            for name, twin, s, pos in cases:
                hostile, benign = docs.get(name), docs.get(twin)
                if hostile is None or benign is None:
                    failures.append(f"{target} {pos} {s!r}: no output for {name}")
                    continue
                if not benign["queries"]:
                    tally["unsupported here"] += 1  # the position itself (fieldref on Lucene, …)
                    continue
                if not hostile["queries"]:
                    msgs = errors(hostile)
                    if any(reason in m and applies(s, pos) for m in msgs for reason, applies in REFUSALS):
                        tally["refused"] += 1
                    else:
                        failures.append(f"{target} {pos} {s!r}: refused without a documented reason: {msgs}")
                    continue
                for hq, bq in zip(hostile["queries"], benign["queries"]):
                    if (target, pos, s) in KNOWN:
                        tally["known parser difference"] = tally.get("known parser difference", 0) + 1
                        continue
                    try:
                        got = shape(hq)
                    except Exception as e:  # noqa: BLE001 - any parser error is a finding
                        failures.append(f"{target} {pos} {s!r}: does not parse: {e!s:.200}\n    {hq!r}")
                        continue
                    want = shape(bq)
                    if got != want:
                        failures.append(f"{target} {pos} {s!r}: shape differs from the benign twin\n"
                                        f"    hostile {hq!r}\n    benign  {bq!r}")
                    else:
                        tally["same shape"] += 1
        for target, tally in counts.items():
            print(f"hostile: {target}: " + ", ".join(f"{v} {k}" for k, v in tally.items()))
        for f in failures:
            print(f"hostile: FAIL {f}", file=sys.stderr)
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
