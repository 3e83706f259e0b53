#!/usr/bin/env python3
"""Regenerate the compact data tables that detc embeds.

Outputs (written to <repo>/data/ unless --out is given):

  attack-enterprise.tsv   MITRE ATT&CK Enterprise v18.1 tactics and techniques
  auth0-fields.tsv        taxonomy of Auth0 log-stream field paths (data.*, log_id)
  auth0-event-types.tsv   Auth0 log event type codes with a short description

Usage:
  python3 tools/gen-data/gen_data.py [CORPUS_DIR] [--out DIR]

CORPUS_DIR defaults to <repo>/../shared/corpus.  Standard library only; the
output is deterministic (sorted, no timestamps), so rerunning on the same
corpus gives byte-identical files.  The field paths the Auth0 catalog uses are checked
against auth0-fields.tsv by `cargo test` (tests/corpus_conformance.rs).
"""

import argparse
import glob
import json
import os
import re
import sys
from collections import defaultdict

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ATTACK_FILE = os.path.join("attack", "enterprise-attack-v18.1.json")
ATTACK_VERSION = "v18.1"

AUTH0_SCHEMA_DIR = os.path.join("auth0-log-schemas", "schemas")
AUTH0_SCHEMA_REPO = "auth0/auth0-log-schemas"
AUTH0_SCHEMA_REV = "8b58c73"

# Size above which the per-type lists of very common auth0 paths are shortened.
MAX_FIELDS_BYTES = 300 * 1024

# Event type codes listed in Auth0's public log-event-type documentation (see
# docs/anchors.md section 4b) but absent from the auth0-log-schemas snapshot.
# They are kept in auth0-event-types.tsv so that a rule selecting e.g.
# `data.type: signup_pwd_leak` is not reported as using an unknown code.  They
# contribute no field paths (there is no schema for them).
DOCS_ONLY_TYPES = {
    "admin_update_launch": "Managed Private Cloud: auto-update launched",
    "coff": "AD/LDAP connector offline",
    "con": "AD/LDAP connector online",
    "du": "User deleted",
    "fapi": "Failed Management API operation",
    "fc": "Failed login by connector (AD/LDAP)",
    "limit_ui": "Too many calls to /userinfo",
    "scph": "Successful post change password hook",
    "signup_pwd_leak": "Breached Password - Signup",
    "sys_os_update_end": "Managed Private Cloud: OS update ended",
    "sys_os_update_start": "Managed Private Cloud: OS update started",
    "sys_update_end": "Managed Private Cloud: update ended",
    "sys_update_start": "Managed Private Cloud: update started",
}

# Our own short descriptions for schema types whose `type` property carries no
# description (mostly Guardian MFA events).
FALLBACK_DESCRIPTIONS = {
    "directory_sync_failed": "Inbound Directory Sync failed",
    "directory_sync_started": "Inbound Directory Sync started",
    "gd_auth_email_verification": "Guardian - Email verification for MFA authentication",
    "gd_auth_failed": "Guardian - Second factor authentication failed",
    "gd_auth_rejected": "Guardian - Second factor push notification rejected",
    "gd_auth_succeed": "Guardian - Second factor authentication succeeded",
    "gd_enrollment_complete": "Guardian - Enrollment complete",
    "gd_otp_rate_limit_exceed": "Guardian - Too many failed OTP codes",
    "gd_recovery_failed": "Guardian - Recovery code failed",
    "gd_recovery_succeed": "Guardian - Recovery code accepted",
    "gd_send_email": "Guardian - Second factor email sent",
    "gd_send_email_verification": "Guardian - Enrollment verification email sent",
    "gd_send_pn": "Guardian - Second factor push notification sent",
    "gd_send_pn_failure": "Guardian - Second factor push notification failed",
    "gd_send_sms": "Guardian - Second factor SMS sent",
    "gd_send_sms_failure": "Guardian - Second factor SMS failed",
    "gd_send_voice": "Guardian - Second factor voice call made",
    "gd_send_voice_failure": "Guardian - Second factor voice call failed",
    "gd_start_auth": "Guardian - Second factor authentication started",
    "gd_start_enroll": "Guardian - Enrollment started",
    "gd_start_enroll_failed": "Guardian - Enrollment start failed",
    "gd_tenant_update": "Guardian - Tenant MFA settings updated",
    "gd_unenroll": "Guardian - Device unenrolled",
    "gd_update_device_account": "Guardian - Device account updated",
    "gd_webauthn_challenge_failed": "Guardian - WebAuthn challenge failed",
    "gd_webauthn_enrollment_failed": "Guardian - WebAuthn enrollment failed",
}

