#!/usr/bin/env python3
"""detc's EQL output, run by Elastic's `eql` engine over the detection tests of a catalog, must give
the verdict detc's own evaluator gives (`detc test` passes on the catalog, so each test's `expect`
is detc's verdict).

Usage: eql_verdicts.py [--detc BIN] [--strict] [--verbose] DETECTIONS_DIR

It loads every `.yml` under DETECTIONS_DIR with PyYAML (YAML 1.1 typing like detc, dates kept as
strings), runs `detc convert -t eql --format jsonl DETECTIONS_DIR` once and, for every document
that has a query and tests:

* rule (`any where …`): each event of a test is run through `eql.PythonEngine` on its own; the
  event matches when one of the document's queries outputs it. `expect: match` agrees when every
  event matched, `no_match` when none did. Counted per event.
* correlation (`sequence by … with maxspan=…`): the test's events, sorted by timestamp (`data.date`,
  `@timestamp`, `timestamp`, `date`, as `detc test`), are streamed through one engine; the verdict
  is whether any sequence fired, compared with `alerts > 0` / `match` / not `no_match`. Counted per
  test. (The engine slides the window one event at a time, so its number of sequences is not
  detc's number of alerts; only the yes/no verdict is compared.)
* base rule folded into a correlation (empty `queries`): when the correlation names one rule, or
  is `temporal`/`temporal_ordered` with one sequence term per rule, the rule's own tests are run
  against its sequence term (`[any where …]`) as a rule query.

Engine set-up: `eql.parse_query(q)` inside `eql.parser.elasticsearch_syntax` (for `:`, `like~`,
`regex~`), `eql.PythonEngine({"time_unit": 1000})` with `add_query` and `add_output_hook`, events
given as `eql.Event("generic", epoch_ms, event)`. `any where` hooks every event type, so the type
does not matter; `data.type` walks the nested dicts.

Known limits of the Python engine against Elasticsearch, where detc's EQL runs:
  - a field whose value is a list makes `:`/`like~`/`==`/`in` return null (no match, and `not` of
    it is null too); Elasticsearch matches a multi-valued field when one of its values matches;
  - a missing field (or an empty array) makes a predicate null, so `not field:"x"` is null, while
    the query DSL Elasticsearch translates `not` to (`must_not`) matches a document without it;
  - a backtick-quoted dotted name (`data.user-agent`) is looked up as one top-level key, not
    through the nested objects;
  - `==` on strings compares case-insensitively (Elasticsearch: case-sensitive, detc's `|cased`);
  - the parser drops the `~` of `in~`/`like~`/`regex~`: all are case-insensitive, and `regex`
    matches a prefix (`re.match`) where Elasticsearch matches the whole value. Not modelled below.
Every event on which the stock engine disagrees is re-run with `QueryDslEngine`, the same engine
with the first four rules as Elasticsearch has them (leaf predicates true/false, any value of a
multi-valued field, dotted names through objects, case-sensitive `==`). A disagreement that this
model resolves is reported as engine-limited and does not fail the run unless `--strict`; one it
does not resolve is a disagreement (exit 1).

Not runnable (reported with the reason, never a failure): documents with tests but no query
(detc's diagnostic, e.g. B801), queries the eql package cannot parse or compile, correlation tests
with an event lacking a timestamp, tests detc itself would reject.
"""
import argparse
import collections
import datetime
import itertools
import json
import os
import subprocess
import sys

import yaml

import eql
from eql import ast as eql_ast
from eql.engine import PythonEngine
from eql.events import Event
from eql.utils import fold_case, is_number, is_string

TIMESTAMP_FIELDS = ("data.date", "@timestamp", "timestamp", "date")


# --- loading the catalog ---------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """PyYAML's YAML 1.1 typing (as detc's), without the timestamp resolver: dates stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_catalog(root):
    """{(realpath, doc index): document}, sidecar tests {(realpath of rule file): [tests]}, errors."""
    docs, sidecars, errors = {}, {}, []
    for base, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".yml"):
                continue
            path = os.path.join(base, name)
            try:
                with open(path, encoding="utf-8") as f:
                    loaded = list(yaml.load_all(f, Loader=_Loader))
            except (yaml.YAMLError, UnicodeDecodeError) as e:
                errors.append((path, f"YAML: {str(e).splitlines()[0]}"))
                continue
            if name.endswith(".tests.yml"):
                rule = os.path.realpath(path[: -len(".tests.yml")] + ".yml")
                tests = loaded[0] if loaded else None
                if isinstance(tests, dict):
                    tests = tests.get("tests")
                sidecars[rule] = tests if isinstance(tests, list) else []
                continue
            for i, doc in enumerate(loaded):
                docs[(os.path.realpath(path), i)] = doc
    return docs, sidecars, errors


