# shellcheck shell=bash
# Sourced by the bench scripts: `RUNS=n median CMD…` prints the median wall time of n runs of CMD.
median() {
    python3 - "$@" <<'PY'
import statistics, subprocess, sys, time, os
runs = int(os.environ["RUNS"])
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
print(f"median {statistics.median(times):.3f}s  min {min(times):.3f}s  max {max(times):.3f}s  ({runs} runs)")
PY
}
