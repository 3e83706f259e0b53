#!/usr/bin/env python3
"""The SigmaHQ sample must check without errors: its rules are valid Sigma, so an error would be a
false positive of ours. Warnings and infos are summarised by code.

Usage: sigmahq_clean.py DETC_BINARY SAMPLE_DIR
"""
import collections
import json
import subprocess
import sys


def main():
    detc, sample = sys.argv[1], sys.argv[2]
    run = subprocess.run([detc, "check", "--format", "json", sample], capture_output=True, text=True)
    diags = [json.loads(line) for line in run.stdout.splitlines()]
    errors = [d for d in diags if d["severity"] == "error"]
    counts = collections.Counter((d["code"], d["severity"]) for d in diags)
    print(f"sigmahq: {run.stderr.strip()}; " + ", ".join(f"{c} {s} x{n}" for (c, s), n in sorted(counts.items())))
    if errors or run.returncode != 0:
        for d in errors[:20]:
            print(f"  {d['file']}:{d['line']}:{d['column']} {d['code']} {d['message']}")
        sys.exit(1)


if __name__ == "__main__":
    main()