def tests_of(key, doc, docs, sidecars):
    tests = list(doc.get("tests") or []) if isinstance(doc, dict) else []
    for t in sidecars.get(key[0], []):
        if not isinstance(t, dict):
            continue
        target = t.get("rule")
        same_file = [k for k in docs if k[0] == key[0]]
        if target is None and len(same_file) == 1 or target in (doc.get("id"), doc.get("name")):
            tests.append(t)
    return [t for t in tests if isinstance(t, dict)]


def test_events(t):
    if "event" in t:
        return [t["event"]]
    return list(t.get("events") or [])


def expected(t):
    """(kind, n): ('match', None), ('no_match', None) or ('alerts', N); None when unusable."""
    e = t.get("expect")
    if e in ("match", "no_match"):
        return e, None
    if isinstance(e, dict) and isinstance(e.get("alerts"), int) and not isinstance(e.get("alerts"), bool):
        return "alerts", e["alerts"]
    return None


def lookup(event, path):
    """Values at a dotted path (nested objects or dotted keys, arrays flattened), as detc reads them."""
    out = []

    def walk(value, rest):
        if isinstance(value, list):
            for v in value:
                walk(v, rest)
        elif isinstance(value, dict):
            for key, v in value.items():
                if rest == key:
                    if isinstance(v, list):
                        out.extend(v)
                    else:
                        out.append(v)
                elif rest.startswith(key + "."):
                    walk(v, rest[len(key) + 1:])

    walk(event, path)
    return out


def timestamp_ms(event):
    for field in TIMESTAMP_FIELDS:
        for v in lookup(event, field):
            if isinstance(v, bool):
                continue
            if isinstance(v, str):
                try:
                    ts = datetime.datetime.fromisoformat(v)
                except ValueError:
                    continue
                if ts.tzinfo is None:
                    continue  # RFC 3339 needs an offset; detc's parser rejects it too
                return ts.timestamp() * 1000.0
            if isinstance(v, (int, float)):
                return float(v) if v > 1e11 else float(v) * 1000.0
    return None


# --- engines ---------------------------------------------------------------------------------------

def parse(query):
    with eql.parser.elasticsearch_syntax:
        return eql.parse_query(query)


class _Missing:
    """Marker: the field has no value (absent, null or an empty array)."""


class Values(list):
    """All the values of a field in one event (arrays flattened)."""


def _choices(value):
    """The values a predicate is tried with: each of a field's values, or the value itself."""
    if value is _Missing:
        return []
    return list(value) if isinstance(value, Values) else [value]


class QueryDslEngine(PythonEngine):
    """The Python engine with Elasticsearch query-DSL semantics for leaf predicates: a field yields
    all its values (nested objects or dotted names, arrays flattened), a predicate holds when one
    combination of values satisfies it and is false (never null) when a field has no value, so
    `not` of it holds; `==` on strings is case-sensitive. Functions that return a value (not a
    boolean) get the first value."""

    def _convert_field(self, node):
        if node.base in self._scoped or self._in_pipe or any(isinstance(p, int) for p in node.path):
            return super()._convert_field(node)
        path = ".".join([node.base] + list(node.path))

        def values(scope):
            found = [v for v in lookup(scope.event.data, path) if v is not None]
            return Values(found) if found else _Missing

        return values

    @staticmethod
    def _exists(args, test):
        return any(bool(test(*combo)) for combo in itertools.product(*[_choices(a) for a in args]))

    def _convert_function_call(self, node):
        if getattr(self, "_function_{}".format(self.camelized(node.name)), None):
            return super()._convert_function_call(node)
        func = self._functions.get(node.name, node.signature)
        if hasattr(func, "get_callback"):
            func = func.get_callback(*node.arguments)
        if not callable(func):
            raise eql.EqlCompileError("Unknown function {}".format(node.name))
        get_arguments = self._convert_tuple(node.arguments)
        signature = node.signature
        boolean = signature is not None and signature.return_value == eql.types.TypeHint.Boolean

        if boolean:
            return lambda scope: self._exists(get_arguments(scope), func)

        def first_value(scope):
            args = [(_choices(a) or [None])[0] for a in get_arguments(scope)]
            return func(*args)

        return first_value

    def _convert_comparison(self, node):
        get_left, get_right = self.convert(node.left), self.convert(node.right)
        function = node.function

        def compare(a, b):  # Elasticsearch's `==` is case-sensitive (`:` is the insensitive one)
            if isinstance(a, bool) or isinstance(b, bool):
                return type(a) is type(b) and function(a, b)
            if is_number(a) and is_number(b) or type(a) is type(b):
                return function(a, b)
            return False

        return lambda scope: self._exists((get_left(scope), get_right(scope)), compare)

    def _convert_in_set(self, node):
        if not all(isinstance(i, eql_ast.Literal) for i in node.container):
            return self.convert(node.synonym)
        get_values = self.convert(node.expression)
        wanted = {fold_case(i.value) for i in node.container}
        return lambda scope: self._exists((get_values(scope),), lambda v: fold_case(v) in wanted)

    def _convert_is_null(self, node):
        get_values = self.convert(node.expr)
        return lambda scope: get_values(scope) in (_Missing, None)

    def _convert_is_not_null(self, node):
        get_values = self.convert(node.expr)
        return lambda scope: get_values(scope) not in (_Missing, None)


