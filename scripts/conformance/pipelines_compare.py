#!/usr/bin/env python3
"""Compare detc's built-in pipelines with pySigma's pipelines of the same name.

For each run (`--run TARGET:DETC_PIPELINES[:PYSIGMA_PIPELINES]`, pipelines `+`-separated, e.g.
`lucene:ecs_windows`, `splunk:sysmon+windows:sysmon+windows-logsources`) it converts the rule files
whose log source matches `--logsource` (and, per run, `--categories`) with

  detc      `detc convert -t TARGET -p NAME... --format jsonl FILES...` (the built-in pipelines)
  pySigma   the installed pipeline plugins resolved by name as sigma-cli resolves `-p NAME`
            (`InstalledSigmaPlugins.autodiscover().get_pipeline_resolver()`: sorted by priority,
            then by the name given)

and classifies every document with pysigma_compare.py's rules (identical, divergent by a documented
category of divergences.yml, pysigma-error, both-error, detc-error, different). The share reported per
run is (identical + divergent) / (documents pySigma converts): the documents where a user of sigma-cli
would see the same query, or a documented reason why not. `--min-share 0.95` exits 1 when a run falls
below it. Reports go to `--out/<run>/`.

Needs pySigma with the packages of requirements-pysigma.txt and requirements-pipelines.txt.

    pipelines_compare.py --detc target/debug/detc --out target/pipelines-report --min-share 0.95 \\
        --logsource product=windows --run lucene:ecs_windows --run eql:ecs_windows \\
        --run splunk:splunk_windows --run 'splunk:splunk_cim:splunk_cim:process_creation,file_event' \\
        ../shared/corpus/sigmahq-sample
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pysigma_compare as pc  # noqa: E402


def resolve_by_name(specs: list[str]):
    """sigma-cli's `-p NAME...`: the installed plugins' pipelines by name (a file path otherwise)."""
    if not specs:
        return None
    from sigma.plugins import InstalledSigmaPlugins

    return InstalledSigmaPlugins.autodiscover().get_pipeline_resolver().resolve(specs)


def logsource_of(path: str) -> dict:
    """The log source of a file's first rule document (empty when it has none)."""
    try:
        with open(path, encoding="utf-8") as fd:
            for doc in yaml.safe_load_all(fd):
                if isinstance(doc, dict) and isinstance(doc.get("logsource"), dict):
                    return {k: str(v) for k, v in doc["logsource"].items()}
    except Exception:  # noqa: BLE001 - an unreadable file is compared as it is, unfiltered
        return {}
    return {}


def selected(files: list[str], want: dict[str, str], categories: set[str]) -> list[str]:
    out = []
    for f in files:
        ls = logsource_of(f)
        if all(ls.get(k) == v for k, v in want.items()) and (
                not categories or ls.get("category") in categories):
            out.append(f)
    return out


def share(counts: dict[str, int]) -> tuple[int, int, float]:
    good = counts["identical"] + counts["divergent"]
    converted = good + counts["different"] + counts["detc-error"]
    # A run where pySigma converts nothing compares nothing: it fails the threshold.
    return good, converted, (good / converted if converted else 0.0)


def run_one(args, cats, files: list[str], spec: str) -> dict:
    parts = spec.split(":")
    target, detc_pipes = parts[0], parts[1].split("+")
    pys_pipes = parts[2].split("+") if len(parts) > 2 and parts[2] else detc_pipes
    categories = set(parts[3].split(",")) if len(parts) > 3 and parts[3] else set()
    files = selected(files, args.want, categories)
    pc.resolve_pipelines = resolve_by_name  # pySigma side: pipelines by plugin name
    pys = pc.run_pysigma(target, files, pys_pipes)
    detc = pc.run_detc(args.detc, target, files, detc_pipes)
    cases = pc.classify(target, detc, pys, cats)
    name = f"{target}-{'+'.join(detc_pipes)}" + (f"-{len(categories)}cat" if categories else "")
    out = Path(args.out) / name
    out.mkdir(parents=True, exist_ok=True)
    print(f"\n== {target} -p {' -p '.join(detc_pipes)} (pySigma: {', '.join(pys_pipes)}); "
          f"{len(files)} files" + (f", categories {', '.join(sorted(categories))}" if categories else ""))
    counts = pc.print_table(target, cases)
    pc.write_report(out, target, cases, cats, args.max_chars, {})
    good, converted, frac = share(counts)
    print(f"  share identical or documented: {good}/{converted} = {100 * frac:.1f}%")
    return {"run": spec, "files": len(files), "counts": counts, "share": round(frac, 4),
            "good": good, "converted": converted}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rules", nargs="+")
    ap.add_argument("--detc", required=True)
    ap.add_argument("--run", action="append", required=True,
                    metavar="TARGET:DETC[:PYSIGMA[:CATEGORIES]]")
    ap.add_argument("--logsource", action="append", default=[], metavar="KEY=VALUE",
                    help="only rule files whose log source has this key and value (repeatable)")
    ap.add_argument("--out", default="target/pipelines-report")
    ap.add_argument("--divergences", default=str(pc.DEFAULT_DIVERGENCES))
    ap.add_argument("--min-share", type=float, default=0.0)
    ap.add_argument("--max-chars", type=int, default=2000)
    args = ap.parse_args()
    args.want = dict(kv.split("=", 1) for kv in args.logsource)
    cats = pc.load_categories(Path(args.divergences))
    files = pc.rule_files(args.rules)
    results = [run_one(args, cats, files, spec) for spec in args.run]
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "summary.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    low = [r for r in results if r["share"] < args.min_share]
    print("\nrun                                  share    (identical + documented / pySigma converts)")
    for r in results:
        print(f"  {r['run']:<36} {100 * r['share']:5.1f}%  {r['good']}/{r['converted']}")
    for r in low:
        print(f"FAIL {r['run']}: {100 * r['share']:.1f}% < {100 * args.min_share:.0f}%", file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
