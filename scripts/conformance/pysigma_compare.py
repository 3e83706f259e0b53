#!/usr/bin/env python3
"""Compare detc's queries with pySigma's, document by document, per backend.

What it does
------------
For every target (default: splunk, lucene, esql, eql; Sumo has no pySigma log-search backend) it

1. converts every rule file under the given folders with pySigma's library API (the backend's
   default output format; no processing pipeline unless `--pipeline` gives some). Each file is loaded on its own, like `SigmaCollection.from_yaml`
   would (loading a whole folder as one collection breaks on name collisions between files), and
   correlations are resolved against the rules of the same file;
2. runs `detc convert -t TARGET [-p FILE...] --format jsonl FOLDER...` and reads one JSON object per document:
   `{"path", "document", "id", "title", "target", "queries": [...], "diagnostics": [...]}`;
3. matches the two by (file, 0-based YAML document index) and classifies each document:

   identical      both converted, same list of queries (exact string equality)
   divergent      both converted (or detc refused on purpose), and every difference is explained by a
                  documented divergence category (see below)
   pysigma-error  pySigma fails, detc converts (fine: reported separately)
   both-error     both fail
   detc-error     detc fails (or omits the document) where pySigma converts
   different      everything else: unexplained differences, the ones to fix

It prints a table per target, writes `report-<target>.md` (every non-identical document with both
outputs) and `summary.json` into `--out`, and exits 1 when a target named in `--require-zero-rest`
has any `different` or `detc-error` document.

Mapping pySigma's rule objects to documents: pySigma's `SigmaRuleLocation` (`rule.source`) holds the
file path (and optionally a line) but no document index, and `SigmaCollection` reorders its rules
(referenced rules first), moves filters to `.filters` and drops `action: global/reset` documents. So
this script walks the YAML documents itself, mirroring `SigmaCollection.from_dicts` step by step
(global/reset/repeat actions, correlation and filter documents), and remembers each rule object's
document index. Filters are applied to the rules of their own file and correlations are resolved
against their own file, as `from_yaml` does. A rule referenced by a correlation without `generate:
true` gets no query of its own in pySigma (`rule._output` is false), and neither do filter documents
and `action:` documents: those are compared as an empty query list.

A document that is not a mapping (an empty document after a trailing `---`, say) makes pySigma's
loader fail on the whole file, and every document of that file then counts as a pySigma error.

Divergence categories (`--divergences`, default: divergences.yml beside this script)
-------------------------------------------------------------------------------------
A YAML file with a list under `categories:`. Each category:

    - id: splunk-question-mark          # stable name, shown in the reports
      target: splunk                    # a target, a list of targets, or "*" for all
      description: >                    # for humans: what pySigma does and what detc does instead
        ...
      # one or more machine checks:
      normalize:                        # [pattern, replacement] pairs (Python `re.sub`), applied to
        - ['(?i)to_lower\\(([^()]*)\\)', '\\1']  #   BOTH queries in order
      casefold: true                    # optional, with normalize: lower-case both after the pairs
      detc_regex: '...'                 # re.search on detc's query
      pysigma_regex: '...'              # re.search on pySigma's query
      detc_error: '...'                 # re.search on detc's error diagnostics ("CODE: message")
                                        #   when detc refuses a document pySigma converts
      pysigma_error: '...'              # re.search on pySigma's error text: only labels
                                        #   pysigma-error documents in the report

When both sides converted to the same number of queries, each pair of queries that differs must be
explained, in one of two ways:
  (a) normalization: the `normalize` pairs (then `casefold`) of every category of the target that has
      them are applied, category after category in file order, to both queries; if the results are
      equal, the pair is explained by the categories whose pairs changed either query;
  (b) regex: a category whose `detc_regex` and/or `pysigma_regex` (all that it sets) match the
      original queries explains the pair by itself.
A document whose differing pairs are all explained is `divergent` (listed with its categories);
otherwise `different`. Differing query counts are never explained. A detc failure is `divergent`
when a category's `detc_error` matches one of detc's error diagnostics.

Processing pipelines (`--pipeline FILE`, repeatable)
----------------------------------------------------
pySigma-format pipeline YAML files given to both sides. detc gets `-p FILE` for each, in the given
order. pySigma gets them the way sigma-cli's `convert -p` combines them:
`ProcessingPipelineResolver().resolve(files)` loads each file (`ProcessingPipeline.from_yaml`), sorts
by (`priority`, path as given) and sums them with `+`; the result is passed as
`processing_pipeline=` to each backend constructor (the backend's own pipelines still wrap it). No
`--pipeline`: no processing pipeline, as before.

Parse check (`--parse-check`)
-----------------------------
Parses every query of the esql, eql and lucene targets with Elastic's / the community's offline
parsers and reports how many parse, for detc and (as a baseline) for pySigma:
  esql    package `detection-rules-esql-py` (imports as `esql`): `esql.parse_query(q)`
  eql     package `eql`: `eql.parse_query(q)` inside `eql.parser.elasticsearch_syntax`
  lucene  package `luqum`: `luqum.parser.parser.parse(q)`
Failures go to `parse-<target>.md`; `--require-parse TARGETS` exits 1 when a detc query of one of
those targets does not parse.

Usage
-----
    pysigma_compare.py --detc target/release/detc --out /tmp/conf RULE_DIR [RULE_DIR...]
        [--targets splunk,lucene,esql,eql] [--divergences FILE]
        [--require-zero-rest splunk,esql] [--parse-check] [--require-parse esql,eql]
        [--dump-pysigma DIR] [--max-chars 2000] [--pipeline FILE]...
Without `--detc` only the pySigma half runs (conversion summary, `--dump-pysigma`, parse baseline).
`--dump-pysigma DIR` writes pySigma's results as `pysigma-<target>.jsonl` in detc's jsonl format.
Needs the packages pinned in requirements-pysigma.txt (Python >= 3.12).
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import importlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_DIVERGENCES = HERE / "divergences.yml"

BACKENDS = {
    "splunk": ("sigma.backends.splunk", "SplunkBackend"),
    "lucene": ("sigma.backends.elasticsearch", "LuceneBackend"),
    "esql": ("sigma.backends.elasticsearch", "ESQLBackend"),
    "eql": ("sigma.backends.elasticsearch", "EqlBackend"),
}
CLASSES = ["identical", "divergent", "pysigma-error", "both-error", "detc-error", "different"]
PARSEABLE = ("esql", "eql", "lucene")

# pySigma appends this to non-Sigma exceptions; it only repeats the (absolute) path.
WHILE_SUFFIX = re.compile(r" \(while [a-z ]+ rule [^)]*\)$")


@dataclasses.dataclass
class Outcome:
    """One side's result for one document."""

    queries: list[str]
    error: str | None = None  # set when the side failed (then queries is empty)
    note: str | None = None  # why an empty query list is expected (filter, referenced rule, ...)
    title: str | None = None
    id: str | None = None
    diagnostics: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    shown_path: str | None = None