KINDS = ("scalar", "object", "array", "open", "array-open")
SCALAR_TYPES = {"string", "number", "integer", "boolean", "null"}
SCALAR_HINTS = ("const", "enum", "format", "pattern", "maxLength", "minLength",
                "minimum", "maximum", "examples")


def clean(text):
    """One-line, tab-free text."""
    return " ".join(str(text).split())


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line + "\n")


# --------------------------------------------------------------------------
# ATT&CK
# --------------------------------------------------------------------------

def gen_attack(corpus, out_dir):
    src = os.path.join(corpus, ATTACK_FILE)
    with open(src, encoding="utf-8") as fh:
        doc = json.load(fh)
    tactics = sorted(set(doc["tactics"]))
    if len(tactics) != 14:
        print("warning: expected 14 tactics, found %d" % len(tactics), file=sys.stderr)
    known = set(tactics)
    rows = {}
    for tech in doc["techniques"]:
        tid = tech["id"].strip().lower()
        if not re.fullmatch(r"t\d{4}(\.\d{3})?", tid):
            raise SystemExit("unexpected technique id %r" % tech["id"])
        if tid in rows:
            raise SystemExit("duplicate technique id %r" % tech["id"])
        tac = sorted(set(tech.get("tactics") or []))
        unknown = [t for t in tac if t not in known]
        if unknown:
            print("warning: %s uses unknown tactic(s) %s" % (tid, unknown), file=sys.stderr)
        flags = [f for f, key in (("sub", "subtechnique"), ("deprecated", "deprecated"),
                                  ("revoked", "revoked")) if tech.get(key)]
        rows[tid] = "technique\t%s\t%s\t%s\t%s" % (
            tid, ",".join(tac) or "-", ",".join(flags) or "-", clean(tech["name"]))
    lines = [
        "# MITRE ATT&CK(R) Enterprise %s: tactics and techniques (ids lowercased)." % ATTACK_VERSION,
        "# (c) The MITRE Corporation. This work is reproduced and distributed with the permission"
        " of The MITRE Corporation. https://attack.mitre.org/resources/legal-and-branding/terms-of-use/",
        "# Generated by tools/gen-data/gen_data.py from corpus/%s (do not edit by hand)."
        % ATTACK_FILE.replace(os.sep, "/"),
        "# tactic<TAB>short-name",
        "# technique<TAB>id<TAB>tactics (comma list or -)<TAB>flags (sub,deprecated,revoked or -)<TAB>name",
    ]
    lines += ["tactic\t%s" % t for t in tactics]
    lines += [rows[k] for k in sorted(rows)]
    out = os.path.join(out_dir, "attack-enterprise.tsv")
    write_lines(out, lines)
    return out, len(tactics), len(rows)


# --------------------------------------------------------------------------
# Auth0 schemas -> field taxonomy
# --------------------------------------------------------------------------

