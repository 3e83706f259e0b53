//! C2xx: the structure of `detection` sections and conditions (rules and filters).

use std::collections::HashSet;

use super::data::auth0::auth0;
use super::{DiagExt, Sink};
use crate::catalog::yaml::{Node, Resolved, Style, Value};
use crate::diag::{Code, Severity};
use crate::model::condition::{Expr, Quantifier};
use crate::model::detection::{Detection, Item, SearchBody};

pub static CONDITION_SYNTAX: Code = Code {
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
};

pub static UNDEFINED_IDENTIFIER: Code = Code {
    code: "C202",
    name: "undefined-identifier",
    severity: Severity::Error,
    summary: "the condition names a search identifier that is not defined",
    doc: "Every identifier in a condition must be a key of the `detection` section (pySigma: \
          `dangling_condition`). A typo here makes the rule fail to convert.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  selection: {data.type: s}\n  condition: selection and not filter\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection:\n  selection: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: selection and not filter\n",
};

pub static UNUSED_IDENTIFIER: Code = Code {
    code: "C203",
    name: "unused-search-identifier",
    severity: Severity::Warning,
    summary: "a search identifier is not used by any condition",
    doc: "A selection that no condition refers to (directly or through `1 of x*` / `them`) has no effect: \
          usually the condition forgot it (pySigma: `dangling_detection`).",
    bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  selection: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: selection\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection:\n  selection: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: selection and not filter\n",
};

pub static SELECTOR_MATCHES_NOTHING: Code = Code {
    code: "C204",
    name: "selector-matches-nothing",
    severity: Severity::Error,
    summary: "`1 of pattern` / `all of pattern` matches no search identifier",
    doc: "pySigma silently drops a selector that matches no identifier, so `sel and not 1 of filter_*` \
          without any `filter_` selection converts to just `sel`, and a condition that becomes empty produces \
          no query at all. Identifiers starting with `_` only match patterns that start with `_`.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  filter: {data.ip: 10.0.0.1}\n  condition: sel and not 1 of filter_*\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  filter_ip: {data.ip: 10.0.0.1}\n  condition: sel and not 1 of filter_*\n",
};

pub static NULL_FROM_COMMENTS: Code = Code {
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
};

pub static PLACEHOLDER_AS_MAPPING: Code = Code {
    code: "C206",
    name: "placeholder-read-as-mapping",
    severity: Severity::Error,
    summary: "an unquoted `{placeholder}` value is a YAML mapping, not text",
    doc: "`field: {global_client_id}` is a YAML flow mapping with one key and a null value, not the text \
          `{global_client_id}`. pySigma aborts the whole folder with `Unsupported type: <class 'dict'>` and \
          no location. Quote it (`'{global_client_id}'`) so it stays a token to fill from variables.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: sapi}\n  filter:\n    data.client_id: {global_client_id}\n  condition: sel and not filter\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: sapi}\n  filter:\n    data.client_id: '{global_client_id}'\n  condition: sel and not filter\n",
};

pub static THEM_SINGLE: Code = Code {
    code: "C207",
    name: "them-with-single-identifier",
    severity: Severity::Info,
    summary: "`1 of them` / `all of them` with only one search identifier",
    doc: "With a single selection, `1 of them` is just that selection; name it directly so the condition \
          keeps its meaning when a second selection is added.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  condition: 1 of them\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  condition: sel\n",
};

pub static ALL_OF_THEM: Code = Code {
    code: "C208",
    name: "all-of-them",
    severity: Severity::Info,
    summary: "`all of them` is discouraged",
    doc: "`all of them` silently changes meaning whenever a selection (even a filter) is added to the rule. \
          Name the selections, or use a pattern such as `all of sel_*`.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel_a: {data.type: s}\n  sel_b: {data.ip: 10.0.0.1}\n  condition: all of them\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel_a: {data.type: s}\n  sel_b: {data.ip: 10.0.0.1}\n  condition: all of sel_*\n",
};