@dataclasses.dataclass
class Case:
    key: tuple[str, int | None]
    path: str
    cls: str
    detc: Outcome | None
    pysigma: Outcome | None
    categories: list[str] = dataclasses.field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# files


def norm_key(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def rule_files(roots: list[str]) -> list[str]:
    """YAML files under the roots, the way detc walks them: hidden entries and `*.tests.yml`
    sidecars skipped (.gitignore is not consulted here)."""
    out: list[str] = []
    for root in roots:
        if os.path.isfile(root):
            out.append(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or not name.endswith((".yml", ".yaml")):
                    continue
                if name.endswith((".tests.yml", ".tests.yaml")):
                    continue
                out.append(os.path.join(dirpath, name))
    seen: set[str] = set()
    uniq = []
    for p in out:
        k = norm_key(p)
        if k not in seen:
            seen.add(k)
            uniq.append(p)
    return uniq


# --------------------------------------------------------------------------------------------------
# pySigma half


def error_text(exc: BaseException) -> str:
    msg = str(exc)
    msg = WHILE_SUFFIX.sub("", msg)
    return f"{type(exc).__name__}: {msg}"


def load_backend(target: str):
    module, name = BACKENDS[target]
    return getattr(importlib.import_module(module), name)


def pysigma_file(backend, path: str) -> dict[int | None, Outcome]:
    """Convert one file; key None holds a file-level failure."""
    from sigma.collection import SigmaCollection, deep_dict_update
    from sigma.correlations import SigmaCorrelationRule
    from sigma.exceptions import SigmaRuleLocation
    from sigma.filters import SigmaFilter
    from sigma.rule import SigmaRule

    try:
        with open(path, encoding="utf-8") as fd:
            docs = list(yaml.safe_load_all(fd))
    except Exception as exc:  # noqa: BLE001 - YAML or encoding error fails the whole file
        return {None: Outcome([], error=error_text(exc))}
    bad = [i for i, d in enumerate(docs) if not isinstance(d, dict)]
    if bad:
        d = docs[bad[0]]
        msg = (f"AttributeError: '{type(d).__name__}' object has no attribute 'get' "
               f"(document {bad[0]} is not a mapping; pySigma fails on the whole file)")
        return {i: Outcome([], error=msg) for i in range(len(docs))}

    src = SigmaRuleLocation(Path(path))
    results: dict[int | None, Outcome] = {}
    index_of: dict[int, int] = {}  # id(rule object) -> document index
    rules: list = []  # SigmaRule / SigmaCorrelationRule in document order
    filters: list = []
    global_rule: dict = {}
    prev_rule: dict = {}
    for i, d in enumerate(docs):
        title = d.get("title") if isinstance(d.get("title"), str) else None
        rid = str(d["id"]) if d.get("id") is not None else None
        action = d.get("action")
        try:
            if action is None:
                if "correlation" in d:
                    obj = SigmaCorrelationRule.from_dict(d, True, src)
                elif "filter" in d:
                    obj = SigmaFilter.from_dict(d, True, src)
                else:
                    obj = SigmaRule.from_dict(deep_dict_update(d, global_rule), True, src)
                    prev_rule = d
            elif action == "global":
                del d["action"]
                global_rule = d
                prev_rule = global_rule
                results[i] = Outcome([], note="action: global (no query)", title=title, id=rid)
                continue
            elif action == "reset":
                global_rule = {}
                results[i] = Outcome([], note="action: reset (no query)", title=title, id=rid)
                continue
            elif action == "repeat":
                prev_rule = deep_dict_update(prev_rule, d)
                obj = SigmaRule.from_dict(prev_rule, True, src)
            else:
                results[i] = Outcome([], error=f"SigmaCollectionError: Unknown Sigma collection "
                                     f"action '{action}' in rule {i + 1}", title=title, id=rid)
                continue
        except Exception as exc:  # noqa: BLE001
            results[i] = Outcome([], error=error_text(exc), title=title, id=rid)
            continue
        title = obj.title if isinstance(obj.title, str) else title
        rid = str(obj.id) if obj.id is not None else rid
        if obj.errors:
            results[i] = Outcome([], error="; ".join(error_text(e) for e in obj.errors),
                                 title=title, id=rid)
            continue
        index_of[id(obj)] = i
        results[i] = Outcome([], title=title, id=rid)
        if isinstance(obj, SigmaFilter):
            filters.append(obj)
            results[i].note = "filter document (pySigma emits no query for it)"
        else:
            rules.append(obj)

    # Filters of this file apply to the rules of this file (SigmaCollection.apply_filters).
    for f in filters:
        for r in list(rules):
            try:
                f.apply_on_rule(r)
            except Exception as exc:  # noqa: BLE001
                results[index_of[id(r)]].error = error_text(exc)
                rules.remove(r)

    coll = SigmaCollection(init_rules=rules, resolve_references=False)
    for r in list(coll.rules):
        if isinstance(r, SigmaCorrelationRule):
            try:
                r.resolve_rule_references(coll)
            except Exception as exc:  # noqa: BLE001
                results[index_of[id(r)]].error = error_text(exc)
                coll.rules.remove(r)

    backend.init_processing_pipeline(backend.default_format)
    fmt = backend.default_format
    done: dict[int, list] = {}

    def convert(obj) -> None:
        """Referenced rules first: correlation conversion reads their conversion results."""
        if id(obj) in done:
            return
        done[id(obj)] = []
        out = results.get(index_of.get(id(obj), -1))
        try:
            if isinstance(obj, SigmaCorrelationRule):
                for ref in obj.referenced_rules or []:
                    if ref.rule is not None and id(ref.rule) in index_of:
                        convert(ref.rule)
                queries = backend.convert_correlation_rule(obj, fmt)
            else:
                queries = backend.convert_rule(obj, fmt)
        except Exception as exc:  # noqa: BLE001
            if out is not None:
                out.error = error_text(exc)
            return
        queries = [q if isinstance(q, str) else json.dumps(q, sort_keys=True) for q in queries]
        done[id(obj)] = queries
        if out is not None:
            out.queries = queries
            if not obj._output:
                out.note = "referenced by a correlation without `generate: true` (no standalone query)"

    for r in coll.rules:
        convert(r)
    return results


def resolve_pipelines(paths: list[str]):
    """The pipeline files combined as sigma-cli's `convert -p FILE...` does; None without files."""
    if not paths:
        return None
    from sigma.processing.resolver import ProcessingPipelineResolver

    return ProcessingPipelineResolver().resolve(paths)


def run_pysigma(target: str, files: list[str],
                pipelines: list[str] | None = None) -> dict[tuple[str, int | None], Outcome]:
    pipeline = resolve_pipelines(pipelines or [])
    backend = load_backend(target)() if pipeline is None else load_backend(target)(
        processing_pipeline=pipeline)
    out: dict[tuple[str, int | None], Outcome] = {}
    for path in files:
        for idx, oc in pysigma_file(backend, path).items():
            oc.shown_path = path
            out[(norm_key(path), idx)] = oc
    return out


# --------------------------------------------------------------------------------------------------
# detc half


def run_detc(detc: str, target: str, roots: list[str],
             pipelines: list[str] | None = None) -> dict[tuple[str, int | None], Outcome]:
    cmd = [detc, "convert", "-t", target]
    for p in pipelines or []:
        cmd += ["-p", p]
    cmd += ["--format", "jsonl", *roots]
    run = subprocess.run(cmd, capture_output=True, text=True)
    out: dict[tuple[str, int | None], Outcome] = {}
    bad_lines = []
    for n, line in enumerate(run.stdout.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            path = obj["path"]
        except (ValueError, KeyError, TypeError):
            bad_lines.append((n, line))
            continue
        queries = [q if isinstance(q, str) else json.dumps(q, sort_keys=True)
                   for q in obj.get("queries") or []]
        diags = obj.get("diagnostics") or []
        errors = [d for d in diags if d.get("severity") == "error"]
        error = None
        if not queries and errors:
            error = "; ".join(f"{d.get('code')}: {d.get('message')}" for d in errors)
        doc = obj.get("document")
        out[(norm_key(path), doc if isinstance(doc, int) else None)] = Outcome(
            queries, error=error, title=obj.get("title"), id=obj.get("id"), diagnostics=diags,
            shown_path=path)
    if bad_lines:
        print(f"detc {target}: {len(bad_lines)} line(s) of stdout are not jsonl documents, "
              f"first: {bad_lines[0][1][:200]!r}", file=sys.stderr)
    if not out:
        sys.exit(f"detc {target}: no documents on stdout (exit {run.returncode}); "
                 f"stderr: {run.stderr.strip()[:2000]}")
    return out


# --------------------------------------------------------------------------------------------------
# divergence categories


@dataclasses.dataclass
class Category:
    id: str
    targets: list[str]
    description: str
    normalize: list[tuple[re.Pattern, str]]
    casefold: bool
    detc_regex: re.Pattern | None
    pysigma_regex: re.Pattern | None
    detc_error: re.Pattern | None
    pysigma_error: re.Pattern | None

    def applies(self, target: str) -> bool:
        return "*" in self.targets or target in self.targets

    def norm(self, q: str) -> str:
        for pat, rep in self.normalize:
            q = pat.sub(rep, q)
        return q.casefold() if self.casefold else q


def load_categories(path: Path) -> list[Category]:
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cats = []
    for n, c in enumerate(data.get("categories") or []):
        where = f"{path}: category {n} ({c.get('id')!r})"
        for key in ("id", "target", "description"):
            if key not in c:
                sys.exit(f"{where}: missing `{key}`")
        t = c["target"]
        targets = [t] if isinstance(t, str) else list(t)
        comp = lambda k: re.compile(c[k]) if c.get(k) else None  # noqa: E731
        try:
            cat = Category(
                id=c["id"], targets=targets, description=" ".join(str(c["description"]).split()),
                normalize=[(re.compile(p), r) for p, r in c.get("normalize") or []],
                casefold=bool(c.get("casefold")),
                detc_regex=comp("detc_regex"), pysigma_regex=comp("pysigma_regex"),
                detc_error=comp("detc_error"), pysigma_error=comp("pysigma_error"))
        except (re.error, ValueError, TypeError) as exc:
            sys.exit(f"{where}: {exc}")
        if not (cat.normalize or cat.casefold or cat.detc_regex or cat.pysigma_regex
                or cat.detc_error or cat.pysigma_error):
            sys.exit(f"{where}: no machine check (normalize, detc_regex, pysigma_regex, ...)")
        cats.append(cat)
    return cats


def explain_pair(dq: str, pq: str, cats: list[Category]) -> list[str] | None:
    used = []
    dn, pn = dq, pq
    for c in cats:
        if not (c.normalize or c.casefold):
            continue
        d2, p2 = c.norm(dn), c.norm(pn)
        if (d2, p2) != (dn, pn):
            used.append(c.id)
        dn, pn = d2, p2
    if dn == pn and used:
        return used
    for c in cats:
        if not (c.detc_regex or c.pysigma_regex):
            continue
        if c.detc_regex and not c.detc_regex.search(dq):
            continue
        if c.pysigma_regex and not c.pysigma_regex.search(pq):
            continue
        return [c.id]
    return None


def explain_queries(dqs: list[str], pqs: list[str], cats: list[Category]) -> list[str] | None:
    if len(dqs) != len(pqs):
        return None
    used: list[str] = []
    for dq, pq in zip(dqs, pqs):
        if dq == pq:
            continue
        why = explain_pair(dq, pq, cats)
        if why is None:
            return None
        used += [w for w in why if w not in used]
    return used


# --------------------------------------------------------------------------------------------------
# classification


def classify(target: str, detc: dict, pys: dict, cats: list[Category]) -> list[Case]:
    cats = [c for c in cats if c.applies(target)]
    # A file-level pySigma failure stands for every document detc reports in that file.
    file_fail = {k[0]: v for k, v in pys.items() if k[1] is None}
    pys = {k: v for k, v in pys.items() if k[1] is not None}
    for key in detc:
        if key[0] in file_fail and key not in pys:
            pys[key] = file_fail[key[0]]
    for path, oc in file_fail.items():
        if not any(k[0] == path for k in detc):
            pys[(path, None)] = oc

    cases = []
    for key in sorted(set(detc) | set(pys), key=lambda k: (k[0], -1 if k[1] is None else k[1])):
        d, p = detc.get(key), pys.get(key)
        shown = (d or p).shown_path or key[0]
        if d is None:
            d_fail, d_err = True, "document missing from detc output"
        else:
            d_fail, d_err = d.error is not None, d.error
        if p is None:
            p_fail = True
            p = Outcome([], error="document not produced by pySigma")
        else:
            p_fail = p.error is not None
        case = Case(key, shown, "", d, p)
        if p_fail:
            case.cls = "both-error" if d_fail else "pysigma-error"
            case.categories = [c.id for c in cats if c.pysigma_error and c.pysigma_error.search(p.error)]
        elif d_fail:
            case.cls = "detc-error"
            if d is not None:
                errs = [f"{x.get('code')}: {x.get('message')}" for x in d.diagnostics
                        if x.get("severity") == "error"]
                hits = [c.id for c in cats if c.detc_error and any(c.detc_error.search(e) for e in errs)]
                if hits:
                    case.cls, case.categories = "divergent", hits
            else:
                case.detc = Outcome([], error=d_err)
        elif d.queries == p.queries:
            case.cls = "identical"
        else:
            why = explain_queries(d.queries, p.queries, cats)
            if why is None:
                case.cls = "different"
            else:
                case.cls, case.categories = "divergent", why
        cases.append(case)
    return cases


# --------------------------------------------------------------------------------------------------
# reports


def fence(text: str) -> str:
    runs = re.findall(r"`+", text)
    f = "`" * max(3, max((len(r) for r in runs), default=0) + 1)
    return f"{f}\n{text}\n{f}"


def clip(q: str, n: int) -> str:
    return q if len(q) <= n else q[:n] + f"\n… [{len(q) - n} more characters]"


def show_side(name: str, oc: Outcome | None, max_chars: int) -> list[str]:
    lines = [f"**{name}**"]
    if oc is None:
        return lines + ["", "(no document)", ""]
    if oc.error:
        lines += ["", "error: " + clip(oc.error, max_chars).replace("\n", " "), ""]
    elif not oc.queries:
        lines += ["", f"(no query{': ' + oc.note if oc.note else ''})", ""]
    else:
        shown = oc.queries[:10]
        for i, q in enumerate(shown):
            if len(oc.queries) > 1:
                lines += ["", f"query {i + 1}/{len(oc.queries)}:"]
            lines += ["", fence(clip(q, max_chars))]
        if len(oc.queries) > len(shown):
            lines.append(f"… {len(oc.queries) - len(shown)} more queries")
        lines.append("")
    other = [x for x in oc.diagnostics if x.get("severity") != "error" or oc.queries]
    if other:
        lines.append("diagnostics: " + "; ".join(
            f"{x.get('severity')} {x.get('code')}: {x.get('message')}" for x in other[:8]))
        lines.append("")
    return lines


def error_summary(cases: list[Case], side: str) -> collections.Counter:
    """Error messages with rule-specific bits (quoted names, numbers, paths) folded."""
    c: collections.Counter = collections.Counter()
    for case in cases:
        oc = case.pysigma if side == "pysigma" else case.detc
        if oc is not None and oc.error:
            msg = re.sub(r"(?:/[^\s/:'\"]+)+\.ya?ml\b", "<file>", oc.error)
            msg = re.sub(r"'[^']*'", "'…'", msg)
            msg = re.sub(r"\d+", "N", msg)
            c[msg[:200]] += 1
    return c


def write_report(out: Path, target: str, cases: list[Case], cats: list[Category],
                 max_chars: int, timing: dict[str, float]) -> None:
    counts = collections.Counter(c.cls for c in cases)
    total = len(cases)
    lines = [f"# detc vs pySigma: `{target}`", "",
             f"{total} documents. pySigma {timing.get('pysigma', 0):.1f}s, "
             f"detc {timing.get('detc', 0):.1f}s.", "",
             "| class | documents | share |", "| --- | ---: | ---: |"]
    for cls in CLASSES:
        lines.append(f"| {cls} | {counts[cls]} | {pct(counts[cls], total)} |")
    lines.append("")

    tcats = [c for c in cats if c.applies(target)]
    if tcats:
        used = collections.Counter(cid for c in cases for cid in c.categories)
        lines += ["## Divergence categories", "",
                  "Documented places where detc's query deliberately differs from pySigma's "
                  "(pySigma changes the rule's meaning, or fails). Documents: how many documents "
                  "the category explains (or labels, for pySigma errors).", "",
                  "| category | documents | description |", "| --- | ---: | --- |"]
        for c in tcats:
            desc = c.description.replace("|", "\\|")
            lines.append(f"| `{c.id}` | {used[c.id]} | {desc} |")
        lines.append("")

    for side in ("pysigma", "detc"):
        summ = error_summary(cases, side)
        if summ:
            lines += [f"## {'pySigma' if side == 'pysigma' else 'detc'} errors by message", "",
                      "| documents | message |", "| ---: | --- |"]
            for msg, n in summ.most_common():
                cell = msg.replace("|", "\\|")
                lines.append(f"| {n} | {cell} |")
            lines.append("")

    for cls in ("different", "detc-error", "divergent", "pysigma-error", "both-error"):
        sel = [c for c in cases if c.cls == cls]
        if not sel:
            continue
        lines += [f"## {cls} ({len(sel)})", ""]
        for c in sel:
            doc = "*" if c.key[1] is None else c.key[1]
            title = (c.detc and c.detc.title) or (c.pysigma and c.pysigma.title) or ""
            rid = (c.detc and c.detc.id) or (c.pysigma and c.pysigma.id)
            lines.append(f"### `{c.path}` #{doc} — {title}")
            lines.append("")
            if rid:
                lines += [f"id: `{rid}`", ""]
            if c.categories:
                lines += ["categories: " + ", ".join(f"`{x}`" for x in c.categories), ""]
            lines += show_side("detc", c.detc, max_chars)
            lines += show_side("pySigma", c.pysigma, max_chars)
    (out / f"report-{target}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def pct(n: int, total: int) -> str:
    return f"{100.0 * n / total:.1f}%" if total else "-"


def print_table(target: str, cases: list[Case]) -> dict[str, int]:
    counts = collections.Counter(c.cls for c in cases)
    total = len(cases)
    print(f"\n{target}: {total} documents")
    for cls in CLASSES:
        print(f"  {cls:<14} {counts[cls]:>6}  {pct(counts[cls], total):>6}")
    return {cls: counts[cls] for cls in CLASSES} | {"documents": total}


def dump_jsonl(path: Path, target: str, results: dict) -> None:
    with path.open("w", encoding="utf-8") as fd:
        for key in sorted(results, key=lambda k: (k[0], -1 if k[1] is None else k[1])):
            oc = results[key]
            diags = []
            if oc.error:
                diags.append({"code": "pysigma", "severity": "error", "message": oc.error})
            elif oc.note:
                diags.append({"code": "pysigma", "severity": "info", "message": oc.note})
            fd.write(json.dumps({"path": oc.shown_path, "document": key[1], "id": oc.id,
                                 "title": oc.title, "target": target, "queries": oc.queries,
                                 "diagnostics": diags}) + "\n")


# --------------------------------------------------------------------------------------------------
# parse check


def parser_for(target: str):
    """Returns a function raising on a query that does not parse."""
    if target == "esql":
        import esql  # package detection-rules-esql-py

        return esql.parse_query
    if target == "eql":
        import eql

        def parse(q: str) -> None:
            with eql.parser.elasticsearch_syntax:
                eql.parse_query(q)
        return parse
    if target == "lucene":
        from luqum.parser import parser

        return parser.parse
    raise KeyError(target)


def parse_deep(parse, q: str) -> str | None:
    """Parses `q` again in a thread with a 512 MiB stack and a recursion limit of 200,000, for a query
    whose only failure was Python's default recursion limit (the ANTLR-generated parsers recurse
    once per chained `or`). None when it parses, else the error."""
    result: dict[str, str | None] = {}

    def run() -> None:
        limit = sys.getrecursionlimit()  # process-wide: restored before the main thread parses again
        sys.setrecursionlimit(200_000)
        try:
            parse(q)
            result["error"] = None
        except BaseException as exc:  # noqa: BLE001 - reported as the query's error
            result["error"] = f"{type(exc).__name__}: {exc}"
        finally:
            sys.setrecursionlimit(limit)

    old = threading.stack_size(512 * 1024 * 1024)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old)
    return result.get("error", "no result")


def parse_check(out: Path, target: str, sides: dict[str, dict], max_chars: int) -> dict[str, dict]:
    """Every query of each side through the target's parser. A query that fails only on Python's
    default recursion limit is counted apart (`deep`) and parsed again with a deep stack: it counts
    as parsed when that succeeds, as failed otherwise."""
    parse = parser_for(target)
    summary: dict[str, dict] = {}
    lines = [f"# Parse check: `{target}`", ""]
    for side, results in sides.items():
        ok = total = 0
        deep: list[tuple[str, Any, int]] = []  # (path, document, query length) parsed with a deep stack
        failures = []
        for key, oc in sorted(results.items(), key=lambda kv: (kv[0][0], -1 if kv[0][1] is None else kv[0][1])):
            for q in oc.queries:
                total += 1
                try:
                    parse(q)
                    ok += 1
                except RecursionError:
                    err = parse_deep(parse, q)
                    if err is None:
                        ok += 1
                        deep.append((oc.shown_path, key[1], len(q)))
                    else:
                        failures.append((oc.shown_path, key[1], q, f"(with a deep stack) {err}"))
                except Exception as exc:  # noqa: BLE001 - any parser failure counts
                    failures.append((oc.shown_path, key[1], q, f"{type(exc).__name__}: {exc}"))
        summary[side] = {"queries": total, "parsed": ok, "failed": total - ok, "deep": len(deep)}
        note = f"; {len(deep)} only past Python's default recursion limit" if deep else ""
        print(f"  parse {target} {side}: {ok}/{total} queries parse ({pct(ok, total)}){note}")
        lines += [f"## {side}: {ok}/{total} parse ({pct(ok, total)})", ""]
        if deep:
            lines += [f"{len(deep)} of them exceed Python's default recursion limit in the parser and "
                      "parse with a deep stack:", ""]
            lines += [f"- `{path}` #{doc} ({n} characters)" for path, doc, n in deep] + [""]
        for path, doc, q, err in failures:
            lines += [f"### `{path}` #{doc}", "", fence(clip(q, max_chars)), "",
                      fence(clip(err, max_chars)), ""]
    (out / f"parse-{target}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return summary


# --------------------------------------------------------------------------------------------------


def target_list(s: str | None) -> list[str]:
    return [t.strip() for t in (s or "").split(",") if t.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rules", nargs="+", help="rule folders (or files)")
    ap.add_argument("--detc", help="detc binary; without it only the pySigma half runs")
    ap.add_argument("--targets", default="splunk,lucene,esql,eql",
                    help="comma-separated targets (default: %(default)s)")
    ap.add_argument("--out", default="conformance-report", help="report folder (default: %(default)s)")
    ap.add_argument("--divergences", default=str(DEFAULT_DIVERGENCES),
                    help="divergence categories YAML (default: divergences.yml beside this script)")
    ap.add_argument("--require-zero-rest", default="", metavar="TARGETS",
                    help="exit 1 if one of these targets has a `different` or `detc-error` document")
    ap.add_argument("--parse-check", action="store_true",
                    help="parse esql/eql/lucene queries with Elastic's and luqum's parsers")
    ap.add_argument("--require-parse", default="", metavar="TARGETS",
                    help="with --parse-check: exit 1 if a detc query of these targets fails to parse")
    ap.add_argument("--dump-pysigma", metavar="DIR",
                    help="write pySigma's results as pysigma-<target>.jsonl (detc's jsonl format)")
    ap.add_argument("--max-chars", type=int, default=2000, help="truncate queries in reports")
    ap.add_argument("--pipeline", action="append", default=[], metavar="FILE",
                    help="pySigma processing pipeline YAML for both sides (repeatable; detc gets "
                         "-p FILE each, pySigma sigma-cli's priority-sorted sum)")
    args = ap.parse_args()

    targets = target_list(args.targets)
    for t in targets:
        if t not in BACKENDS:
            ap.error(f"unknown target {t!r} (pySigma backends: {', '.join(BACKENDS)})")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cats = load_categories(Path(args.divergences))
    files = rule_files(args.rules)
    for p in args.pipeline:
        if not os.path.isfile(p):
            ap.error(f"pipeline file {p!r} not found")
    try:
        resolve_pipelines(args.pipeline)  # fail early on a pipeline pySigma rejects
    except Exception as exc:  # noqa: BLE001
        sys.exit(f"pySigma cannot load the pipelines: {error_text(exc)}")
    print(f"{len(files)} rule files, targets {', '.join(targets)}, "
          f"{len(cats)} divergence categories"
          + (f", pipelines {', '.join(args.pipeline)}" if args.pipeline else ""), flush=True)

    summary: dict[str, Any] = {"pipelines": list(args.pipeline)} if args.pipeline else {}
    failed: list[str] = []
    require_rest = set(target_list(args.require_zero_rest))
    require_parse = set(target_list(args.require_parse))
    started = time.monotonic()
    for target in targets:
        timing = {}
        t0 = time.monotonic()
        pys = run_pysigma(target, files, args.pipeline)
        timing["pysigma"] = time.monotonic() - t0
        if args.dump_pysigma:
            Path(args.dump_pysigma).mkdir(parents=True, exist_ok=True)
            dump_jsonl(Path(args.dump_pysigma) / f"pysigma-{target}.jsonl", target, pys)
        entry: dict[str, Any] = {}
        if args.detc:
            t0 = time.monotonic()
            detc = run_detc(args.detc, target, args.rules, args.pipeline)
            timing["detc"] = time.monotonic() - t0
            cases = classify(target, detc, pys, cats)
            entry["counts"] = print_table(target, cases)
            print(f"  (pySigma {timing['pysigma']:.1f}s, detc {timing['detc']:.1f}s)")
            write_report(out, target, cases, cats, args.max_chars, timing)
            rest = entry["counts"]["different"] + entry["counts"]["detc-error"]
            if target in require_rest and rest:
                failed.append(f"{target}: {rest} different/detc-error documents")
        else:
            docs = [k for k in pys if k[1] is not None]
            errs = error_summary([Case(k, "", "", None, v) for k, v in pys.items()], "pysigma")
            n_err = sum(errs.values())
            entry["pysigma"] = {"documents": len(docs), "errors": n_err,
                                "queries": sum(len(v.queries) for v in pys.values())}
            print(f"\n{target}: pySigma {len(docs)} documents, {n_err} errors "
                  f"({timing['pysigma']:.1f}s)")
            for msg, n in errs.most_common(8):
                print(f"  {n:>4}  {msg[:150]}")
        entry["seconds"] = {k: round(v, 2) for k, v in timing.items()}
        if args.parse_check and target in PARSEABLE:
            sides = {"pysigma": pys}
            if args.detc:
                sides = {"detc": detc, "pysigma": pys}
            entry["parse"] = parse_check(out, target, sides, args.max_chars)
            if args.detc and target in require_parse and entry["parse"]["detc"]["failed"]:
                failed.append(f"{target}: {entry['parse']['detc']['failed']} detc queries do not parse")
        summary[target] = entry
    summary["seconds"] = round(time.monotonic() - started, 2)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\nreports in {out}/ ({summary['seconds']:.1f}s)")
    if failed:
        for f in failed:
            print("FAIL " + f, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
