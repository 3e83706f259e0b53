#!/usr/bin/env bash
# detc eval and rsigma side by side over N realistic Auth0 events (default 300,000, about 1.3 KB
# each, benches/make_auth0_events.py), for our catalog and the Auth0 corpus: CPU time, events per
# CPU-second, peak memory (median of RUNS, default 3).
#
#   benches/eval_realistic.sh [N] [RUNS]
#   DETC_BASELINE=path/to/other/detc benches/eval_realistic.sh   # also time another detc, in turns
#
# rsigma (the Rust Sigma engine) is installed from crates.io into target/rsigma-install, pinned to
# the newest release that builds with this toolchain; it is a benchmark peer, not a dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300000}
runs=${2:-3}
events=target/bench-auth0-$n.jsonl
[[ -f $events ]] || python3 benches/make_auth0_events.py "$n" "$events"
cargo build --release --locked --quiet
rsigma=target/rsigma-install/bin/rsigma
[[ -x $rsigma ]] || cargo install rsigma@0.23.0 --locked --quiet --root target/rsigma-install
python3 benches/eval_realistic.py "$events" "$runs" target/release/detc "$rsigma"
