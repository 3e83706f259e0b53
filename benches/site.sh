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

# shellcheck source=benches/median.sh
source benches/median.sh

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
RUNS=$runs median target/release/detc --config "$dir/site-true.yaml" build --force --out "$dir/with"
echo "without the site:"
RUNS=$runs median target/release/detc --config "$dir/site-false.yaml" build --force --out "$dir/without"
echo "site: $(find "$dir/with/site" -type f | wc -l) files, $(du -sh "$dir/with/site" | cut -f1)"
