#!/usr/bin/env bash
# Benchmark the human output of `detc check` against JSON on one generated rule file with N findings
# (default 40,000: a rule whose N list values are numbers written as quoted strings, one M313 each). Human
# output quotes only the lines around each finding, so it should cost about what JSON costs; before
# that it re-read the whole file per finding (quadratic).
#
#   benches/human_output.sh [N] [RUNS]      (defaults: 40000 findings, 7 runs; medians)
#   DETC=path/to/detc benches/human_output.sh   measure another binary (e.g. an older build)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-40000}
runs=${2:-7}
dir=target/bench-human
mkdir -p "$dir"
file=$dir/findings-$n.yml
python3 - "$n" "$file" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", encoding="utf-8") as f:
    f.write("title: Many findings\nid: 0b6f3c52-8d7e-4a1f-9c3b-2e5d7f9a1c40\nlevel: low\n")
    f.write("logsource: {product: auth0}\ndetection:\n  sel:\n    data.user_id:\n")
    for i in range(n):
        f.write(f"      - '{100000 + i}'\n")
    f.write("  condition: sel\n")
PY
if [[ -z ${DETC:-} ]]; then
    cargo build --release --locked --quiet
    DETC=target/release/detc
fi
found=$("$DETC" check --format json "$file" 2>/dev/null | grep -c '"M313"' || true)
echo "$file: $(wc -l < "$file") lines, $found M313 findings; $(nproc) cores, $runs runs each"

# shellcheck source=benches/median.sh
source benches/median.sh
echo "json:  $(RUNS=$runs median "$DETC" check --format json "$file")"
echo "human: $(RUNS=$runs median "$DETC" check --format human "$file")"
