#!/usr/bin/env python3
"""Write N Auth0 tenant log events of realistic shape and size (about 1 KB each) as JSON Lines.

Usage: make_auth0_events.py N OUT.jsonl

The events have the fields real tenant logs carry (Auth0 log streaming: `log_id` and `data`), as
described by ../shared/corpus/auth0-log-schemas: client, connection, strategy, user agent, location,
session and risk-assessment details for logins; Management API request and response bodies,
credentials and scopes for `sapi`; accessed secrets for `mgmt_api_read`. The mix of event types is
that of a busy tenant: mostly successful logins and token exchanges, some failures, a few
Management API calls, rare attack-protection and MFA setting changes (the ones the catalog alerts on).
Deterministic (seeded), IPs from the documentation ranges.
"""
import json
import random
import sys

TYPES = (
    [("s", 30), ("seacft", 12), ("seccft", 8), ("ssa", 10), ("sepft", 4), ("slo", 4), ("scp", 1), ("sv", 1)]
    + [("f", 3), ("fp", 3), ("fu", 2), ("feacft", 1), ("fcoa", 1), ("ferrt", 1), ("limit_wc", 1), ("pwd_leak", 1)]
    + [("ss", 2), ("fs", 1), ("gd_send_sms", 1), ("gd_auth_succeed", 2), ("gd_enrollment_complete", 1)]
    + [("mgmt_api_read", 5), ("sapi", 6)]
)
WEIGHTED = [t for t, w in TYPES for _ in range(w)]

AGENTS = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "okhttp/4.12.0",
]
CLIENTS = [("AbCdEf0123456789AbCdEf0123456789", "Customer Portal"), ("ZyXw9876543210ZyXw9876543210ZyXw", "Mobile App"),
           ("QrSt5555666677778888QrSt55556666", "Partner API")]
CONNECTIONS = [("Username-Password-Authentication", "con_4Xb2lLzN1aQe7Rt9", "auth0", "database"),
               ("google-oauth2", "con_7Yh3kPq2sWe8Ui0o", "google-oauth2", "social"),
               ("acme-azure-ad", "con_1Qa2Ws3Ed4Rf5Tg6", "waad", "enterprise")]
CITIES = [("US", "Seattle", 47.6, -122.3, "America/Los_Angeles", "NA"), ("DE", "Berlin", 52.5, 13.4, "Europe/Berlin", "EU"),
          ("BR", "Sao Paulo", -23.5, -46.6, "America/Sao_Paulo", "SA"), ("JP", "Tokyo", 35.7, 139.7, "Asia/Tokyo", "AS")]
SAPI = [
    ("Update a client", "PATCH", "/api/v2/clients/{client}", lambda r: {"name": "Customer Portal", "callbacks": ["https://portal.example.com/callback"]}),
    ("Create a user", "POST", "/api/v2/users", lambda r: {"email": f"new{r.randrange(10**6)}@example.com", "connection": "Username-Password-Authentication"}),
    ("Update a user", "PATCH", "/api/v2/users/auth0|{user}", lambda r: {"user_metadata": {"plan": r.choice(["free", "pro"])}}),
    ("Update tenant settings", "PATCH", "/api/v2/tenants/settings", lambda r: {"friendly_name": "Example Corp"}),
    ("Update Brute-force settings", "PATCH", "/api/v2/attack-protection/brute-force-protection", lambda r: {"enabled": r.random() < 0.7, "shields": ["block", "user_notification"], "mode": "count_per_identifier_and_ip"}),
    ("Update Breached Password Detection settings", "PATCH", "/api/v2/attack-protection/breached-password-detection", lambda r: {"enabled": r.random() < 0.7, "shields": ["block"]}),
    ("Update multi-factor authentication type", "PUT", "/api/v2/guardian/factors/sms", lambda r: {"enabled": r.random() < 0.7}),
]


