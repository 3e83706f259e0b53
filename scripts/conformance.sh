#!/usr/bin/env bash
# Conformance checks that need Python tools (pySigma, eql, Elastic's ES|QL parser, AppInspect, ksconf,
# jsonschema) and the shared corpora (../shared). Everything else is in `cargo test`, including the
# checks over the shared corpora that need no Python tool (tests/corpus_conformance.rs,
# tests/corpus_build.rs, tests/golden.rs), which run there when ../shared is present.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=${DETC_SHARED:-../shared}
if [[ ! -d "$SHARED/corpus" ]]; then
    echo "conformance: $SHARED/corpus not found; skipping (set DETC_SHARED to run)"
    exit 0
fi

cargo build --release --locked --quiet
DETC=target/release/detc

# 1. Our JSON Schemas against the official ones' test corpus and our own cases (Python jsonschema).
VENV=${DETC_VENV:-target/conformance-venv}
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/conformance/requirements.txt
fi
"$VENV/bin/python" tools/schema-check/check_schemas.py --strict \
    --corpus "$SHARED/corpus/auth0/detections" --corpus "$SHARED/corpus/sigmahq-sample"

# 2. detc convert against pySigma (identical or documented divergence; the rest must be zero for
#    splunk, lucene and eql on the SigmaHQ sample), and every Elastic query parsed by Elastic's parsers.
PY312=${DETC_PYTHON312:-}
if [[ -z $PY312 ]]; then
    PY312=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [[ -z $PY312 ]] && command -v python3.12 >/dev/null; then PY312=$(command -v python3.12); fi
if [[ -z $PY312 ]]; then
    echo "conformance: Python 3.12 not found (pyenv or python3.12); needed by detection-rules-esql-py" >&2
    exit 1
fi
PVENV=${DETC_PYSIGMA_VENV:-target/pysigma-venv}
if [[ ! -x "$PVENV/bin/python" ]]; then
    "$PY312" -m venv "$PVENV"
    "$PVENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/conformance/requirements-pysigma.txt
fi
"$PVENV/bin/python" scripts/conformance/pysigma_compare.py --detc "$DETC" --out target/conformance-report \
    --require-zero-rest splunk,lucene,eql --parse-check --require-parse lucene,esql,eql \
    "$SHARED/corpus/sigmahq-sample"
"$PVENV/bin/python" scripts/conformance/pysigma_compare.py --detc "$DETC" --out target/conformance-report-auth0 \
    --parse-check --require-parse lucene,esql,eql "$SHARED/corpus/auth0/detections"
# The forms the corpora lack (literal wildcards in value lists, Lucene phrases with quotes,
# backslashes and tabs, a value list too long for the Python ES|QL parser's default recursion limit).
"$PVENV/bin/python" scripts/conformance/pysigma_compare.py --detc "$DETC" --out target/conformance-report-forms \
    --require-zero-rest splunk,lucene,eql --parse-check --require-parse lucene,esql,eql tests/fixtures/elastic-forms

# 2a. Hostile names, fieldrefs, regexes and labels: every Elastic query parses to the same tree
#     shape as for a benign twin, or the document is refused for a documented reason.
"$PVENV/bin/python" scripts/conformance/hostile.py --detc "$DETC"

# 2b. The same with processing pipelines exercising every supported transformation and condition:
#     identical to pySigma with the same pipeline file (or a documented divergence).
for pipeline in tests/pipelines/fields.yml tests/pipelines/conditions.yml tests/pipelines/placeholders.yml \
    tests/pipelines/values.yml; do
    "$PVENV/bin/python" scripts/conformance/pysigma_compare.py --detc "$DETC" --pipeline "$pipeline" \
        --out "target/conformance-report-$(basename "$pipeline" .yml)" --targets splunk,lucene,eql \
        --require-zero-rest splunk,lucene,eql "$SHARED/corpus/sigmahq-sample"
done