class SchemaWalker:
    """Collects, for one event type, the kinds of every reachable field path.

    Resolution rules (see README.md):
      * `$ref` (only local `#/definitions/...` refs occur) is inlined; a ref
        that is already being expanded on the current branch (a cycle) makes
        the node `open`.
      * `allOf`, `anyOf`, `oneOf` branches are all visited at the same path,
        so their properties are unioned (we ask "can this path exist").
      * An object with declared `properties` is closed unless it also has a
        non-false `additionalProperties`.  The generated Auth0 schemas never
        write `additionalProperties: false`, so treating "unspecified" as
        "open" would make every path valid; closed-by-default is the useful
        reading.  An object without declared properties (`{"type":"object"}`,
        or a map given by an `additionalProperties` schema) is `open`.
      * A schema with no structural keyword at all (e.g. just a description)
        accepts any value and is `open`.
      * Arrays: the path gets `array`; the item schema is visited at
        `<path>{}`.  If the items are free-form (missing, `{}`, or an open
        object) the array is `array-open` instead and no `<path>{}` open line
        is written.
    """

    def __init__(self, definitions):
        self.defs = definitions or {}
        self.cycles = 0

    def resolve(self, ref):
        if not ref.startswith("#/"):
            raise SystemExit("unsupported $ref %r" % ref)
        node = {"definitions": self.defs}
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[part]
        return node

    def collect(self, schema, root):
        acc = defaultdict(set)
        self.visit(schema, root, acc, ())
        # free-form array items -> array-open on the array itself
        for path in sorted(acc, key=len, reverse=True):
            if path.endswith("{}") and "open" in acc[path]:
                parent = path[:-2]
                acc[parent].discard("array")
                acc[parent].add("array-open")
                acc[path].discard("open")
                if not acc[path]:
                    del acc[path]
        for kinds in acc.values():
            if "open" in kinds:
                kinds.discard("object")
            if "array-open" in kinds:
                kinds.discard("array")
        return acc

    def visit(self, node, path, acc, stack):
        if node is True:
            acc[path].add("open")
            return
        if node is False or node is None:
            return
        if not isinstance(node, dict):
            raise SystemExit("unexpected schema node at %s" % path)
        structural = False
        if "$ref" in node:
            structural = True
            ref = node["$ref"]
            if ref in stack:
                self.cycles += 1
                acc[path].add("open")
            else:
                self.visit(self.resolve(ref), path, acc, stack + (ref,))
        for kw in ("allOf", "anyOf", "oneOf"):
            for branch in node.get(kw, []):
                structural = True
                self.visit(branch, path, acc, stack)

        types = node.get("type")
        if isinstance(types, str):
            types = [types]
        props = node.get("properties") or {}
        addl = node.get("additionalProperties")
        items = node.get("items")
        if types is None:
            types = []
            if props or "additionalProperties" in node:
                types.append("object")
            if "items" in node:
                types.append("array")
            if not types and any(k in node for k in SCALAR_HINTS):
                types.append("string")
        tset = set(types)

        if "object" in tset:
            if props:
                acc[path].add("open" if addl not in (None, False) else "object")
                for name in sorted(props):
                    self.visit(props[name], path + "." + name, acc, stack)
            else:
                acc[path].add("open")
        if "array" in tset:
            if isinstance(items, list):  # tuple validation
                acc[path].add("array")
                for it in items:
                    self.visit(it, path + "{}", acc, stack)
            elif items is None or items == {} or items is True:
                acc[path].add("array-open")
            else:
                acc[path].add("array")
                self.visit(items, path + "{}", acc, stack)
        scal = tset & SCALAR_TYPES
        if scal and (scal != {"null"} or not (tset & {"object", "array"})):
            acc[path].add("scalar")
        if not tset and not structural:
            acc[path].add("open")  # no constraint at all: any value


def load_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def type_code_of(schema, fallback):
    t = (schema.get("properties") or {}).get("type") or {}
    return t.get("const", fallback)


def build_auth0(corpus):
    sdir = os.path.join(corpus, AUTH0_SCHEMA_DIR)
    allfile = os.path.join(sdir, "all-log-types.schema.json")
    root = load_json(allfile)
    defs = root.get("definitions", {})
    walker = SchemaWalker(defs)

    # The union schema: TenantLog = anyOf[$ref per event type].
    top = walker.resolve(root["$ref"]) if "$ref" in root else root
    branches = top.get("anyOf") or top.get("oneOf") or []
    per_type = {}
    descriptions = {}
    for br in branches:
        ref = br["$ref"]
        schema = walker.resolve(ref)
        code = type_code_of(schema, ref.rsplit("/", 1)[-1])
        if code in per_type:
            raise SystemExit("duplicate event type %r" % code)
        per_type[code] = walker.collect(schema, "data")
        tprop = (schema.get("properties") or {}).get("type") or {}
        desc = tprop.get("description") or FALLBACK_DESCRIPTIONS.get(code) \
            or schema.get("description") or ""
        desc = clean(desc)
        if desc.endswith(" *"):
            desc = desc[:-2]
        descriptions[code] = desc or code

    # Cross-check with the self-contained per-type files (refs already inlined).
    problems = []
    files = sorted(glob.glob(os.path.join(sdir, "log-types", "*.json")))
    seen = set()
    for f in files:
        schema = load_json(f)
        code = type_code_of(schema, os.path.basename(f).split(".")[0])
        seen.add(code)
        got = SchemaWalker(schema.get("definitions")).collect(schema, "data")
        if code not in per_type:
            problems.append("%s: only in log-types/ (added)" % code)
            per_type[code] = got
            t = (schema.get("properties") or {}).get("type") or {}
            descriptions[code] = clean(t.get("description") or schema.get("description") or code)
        elif {k: sorted(v) for k, v in got.items()} != {k: sorted(v) for k, v in per_type[code].items()}:
            problems.append("%s: log-types file differs from all-log-types (union used)" % code)
            for k, v in got.items():
                per_type[code][k] |= v
    for code in sorted(set(per_type) - seen):
        problems.append("%s: no file in log-types/" % code)
    return per_type, descriptions, problems, walker.cycles


