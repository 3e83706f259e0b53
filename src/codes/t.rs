//! T7xx: detection tests.

codes! {
    MISSING_TESTS {
        code: "T701",
        name: "missing-tests",
        severity: Severity::Warning,
        summary: "a rule or correlation has no detection tests",
        doc: "A detection that was never run against an event is a guess. With `require_tests: true` in \
              detc.yaml (our own catalog sets it), every rule and correlation needs `tests:` (or a \
              `<stem>.tests.yml` sidecar) with at least one event that must match and one that must not. \
              `check` reports it only with `require_tests: true` in detc.yaml, as the examples set.",
        bad: "# file: detc.yaml\nrequire_tests: true\n# file: r.yml\ntitle: T\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlevel: low\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "# file: detc.yaml\nrequire_tests: true\n# file: r.yml\ntitle: T\nid: 5d2c7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f\nlevel: low\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\ntests:\n  - {name: a login fires, expect: match, event: {data: {type: s}}}\n  - {name: a failed login does not, expect: no_match, event: {data: {type: f}}}\n",
    }

    TEST_FAILED {
        code: "T702",
        name: "test-failed",
        severity: Severity::Error,
        summary: "a detection test's events did not give the expected verdict",
        doc: "The rule (or correlation) was evaluated in-process over the test's events and the result \
              differs from `expect`. The finding shows the event and, for each predicate of the rule, \
              whether it held, so the deciding field is visible. \
              Tests are run by `detc test`, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    INVALID_TEST {
        code: "T703",
        name: "invalid-test",
        severity: Severity::Error,
        summary: "a detection test cannot be run",
        doc: "The test is malformed (no `event`/`events`, an event that is not a mapping, `expect: {alerts: N}` \
              on a rule), a sidecar test names no document of its rule file, or a sidecar under `tests_dir` \
              mirrors no rule file. The message names the test (by `name`, else its position) and quotes \
              the bad value; `detc test --junit` lists it as an `<error>` case. A detection that cannot be \
              evaluated is T704, correlation test events without a timestamp T705. \
              `check` reports a malformed inline test as S101 (the schema) and the rest needs a sidecar file beside the rule, so it has no check example.",
        bad: "",
        good: "",
    }

    UNEVALUABLE {
        code: "T704",
        name: "unevaluable-detection",
        severity: Severity::Error,
        summary: "a rule or correlation cannot be evaluated by `detc eval` / `detc test`",
        doc: "The detection cannot be run in-process: a construct \
              the evaluator does not support (a query expression placeholder, a correlation over another \
              correlation or a cycle of them), or a lowering error (a placeholder without a value, a failing \
              pipeline). It is reported once, at the detection, with the reason and how many of its tests \
              were not run, and the run exits with status 1: a hunt or a test run never skips a detection \
              silently. `detc convert` reports the same lowering errors as B801. \
              Detections are evaluated by `detc test` and `detc eval`, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    MISSING_TIMESTAMP {
        code: "T705",
        name: "missing-timestamp",
        severity: Severity::Error,
        summary: "events a correlation's rules match have no usable timestamp",
        doc: "Correlation windows need each event's time, read from the first present of the configured \
              `timestamp_field`s (default `data.date`, `@timestamp`, `timestamp`, `date`) as RFC 3339 text or \
              epoch seconds or milliseconds. Events that one of the correlation's rules matches but that have \
              no such value cannot be placed in a window and are left out; `detc eval` reports them once per \
              correlation with their count and the first one, `detc test` once per test with the events' \
              indexes. Set `timestamp_field` in detc.yaml to the field your events carry. \
              Events are evaluated by `detc test` and `detc eval`, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    REGEX_LIMIT {
        code: "T706",
        name: "regex-backtracking-limit",
        severity: Severity::Error,
        summary: "a regex was abandoned at the backtracking limit on some events",
        doc: "Regexes that need PCRE features (look-around, backreferences, atomic groups, PCRE's `$`) run \
              on a backtracking engine with a limit of one million steps per match, so a pattern with \
              catastrophic backtracking (`(a+)+$`) cannot hang `detc test` or `detc eval`. A match abandoned at \
              the limit counts as no match for the verdict and is reported once per detection with how many \
              values hit the limit and which pattern; the run exits with status 1. Rewrite the pattern without \
              nested quantifiers. Found while evaluating events, so it has no check example.",
        bad: "",
        good: "",
    }
}