pub static UNKNOWN_AUTH0_FIELD: Code = Code {
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
};

pub static UNKNOWN_AUTH0_TYPE: Code = Code {
    code: "C211",
    name: "unknown-auth0-event-type",
    severity: Severity::Warning,
    summary: "a `data.type` value is not an Auth0 log event type code",
    doc: "Auth0 identifies each log event by a short type code (`s`, `f`, `sapi`, `limit_wc`, …). A value \
          that is no known code (a typo, or a description instead of a code) never matches.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: [s, sucess]}\n  condition: sel\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: [s, ss]}\n  condition: sel\n",
};

pub static EMPTY_SEARCH: Code = Code {
    code: "C212",
    name: "empty-search-identifier",
    severity: Severity::Error,
    summary: "a search identifier holds an empty mapping or list",
    doc: "`selection: {}` or `selection: []` has no detection items, so backends disagree on whether it \
          matches everything or nothing. Add items or remove the identifier.",
    bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  filter: []\n  condition: sel and not filter\n",
    good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  condition: sel\n",
};

pub static SPECIFIC_LOGSOURCE: Code = Code {
    code: "C213",
    name: "specific-instead-of-generic-logsource",
    severity: Severity::Warning,
    summary: "a Sysmon or Security EventID selects what a generic log source category means",
    doc: "`service: sysmon` with `EventID: 1` is what `category: process_creation` means, and the generic \
          category also covers other sources (Security 4688, EDR process events) through pipelines. Use the \
          category and drop the EventID (pySigma: `specific_instead_of_generic_logsource`).",
    bad: "title: T\nlogsource: {product: windows, service: sysmon}\ndetection:\n  sel:\n    EventID: 1\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n",
    good: "title: T\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n",
};

pub static CODES: &[&Code] = &[
    &SPECIFIC_LOGSOURCE,
    &CONDITION_SYNTAX,
    &UNDEFINED_IDENTIFIER,
    &UNUSED_IDENTIFIER,
    &SELECTOR_MATCHES_NOTHING,
    &NULL_FROM_COMMENTS,
    &PLACEHOLDER_AS_MAPPING,
    &THEM_SINGLE,
    &ALL_OF_THEM,
    &UNKNOWN_AUTH0_FIELD,
    &UNKNOWN_AUTH0_TYPE,
    &EMPTY_SEARCH,
];

pub fn check(sink: &mut Sink<'_, '_>) {
    let Some(det) = sink.doc.detection() else {
        return;
    };
    check_conditions(sink, det);
    for search in &det.searches {
        if matches!(&search.body, SearchBody::Map(v) if v.is_empty())
            || matches!(&search.body, SearchBody::List(v) if v.is_empty())
        {
            sink.at_node(
                &EMPTY_SEARCH,
                search.key,
                format!("search identifier `{}` is empty", search.name),
            )
            .with_help("add detection items or remove the identifier");
        }
        for item in search.body.items() {
            check_item_values(sink, item);
        }
    }
    check_generic_logsource(sink, det);
    if sink.doc.meta.product() == Some("auth0") {
        for search in &det.searches {
            for item in search.body.items() {
                check_auth0_item(sink, item);
            }
        }
    }
}

