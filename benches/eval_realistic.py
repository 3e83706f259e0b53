#!/usr/bin/env python3
"""Side-by-side evaluation benchmark: detc eval and rsigma over the same realistic Auth0 events.

Usage: eval_realistic.py EVENTS RUNS DETC [RSIGMA]

For each catalog (ours, and the real Auth0 catalog when ../shared is present) every engine runs RUNS
times over EVENTS (JSON Lines); reported are the median CPU time (user + system, what "per core"
means on a machine shared with other work), events per CPU-second, the median wall time and the
largest peak RSS. Output of the engines goes to /dev/null: only evaluation is measured.

With DETC_BASELINE set to another detc binary (say, main's), it runs too, its runs alternating with
DETC's so both see the same load, and the speed-up is printed.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def run(cmd):
    """CPU seconds, wall seconds and peak RSS (MiB) of one run of cmd."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.decode().strip()[-600:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest child so far: measure each engine in its own process.
    return cpu, wall, proc.stderr.decode()


def peak_rss(cmd):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(out.stderr.decode().strip().splitlines()[-1]) / 1024


def measure(name, cmd, runs, events):
    return measure_all([(name, cmd)], runs, events)[0]


def measure_all(named_cmds, runs, events):
    """Each command RUNS times, in turns; (median CPU, last stderr) of each."""
    cpus = [[] for _ in named_cmds]
    walls = [[] for _ in named_cmds]
    stderrs = [""] * len(named_cmds)
    for _ in range(runs):
        for i, (_, cmd) in enumerate(named_cmds):
            cpu, wall, stderrs[i] = run(cmd)
            cpus[i].append(cpu)
            walls[i].append(wall)
    out = []
    for i, (name, cmd) in enumerate(named_cmds):
        rss = peak_rss(cmd)
        cpu = statistics.median(cpus[i])
        print(
            f"  {name:<34} cpu {cpu:7.2f} s  wall {statistics.median(walls[i]):6.2f} s  "
            f"{events / cpu:>10,.0f} events/CPU-s  peak RSS {rss:6.1f} MiB"
        )
        out.append((cpu, stderrs[i]))
    return out


def main():
    events_file, runs, detc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rsigma = sys.argv[4] if len(sys.argv) > 4 else None
    events = sum(1 for _ in open(events_file, "rb"))
    size = os.path.getsize(events_file)
    print(f"{events:,} events, {size / events:.0f} bytes each on average, {runs} runs, {os.cpu_count()} cores")
    catalogs = [("our catalog (detections/)", "detections")]
    shared = os.environ.get("DETC_SHARED", "../shared")
    if os.path.isdir(f"{shared}/corpus/auth0/detections"):
        catalogs.append(("Auth0 corpus", f"{shared}/corpus/auth0/detections"))
    for label, rules in catalogs:
        print(f"{label}:")
        eval_args = ["eval", "--rules", rules, "--events", events_file]
        baseline = os.environ.get("DETC_BASELINE")
        if baseline:
            (base_cpu, _), (cpu, stderr) = measure_all(
                [("detc eval (baseline)", [baseline, *eval_args]), ("detc eval", [detc, *eval_args])], runs, events
            )
            print(f"    detc is {base_cpu / cpu:.2f}x the baseline per CPU-second")
        else:
            cpu, stderr = measure("detc eval", [detc, *eval_args], runs, events)
        summary = [l for l in stderr.splitlines() if "detections loaded" in l]
        if summary:
            print(f"    {summary[-1]}")
        if rsigma:
            try:
                rcpu, _ = measure("rsigma engine eval", [rsigma, "engine", "eval", "-q", "--no-detections", "-r", rules, "-e", f"@{events_file}"], runs, events)
            except RuntimeError as e:
                # rsigma refuses a whole catalog when one rule does not compile (look-around, say).
                print(f"  rsigma engine eval refused the catalog: {e}")
                continue
            print(f"    detc is {rcpu / cpu:.1f}x rsigma per CPU-second")


if __name__ == "__main__":
    main()
