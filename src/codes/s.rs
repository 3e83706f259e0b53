//! S1xx: schema — documents and detc.yaml checked against their JSON Schemas.

codes! {
    SCHEMA_VIOLATION {
        code: "S101",
        name: "schema-violation",
        severity: Severity::Error,
        summary: "a document does not match the Sigma schema (or detc's extension fields)",
        doc: "Each document is validated against detc's JSON Schema for its kind (rule, correlation, filter), \
              which follows the Sigma 2.1 specification, fixes the holes of the official schemas (a correlation \
              `condition` is really checked; a list `condition` is accepted) and declares the extension fields \
              `splunk`, `tenant_logs`, `explanation`, `prevention`, `comments` and `tests`. The finding points at \
              the offending key or value and says what the field takes in words (\"`date` must be a date written \
              YYYY-MM-DD\"), with the corrected value when it is unambiguous (`2025/01/15` → `2025-01-15`, \
              `5min` → `5m`) and \"did you mean\" for a near-miss enumerated value or key. A malformed tag is left \
              to Q511, which writes the corrected tag, and a repeated tag or reference to Q517 or Q506, so one \
              defect gives one finding; another repeated list item is reported at the repeat. The rewritten \
              date is also a fix: `detc check --fix` writes it.",
        bad: "title: Wrong level\nlevel: urgent\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "title: Wrong level\nlevel: high\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    INVALID_CONFIG {
        code: "S102",
        name: "invalid-config",
        severity: Severity::Error,
        summary: "detc.yaml does not match its schema",
        doc: "The configuration file is read before anything else; a key that is unknown or has the wrong \
              type is reported at its place and the command stops with exit code 2 (see schemas/config.json); a \
              misspelt key gets \"did you mean\" (`intervall` → `interval`).",
        bad: "# file: detc.yaml\ntargets:\n  splunk: {intervall: 10m}\n# file: r.yml\ntitle: T\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlevel: low\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "# file: detc.yaml\ntargets:\n  splunk: {interval: 10m}\n# file: r.yml\ntitle: T\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlevel: low\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }
}
