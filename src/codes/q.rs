//! Q5xx: metadata quality — ATT&CK tags, dates, levels, near-miss keys.

codes! {
    MISSING_ID {
        code: "Q501",
        name: "missing-id",
        severity: Severity::Warning,
        summary: "a rule or correlation has no `id`",
        doc: "Without a stable UUID, deployed artifacts cannot be tracked across renames, other rules cannot \
              reference this one reliably, and Kibana imports get a made-up rule id. Add `id:` with a fresh \
              UUID v4 (pySigma: `identifier_existence`). Correlation documents need one as much as rules do. Fixable: `detc check --fix` inserts `id:` with a \
              fresh UUID v4 on the line after `title:`.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "title: T\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    MISSING_LEVEL {
        code: "Q502",
        name: "missing-level",
        severity: Severity::Warning,
        summary: "a rule has no `level`",
        doc: "The level drives alert severity in every artifact (Splunk `alert.severity`, Elastic \
              `severity`/`risk_score`). Without it each backend picks its own default. Correlations inherit \
              the level of their base rule, so this is reported for detection rules only.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "title: T\nlevel: medium\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    NEAR_MISS_KEY {
        code: "Q503",
        name: "near-miss-key",
        severity: Severity::Warning,
        summary: "a top-level key that looks like a misspelt Sigma or detc key",
        doc: "Sigma allows custom top-level keys, so a typo such as `false_positive` (for `falsepositives`), \
              `realted` or `reference` is silently kept as a custom field and the real field stays empty. A key \
              within two edits of a known key, or a known singular/plural slip, is reported. Fixable \
              (`detc check --fix` renames the key) for a known slip or a key one typo away, unless the document has the right key too or the value has \
              the wrong shape for it (a text under `false_positive` where `falsepositives` needs a list).",
        bad: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\nfalse_positive: [Admins]\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\nfalsepositives: [Admins]\n",
    }

    BAD_DATE {
        code: "Q504",
        name: "invalid-date",
        severity: Severity::Warning,
        summary: "`date`/`modified` is not a real calendar date, or `modified` is before `date`",
        doc: "Dates are `YYYY-MM-DD`. A day that does not exist (`2025-02-30`) or a `modified` earlier than \
              `date` is a typo that breaks sorting and review.",
        bad: "title: T\ndate: 2025-03-10\nmodified: 2025-02-01\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "title: T\ndate: 2025-02-01\nmodified: 2025-03-10\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    LOGSOURCE_KEY {
        code: "Q505",
        name: "unknown-logsource-key",
        severity: Severity::Warning,
        summary: "a `logsource` key other than category, product, service, definition",
        doc: "Custom logsource keys are kept but no pipeline or backend reads them (pySigma: \
              `fieldname_logsource`); usually a typo such as `categroy`.",
        bad: "title: T\nlogsource: {produkt: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    DUPLICATE_REFERENCE {
        code: "Q506",
        name: "duplicate-reference",
        severity: Severity::Warning,
        summary: "the same URL twice in `references`",
        doc: "A repeated reference adds nothing and often hides a second source that was meant to be \
              linked instead (pySigma: `duplicate_references`).",
        bad: "title: T\nreferences: [https://a.example, https://a.example]\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "title: T\nreferences: [https://a.example]\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    TAG_FORMAT {
        code: "Q511",
        name: "tag-format",
        severity: Severity::Warning,
        summary: "a tag is not `namespace.name` in lowercase letters, digits, `_`, `-`, `.`",
        doc: "Sigma tags are lowercase and namespaced: `attack.t1110.004`, `cve.2021-44228`, `tlp.clear`. \
              Fixable: `detc check --fix` lowercases the tag, joins words with `-` and hyphenates ATT&CK tactic \
              names (`attack.Credential_Access` → `attack.credential-access`), unless that repeats another tag.",
        bad: tagged!("  - Attack.T1110\n"),
        good: tagged!("  - attack.t1110\n"),
    }

    UNKNOWN_NAMESPACE {
        code: "Q512",
        name: "unknown-tag-namespace",
        severity: Severity::Info,
        summary: "a tag namespace outside attack, car, cve, d3fend, detection, stp, tlp",
        doc: "The Sigma tag appendix defines these namespaces; others are allowed but tools ignore them.",
        bad: tagged!("  - atack.t1110\n"),
        good: tagged!("  - attack.t1110\n"),
    }

    UNKNOWN_ATTACK {
        code: "Q513",
        name: "unknown-attack-tag",
        severity: Severity::Warning,
        summary: "an `attack.` tag that is no ATT&CK tactic, technique, group, software or mitigation",
        doc: "Technique ids are checked against the embedded ATT&CK Enterprise table and tactics against its \
              tactic names (hyphenated: `attack.credential-access`; the underscore spelling is Sigma 1.x). Tactic \
              names from newer ATT&CK releases are reported separately, at info level (Q516). An underscore tactic \
              name is fixable (`detc check --fix`).",
        bad: tagged!("  - attack.credential_access\n  - attack.t1110\n"),
        good: tagged!("  - attack.credential-access\n  - attack.t1110\n"),
    }

    DEPRECATED_TECHNIQUE {
        code: "Q514",
        name: "deprecated-attack-technique",
        severity: Severity::Warning,
        summary: "an ATT&CK technique that is deprecated or revoked",
        doc: "MITRE revokes or deprecates techniques when it merges or reorganises them; tags should move to \
              the current technique so coverage maps stay right.",
        bad: tagged!("  - attack.exfiltration\n  - attack.t1002\n"),
        good: tagged!("  - attack.exfiltration\n  - attack.t1560\n"),
    }

    TECHNIQUE_WITHOUT_TACTIC {
        code: "Q515",
        name: "technique-without-tactic",
        severity: Severity::Warning,
        summary: "an ATT&CK technique tag without a tag for any of its tactics",
        doc: "Navigator layers and Elastic `threat` mappings need the tactic. Tag one of the technique's \
              tactics too (SigmaHQ: `techniques_without_tactics`). A technique the table files under Defense Evasion \
              is satisfied by either of the v19 tactics that replaced it, `attack.stealth` or \
              `attack.defense-impairment`.",
        bad: tagged!("  - attack.t1110.004\n"),
        good: tagged!("  - attack.credential-access\n  - attack.t1110.004\n"),
    }

    NEWER_TACTIC {
        code: "Q516",
        name: "newer-attack-tag",
        severity: Severity::Info,
        summary: "a technique from an ATT&CK release newer than the embedded table",
        doc: "ATT&CK releases after the embedded table added techniques (T1685, T1686) that current SigmaHQ \
              rules use. A technique id above the highest id in the table is taken to be newer rather than wrong: \
              accepted unchecked, and noted once per technique for the whole catalog (sub-techniques included), \
              at its first tag, with every other tag as a related location. The v19 tactics that replaced Defense \
              Evasion (`attack.stealth`, `attack.defense-impairment`) are known tactics, not notices. `detc list \
              lints` shows the table's version.",
        bad: tagged!("  - attack.defense-impairment\n  - attack.t1686\n"),
        good: tagged!("  - attack.defense-impairment\n  - attack.t1562\n"),
    }

    DUPLICATE_TAG {
        code: "Q517",
        name: "duplicate-tag",
        severity: Severity::Warning,
        summary: "the same tag twice",
        doc: "A repeated tag adds nothing and inflates coverage counts in ATT&CK Navigator layers; it is \
              usually a copy-paste slip where another tag was meant (pySigma: `duplicate_tag`).",
        bad: tagged!("  - attack.credential-access\n  - attack.credential-access\n"),
        good: tagged!("  - attack.credential-access\n"),
    }

    INVALID_TLP {
        code: "Q518",
        name: "invalid-tlp-tag",
        severity: Severity::Warning,
        summary: "a `tlp.` tag that is no TLP 1.0 or 2.0 label",
        doc: "TLP labels are clear, white (1.0), green, amber, amber-strict and red.",
        bad: tagged!("  - tlp.public\n"),
        good: tagged!("  - tlp.clear\n"),
    }

    NAMESPACE_TAG_FORMAT {
        code: "Q519",
        name: "namespace-tag-format",
        severity: Severity::Warning,
        summary: "a car, cve, detection or stp tag whose name has the wrong form",
        doc: "Namespaced tags have fixed forms: `car.2016-04-005`, `cve.2021-44228`, `detection.dfir` / \
              `detection.emerging-threats` / `detection.threat-hunting`, `stp.1`…`stp.5` with an optional \
              `a`, `u` or `k`. Other forms are typos that tools silently ignore.",
        bad: tagged!("  - cve.2021.44228\n"),
        good: tagged!("  - cve.2021-44228\n"),
    }
}