def make_engine(cls, parsed):
    out = []
    engine = cls({"time_unit": 1000})  # ticks per second: times are epoch milliseconds
    engine.add_output_hook(out.append)
    engine.add_query(parsed)
    return engine, out


def event_of(data, ms=0.0):
    return Event(eql.schema.EVENT_TYPE_GENERIC, ms, data)


def rule_matches(cls, parsed_queries, event):
    """Does one of the `any where` queries output the event?"""
    for parsed in parsed_queries:
        engine, out = make_engine(cls, parsed)
        engine.stream_event(event_of(event))
        engine.finalize()
        if out:
            return True
    return False


def sequences_fired(cls, parsed, timed_events):
    engine, out = make_engine(cls, parsed)
    for ms, _, event in timed_events:
        engine.stream_event(event_of(event, ms))
    engine.finalize()
    return len(out)


def fields_of(parsed):
    """Dotted names of the fields the query reads."""
    return sorted({".".join([n.base] + [str(p) for p in n.path])
                   for n in parsed if isinstance(n, eql_ast.Field)})


def quoted_fields(parsed):
    """Fields written with backticks whose name holds a dot (one key for the Python engine)."""
    return {n.base for n in parsed if isinstance(n, eql_ast.Field) and "." in n.base}


def field_notes(fields, event, quoted=()):
    """Which of the query's fields are arrays, missing or quoted dotted names (for diagnosis)."""
    notes = []
    for f in fields:
        raw = []

        def walk(value, rest):
            if isinstance(value, dict):
                if rest in value:
                    raw.append(value[rest])
                head, _, tail = rest.partition(".")
                if tail and head in value:
                    walk(value[head], tail)
            elif isinstance(value, list):
                raw.append(("array-on-path", value))

        walk(event, f)
        if f in quoted:
            notes.append(f"`{f}` is a quoted name the engine reads as one top-level key")
        if not raw or all(v is None for v in raw):
            notes.append(f"{f} missing")
        elif any(isinstance(v, list) for v in raw):
            notes.append(f"{f} is an array {json.dumps(next(v for v in raw if isinstance(v, list)))}")
        elif any(isinstance(v, tuple) for v in raw):
            notes.append(f"{f} crosses an array")
        elif any(isinstance(v, (dict,)) for v in raw):
            notes.append(f"{f} is an object")
    return notes


# --- the check -------------------------------------------------------------------------------------

