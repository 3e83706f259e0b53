#!/usr/bin/env bash
# Benchmark `detc eval` of our whole catalog over N synthetic Auth0 events (default 1,000,000):
# events per second (median of RUNS) and peak memory (max RSS, GNU time).
#
#   benches/eval.sh [N] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-3}
events=target/bench-events-$n.jsonl
[[ -f $events ]] || python3 benches/make_events.py "$n" "$events"
cargo build --release --locked --quiet
# shellcheck source=benches/median.sh
source benches/median.sh
echo "detc eval, $n events ($(du -h "$events" | cut -f1)), $(nproc) cores:"
RUNS=$runs median target/release/detc eval --events "$events"
/usr/bin/time -v target/release/detc eval --events "$events" 2>&1 >/dev/null | grep -E "Maximum resident|Elapsed" | sed 's/^\s*/  /'
