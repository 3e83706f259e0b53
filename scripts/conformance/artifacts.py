#!/usr/bin/env python3
"""Conformance checks of the artifacts `detc build` writes.

Runs `DETC build --out OUT [--config FILE]` from the repository root, then checks:

1. elastic/rules.ndjson: every line validates against the JSON Schema (draft-04) of its `type`,
   `<schemas>/9.5.<type>.json` of the shared corpus (Kibana's import API schemas). The type schemas
   are self-contained (base.json's properties are already merged in); any `$ref` is still resolved
   against the files of the schema folder only, never over the network.
2. splunk/<app>/default/savedsearches.conf (and app.conf, metadata/default.meta) pass `ksconf check`;
   every saved search has search, cron_schedule (5 fields), dispatch.earliest_time and enableSched;
   a Splunk ES correlation search (`action.correlationsearch.enabled = 1`) has a label, JSON
   annotations, a notable with a known severity and security domain and no `$` in its title,
   description or drill-down search, and a `_risk` JSON array of risk/threat objects (scores 0–100).
3. Splunk AppInspect (`splunk-appinspect inspect <app>.tgz --mode precert`): its failures and errors
   fail the check; warnings are listed. Skipped with a message when AppInspect is not installed,
   unless --require-appinspect.

The checks that need no Python tool (Kibana correlation windows, Sumo searches.json and the
Navigator layer) are Rust tests: tests/artifacts_conformance.rs.

Exit status 1 on any failure (or a failed build), 0 otherwise.

    python3.12 -m venv /tmp/artifacts-venv
    /tmp/artifacts-venv/bin/pip install -r scripts/conformance/requirements-artifacts.txt
    /tmp/artifacts-venv/bin/python scripts/conformance/artifacts.py \
        --detc target/release/detc --out /tmp/art-ours
    /tmp/artifacts-venv/bin/python scripts/conformance/artifacts.py \
        --detc target/release/detc --out /tmp/art-auth0 --config scripts/conformance/auth0.detc.yaml
    /tmp/artifacts-venv/bin/python scripts/conformance/artifacts.py \
        --detc target/release/detc --out /tmp/art-es --config tests/fixtures/es/detc.yaml
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_SCHEMAS = REPO.parent / "shared" / "corpus" / "elastic-rule-schemas" / "9.5"
ARTIFACT_DIRS = ("splunk", "elastic", "sumo", "docs", "navigator")


class Check:
    """One numbered check: failures make the run fail, notes are printed only."""

    def __init__(self, number: int, title: str):
        self.number, self.title = number, title
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.skipped: str | None = None
        self.passed_items = 0

    def fail(self, msg: str) -> None:
        self.failures.append(msg)

    def note(self, msg: str) -> None:
        self.notes.append(msg)

    def load_json(self, path: Path):
        """The JSON document at `path`, or None with a failure recorded when it cannot be read."""
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            self.fail(f"{path}: {e}")
            return None
        if value is None:
            self.fail(f"{path}: the document is JSON null")
        return value

    @property
    def status(self) -> str:
        if self.failures:
            return "FAIL"
        return "SKIP" if self.skipped else "PASS"

    def report(self) -> None:
        head = f"[{self.status}] {self.number}. {self.title}"
        if self.skipped:
            head += f": {self.skipped}"
        elif not self.failures:
            head += f" ({self.passed_items} checked)"
        print(head)
        for m in self.failures:
            print("  FAIL " + m.replace("\n", "\n       "))
        for m in self.notes:
            print("  note " + m.replace("\n", "\n       "))


# ---------------------------------------------------------------- build


def run_build(detc: Path, out: Path, config: str | None) -> tuple[bool, str]:
    for sub in ARTIFACT_DIRS:  # stale artifacts of an earlier build would be checked too
        shutil.rmtree(out / sub, ignore_errors=True)
    cmd = [str(detc), "build", "--out", str(out)]
    if config is not None:
        cmd[2:2] = ["--config", config]
    print("$ (cd " + str(REPO) + " && " + " ".join(cmd) + ")")
    p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    text = (p.stdout + p.stderr).strip()
    if text:
        print("  " + text.replace("\n", "\n  ")[-4000:])
    return p.returncode == 0, f"exit {p.returncode}"


# ---------------------------------------------------------------- 1: Kibana rules


def schema_validators(folder: Path) -> dict[str, Draft4Validator]:
    """A draft-04 validator per rule type; `$ref`s resolve against the folder's files only."""
    resources = []
    schemas = {}
    for f in sorted(folder.glob("*.json")):
        contents = json.loads(f.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT4)
        resources += [(f.name, resource), (f.resolve().as_uri(), resource)]
        m = re.fullmatch(r"\d+\.\d+\.(\w+)\.json", f.name)
        if m:
            schemas[m.group(1)] = (f, contents)
    registry = Registry().with_resources(resources)  # no `retrieve`: nothing is fetched
    validators = {}
    for rule_type, (f, contents) in schemas.items():
        Draft4Validator.check_schema(contents)
        if "id" not in contents:  # give relative refs the file's own location as base
            contents = {**contents, "id": f.resolve().as_uri()}
        validators[rule_type] = Draft4Validator(contents, registry=registry)
    return validators


