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
              the offending key or value and quotes the JSON pointer of the place. A `date`/`modified` written \
              year first in another form (`2025/01/15`, `2025.1.5`) is fixable: `detc check --fix` writes it \
              `YYYY-MM-DD`.",
        bad: "title: Wrong level\nlevel: urgent\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "title: Wrong level\nlevel: high\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    INVALID_CONFIG {
        code: "S102",
        name: "invalid-config",
        severity: Severity::Error,
        summary: "detc.yaml does not match its schema",
        doc: "The configuration file is read before anything else; a key that is unknown or has the wrong \
              type is reported at its place and the command stops with exit code 2 (see schemas/config.json). \
              It concerns detc.yaml, not a catalog file, so it has no check example.",
        bad: "",
        good: "",
    }
}
