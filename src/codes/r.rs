//! R4xx: references — correlations, filters, names and ids.

codes! {
    UNKNOWN_REFERENCE {
        code: "R401",
        name: "unknown-rule-reference",
        severity: Severity::Error,
        summary: "a correlation or filter refers to a rule id or name that no loaded document has",
        doc: "Entries of a correlation's or filter's `rules` are rule ids or names. One that matches no \
              document in the checked paths leaves the correlation without input (pySigma fails the whole \
              conversion). Check the spelling, or include the file that defines it.",
        bad: "title: Base\nname: failed_logins\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: Many\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n",
        good: "title: Base\nname: failed_logins\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: Many\ncorrelation:\n  type: event_count\n  rules: [failed_logins]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n",
    }

    AMBIGUOUS_REFERENCE {
        code: "R402",
        name: "ambiguous-rule-reference",
        severity: Severity::Error,
        summary: "a rule name referenced from a file that does not define it matches several documents",
        doc: "A name is looked up in the referring file first, then catalog-wide. When the referring file does \
              not define it and several other files do, the reference is ambiguous; every candidate is listed. \
              Reference the rule by `id` instead.",
        bad: "# file: a.yml\ntitle: A\nname: failed\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n# file: b.yml\ntitle: B\nname: failed\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n# file: c.yml\ntitle: Many\ncorrelation:\n  type: event_count\n  rules: [failed]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n",
        good: "# file: a.yml\ntitle: A\nname: failed\nid: 9a0f4f4e-1c1e-4e71-9a5c-2d1f3b4c5d6e\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n# file: b.yml\ntitle: B\nname: failed_b\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n# file: c.yml\ntitle: Many\ncorrelation:\n  type: event_count\n  rules: [9a0f4f4e-1c1e-4e71-9a5c-2d1f3b4c5d6e]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n",
    }

    DUPLICATE_ID {
        code: "R403",
        name: "duplicate-id",
        severity: Severity::Error,
        summary: "two documents share an `id`",
        doc: "Ids identify rules in references, deployed artifacts and history; each must be unique \
              (pySigma: `identifier_uniqueness`).",
        bad: "title: A\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
        good: "title: A\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nid: 6e3d8f2b-4c5a-4d7e-9fa0-1b2c3d4e5f60\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    }

    DUPLICATE_TITLE {
        code: "R404",
        name: "duplicate-title",
        severity: Severity::Warning,
        summary: "two documents share a `title`",
        doc: "Titles name saved searches and Kibana rules; duplicates collide in Splunk stanza names and confuse \
              reviewers (pySigma: `duplicate_title`).",
        bad: "title: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
        good: "title: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    }

    REUSED_NAME {
        code: "R405",
        name: "reused-rule-name",
        severity: Severity::Warning,
        summary: "a rule `name` is defined in several files",
        doc: "detc resolves names per file first, so each file's correlation finds its own base rule. But the \
              Sigma specification wants names unique, and pySigma, which resolves names over the whole \
              collection, fails to convert such a folder ('Conversion result not available'). Give each base \
              rule a distinct name.",
        bad: "# file: a.yml\ntitle: A\nname: failed\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n# file: b.yml\ntitle: B\nname: failed\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
        good: "# file: a.yml\ntitle: A\nname: failed\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n# file: b.yml\ntitle: B\nname: failed_b\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    }

    DUPLICATE_NAME {
        code: "R406",
        name: "duplicate-name-in-file",
        severity: Severity::Error,
        summary: "two documents of one file share a `name`",
        doc: "Within a file a name must identify one document, or a reference to it cannot be resolved.",
        bad: "title: A\nname: base\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nname: base\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
        good: "title: A\nname: base_s\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nname: base_f\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    }

    DUPLICATE_FILENAME {
        code: "R407",
        name: "duplicate-filename",
        severity: Severity::Warning,
        summary: "two rule files in different folders share a file name",
        doc: "Several tools (and reviewers) identify rules by file name; two files with the same name in \
              different folders collide when a catalog is flattened or published (pySigma: `duplicate_filename`).",
        bad: "# file: a/rules.yml\ntitle: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n# file: b/rules.yml\ntitle: B\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
        good: "# file: a/rules.yml\ntitle: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n# file: b/more_rules.yml\ntitle: B\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    }

    ALIAS_UNKNOWN_RULE {
        code: "R408",
        name: "alias-unknown-rule",
        severity: Severity::Error,
        summary: "a correlation alias maps a rule that is not in the correlation's `rules`",
        doc: "`aliases: {ip: {rule_a: src_ip, rule_b: client.ip}}` names, for each referenced rule, the field \
              that plays the alias's part. A rule named there but missing from `rules` is a typo; a rule of \
              `rules` missing from an alias used in `group-by` leaves that rule without a group value.",
        bad: "title: A\nname: rule_a\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: B\nname: rule_b\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: T\ncorrelation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  aliases:\n    ip: {rule_a: data.ip, rule_c: data.ip}\n  group-by: [ip]\n  timespan: 1h\n",
        good: "title: A\nname: rule_a\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: B\nname: rule_b\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: T\ncorrelation:\n  type: temporal\n  rules: [rule_a, rule_b]\n  aliases:\n    ip: {rule_a: data.ip, rule_b: data.ip}\n  group-by: [ip]\n  timespan: 1h\n",
    }
}