fn check_conditions(sink: &mut Sink<'_, '_>, det: &Detection<'_>) {
    let file = sink.doc.doc.file.clone();
    let mut used: HashSet<&str> = HashSet::new();
    for cond in &det.conditions {
        let expr = match &cond.expr {
            Ok(e) => e,
            Err(err) => {
                let d = sink.report(
                    &CONDITION_SYNTAX,
                    cond.span_of(&file, err.range.clone()),
                    format!("invalid condition: {}", err.message),
                );
                if let Some(h) = &err.help {
                    d.with_help(h.clone());
                }
                // An unparsable condition references nothing we can check; don't call its identifiers unused.
                used.extend(det.searches.iter().map(|s| s.name));
                continue;
            }
        };
        for leaf in expr.leaves() {
            match leaf {
                Expr::Ident { name, range } => {
                    if det.search(name).is_some() {
                        used.insert(name);
                        continue;
                    }
                    let span = cond.span_of(&file, range.clone());
                    let d = sink.report(
                        &UNDEFINED_IDENTIFIER,
                        span,
                        format!("`{name}` is not defined in `detection`"),
                    );
                    d.with_label("not a search identifier");
                    match closest(name, det.searches.iter().map(|s| s.name)) {
                        Some(c) => d.with_help(format!("did you mean `{c}`?")),
                        None => d.with_help(format!("add `{name}:` to the detection section")),
                    };
                }
                Expr::Selector {
                    quantifier,
                    pattern,
                    range,
                } => {
                    let matched = det.matching(pattern);
                    let span = cond.span_of(&file, range.clone());
                    if matched.is_empty() {
                        sink.report(
                            &SELECTOR_MATCHES_NOTHING,
                            span,
                            format!("`{pattern}` matches no search identifier"),
                        )
                        .with_help(
                            "pySigma drops this part of the condition silently; fix the pattern or add the selection",
                        );
                    }
                    used.extend(matched.iter().map(|s| s.name));
                    if pattern == "them" && det.searches.len() == 1 {
                        sink.report(&THEM_SINGLE, span, "`of them` over a single search identifier")
                            .with_help(format!("write `{}` instead", det.searches[0].name));
                    }
                    if pattern == "them" && *quantifier == Quantifier::All {
                        sink.report(
                            &ALL_OF_THEM,
                            span,
                            "`all of them` changes meaning when a selection is added",
                        )
                        .with_help("name the selections or use a pattern such as `all of sel_*`");
                    }
                }
                _ => {}
            }
        }
    }
    if det.conditions.is_empty() {
        return; // the schema reports the missing condition
    }
    for s in &det.searches {
        if !used.contains(s.name) {
            sink.at_node(
                &UNUSED_IDENTIFIER,
                s.key,
                format!("search identifier `{}` is not used by the condition", s.name),
            )
            .with_help("reference it in `condition`, or delete it");
        }
    }
}

/// Checks on the YAML shape of values: flow-mapping placeholders and nulls made by comments.
fn check_item_values(sink: &mut Sink<'_, '_>, item: &Item<'_>) {
    let file = sink.doc.doc.file.clone();
    for value in item.values() {
        if let Some(name) = placeholder_mapping(&file.text, value) {
            // The flow mapping's node may run to the end of the line; underline just `{…}`.
            let start = value.span.start.byte;
            let close = file.text[start..]
                .find('}')
                .map_or(value.span.end.byte, |i| start + i + 1);
            let span = file.span_of_bytes(start..close.min(value.span.end.byte.max(start + 1)));
            sink.report(
                &PLACEHOLDER_AS_MAPPING,
                span,
                format!("`{{{name}}}` is read by YAML as a mapping, not as text"),
            )
            .with_label("a flow mapping with one key and a null value")
            .with_help(format!("quote it: '{{{name}}}'"));
        }
    }
    let Some(key) = item.key else { return };
    let is_blank_null = matches!(&item.value.value, Value::Scalar(s) if s.text.is_empty() && s.style == Style::Plain);
    if is_blank_null && commented_items_follow(&file, key.span.end.line) {
        let field = item.field.unwrap_or("keyword");
        sink.at_node(
            &NULL_FROM_COMMENTS,
            key,
            format!("`{field}` is null because every list item under it is commented out"),
        )
        .with_label("value is null: this matches events where the field is absent")
        .with_help("keep at least one item, remove the field, or write `null` if absence is really meant");
    }
}

/// `{name}` written unquoted: a flow mapping whose only key has no value.
fn placeholder_mapping(text: &str, node: &Node) -> Option<String> {
    let entries = node.as_map()?;
    let [entry] = entries else { return None };
    let source = text.get(node.span.byte_range())?;
    if !source.starts_with('{') || !entry.value.is_null() {
        return None;
    }
    entry.key.scalar_text().map(str::to_string)
}

