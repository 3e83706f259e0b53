#!/usr/bin/env python3
"""Write N synthetic Auth0 log events as JSON Lines (deterministic), for `detc eval` benchmarks.

Usage: make_events.py N OUT.jsonl
Mostly ordinary logins with a sprinkle of failures, signups, Management API calls and MFA events,
timestamps one second apart, IPs from the documentation ranges.
"""
import json
import random
import sys

TYPES = ["s"] * 60 + ["f", "fp", "fu"] * 8 + ["ss"] * 5 + ["sapi"] * 3 + ["gd_send_pn", "gd_send_sms", "ferrt", "sertft"] * 2


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(42)
    with open(out, "w") as f:
        for i in range(n):
            t = rnd.choice(TYPES)
            ip = f"198.51.100.{rnd.randrange(1, 255)}"
            sec = i
            data = {
                "date": f"2026-01-{1 + sec // 86400:02d}T{(sec // 3600) % 24:02d}:{(sec // 60) % 60:02d}:{sec % 60:02d}.000Z",
                "type": t,
                "ip": ip,
                "user_id": f"auth0|{rnd.randrange(10000):06d}",
                "user_name": f"user{rnd.randrange(10000)}@example.com",
                "client_id": "AbCdEf012345",
                "description": "Update a client" if t == "sapi" else "",
                "details": {"request": {"method": "patch", "body": {"enabled": rnd.random() < 0.5}}},
            }
            f.write(json.dumps({"log_id": f"{i:056d}", "data": data}) + "\n")


if __name__ == "__main__":
    main()
