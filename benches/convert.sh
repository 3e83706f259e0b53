#!/usr/bin/env bash
# Benchmark `detc convert` of the 3,410-rule catalog (SigmaHQ sample ×10, see make_catalog.py) to each
# of the five targets, and with --baseline sigma-cli's `sigma convert` to splunk and lucene.
#
#   benches/convert.sh [--baseline] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=0
if [[ ${1:-} == --baseline ]]; then baseline=1; shift; fi
runs=${1:-7}
SHARED=${DETC_SHARED:-../shared}
catalog=target/bench-catalog
[[ -d $catalog ]] || python3 benches/make_catalog.py "$SHARED/corpus/sigmahq-sample" "$catalog" 10
cargo build --release --locked --quiet

# shellcheck source=benches/median.sh
source benches/median.sh

echo "detc convert, $(find "$catalog" -name '*.yml' | wc -l) files, $(nproc) cores:"
for t in splunk lucene esql eql sumo; do
    printf '  %-7s ' "$t"
    RUNS=$runs median target/release/detc convert -t "$t" --format jsonl "$catalog"
done
if ((baseline)); then
    venv=target/bench-venv
    if [[ ! -x $venv/bin/sigma ]]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check sigma-cli==3.1.0
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check pysigma-backend-splunk==2.1.0 pysigma-backend-elasticsearch==2.1.0
    echo "sigma convert (sigma-cli 3.1.0), same catalog, --without-pipeline --skip-unsupported:"
    for t in splunk lucene; do
        printf '  %-7s ' "$t"
        RUNS=3 median "$venv/bin/sigma" convert -t "$t" --without-pipeline --skip-unsupported "$catalog"
    done
fi
