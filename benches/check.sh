#!/usr/bin/env bash
# Benchmark `detc check` on a 3,400-rule catalog (the SigmaHQ sample ten times with fresh ids), and
# optionally sigma-cli on the same catalog as the baseline.
#
#   benches/check.sh [--baseline] [RUNS]
#
# Prints the median wall time of RUNS runs (default 11) of detc, and with --baseline of 3 runs of
# `sigma check` (sigma-cli, pinned, installed into target/bench-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=0
if [[ ${1:-} == --baseline ]]; then baseline=1; shift; fi
runs=${1:-11}
SHARED=${DETC_SHARED:-../shared}
catalog=target/bench-catalog
python3 benches/make_catalog.py "$SHARED/corpus/sigmahq-sample" "$catalog" 10
cargo build --release --locked --quiet

# shellcheck source=benches/median.sh
source benches/median.sh

echo "detc check, $(find "$catalog" -name '*.yml' | wc -l) files, $(nproc) cores:"
RUNS=$runs median target/release/detc check --format json "$catalog"
if ((baseline)); then
    venv=target/bench-venv
    if [[ ! -x $venv/bin/sigma ]]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check sigma-cli==3.1.0
    fi
    echo "sigma check (sigma-cli 3.1.0), same catalog:"
    RUNS=3 median "$venv/bin/sigma" check "$catalog"
fi
