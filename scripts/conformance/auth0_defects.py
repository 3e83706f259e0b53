#!/usr/bin/env python3
"""The real Auth0 catalog (../shared/corpus/auth0): every defect its README lists must be reported
at the right file:line:column, the run must exit 1, and every document must be loaded and checked.

Usage: auth0_defects.py DETC_BINARY CATALOG_DIR
"""
import json
import subprocess
import sys

# (code, file, line, column) of each documented defect. Lines and columns were read off the files.
EXPECTED = [
    ("C206", "client_with_overpermissive_granted_scopes.yml", 16, 25),  # {global_client_id} read as a mapping
    ("C205", "logins_or_signups_from_suspicious_ips.yml", 18, 9),  # every list item commented out
    ("Q503", "liquidjs_xss_vulnerability.yml", 44, 1),  # false_positive for falsepositives
    ("C210", "unrecognized_ip_in_allowlist.yml", 25, 9),  # data.request… lacks details.
    ("C221", "risk_of_signup_fraud_by_disposable_domains.yml", 78, 9),  # threshold gte: 0
]
# Counts of findings that recur across files.
EXPECTED_COUNTS = {
    "Q501": 8,  # correlations without id
    "Q502": 3,  # rules without level
    "R405": 8,  # `selected_events` reused in 8 files
}


def main():
    detc, catalog = sys.argv[1], sys.argv[2]
    run = subprocess.run([detc, "check", "--format", "json", catalog], capture_output=True, text=True)
    diags = [json.loads(line) for line in run.stdout.splitlines()]
    problems = []
    if run.returncode != 1:
        problems.append(f"exit code {run.returncode}, expected 1")
    if "33 files, 41 documents" not in run.stderr:
        problems.append(f"not every document was checked: {run.stderr.strip()}")
    got = {(d["code"], d["file"].rsplit("/", 1)[-1], d["line"], d["column"]) for d in diags}
    for want in EXPECTED:
        if want not in got:
            problems.append(f"missing {want}")
    for code, count in EXPECTED_COUNTS.items():
        n = sum(1 for d in diags if d["code"] == code)
        if n != count:
            problems.append(f"{code}: {n} findings, expected {count}")
    if any(d["code"].startswith("E") or d["code"] == "S101" for d in diags):
        problems.append("a document failed to load or validate: " + str([d for d in diags if d["code"].startswith(("E", "S"))]))
    if problems:
        print("auth0 conformance FAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"auth0: {len(diags)} findings, every documented defect at its place; {run.stderr.strip()}")


if __name__ == "__main__":
    main()
