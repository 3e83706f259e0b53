#!/usr/bin/env python3
"""The built-in Auth0 pipelines on the real Auth0 catalog: with `auth0_elastic` every field of every
Lucene, ES|QL and EQL query is under `auth0.logs.data.`; with `auth0_splunk` every Splunk search is
scoped by index and sourcetype.

Usage: pipeline_scope.py DETC_BINARY CATALOG_DIR
"""
import json
import re
import subprocess
import sys

# Field references per language (after string literals are removed).
FIELD = {
    "lucene": re.compile(r"(?:^|[\s(])(?:_exists_:)?((?:\\.|[A-Za-z_@])(?:\\.|[\w.@-])*):"),
    "esql": re.compile(r"\b(?:TO_LOWER\(|starts_with\(|ends_with\(|cidr_match\()?([A-Za-z_@][\w.@]*)\s*(?:==|>=|<=|>|<|\)\s*(?:==|like|in)| like| rlike| in | is )"),
    "eql": re.compile(r"\??([A-Za-z_@][\w.@]*)\s*(?::|==|!=|>=|<=|>|<| like~?| regex~?| in )"),
}
STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def convert(detc, target, pipeline, catalog):
    run = subprocess.run([detc, "convert", "-t", target, "-p", pipeline, "--format", "jsonl", catalog], capture_output=True, text=True)
    return [json.loads(line) for line in run.stdout.splitlines()]


def main():
    detc, catalog = sys.argv[1], sys.argv[2]
    problems = []
    checked = 0
    for target in ["lucene", "esql", "eql"]:
        for doc in convert(detc, target, "auth0_elastic", catalog):
            for q in doc["queries"]:
                body = STRING.sub('""', q.split("| where ", 1)[-1] if target == "esql" else q)
                for m in FIELD[target].finditer(body):
                    name = m.group(1).replace("\\", "")
                    if name in ("timebucket", "event_count", "value_count", "event_type_count", "event_type", "any", "where", "_id", "_index", "_version"):
                        continue
                    checked += 1
                    if not name.startswith("auth0.logs.data."):
                        problems.append(f"{target} {doc['path']}#{doc['document']}: field `{name}` outside auth0.logs.data.*")
    for doc in convert(detc, "splunk", "auth0_splunk", catalog):
        for q in doc["queries"]:
            checked += 1
            if 'index="auth0" sourcetype="auth0"' not in q:
                problems.append(f"splunk {doc['path']}#{doc['document']}: search not scoped by index and sourcetype: {q[:80]}")
    if problems:
        print("pipeline scope FAILED:\n  " + "\n  ".join(problems[:40]))
        sys.exit(1)
    print(f"pipelines: {checked} field references and searches checked, all under auth0.logs.data.* / scoped")


if __name__ == "__main__":
    main()
