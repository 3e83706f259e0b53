#!/usr/bin/env bash
# Conformance checks that need the shared corpora (../shared) or Python tools.
# `cargo test` covers everything that runs from the repository alone.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=${DETC_SHARED:-../shared}
if [[ ! -d "$SHARED/corpus" ]]; then
    echo "conformance: $SHARED/corpus not found; skipping (set DETC_SHARED to run)"
    exit 0
fi

cargo build --release --locked --quiet
DETC=target/release/detc

# 1. The real Auth0 catalog: every documented defect is reported at its place, and the run fails.
python3 scripts/conformance/auth0_defects.py "$DETC" "$SHARED/corpus/auth0/detections"

# 2. The SigmaHQ sample: no errors (only real specification violations would be allowed).
python3 scripts/conformance/sigmahq_clean.py "$DETC" "$SHARED/corpus/sigmahq-sample"

# 3. Our JSON Schemas against the official ones' test corpus and our own cases (Python jsonschema).
VENV=${DETC_VENV:-target/conformance-venv}
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r scripts/conformance/requirements.txt
fi
"$VENV/bin/python" tools/schema-check/check_schemas.py --strict \
    --corpus "$SHARED/corpus/auth0/detections" --corpus "$SHARED/corpus/sigmahq-sample"

echo "conformance: all checks passed"