/// Whether the lines after `line` (until the next non-comment line) hold commented-out list items.
fn commented_items_follow(file: &crate::catalog::SourceFile, line: usize) -> bool {
    let mut found = false;
    for l in line + 1..=file.line_count() {
        let t = file.line_text(l).trim_start();
        if t.is_empty() {
            continue;
        }
        let Some(comment) = t.strip_prefix('#') else {
            break;
        };
        if comment.trim_start().starts_with("- ") || comment.trim_start() == "-" {
            found = true;
        }
    }
    found
}

fn check_auth0_item(sink: &mut Sink<'_, '_>, item: &Item<'_>) {
    let (Some(field), Some(key)) = (item.field, item.key) else {
        return;
    };
    let taxonomy = auth0();
    if !taxonomy.knows(field) {
        let d = sink.at_node(
            &UNKNOWN_AUTH0_FIELD,
            key,
            format!("`{field}` exists in no Auth0 log event type"),
        );
        d.with_label("unknown field path");
        match taxonomy.closest(field) {
            Some(c) => d.with_help(format!("a known path with the same last segment is `{c}`")),
            None => d.with_help("check the path against Auth0's log schemas (auth0/auth0-log-schemas)"),
        };
    }
    if field == "data.type" && item.modifiers.is_empty() {
        for v in item.values() {
            if let Some(code) = v.as_str().filter(|c| !taxonomy.event_types.contains(c)) {
                sink.at_node(
                    &UNKNOWN_AUTH0_TYPE,
                    v,
                    format!("`{code}` is not an Auth0 log event type code"),
                )
                .with_help("see Auth0's log event type codes (e.g. `s`, `f`, `sapi`, `limit_wc`)");
            }
        }
    }
}

/// The candidate nearest to `name` by edit distance, if it is close enough to be a typo.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d > 0)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Sysmon event ids that have a generic Sigma log source category.
const SYSMON_CATEGORIES: [(i64, &str); 21] = [
    (1, "process_creation"),
    (2, "file_change"),
    (3, "network_connection"),
    (5, "process_termination"),
    (6, "driver_load"),
    (7, "image_load"),
    (8, "create_remote_thread"),
    (9, "raw_access_thread"),
    (10, "process_access"),
    (11, "file_event"),
    (12, "registry_add"),
    (13, "registry_set"),
    (14, "registry_rename"),
    (15, "create_stream_hash"),
    (17, "pipe_created"),
    (18, "pipe_created"),
    (19, "wmi_event"),
    (20, "wmi_event"),
    (21, "wmi_event"),
    (22, "dns_query"),
    (23, "file_delete"),
];

fn check_generic_logsource(sink: &mut Sink<'_, '_>, det: &Detection<'_>) {
    let Some(ls) = sink.doc.meta.logsource else {
        return;
    };
    let service = ls.get("service").and_then(Node::scalar_text);
    let table: &[(i64, &str)] = match service {
        Some("sysmon") => &SYSMON_CATEGORIES,
        Some("security") => &[(4688, "process_creation")],
        _ => return,
    };
    for search in &det.searches {
        for item in search.body.items() {
            if item.field != Some("EventID") || !item.modifiers.is_empty() {
                continue;
            }
            for v in item.values() {
                let Some(Resolved::Int(id)) = v.as_scalar().map(|s| s.resolved) else {
                    continue;
                };
                if let Some((_, category)) = table.iter().find(|(e, _)| *e == id) {
                    sink.at_node(
                        &SPECIFIC_LOGSOURCE,
                        v,
                        format!(
                            "EventID {id} of `{}` is the generic category `{category}`",
                            service.unwrap_or("")
                        ),
                    )
                    .with_help(format!(
                        "use `logsource: {{category: {category}, product: windows}}` and drop the EventID"
                    ));
                }
            }
        }
    }
}
