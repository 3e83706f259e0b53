#!/usr/bin/env bash
# Benchmark `detc convert` of the 3,410-rule catalog (SigmaHQ sample ×10, see make_catalog.py) to all
# five targets in one pass (`-t all`) and to each target, `detc check` and `detc build` of it (with and
# without the static site), the peak memory (max RSS) of `check` and `convert -t all`, and with
# --baseline sigma-cli's `sigma convert` to one target (splunk) and lucene, with the ratio to
# `convert -t all` in the same run.
#
#   [BIG=1] benches/convert.sh [--baseline] [RUNS]
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
# The median's seconds in a `median` line ("median 0.231s  min …").
seconds() { awk '{ sub(/s$/, "", $2); print $2 }' <<<"$1"; }
for t in all splunk lucene esql eql sumo; do
    line=$(RUNS=$runs median target/release/detc convert -t "$t" --format jsonl "$catalog")
    printf '  %-7s %s\n' "$t" "$line"
    if [[ $t == all ]]; then all_seconds=$(seconds "$line"); fi
done
printf '  %-7s ' check
RUNS=$runs median target/release/detc check "$catalog"
# `build` of the same catalog: broken and unsupported documents left out, listed (as a user would).
printf 'catalog: [bench-catalog]\nexclude_broken: true\ntargets:\n  splunk: {skip_unsupported: true}\n  elastic: {skip_unsupported: true}\n  sumo: {skip_unsupported: true}\n' >target/bench-build.yaml
printf '  %-7s ' build
RUNS=$runs median target/release/detc --config target/bench-build.yaml build --out target/bench-dist --force
# The same build without the static site (the artifacts the build made before the site existed).
sed 's/^targets:$/targets:\n  site: {enabled: false}/' target/bench-build.yaml >target/bench-build-nosite.yaml
printf '  %-7s ' no-site
RUNS=$runs median target/release/detc --config target/bench-build-nosite.yaml build --out target/bench-dist-nosite --force
if [[ -x /usr/bin/time ]]; then
    for cmd in "check $catalog" "convert -t all --format jsonl $catalog"; do
        # shellcheck disable=SC2086
        /usr/bin/time -f %M -o target/bench-rss target/release/detc $cmd >/dev/null 2>&1 || true
        rss=$(tail -1 target/bench-rss)
        printf '  max RSS %-28s %s\n' "${cmd%% target*}" "$(awk -v k="$rss" 'BEGIN {printf "%.1f MiB", k / 1024}')"
    done
fi
# BIG=1: `check` of the catalog at ten times that size (34,100 rules), where memory per rule shows.
if [[ ${BIG:-0} == 1 && -x /usr/bin/time ]]; then
    big=target/bench-catalog-100
    [[ -d $big ]] || python3 benches/make_catalog.py "$SHARED/corpus/sigmahq-sample" "$big" 100
    /usr/bin/time -f '%e %U %S %M' -o target/bench-rss target/release/detc check "$big" >/dev/null 2>&1 || true
    read -r wall user sys rss < <(tail -1 target/bench-rss)
    printf '  check of %s: %s s wall, %s CPU-s, max RSS %s\n' "$big" "$wall" \
        "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$(awk -v k="$rss" 'BEGIN {printf "%.1f MiB", k / 1024}')"
fi
if ((baseline)); then
    venv=target/bench-venv
    if [[ ! -x $venv/bin/sigma ]]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check sigma-cli==3.1.0
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check pysigma-backend-splunk==2.1.0 pysigma-backend-elasticsearch==2.1.0
    echo "sigma convert (sigma-cli 3.1.0), same catalog, --without-pipeline --skip-unsupported:"
    for t in splunk lucene; do
        line=$(RUNS=${BASELINE_RUNS:-3} median "$venv/bin/sigma" convert -t "$t" --without-pipeline --skip-unsupported "$catalog")
        printf '  %-7s %s\n' "$t" "$line"
        # Medians of the same run: the host's speed moves too much between runs to compare across them.
        awk -v s="$(seconds "$line")" -v d="$all_seconds" -v t="$t" \
            'BEGIN { printf "          detc convert -t all is %.0fx faster than sigma convert -t %s\n", s / d, t }'
    done
fi