def fields_table(per_type):
    table = defaultdict(set)  # (path, kind) -> {type codes}
    for code, acc in per_type.items():
        for path, kinds in acc.items():
            for kind in kinds:
                table[(path, kind)].add(code)
    all_types = set(per_type)
    # stream envelope: {"log_id": ..., "data": {...}}
    table[("log_id", "scalar")] = set(all_types)
    table[("data", "object")] = set(all_types)
    return table, all_types


def render_fields(table, all_types, compress_at=None):
    lines = []
    for (path, kind) in sorted(table, key=lambda pk: (pk[0], KINDS.index(pk[1]))):
        codes = table[(path, kind)]
        if codes == all_types:
            col = "*"
        elif compress_at is not None and len(codes) >= compress_at:
            col = "!" + ",".join(sorted(all_types - codes))  # all types except ...
        else:
            col = ",".join(sorted(codes))
        lines.append("%s\t%s\t%s" % (path, kind, col))
    return lines


def gen_auth0(corpus, out_dir):
    per_type, descriptions, problems, cycles = build_auth0(corpus)
    table, all_types = fields_table(per_type)
    header = [
        "# Auth0 log-stream field taxonomy (one line per path and kind).",
        "# Source: github.com/%s revision %s, schemas/ (Apache-2.0),"
        " %d event types; envelope {log_id, data} of a streamed event."
        % (AUTH0_SCHEMA_REPO, AUTH0_SCHEMA_REV, len(all_types)),
        "# Generated by tools/gen-data/gen_data.py (do not edit by hand).",
        "# path<TAB>kind<TAB>event types (comma list, * = all)",
        "# kind: scalar | object (closed) | array (items at path{}) | open (any deeper key)"
        " | array-open (free-form items, any deeper key).",
        "# A path may appear on several lines when its kind differs between types.",
        "# Lookup: strip |modifiers; accept on exact match or when a proper prefix"
        " (ending before '.' or '{}') is open/array-open.",
    ]
    body = render_fields(table, all_types)
    size = sum(len(l.encode()) + 1 for l in header + body)
    if size > MAX_FIELDS_BYTES:
        # lossless shortening: "!a,b" = every schema event type except a and b
        body = render_fields(table, all_types, compress_at=len(all_types) // 2)
        header[3] = "# path<TAB>kind<TAB>event types (comma list, * = all, !a,b = all except a,b)"
    out_fields = os.path.join(out_dir, "auth0-fields.tsv")
    write_lines(out_fields, header + body)

    types_lines = [
        "# Auth0 log event type codes. Source: github.com/%s revision %s (Apache-2.0),"
        " type.const / type.description of each schema; codes marked [docs only] come from"
        " Auth0's log event type documentation and have no schema in that revision."
        % (AUTH0_SCHEMA_REPO, AUTH0_SCHEMA_REV),
        "# Generated by tools/gen-data/gen_data.py (do not edit by hand).",
        "# code<TAB>description",
    ]
    merged = dict(descriptions)
    for code, desc in DOCS_ONLY_TYPES.items():
        if code not in merged:
            merged[code] = "[docs only] " + desc
    types_lines += ["%s\t%s" % (c, merged[c]) for c in sorted(merged)]
    out_types = os.path.join(out_dir, "auth0-event-types.tsv")
    write_lines(out_types, types_lines)
    return out_fields, out_types, table, problems, cycles, len(all_types), len(merged)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?",
                    default=os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "corpus")),
                    help="corpus folder (default: <repo>/../shared/corpus)")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "data"),
                    help="output folder (default: <repo>/data)")
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    out, ntac, ntech = gen_attack(args.corpus, args.out)
    print("%s: %d tactics, %d techniques, %d bytes" % (out, ntac, ntech, os.path.getsize(out)))
    out_f, out_t, table, problems, cycles, ntypes, ncodes = gen_auth0(args.corpus, args.out)
    print("%s: %d schema event types, %d (path, kind) lines, %d bytes"
          % (out_f, ntypes, len(table), os.path.getsize(out_f)))
    print("%s: %d codes, %d bytes" % (out_t, ncodes, os.path.getsize(out_t)))
    if cycles:
        print("note: %d cyclic $ref(s) treated as open" % cycles)
    for p in problems:
        print("warning: " + p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