def rule_label(n: int, rule: dict) -> str:
    return f"line {n} {rule.get('type')} {rule.get('rule_id')} \"{rule.get('name')}\""


def check_elastic(out: Path, schemas: Path, c1: Check) -> None:
    path = out / "elastic" / "rules.ndjson"
    if not path.is_file():
        c1.fail(f"{path} missing")
        return
    validators = schema_validators(schemas)
    seen_ids: dict[str, int] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            c1.fail(f"line {n}: empty line")
            continue
        try:
            rule = json.loads(line)
        except json.JSONDecodeError as e:
            c1.fail(f"line {n}: not JSON: {e}")
            continue
        if not isinstance(rule, dict):
            c1.fail(f"line {n}: not a JSON object")
            continue
        label = rule_label(n, rule)
        rid = rule.get("rule_id")
        if rid in seen_ids:
            c1.fail(f"{label}: rule_id also on line {seen_ids[rid]}")
        seen_ids[rid] = n
        validator = validators.get(rule.get("type"))
        if validator is None:
            c1.fail(f"{label}: no schema for type {rule.get('type')!r} in {schemas}")
        else:
            errors = sorted(validator.iter_errors(rule), key=lambda e: list(map(str, e.absolute_path)))
            if errors:
                c1.fail(label + "".join(
                    f"\n{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors))
            else:
                c1.passed_items += 1


# ---------------------------------------------------------------- 2, 3: Splunk


def splunk_apps(out: Path) -> list[Path]:
    root = out / "splunk"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def check_splunk_conf(app: Path, c2: Check) -> None:
    from ksconf.conf.parser import GLOBAL_STANZA, PARSECONF_STRICT_NC, ConfParserException, parse_conf

    ksconf = tool("ksconf")
    confs = [app / "default" / "savedsearches.conf", app / "default" / "app.conf",
             app / "metadata" / "default.meta"]
    for conf in confs:
        if not conf.is_file():
            c2.fail(f"{conf} missing")
            continue
        if ksconf is None:
            c2.fail("ksconf not installed (pip install -r requirements-artifacts.txt)")
            return
        p = subprocess.run([ksconf, "check", str(conf)], capture_output=True, text=True)
        if p.returncode != 0:
            c2.fail(f"ksconf check {conf.relative_to(app.parent)}: exit {p.returncode}\n"
                    + (p.stdout + p.stderr).strip())
    saved = confs[0]
    if not saved.is_file():
        return
    try:
        stanzas = parse_conf(str(saved), profile=PARSECONF_STRICT_NC)
    except ConfParserException as e:
        c2.fail(f"{saved.name}: {e}")
        return
    required = ("search", "cron_schedule", "dispatch.earliest_time", "enableSched")
    count = 0
    for name, keys in stanzas.items():
        if name is GLOBAL_STANZA or name == "default":
            continue
        count += 1
        problems = [f"no {k}" for k in required if not str(keys.get(k, "")).strip()]
        cron = str(keys.get("cron_schedule", "")).split()
        if keys.get("cron_schedule") and len(cron) != 5:
            problems.append(f"cron_schedule {keys['cron_schedule']!r} has {len(cron)} fields, not 5")
        if keys.get("enableSched") and str(keys["enableSched"]).strip() not in ("0", "1", "true", "false"):
            problems.append(f"enableSched {keys['enableSched']!r}")
        if str(keys.get("action.correlationsearch.enabled", "")).strip() == "1":
            problems += es_problems(keys)
        if problems:
            c2.fail(f"{app.name}/default/savedsearches.conf [{name}]: " + "; ".join(problems))
        else:
            c2.passed_items += 1
    if count == 0:
        c2.fail(f"{saved}: no saved search")


ES_SEVERITIES = {"informational", "low", "medium", "high", "critical"}
ES_DOMAINS = {"access", "endpoint", "network", "threat", "identity", "audit"}


def es_problems(keys: dict) -> list[str]:
    """What is wrong with the Splunk Enterprise Security keys of a correlation search."""
    problems = []

    def json_value(key: str, kind: type):
        try:
            value = json.loads(str(keys.get(key, "")))
        except json.JSONDecodeError as e:
            problems.append(f"{key} is not JSON: {e}")
            return None
        if not isinstance(value, kind):
            problems.append(f"{key} is not a JSON {kind.__name__}")
            return None
        return value

    if not str(keys.get("action.correlationsearch.label", "")).strip():
        problems.append("no action.correlationsearch.label")
    annotations = json_value("action.correlationsearch.annotations", dict)
    if annotations and not all(isinstance(t, str) for t in annotations.get("mitre_attack", [])):
        problems.append("annotations: mitre_attack is not a list of technique ids")
    if str(keys.get("action.notable", "")).strip() == "1":
        for key in ("rule_title", "rule_description"):
            text = str(keys.get(f"action.notable.param.{key}", ""))
            if not text.strip() or "$" in text:
                problems.append(f"action.notable.param.{key} is empty or holds a $ token: {text!r}")
        if keys.get("action.notable.param.severity") not in ES_SEVERITIES:
            problems.append(f"notable severity {keys.get('action.notable.param.severity')!r}")
        if keys.get("action.notable.param.security_domain") not in ES_DOMAINS:
            problems.append(f"security domain {keys.get('action.notable.param.security_domain')!r}")
        drilldown = keys.get("action.notable.param.drilldown_search")
        if drilldown is not None and "$" in str(drilldown):
            problems.append("the drill-down search holds a $, which ES reads as a token")
    if str(keys.get("action.risk", "")).strip() == "1":
        for entry in json_value("action.risk.param._risk", list) or []:
            risk = isinstance(entry, dict) and {"risk_object_field", "risk_object_type", "risk_score"} <= entry.keys()
            threat = isinstance(entry, dict) and {"threat_object_field", "threat_object_type"} <= entry.keys()
            if risk and not (isinstance(entry["risk_score"], int) and 0 <= entry["risk_score"] <= 100
                             and entry["risk_object_type"] in ("user", "system", "other")):
                problems.append(f"_risk entry {entry!r}")
            elif not (risk or threat):
                problems.append(f"_risk entry is neither a risk nor a threat object: {entry!r}")
        if not str(keys.get("action.risk.param._risk_message", "")).strip():
            problems.append("no action.risk.param._risk_message")
    return problems


def check_appinspect(app: Path, require: bool, c3: Check) -> None:
    exe = tool("splunk-appinspect")
    if exe is None:
        msg = ("splunk-appinspect is not installed (pip install -r "
               "scripts/conformance/requirements-artifacts.txt)")
        if require:
            c3.fail(msg)
        else:
            c3.skipped = msg + "; pass --require-appinspect to make this a failure"
        return
    with tempfile.TemporaryDirectory(prefix="detc-appinspect-") as tmp:
        package = Path(tmp) / f"{app.name}.tgz"
        with tarfile.open(package, "w:gz") as tar:
            tar.add(app, arcname=app.name)
        report = Path(tmp) / "report.json"
        cmd = [exe, "inspect", str(package), "--mode", "precert",
               "--data-format", "json", "--output-file", str(report)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if not report.is_file():
            msg = f"`{' '.join(cmd)}` exit {p.returncode}, no report:\n" + (p.stdout + p.stderr).strip()[-2000:]
            if require:
                c3.fail(msg)
            else:
                c3.skipped = "AppInspect did not run: " + msg
            return
        data = json.loads(report.read_text(encoding="utf-8"))
    summary = data.get("summary", {})
    for rep in data.get("reports", []):
        for group in rep.get("groups", []):
            for chk in group.get("checks", []):
                result = chk.get("result")
                if result not in ("failure", "error", "warning", "future_failure"):
                    continue
                for m in chk.get("messages", []) or [{"message": "(no message)"}]:
                    where = m.get("message_filename")
                    line = m.get("message_line")
                    loc = f" [{where}{':' + str(line) if line else ''}]" if where and where != "None" else ""
                    text = f"{app.name}: {result} {chk.get('name')}{loc}: {m.get('message')}"
                    (c3.fail if result in ("failure", "error") else c3.note)(text)
    c3.passed_items += summary.get("success", 0)
    c3.note(f"{app.name}: AppInspect precert summary " + ", ".join(f"{k} {v}" for k, v in summary.items()))


# ---------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--detc", required=True, type=Path, help="detc binary")
    ap.add_argument("--out", required=True, type=Path, help="output folder of detc build (its artifact subfolders are replaced)")
    ap.add_argument("--config", help="detc.yaml to build with (default: the repository's)")
    ap.add_argument("--schemas", type=Path, default=DEFAULT_SCHEMAS, help=f"Kibana rule schemas (default {DEFAULT_SCHEMAS})")
    ap.add_argument("--require-appinspect", action="store_true", help="fail, not skip, when AppInspect cannot run")
    ap.add_argument("--no-build", action="store_true", help="check OUT as it is")
    args = ap.parse_args()

    detc = args.detc.resolve()
    out = args.out.resolve()
    config = os.path.relpath(Path(args.config).resolve(), REPO) if args.config else None
    if not args.no_build:
        ok, why = run_build(detc, out, config)
        if not ok:
            print(f"[FAIL] detc build: {why}")
            return 1

    checks = [Check(1, "Kibana rules validate against the 9.5 JSON Schemas"),
              Check(2, "savedsearches.conf passes ksconf check and has the schedule keys"),
              Check(3, "Splunk AppInspect (precert)")]
    c1, c2, c3 = checks
    check_elastic(out, args.schemas, c1)
    apps = splunk_apps(out)
    if not apps:
        c2.fail(f"no app folder in {out / 'splunk'}")
        c3.fail(f"no app folder in {out / 'splunk'}")
    for app in apps:
        check_splunk_conf(app, c2)
        check_appinspect(app, args.require_appinspect, c3)

    print()
    for c in checks:
        c.report()
    failed = [c for c in checks if c.failures]
    skipped = [c for c in checks if c.status == "SKIP"]
    print(f"\n{len(checks) - len(failed) - len(skipped)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
