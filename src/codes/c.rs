//! C2xx: detection and condition structure.

codes! {
    CONDITION_SYNTAX {
        code: "C201",
        name: "condition-syntax",
        severity: Severity::Error,
        summary: "the condition does not parse",
        doc: "Conditions combine search identifiers with lowercase `and`, `or`, `not`, parentheses and the \
              selectors `1 of`, `any of`, `all of` over a pattern or `them`. Uppercase keywords, the removed \
              `| count()` aggregation syntax, `2 of`, and unbalanced parentheses are errors. Unlike pySigma, detc \
              tokenizes on word boundaries, so `not_filter` is an identifier, not `not _filter`.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: sel AND NOT filter\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: sel and not filter\n",
    }

    UNDEFINED_IDENTIFIER {
        code: "C202",
        name: "undefined-identifier",
        severity: Severity::Error,
        summary: "the condition names a search identifier that is not defined",
        doc: "Every identifier in a condition must be a key of the `detection` section (pySigma: \
              `dangling_condition`). A typo here makes the rule fail to convert.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  selection: {data.type: s}\n  condition: selection and not filter\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  selection: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: selection and not filter\n",
    }

    UNUSED_IDENTIFIER {
        code: "C203",
        name: "unused-search-identifier",
        severity: Severity::Warning,
        summary: "a search identifier is not used by any condition",
        doc: "A selection that no condition refers to (directly or through `1 of x*` / `them`) has no effect: \
              usually the condition forgot it (pySigma: `dangling_detection`).",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  selection: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: selection\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  selection: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: selection and not filter\n",
    }

    SELECTOR_MATCHES_NOTHING {
        code: "C204",
        name: "selector-matches-nothing",
        severity: Severity::Error,
        summary: "`1 of pattern` / `all of pattern` matches no search identifier",
        doc: "pySigma silently drops a selector that matches no identifier, so `sel and not 1 of filter_*` \
              without any `filter_` selection converts to just `sel`, and a condition that becomes empty produces \
              no query at all. Identifiers starting with `_` only match patterns that start with `_`.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: sel and not 1 of filter_*\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  filter_ip: {data.ip: 10.0.0.1}\n  condition: sel and not 1 of filter_*\n",
    }

    NULL_FROM_COMMENTS {
        code: "C205",
        name: "null-from-commented-items",
        severity: Severity::Error,
        summary: "a value is null only because every list item under it is commented out",
        doc: "When every `- item` under `field:` is commented out, YAML reads the value as null, which Sigma \
              treats as 'field is absent': `NOT field=*` in Splunk. The rule then matches nearly every event, \
              the opposite of what was meant, and no other tool warns. Keep at least one item, remove the field, \
              or write `null` explicitly if absence is really meant.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel:\n    data.type:\n      # - pwd_leak\n      # - limit_wc\n  condition: sel\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel:\n    data.type:\n      - pwd_leak\n      # - limit_wc\n  condition: sel\n",
    }

    PLACEHOLDER_AS_MAPPING {
        code: "C206",
        name: "placeholder-read-as-mapping",
        severity: Severity::Error,
        summary: "an unquoted `{placeholder}` value is a YAML mapping, not text",
        doc: "`field: {global_client_id}` is a YAML flow mapping with one key and a null value, not the text \
              `{global_client_id}`. pySigma aborts the whole folder with `Unsupported type: <class 'dict'>` and \
              no location. Quote it (`'{global_client_id}'`) so it stays a token to fill from variables.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: sapi}\n  filter:\n    data.client_id: {global_client_id}\n  condition: sel and not filter\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: sapi}\n  filter:\n    data.client_id: '{global_client_id}'\n  condition: sel and not filter\n",
    }

    THEM_SINGLE {
        code: "C207",
        name: "them-with-single-identifier",
        severity: Severity::Info,
        summary: "`1 of them` / `all of them` with only one search identifier",
        doc: "With a single selection, `1 of them` is just that selection; name it directly so the condition \
              keeps its meaning when a second selection is added.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  condition: 1 of them\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  condition: sel\n",
    }

    ALL_OF_THEM {
        code: "C208",
        name: "all-of-them",
        severity: Severity::Info,
        summary: "`all of them` is discouraged",
        doc: "`all of them` silently changes meaning whenever a selection (even a filter) is added to the rule. \
              Name the selections, or use a pattern such as `all of sel_*`.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel_a: {data.type: s}\n  sel_b: {data.ip: 10.0.0.1}\n  condition: all of them\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel_a: {data.type: s}\n  sel_b: {data.ip: 10.0.0.1}\n  condition: all of sel_*\n",
    }

    UNKNOWN_AUTH0_FIELD {
        code: "C210",
        name: "unknown-auth0-field",
        severity: Severity::Warning,
        summary: "a field path of an `auth0` rule exists in no Auth0 log event type",
        doc: "For rules with `logsource.product: auth0`, every field is checked against a taxonomy derived from \
              Auth0's published log schemas (all event types; `{}` array suffixes understood; anything below a \
              free-form object such as `data.details.request.body` accepted). A path no event has never \
              matches, so the rule silently never fires.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel:\n    data.type: sapi\n    data.request.body.allowlist: 1.2.3.4\n  condition: sel\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel:\n    data.type: sapi\n    data.details.request.body.allowlist: 1.2.3.4\n  condition: sel\n",
    }

    UNKNOWN_AUTH0_TYPE {
        code: "C211",
        name: "unknown-auth0-event-type",
        severity: Severity::Warning,
        summary: "a `data.type` value is not an Auth0 log event type code",
        doc: "Auth0 identifies each log event by a short type code (`s`, `f`, `sapi`, `limit_wc`, …). A value \
              that is no known code (a typo, or a description instead of a code) never matches.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: [s, sucess]}\n  condition: sel\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: [s, ss]}\n  condition: sel\n",
    }

    EMPTY_SEARCH {
        code: "C212",
        name: "empty-search-identifier",
        severity: Severity::Error,
        summary: "a search identifier holds an empty mapping or list",
        doc: "`selection: {}` or `selection: []` has no detection items, so backends disagree on whether it \
              matches everything or nothing. Add items or remove the identifier.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  filter: []\n  condition: sel and not filter\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  condition: sel\n",
    }

    DEDENTED_ITEM {
        code: "C214",
        name: "dedented-detection-item",
        severity: Severity::Error,
        summary: "a detection item indented at the level of the selections, not under the one it follows",
        doc: "A `field: value` line written one level too far left, right after a selection, becomes a search \
              identifier of its own; the condition does not name it, so the query silently loses that condition \
              (pySigma and detc alike). Reported for a key no condition can name (a field path with `.` or a \
              `|modifier`) and for an unused identifier holding a single value, when it follows a selection \
              mapping. Indent it under the selection (this replaces C203 for the identifier).",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel:\n    data.description: Update\n  data.type: sapi\n  condition: sel\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel:\n    data.description: Update\n    data.type: sapi\n  condition: sel\n",
    }

    SPECIFIC_LOGSOURCE {
        code: "C213",
        name: "specific-instead-of-generic-logsource",
        severity: Severity::Warning,
        summary: "a Sysmon or Security EventID selects what a generic log source category means",
        doc: "`service: sysmon` with `EventID: 1` is what `category: process_creation` means, and the generic \
              category also covers other sources (Security 4688, EDR process events) through pipelines. Use the \
              category and drop the EventID (pySigma: `specific_instead_of_generic_logsource`).",
        bad: "title: T\nlogsource: {product: windows, service: sysmon}\ndetection:\n  sel:\n    EventID: 1\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n",
        good: "title: T\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n",
    }

    ALWAYS_TRUE {
        code: "C221",
        name: "threshold-always-true",
        severity: Severity::Error,
        summary: "a correlation threshold every group meets",
        doc: "A correlation only sees groups that have at least one event, so a count threshold such as \
              `gte: 0`, `gte: 1` or `gt: 0` holds for every group: the correlation fires on every matching \
              event and adds nothing but cost. Set the threshold the detection really needs.",
        bad: corr_yaml!(
            "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 0}\n"
        ),
        good: corr_yaml!(
            "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n"
        ),
    }

    NEVER_FIRES {
        code: "C222",
        name: "threshold-never-fires",
        severity: Severity::Error,
        summary: "a correlation threshold no group can meet",
        doc: "Counts are never negative and a group has at least one event, so `lt: 1`, `lte: 0`, a negative \
              `eq`, or a range whose bounds exclude each other (`gt: 10` with `lt: 5`) can never fire.",
        bad: corr_yaml!(
            "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {lt: 1}\n"
        ),
        good: corr_yaml!(
            "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {lt: 5}\n"
        ),
    }

    MISSING_GROUP_BY {
        code: "C223",
        name: "correlation-without-group-by",
        severity: Severity::Warning,
        summary: "an event_count, value_count or temporal correlation has no `group-by`",
        doc: "The Sigma specification makes `group-by` mandatory. Without it all events fall into one group, \
              so a threshold of failed logins counts the whole tenant instead of one IP or user.",
        bad: corr_yaml!("  type: event_count\n  rules: [base]\n  timespan: 1h\n  condition: {gte: 10}\n"),
        good: corr_yaml!(
            "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n"
        ),
    }

    TEMPORAL_ONE_RULE {
        code: "C224",
        name: "temporal-with-one-rule",
        severity: Severity::Warning,
        summary: "a temporal correlation over fewer than two rules",
        doc: "`temporal` and `temporal_ordered` ask whether several different rules fire close together; with \
              one rule the question is empty. Use `event_count` instead.",
        bad: corr_yaml!("  type: temporal\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n"),
        good: corr_yaml!(
            "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 2}\n"
        ),
    }

    RANGE_CONDITION {
        code: "C225",
        name: "correlation-range-condition",
        severity: Severity::Warning,
        summary: "a correlation condition with two bounds, which pySigma rejects",
        doc: "The Sigma specification allows a range (`gt: 10` and `lte: 100`) but pySigma accepts exactly one \
              operator, so such a rule does not convert with sigma-cli. detc handles ranges; this warns about \
              portability.",
        bad: corr_yaml!(
            "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gt: 10, lte: 100}\n"
        ),
        good: corr_yaml!(
            "  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gt: 10}\n"
        ),
    }
}
