#!/usr/bin/env python3
"""Conformance checks of the artifacts `detc build` writes.

Runs `DETC build --out OUT [--config FILE]` from the repository root, then checks:

1. elastic/rules.ndjson: every line validates against the JSON Schema (draft-04) of its `type`,
   `<schemas>/9.5.<type>.json` of the shared corpus (Kibana's import API schemas). The type schemas
   are self-contained (base.json's properties are already merged in); any `$ref` is still resolved
   against the files of the schema folder only, never over the network.
2. Kibana correlation rules count over the window the correlation means. A threshold rule counts
   over its whole `from` window, so `from` equals the Sigma timespan exactly, `interval` is at most the
   timespan (each burst is seen by some run) and `alert_suppression.duration` is the timespan (one
   alert per group per window). EQL sequences and ES|QL correlations bound the window in the query,
   so their `from` looks back at least the timespan plus the rule's `interval`. The timespan comes
   from the catalog YAML of the configuration, by rule_id = the document's `id` (or, for a document
   without `id`, detc's UUID v5 of `<path>#<document index>`), else by a unique title.
3. splunk/<app>/default/savedsearches.conf (and app.conf, metadata/default.meta) pass `ksconf check`;
   every saved search has search, cron_schedule (5 fields), dispatch.earliest_time and enableSched.
4. Splunk AppInspect (`splunk-appinspect inspect <app>.tgz --mode precert`): its failures and errors
   fail the check; warnings are listed. Skipped with a message when AppInspect is not installed,
   unless --require-appinspect.
5. sumo/searches.json: a FolderSyncDefinition whose every child has name, search.queryText,
   searchSchedule.cronExpression (7 Quartz fields) and searchSchedule.parseableTimeRange.
6. navigator/layer.json: versions.layer == "4.5", domain, techniques each with a techniqueID.

Exit status 1 on any failure (or a failed build), 0 otherwise.

    python3.12 -m venv /tmp/artifacts-venv
    /tmp/artifacts-venv/bin/pip install -r scripts/conformance/requirements-artifacts.txt
    /tmp/artifacts-venv/bin/python scripts/conformance/artifacts.py \
        --detc target/release/detc --out /tmp/art-ours
    /tmp/artifacts-venv/bin/python scripts/conformance/artifacts.py \
        --detc target/release/detc --out /tmp/art-auth0 --config scripts/conformance/auth0.detc.yaml
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
import uuid
from pathlib import Path

import yaml
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_SCHEMAS = REPO.parent / "shared" / "corpus" / "elastic-rule-schemas" / "9.5"
ARTIFACT_DIRS = ("splunk", "elastic", "sumo", "docs", "navigator")
# detc's namespace for the ids of documents without `id` (src/render/meta.rs, ID_NAMESPACE).
DETC_ID_NAMESPACE = uuid.UUID(int=0x6D1A8F3E1C2B4D5A9E8F7A6B5C4D3E2F)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
ENTERPRISE_TACTICS = {
    "reconnaissance", "resource-development", "initial-access", "execution", "persistence",
    "privilege-escalation", "defense-evasion", "credential-access", "discovery", "lateral-movement",
    "collection", "command-and-control", "exfiltration", "impact",
}


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


# ---------------------------------------------------------------- catalog (timespans)


def parse_duration(text: str) -> int | None:
    m = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", str(text))
    return int(m.group(1)) * UNIT_SECONDS[m.group(2)] if m else None


def load_config(config: str | None) -> tuple[Path, str, list[str]]:
    """(config file, its folder as detc spells it, catalog entries)."""
    path = REPO / (config if config is not None else "detc.yaml")
    data = {}
    if path.is_file():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    catalog = data.get("catalog", "detections")
    entries = [catalog] if isinstance(catalog, str) else list(catalog)
    spelled_dir = os.path.dirname(config) if config is not None else ""
    return path, spelled_dir, entries


def catalog_timespans(config: str | None) -> tuple[dict[str, tuple[int, str, str]], dict[str, list]]:
    """Timespans of the catalog's correlations by every id detc may give them, and by title."""
    cfg_path, spelled_dir, entries = load_config(config)
    by_id: dict[str, tuple[int, str, str]] = {}
    by_title: dict[str, list] = {}
    for entry in entries:
        root = cfg_path.parent / entry
        files = [root] if root.is_file() else sorted(
            p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
        for f in files:
            rel = "" if root.is_file() else str(f.relative_to(root))
            spelled = [os.path.join(spelled_dir, entry, rel) if rel else os.path.join(spelled_dir, entry)]
            spelled += [os.path.join(".", spelled[0]), os.path.normpath(spelled[0]), str(f),
                        os.path.relpath(f, REPO)]
            try:
                docs = list(yaml.safe_load_all(f.read_text(encoding="utf-8")))
            except yaml.YAMLError:
                continue  # a YAML error: detc reports the file; its ids are then unknown here
            for index, doc in enumerate(docs):
                if not isinstance(doc, dict) or not isinstance(doc.get("correlation"), dict):
                    continue
                seconds = parse_duration(doc["correlation"].get("timespan", ""))
                if seconds is None:
                    continue
                where = f"{os.path.relpath(f, REPO)}#{index}"
                item = (seconds, str(doc["correlation"].get("timespan")), where)
                # detc derives a missing id from the file name, the document index and the title.
                title = str(doc.get("title", "")).rstrip()
                ids = [str(doc["id"])] if doc.get("id") else [
                    str(uuid.uuid5(DETC_ID_NAMESPACE, f"{f.name}#{index}#{title}"))]
                for i in ids:
                    by_id[i] = item
                if doc.get("title"):
                    by_title.setdefault(str(doc["title"]).strip(), []).append(item)
    return by_id, by_title


# ---------------------------------------------------------------- 1, 2: Kibana rules


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


def is_correlation(rule: dict) -> bool:
    query = str(rule.get("query", ""))
    return (rule.get("type") == "threshold"
            or (rule.get("type") == "eql" and re.match(r"\s*sequence\b", query, re.I) is not None)
            or (rule.get("type") == "esql" and re.search(r"\|\s*stats\b", query, re.I) is not None))


def check_elastic(out: Path, schemas: Path, config: str | None, c1: Check, c2: Check) -> None:
    path = out / "elastic" / "rules.ndjson"
    if not path.is_file():
        c1.fail(f"{path} missing")
        c2.fail(f"{path} missing")
        return
    validators = schema_validators(schemas)
    by_id, by_title = catalog_timespans(config)
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
        if is_correlation(rule):
            check_window(rule, label, by_id, by_title, c2)


def check_window(rule: dict, label: str, by_id: dict, by_title: dict, c2: Check) -> None:
    m = re.fullmatch(r"now-(\d+)([smhd])", str(rule.get("from", "")))
    interval = parse_duration(rule.get("interval", "")) if rule.get("interval") else None
    if m is None:
        c2.fail(f"{label}: `from` {rule.get('from')!r} is not now-<n><s|m|h|d>")
        return
    if interval is None:
        c2.fail(f"{label}: `interval` {rule.get('interval')!r} missing or not <n><s|m|h|d>")
        return
    lookback = int(m.group(1)) * UNIT_SECONDS[m.group(2)]
    found = by_id.get(rule.get("rule_id"))
    how = "rule_id"
    if found is None:
        candidates = by_title.get(str(rule.get("name", "")).strip(), [])
        if len(candidates) == 1:
            found, how = candidates[0], "title"
    if found is None:
        c2.fail(f"{label}: no correlation with this rule_id (or a unique title) in the catalog: timespan unknown")
        return
    seconds, timespan, where = found
    if rule.get("type") == "threshold":
        suppression = (rule.get("alert_suppression") or {}).get("duration") or {}
        suppressed = suppression.get("value", 0) * UNIT_SECONDS.get(suppression.get("unit"), 0)
        if lookback != seconds or interval > seconds or suppressed != seconds:
            c2.fail(f"{label}: threshold window from {rule['from']} ({lookback}s), interval {rule['interval']}, "
                    f"suppression {suppressed}s; the timespan {timespan} of {where} is {seconds}s: "
                    "`from` and suppression must equal it and the interval must not exceed it")
        else:
            c2.passed_items += 1
        return
    need = seconds + interval
    if lookback < need:
        c2.fail(f"{label}: from {rule['from']} ({lookback}s) < timespan {timespan} of {where} + "
                f"interval {rule['interval']} = {need}s")
    else:
        c2.passed_items += 1
        if how == "title":
            c2.note(f"{label}: timespan {timespan} found by title ({where})")


# ---------------------------------------------------------------- 3, 4: Splunk


def splunk_apps(out: Path) -> list[Path]:
    root = out / "splunk"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def check_splunk_conf(app: Path, c3: Check) -> None:
    from ksconf.conf.parser import GLOBAL_STANZA, PARSECONF_STRICT_NC, ConfParserException, parse_conf

    ksconf = tool("ksconf")
    confs = [app / "default" / "savedsearches.conf", app / "default" / "app.conf",
             app / "metadata" / "default.meta"]
    for conf in confs:
        if not conf.is_file():
            c3.fail(f"{conf} missing")
            continue
        if ksconf is None:
            c3.fail("ksconf not installed (pip install -r requirements-artifacts.txt)")
            return
        p = subprocess.run([ksconf, "check", str(conf)], capture_output=True, text=True)
        if p.returncode != 0:
            c3.fail(f"ksconf check {conf.relative_to(app.parent)}: exit {p.returncode}\n"
                    + (p.stdout + p.stderr).strip())
    saved = confs[0]
    if not saved.is_file():
        return
    try:
        stanzas = parse_conf(str(saved), profile=PARSECONF_STRICT_NC)
    except ConfParserException as e:
        c3.fail(f"{saved.name}: {e}")
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
        if problems:
            c3.fail(f"{app.name}/default/savedsearches.conf [{name}]: " + "; ".join(problems))
        else:
            c3.passed_items += 1
    if count == 0:
        c3.fail(f"{saved}: no saved search")


def check_appinspect(app: Path, require: bool, c4: Check) -> None:
    exe = tool("splunk-appinspect")
    if exe is None:
        msg = ("splunk-appinspect is not installed (pip install -r "
               "scripts/conformance/requirements-artifacts.txt)")
        if require:
            c4.fail(msg)
        else:
            c4.skipped = msg + "; pass --require-appinspect to make this a failure"
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
                c4.fail(msg)
            else:
                c4.skipped = "AppInspect did not run: " + msg
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
                    (c4.fail if result in ("failure", "error") else c4.note)(text)
    c4.passed_items += summary.get("success", 0)
    c4.note(f"{app.name}: AppInspect precert summary " + ", ".join(f"{k} {v}" for k, v in summary.items()))


# ---------------------------------------------------------------- 5: Sumo


def check_sumo(out: Path, c5: Check) -> None:
    path = out / "sumo" / "searches.json"
    data = c5.load_json(path)
    if data is None:
        return
    if not isinstance(data, dict) or data.get("type") != "FolderSyncDefinition":
        c5.fail(f"{path}: top level is not a FolderSyncDefinition (type {data.get('type') if isinstance(data, dict) else data!r})")
        return
    if not str(data.get("name", "")).strip():
        c5.fail(f"{path}: folder has no name")
    children = data.get("children")
    if not isinstance(children, list) or not children:
        c5.fail(f"{path}: no children")
        return
    names: dict[str, int] = {}
    for i, child in enumerate(children):
        if not isinstance(child, dict):
            c5.fail(f"children[{i}]: not an object")
            continue
        label = f"children[{i}] \"{child.get('name')}\""
        problems = []
        if child.get("type") != "SavedSearchWithScheduleSyncDefinition":
            problems.append(f"type {child.get('type')!r}")
        if not isinstance(child.get("name"), str) or not child["name"].strip():
            problems.append("no name")
        search = child.get("search") if isinstance(child.get("search"), dict) else {}
        if not isinstance(search.get("queryText"), str) or not search["queryText"].strip():
            problems.append("no search.queryText")
        sched = child.get("searchSchedule") if isinstance(child.get("searchSchedule"), dict) else {}
        cron = sched.get("cronExpression")
        if not isinstance(cron, str):
            problems.append("no searchSchedule.cronExpression")
        elif len(cron.split()) != 7:
            problems.append(f"searchSchedule.cronExpression {cron!r} has {len(cron.split())} fields, not 7")
        ptr = sched.get("parseableTimeRange")
        if not isinstance(ptr, dict) or not ptr.get("type"):
            problems.append("no searchSchedule.parseableTimeRange (with a type)")
        if problems:
            c5.fail(f"{label}: " + "; ".join(problems))
        else:
            c5.passed_items += 1
        if isinstance(child.get("name"), str):
            if child["name"] in names:
                c5.note(f"{label}: same name as children[{names[child['name']]}] (one folder)")
            names.setdefault(child["name"], i)


# ---------------------------------------------------------------- 6: ATT&CK Navigator


def check_navigator(out: Path, c6: Check) -> None:
    path = out / "navigator" / "layer.json"
    layer = c6.load_json(path)
    if layer is None:
        return
    versions = layer.get("versions") if isinstance(layer.get("versions"), dict) else {}
    if versions.get("layer") != "4.5":
        c6.fail(f"versions.layer is {versions.get('layer')!r}, not \"4.5\"")
    if not isinstance(layer.get("domain"), str) or not layer["domain"]:
        c6.fail("no domain")
    elif layer["domain"] not in ("enterprise-attack", "mobile-attack", "ics-attack"):
        c6.fail(f"domain {layer['domain']!r} is not enterprise-attack, mobile-attack or ics-attack")
    if not str(layer.get("name", "")).strip():
        c6.fail("no name")
    techniques = layer.get("techniques")
    if not isinstance(techniques, list):
        c6.fail("no techniques list")
        return
    if not techniques:
        c6.note("techniques is empty")
    for i, t in enumerate(techniques):
        tid = t.get("techniqueID") if isinstance(t, dict) else None
        if not isinstance(tid, str) or not re.fullmatch(r"T\d{4}(\.\d{3})?", tid):
            c6.fail(f"techniques[{i}]: techniqueID {tid!r}")
            continue
        tactic = t.get("tactic")
        if tactic is not None and layer.get("domain") == "enterprise-attack" and tactic not in ENTERPRISE_TACTICS:
            c6.fail(f"techniques[{i}] {tid}: tactic {tactic!r} is not an Enterprise tactic short name")
            continue
        c6.passed_items += 1


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
              Check(2, "Kibana correlation rules count over their timespan"),
              Check(3, "savedsearches.conf passes ksconf check and has the schedule keys"),
              Check(4, "Splunk AppInspect (precert)"),
              Check(5, "Sumo searches.json"),
              Check(6, "ATT&CK Navigator layer 4.5")]
    c1, c2, c3, c4, c5, c6 = checks
    check_elastic(out, args.schemas, config, c1, c2)
    apps = splunk_apps(out)
    if not apps:
        c3.fail(f"no app folder in {out / 'splunk'}")
        c4.fail(f"no app folder in {out / 'splunk'}")
    for app in apps:
        check_splunk_conf(app, c3)
        check_appinspect(app, args.require_appinspect, c4)
    check_sumo(out, c5)
    check_navigator(out, c6)

    print()
    for c in checks:
        c.report()
    failed = [c for c in checks if c.failures]
    skipped = [c for c in checks if c.status == "SKIP"]
    print(f"\n{len(checks) - len(failed) - len(skipped)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
