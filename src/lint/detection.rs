//! C2xx: the structure of `detection` sections and conditions (rules and filters).

use crate::codes;
use foldhash::{HashSet, HashSetExt};

use super::{DiagExt, Sink};
use crate::catalog::yaml::{Node, Resolved, Style, Value};
use crate::data::auth0::auth0;
use crate::diag::closest;
use crate::model::condition::{Expr, Quantifier};
use crate::model::detection::{Detection, Item, SearchBody};

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
                &codes::EMPTY_SEARCH,
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
                    &codes::CONDITION_SYNTAX,
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
                        &codes::UNDEFINED_IDENTIFIER,
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
                            &codes::SELECTOR_MATCHES_NOTHING,
                            span,
                            format!("`{pattern}` matches no search identifier"),
                        )
                        .with_help(
                            "pySigma drops this part of the condition silently; fix the pattern or add the selection",
                        );
                    }
                    used.extend(matched.iter().map(|s| s.name));
                    if pattern == "them" && det.searches.len() == 1 {
                        sink.report(&codes::THEM_SINGLE, span, "`of them` over a single search identifier")
                            .with_help(format!("write `{}` instead", det.searches[0].name));
                    }
                    if pattern == "them" && *quantifier == Quantifier::All {
                        sink.report(
                            &codes::ALL_OF_THEM,
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
    let dedented = super::dedent::find(det, &used);
    for d in &dedented {
        report_dedented(sink, d);
    }
    for s in &det.searches {
        if !used.contains(s.name) && !dedented.iter().any(|d| d.item.name == s.name) {
            sink.at_node(
                &codes::UNUSED_IDENTIFIER,
                s.key,
                format!("search identifier `{}` is not used by the condition", s.name),
            )
            .with_help("reference it in `condition`, or delete it");
        }
    }
}

fn report_dedented(sink: &mut Sink<'_, '_>, d: &super::dedent::Dedented<'_, '_>) {
    let (item, sel) = (d.item, d.selection);
    // Where the selection's own items start, to say how far to indent.
    let column = match &sel.body {
        SearchBody::Map(items) => items.first().and_then(|i| i.key).map(|k| k.span.start.col),
        _ => None,
    };
    let to = column.map_or(String::new(), |c| format!(" (to column {c}, like its other items)"));
    let path = sink.doc.doc.path().clone();
    sink.at_node(
        &codes::DEDENTED_ITEM,
        item.key,
        format!(
            "`{}` is a detection item dedented out of `{}`: it became a search identifier of its own",
            item.name, sel.name
        ),
    )
    .with_label("at the level of the selections, not inside one")
    .with_help(format!("indent it under `{}`{to}", sel.name))
    .with_related(crate::diag::Related {
        path,
        span: Some(sel.key.span),
        message: format!("the selection `{}` it follows", sel.name),
    });
}

/// Checks on the YAML shape of values: flow-mapping placeholders and nulls made by comments.
fn check_item_values(sink: &mut Sink<'_, '_>, item: &Item<'_>) {
    let file = sink.doc.doc.file.clone();
    for value in item.values() {
        if let Some(name) = placeholder_mapping(&file.text, value) {
            // The flow mapping's node may run to the end of the line; underline just `{…}`.
            let start = value.span.start.at();
            let close = file.text[start..]
                .find('}')
                .map_or(value.span.end.at(), |i| start + i + 1);
            let span = file.span_of_bytes(start..close.min(value.span.end.at().max(start + 1)));
            sink.report(
                &codes::PLACEHOLDER_AS_MAPPING,
                span,
                format!("`{{{name}}}` is read by YAML as a mapping, not as text"),
            )
            .with_label("a flow mapping with one key and a null value")
            .with_help(format!("quote it: '{{{name}}}'"));
        }
    }
    let Some(key) = item.key else { return };
    let is_blank_null = matches!(&item.value.value, Value::Scalar(s) if s.text.is_empty() && s.style == Style::Plain);
    if is_blank_null && commented_items_follow(&file, key.span.end.line as usize) {
        let field = item.field.unwrap_or("keyword");
        sink.at_node(
            &codes::NULL_FROM_COMMENTS,
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
            &codes::UNKNOWN_AUTH0_FIELD,
            key,
            format!("`{field}` exists in no Auth0 log event type"),
        );
        d.with_label("unknown field path");
        match taxonomy.closest(field) {
            Some(c) => d.with_help(format!("did you mean `{c}`?")),
            None => d.with_help("check the path against Auth0's log schemas (auth0/auth0-log-schemas)"),
        };
    }
    if field == "data.type" && item.modifiers.is_empty() {
        for v in item.values() {
            if let Some(code) = v.as_str().filter(|c| !taxonomy.event_types.contains(c)) {
                let d = sink.at_node(
                    &codes::UNKNOWN_AUTH0_TYPE,
                    v,
                    format!("`{code}` is not an Auth0 log event type code"),
                );
                match taxonomy.closest_type(code) {
                    Some((near, about)) => d.with_help(format!("did you mean `{near}` ({about})?")),
                    None => d.with_help("see Auth0's log event type codes (e.g. `s`, `f`, `sapi`, `limit_wc`)"),
                };
            }
        }
    }
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
                        &codes::SPECIFIC_LOGSOURCE,
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