def first_line(e):
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--detc", default="target/release/detc", help="detc binary")
    ap.add_argument("--strict", action="store_true",
                    help="count engine-limited events (resolved only by the query-DSL model) as disagreements")
    ap.add_argument("--verbose", action="store_true", help="print every test's outcome")
    ap.add_argument("detections", help="catalog folder")
    args = ap.parse_args()

    docs, sidecars, load_errors = load_catalog(args.detections)
    run = subprocess.run([args.detc, "convert", "-t", "eql", "--format", "jsonl", args.detections],
                         capture_output=True, text=True)
    converted = {}
    for line in run.stdout.splitlines():
        if line.strip():
            d = json.loads(line)
            converted[(os.path.realpath(d["path"]), d["document"])] = d
    if not converted:
        print(f"detc printed no document (exit {run.returncode}): {run.stderr.strip()}", file=sys.stderr)
        return 2

    by_ref = {}  # correlation rule references -> document key
    for key, doc in docs.items():
        if isinstance(doc, dict):
            for ref in (doc.get("name"), doc.get("id")):
                if isinstance(ref, str):
                    by_ref.setdefault(ref, key)

    counts = collections.Counter()
    not_runnable = []      # (where, reason)
    disagreements = []     # (where, detail)
    limited = []           # (where, detail)
    info = []

    def label(key, doc):
        rel = os.path.relpath(key[0])
        title = doc.get("title") if isinstance(doc, dict) else None
        return f"{rel}#{key[1]} ({title})"

    # Sequence terms standing for base rules folded into a correlation: base key -> (parsed term, corr)
    folded = {}
    parsed_cache = {}

    def parsed_queries(key):
        if key not in parsed_cache:
            d = converted.get(key)
            try:
                parsed_cache[key] = ([parse(q) for q in d["queries"]], None) if d else ([], None)
            except eql.EqlError as e:
                parsed_cache[key] = (None, first_line(e))
        return parsed_cache[key]

    for key, doc in docs.items():
        if not isinstance(doc, dict) or not isinstance(doc.get("correlation"), dict):
            continue
        qs, err = parsed_queries(key)
        if not qs or err or not isinstance(qs[0].first, eql_ast.Sequence):
            continue
        corr = doc["correlation"]
        rules = corr.get("rules") or []
        rules = [rules] if isinstance(rules, str) else rules
        terms = [PipedQueryTerm(sub.query) for sub in qs[0].first.queries]
        if len(rules) == 1:
            mapping = {rules[0]: terms[0]}
        elif corr.get("type") in ("temporal", "temporal_ordered") and len(rules) == len(terms):
            mapping = dict(zip(rules, terms))
        else:
            mapping = {}
        for ref, term in mapping.items():
            if ref in by_ref:
                folded[by_ref[ref]] = (term, label(key, doc))

    for key, doc in sorted(docs.items()):
        if not isinstance(doc, dict):
            continue
        counts["documents"] += 1
        tests = tests_of(key, doc, docs, sidecars)
        d = converted.get(key)
        where = label(key, doc)
        if d is None:
            if tests:
                not_runnable.append((where, "detc printed no entry for the document"))
            continue
        if d["queries"]:
            counts["with query"] += 1
        if not tests:
            continue
        counts["with tests"] += 1
        is_corr = isinstance(doc.get("correlation"), dict)
        via = None
        if not d["queries"]:
            if key in folded:
                term, via = folded[key]
                qs, err = [term], None
            else:
                codes = ", ".join(f"{x.get('code')} {x.get('message', '')}" for x in d["diagnostics"]) \
                    or "no query (folded into a correlation EQL cannot express)"
                not_runnable.append((where, f"{len(tests)} test(s), no EQL query: {codes}"))
                counts["tests not runnable"] += len(tests)
                continue
        else:
            qs, err = parsed_queries(key)
        if err:
            not_runnable.append((where, f"{len(tests)} test(s), eql cannot parse: {err}"))
            counts["tests not runnable"] += len(tests)
            continue
        try:  # compile once up front, so a construct the engine lacks is reported, not crashed on
            for q in qs:
                make_engine(PythonEngine, q)
                make_engine(QueryDslEngine, q)
        except Exception as e:  # the engine raises EqlError, but also plain errors on odd ASTs
            not_runnable.append((where, f"{len(tests)} test(s), eql engine cannot compile: {first_line(e)}"))
            counts["tests not runnable"] += len(tests)
            continue
        if via:
            counts["base rules via sequence term"] += 1
        fields = sorted({f for q in qs for f in fields_of(q)})
        for t in tests:
            name = t.get("name", "?")
            tw = f"{where} / {name!r}" + (f" [term of {via}]" if via else "")
            exp = expected(t)
            events = test_events(t)
            if exp is None or not events or not all(isinstance(e, dict) for e in events):
                not_runnable.append((tw, "test without a usable expect/event(s)"))
                counts["tests not runnable"] += 1
                continue
            counts["tests"] += 1
            try:
                if is_corr:
                    outcome = check_correlation(qs, exp, events, tw, fields, counts, disagreements,
                                                limited, info, not_runnable)
                else:
                    outcome = check_rule(qs, exp, events, tw, fields, counts, disagreements, limited)
            except NotRunnable as e:
                not_runnable.append((tw, str(e)))
                counts["tests not runnable"] += 1
                counts["tests"] -= 1
                continue
            if args.verbose:
                print(f"{outcome:10} {tw}")

    # ---- report
    print(f"eql {eql.__version__} PythonEngine vs detc's evaluator on {args.detections}")
    print(f"documents: {counts['documents']} loaded, {counts['with query']} with an EQL query, "
          f"{counts['with tests']} with tests ({counts['base rules via sequence term']} base rules "
          f"checked through their correlation's sequence term)")
    print(f"tests run: {counts['tests']} ({counts['rule tests']} rule, {counts['correlation tests']} "
          f"correlation); not runnable: {counts['tests not runnable']}")
    print(f"comparisons: {counts['rule events']} rule events + {counts['correlation tests']} correlation "
          f"tests = {counts['rule events'] + counts['correlation tests']}")
    print(f"  agree (stock engine):               {counts['agree']}")
    print(f"  engine-limited (agree under the query-DSL model only): {counts['limited']}")
    print(f"  disagree:                           {counts['disagree']}")
    for heading, rows in [
        ("files not loaded:", load_errors),
        ("not runnable:", not_runnable),
        ("engine-limited (Python-engine semantics; Elasticsearch's, as modelled, agree with detc):", limited),
        ("DISAGREEMENTS:", disagreements),
    ]:
        if rows:
            print(heading)
            for where, why in rows:
                print(f"  {where}: {why}")
    for line in info:
        print(f"note: {line}")
    failed = counts["disagree"] or (args.strict and counts["limited"])
    return 1 if failed else 0