# 2c. The built-in Windows pipelines against pySigma's pipelines of the same names (sigma-cli's
#     `-p NAME`), over the SigmaHQ sample's Windows rules: at least 95% of the rules pySigma converts
#     must give the identical query or a documented divergence, for every run. Its own venv: the
#     pipeline packages (and the backend release ecs_windows follows) go on top of the pinned set.
PPVENV=${DETC_PIPELINES_VENV:-target/pipelines-venv}
if [[ ! -x "$PPVENV/bin/python" ]]; then
    "$PY312" -m venv "$PPVENV"
    "$PPVENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/conformance/requirements-pysigma.txt
    "$PPVENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/conformance/requirements-pipelines.txt
fi
"$PPVENV/bin/python" scripts/conformance/pipelines_compare.py --detc "$DETC" --out target/conformance-report-pipelines \
    --min-share 0.95 --logsource product=windows \
    --run lucene:ecs_windows --run eql:ecs_windows --run esql:ecs_windows --run eql:sysmon+ecs_windows \
    --run splunk:splunk_windows \
    --run 'splunk:splunk_cim:splunk_cim:process_creation,registry_add,registry_delete,registry_event,registry_set,file_event' \
    --run splunk:sysmon --run splunk:windows:windows-logsources \
    --run splunk:sysmon+windows:sysmon+windows-logsources --run splunk:sysmon+splunk_windows \
    "$SHARED/corpus/sigmahq-sample"

# 3. Elastic's own EQL engine, run with our EQL over every detection test's events of our catalog,
#    gives the same verdicts as detc's evaluator (constructs the Python engine cannot run are listed).
"$PVENV/bin/python" scripts/conformance/eql_verdicts.py --detc "$DETC" detections

# 4. Deployable artifacts, for our catalog (plain and as Splunk ES correlation searches) and for the
#    real Auth0 one (with variables for its tokens):
#    Kibana rules validate against Elastic's 9.5 schemas, savedsearches.conf passes ksconf, the Splunk
#    app passes AppInspect (precert). (Correlation windows, Sumo and Navigator shapes: cargo test.)
AVENV=${DETC_ARTIFACTS_VENV:-target/artifacts-venv}
if [[ ! -x "$AVENV/bin/python" ]]; then
    "$PY312" -m venv "$AVENV"
    "$AVENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/conformance/requirements-artifacts.txt
fi
"$AVENV/bin/python" scripts/conformance/artifacts.py --detc "$DETC" --out target/artifacts-ours --require-appinspect
"$AVENV/bin/python" scripts/conformance/artifacts.py --detc "$DETC" --out target/artifacts-auth0 \
    --config scripts/conformance/auth0.detc.yaml --require-appinspect
# ... and our catalog as Splunk Enterprise Security correlation searches (notable, drill-down, risk).
"$AVENV/bin/python" scripts/conformance/artifacts.py --detc "$DETC" --out target/artifacts-es \
    --config tests/fixtures/es/detc.yaml --require-appinspect

# 5. The static site in a real headless Chromium (Debian's chromium and chromium-driver, installed by
#    .ci/run): search, filters, shared links, sort, copy buttons, the coverage matrix and every rule
#    page of our catalog, the Auth0 corpus and the SigmaHQ sample; no console error, failed or
#    outside request; search time on the SigmaHQ sample ×10 under 100 ms. Screenshots: target/site-screenshots/.
SVENV=${DETC_SITE_VENV:-target/site-venv}
if [[ ! -x "$SVENV/bin/python" ]]; then
    python3 -m venv "$SVENV"
    "$SVENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/conformance/requirements-site.txt
fi
python3 benches/make_catalog.py "$SHARED/corpus/sigmahq-sample" target/bench-catalog 10 >/dev/null
"$SVENV/bin/python" scripts/conformance/site_browser.py --detc "$DETC" --shared "$SHARED" \
    --bench-catalog target/bench-catalog

echo "conformance: all checks passed"