def login(rnd, i, t, when):
    client_id, client_name = rnd.choice(CLIENTS)
    connection, connection_id, strategy, strategy_type = rnd.choice(CONNECTIONS)
    country, city, lat, lon, tz, continent = rnd.choice(CITIES)
    user = rnd.randrange(100000)
    agent = rnd.choice(AGENTS)
    data = {
        "date": when,
        "type": t,
        "description": "" if t.startswith("s") else "Wrong email or password.",
        "connection": connection,
        "connection_id": connection_id,
        "client_id": client_id,
        "client_name": client_name,
        "ip": f"203.0.113.{rnd.randrange(1, 255)}",
        "user_agent": agent,
        "details": {
            "prompts": [{"name": "prompt-authenticate", "completedAt": 1735689600000 + i, "connection": connection,
                         "connection_id": connection_id, "strategy": strategy, "identity": f"{user:06d}",
                         "elapsedTime": rnd.randrange(50, 4000)}],
            "initiatedAt": 1735689600000 + i,
            "completedAt": 1735689600000 + i + rnd.randrange(100, 5000),
            "elapsedTime": rnd.randrange(100, 5000),
            "session_id": f"{rnd.getrandbits(96):024x}",
        },
        "hostname": "login.example.com",
        "user_id": f"auth0|{user:06d}",
        "user_name": f"user{user}@example.com",
        "strategy": strategy,
        "strategy_type": strategy_type,
        "audience": "https://api.example.com/",
        "scope": ["openid", "profile", "email", "offline_access"],
        "is_mobile": "iPhone" in agent,
        "location_info": {"country_code": country, "city_name": city, "latitude": lat, "longitude": lon,
                          "time_zone": tz, "continent_code": continent},
    }
    if rnd.random() < 0.3:
        data["details"]["riskAssessment"] = {
            "confidence": rnd.choice(["low", "medium", "high"]), "version": "1",
            "assessments": {"UntrustedIP": {"confidence": "high", "code": "not_found_on_deny_list"},
                            "NewDevice": {"confidence": "high", "code": "match"}}}
    return data


def management(rnd, i, t, when):
    client_id, client_name = rnd.choice(CLIENTS)
    admin = rnd.randrange(20)
    base = {
        "date": when,
        "type": t,
        "client_id": client_id,
        "client_name": "",
        "ip": f"198.51.100.{rnd.randrange(1, 255)}",
        "user_agent": "Chrome 131.0.0 / Mac OS X 10.15.7",
        "user_id": f"google-oauth2|{admin:021d}",
        "is_mobile": False,
    }
    auth = {"user": {"user_id": f"google-oauth2|{admin:021d}", "name": f"Admin {admin}", "email": f"admin{admin}@example.com"},
            "strategy": "jwt", "credentials": {"jti": f"{rnd.getrandbits(128):032x}", "scopes": ["read:clients", "update:clients", "read:users", "update:users"]}}
    if t == "mgmt_api_read":
        base["description"] = "Get a client"
        base["details"] = {"accessedSecrets": ["client_secret"] if rnd.random() < 0.2 else [],
                           "request": {"method": "get", "path": f"/api/v2/clients/{client_id}", "channel": "https://manage.auth0.com/",
                                       "ip": base["ip"], "auth": auth},
                           "response": {"statusCode": 200, "body": {}}}
        return base
    description, method, path, body = rnd.choice(SAPI)
    request = body(rnd)
    base["description"] = description
    base["details"] = {
        "request": {"method": method.lower(), "path": path.format(client=client_id, user=f"{rnd.randrange(100000):06d}"),
                    "query": {}, "userAgent": base["user_agent"], "body": request, "channel": "https://manage.auth0.com/",
                    "ip": base["ip"], "auth": auth},
        "response": {"statusCode": 200, "body": dict(request, updated_at=when)},
    }
    return base


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(7)
    with open(out, "w") as f:
        for i in range(n):
            t = rnd.choice(WEIGHTED)
            when = f"2026-01-{1 + i // 86400:02d}T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z"
            data = management(rnd, i, t, when) if t in ("sapi", "mgmt_api_read") else login(rnd, i, t, when)
            data["log_id"] = f"900{i:053d}"
            data["tenant_name"] = "example-corp"
            data["environment_name"] = "prod-eu-1"
            data["$event_schema"] = {"version": "1.0.0"}
            f.write(json.dumps({"log_id": data["log_id"], "data": data}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
