#!/usr/bin/env bash
# Benchmark the static site (dist/site/) on a 3,400-rule catalog (the SigmaHQ sample ten times with
# fresh ids): the median wall time of `detc build` with the site and without it (targets.site.enabled:
# false); the difference is what the site costs (rendering every page, the search index, the
# coverage page, and compiling the base rules correlations consume).
#
#   benches/site.sh [RUNS]     (default 7)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
SHARED=${DETC_SHARED:-../shared}
catalog=target/bench-catalog
python3 benches/make_catalog.py "$SHARED/corpus/sigmahq-sample" "$catalog" 10
cargo build --release --locked --quiet

# Median wall time and median CPU time (user + system of detc) of RUNS runs: on a shared machine the
# CPU time says more about what the site costs than the wall time does.
measure() {
    python3 - "$@" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs = int(os.environ["RUNS"])
wall, cpu = [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall.append(time.perf_counter() - t)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
print(f"wall median {statistics.median(wall):.3f}s (min {min(wall):.3f}s)  cpu median {statistics.median(cpu):.3f}s (min {min(cpu):.3f}s)  ({runs} runs)")
PY
}

dir=target/bench-site
mkdir -p "$dir"
for site in true false; do
    cat >"$dir/site-$site.yaml" <<YAML
catalog: [$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$(realpath "$catalog")")]
exclude_broken: true
targets:
  splunk: {skip_unsupported: true}
  elastic: {skip_unsupported: true}
  sumo: {skip_unsupported: true}
  site: {enabled: $site}
YAML
done
echo "detc build, $(find "$catalog" -name '*.yml' | wc -l) files, $(nproc) cores, with the site:"
RUNS=$runs measure target/release/detc --config "$dir/site-true.yaml" build --force --out "$dir/with"
echo "without the site:"
RUNS=$runs measure target/release/detc --config "$dir/site-false.yaml" build --force --out "$dir/without"
echo "site: $(find "$dir/with/site" -type f | wc -l) files, $(du -sh "$dir/with/site" | cut -f1)"