class NotRunnable(Exception):
    """A test this check cannot run (reported, not a failure)."""


def PipedQueryTerm(event_query):
    """A sequence term `[any where …]` as a query of its own."""
    return eql_ast.PipedQuery(event_query, [])


def check_rule(qs, exp, events, tw, fields, counts, disagreements, limited):
    quoted = set().union(*[quoted_fields(q) for q in qs])
    kind = exp[0]
    if kind == "alerts":
        raise NotRunnable("`expect: {alerts: N}` on a rule (detc rejects it too)")
    counts["rule tests"] += 1
    want = kind == "match"
    worst = "agree"
    for i, event in enumerate(events):
        counts["rule events"] += 1
        got = rule_matches(PythonEngine, qs, event)
        if got == want:
            counts["agree"] += 1
            continue
        modelled = rule_matches(QueryDslEngine, qs, event)
        notes = "; ".join(field_notes(fields, event, quoted)) or "no array or missing field involved"
        detail = (f"event {i}: detc {'match' if want else 'no match'}, eql engine "
                  f"{'match' if got else 'no match'}, query-DSL model {'match' if modelled else 'no match'} "
                  f"({notes})")
        if modelled == want:
            counts["limited"] += 1
            limited.append((tw, detail))
            worst = "limited" if worst == "agree" else worst
        else:
            counts["disagree"] += 1
            disagreements.append((tw, detail))
            worst = "DISAGREE"
    return worst


def check_correlation(qs, exp, events, tw, fields, counts, disagreements, limited, info, not_runnable):
    if not isinstance(qs[0].first, eql_ast.Sequence):
        raise NotRunnable("the correlation's query is not a sequence")
    timed = []
    for i, e in enumerate(events):
        ms = timestamp_ms(e)
        if ms is None:
            raise NotRunnable(f"event {i} has no timestamp ({', '.join(TIMESTAMP_FIELDS)})")
        timed.append((ms, i, e))
    timed.sort(key=lambda x: x[0])  # stable, like detc's
    counts["correlation tests"] += 1
    kind, n = exp
    want = n > 0 if kind == "alerts" else kind == "match"
    fired = sequences_fired(PythonEngine, qs[0], timed)
    if kind == "alerts" and fired and n and fired != n:
        info.append(f"{tw}: detc {n} alert(s), the eql engine {fired} sequence(s) (sliding window; "
                    "only fired / not fired is compared)")
    if (fired > 0) == want:
        counts["agree"] += 1
        return "agree"
    modelled = sequences_fired(QueryDslEngine, qs[0], timed)
    detail = (f"detc {'alert' if want else 'no alert'} ({kind}{'' if n is None else ' ' + str(n)}), "
              f"eql engine {fired} sequence(s), query-DSL model {modelled}")
    if (modelled > 0) == want:
        counts["limited"] += 1
        limited.append((tw, detail))
        return "limited"
    counts["disagree"] += 1
    disagreements.append((tw, detail))
    return "DISAGREE"


if __name__ == "__main__":
    sys.exit(main())
