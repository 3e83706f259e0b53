//! P6xx: placeholders, variables and processing pipelines.

codes! {
    UNRESOLVED_TOKEN {
        code: "P601",
        name: "unresolved-token",
        severity: Severity::Warning,
        summary: "a `{name}` token has no value in the configured variables",
        doc: "Extension queries (`splunk`, `tenant_logs`) and values may carry `{name}` tokens such as \
              `{your-tenant-name}` that must be filled per deployment. Each token without a value in `detc.yaml` \
              `variables` (or `--var`) is reported once for the whole catalog, at its first use, with every other \
              use as a related location, so a deployment never ships a literal `{threshold}`. Braces that are \
              literal text are not tokens: Splunk's `{}` multivalue suffix (`roles{}`), GUIDs and CLSIDs \
              (`{BD54C901-076B-434E-B6C7-17C531F4AB41}`), shell syntax (`${var}`, `{IFS}`, `{a,b}`), and other \
              syntaxes' braces (`#{x}`, `%{x}`, a template's `{{x}}`).",
        bad: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\nsplunk: index=auth0 data.tenant_name=\"{your-tenant-name}\"\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\nsplunk: index=auth0 data.type=s\n",
    }

    MISSING_VARIABLE {
        code: "P602",
        name: "missing-variable",
        severity: Severity::Error,
        summary: "a deployed query needs a `{name}` token that has no value",
        doc: "`{name}` tokens in detection values (and in the hand-written `splunk` query when a target deploys \
              custom queries) are filled from detc.yaml `variables` or `--var`. A token without a value would \
              ship literally and the search could never match, so the build fails, naming each token once with \
              every place it is used. `detc check` reports the same tokens as P601 warnings. Reported at build \
              time only, so it has no check example.",
        bad: "",
        good: "",
    }

    INVALID_PIPELINE {
        code: "P603",
        name: "invalid-pipeline",
        severity: Severity::Error,
        summary: "a processing pipeline file cannot be used",
        doc: "Pipeline files use pySigma's format (`transformations` with `type` and parameters, rule, \
              detection-item and field-name conditions). An unknown transformation or condition type, a missing \
              parameter, or a feature detc does not implement (query `postprocessing`, `finalizers`) is reported \
              at its line, and nothing is converted with a pipeline that would be applied only in part. \
              Pipeline files are loaded by `convert`, `build`, `test` and `eval`, not by `check` of a catalog, so it has no check example.",
        bad: "",
        good: "",
    }
}
