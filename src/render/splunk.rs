//! The Splunk app: `app.conf`, `savedsearches.conf` (one stanza per query), `metadata/default.meta`.

use serde_json::{Value as Json, json};

use super::compiled::Detection;
use super::escape::stanza_name;
use super::family::{BuildContext, Family, Output, place_named};
use super::json_view::{lend, object};
use super::options::plain_field;
use super::schedule::Schedule;
use super::splunk_es::{Subject, correlation_search};
use crate::codes;
use crate::diag::Diagnostic;

pub struct SplunkApp;

/// Splunk `alert.severity` (1–5) of a Sigma level.
fn severity(level: &str) -> u8 {
    match level {
        "critical" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        _ => 1,
    }
}

/// The search prefix (`index=… sourcetype=…`) in front of a search, and in front of each
/// `[ search …` of a multisearch correlation; other searches that start with a command keep their
/// own scope.
fn with_prefix(prefix: &str, query: &str) -> String {
    if prefix.is_empty() {
        return query.to_string();
    }
    if query.starts_with("| multisearch") {
        return query
            .lines()
            .map(|l| match l.strip_prefix("[ search ") {
                Some(rest) => format!("[ search {prefix} {rest}"),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    if query.starts_with('|') {
        query.to_string()
    } else {
        format!("{prefix} {query}")
    }
}

/// B810: an ES correlation search of `d` is deployed without the part `why` names.
fn es_part_omitted(d: &Detection<'_, '_>, why: &str) -> Diagnostic {
    Diagnostic::new(
        &codes::ES_PART_OMITTED,
        d.parsed.doc.path(),
        d.parsed.doc.root.get("title").map(|n| n.span),
        format!(
            "the Splunk ES correlation search of `{}` is deployed without {why}",
            d.title()
        ),
    )
    .help("the correlation search and its notable event are deployed; see `detc explain B810`")
}

impl Family for SplunkApp {
    fn name(&self) -> &'static str {
        "splunk"
    }

    fn render(&self, ctx: &BuildContext<'_, '_, '_>) -> Output {
        let opts = &ctx.options.splunk;
        let app = opts.app.clone();
        let conf = format!("splunk/{app}/default/savedsearches.conf");
        let interval = opts.common.interval_secs(900);
        let mut out = Output::default();
        let mut stanzas: Vec<(usize, Json)> = Vec::new();
        for (i, d) in ctx.detections.iter().enumerate() {
            let queries: Vec<String> = match d.meta["custom"]["splunk"].as_str().filter(|_| opts.use_custom_queries) {
                // Tokens were checked by the build (P602); fill what has a value.
                Some(custom) => vec![crate::model::tokens::fill_known(
                    custom,
                    &ctx.config.variables,
                    str::to_string,
                )],
                None => match d.queries("splunk") {
                    Ok(q) => q.iter().map(|q| with_prefix(&opts.search_prefix, q)).collect(),
                    Err(why) => {
                        out.not_deployable(d, "splunk", why, opts.common.skip_unsupported);
                        continue;
                    }
                },
            };
            // savedsearches.conf would read a final backslash as a continuation onto the next key, and
            // `conf_value` drops it: a search ending in one cannot be deployed as written.
            if queries.iter().any(|q| q.trim_end().ends_with('\\')) {
                let why = "the search ends in a backslash, which savedsearches.conf reads as a line continuation";
                out.not_deployable(d, "splunk", why, opts.common.skip_unsupported);
                continue;
            }
            let schedule = Schedule::new(interval, d.timespan, opts.common.max_runs_per_window);
            let suppress_fields: Vec<&str> = d.splunk_group.iter().map(String::as_str).collect();
            let suppress = d.timespan.map(|t| {
                json!({
                    "period": super::schedule::span(t),
                    "fields": suppress_fields.iter().all(|f| plain_field(f)).then(|| suppress_fields.join(",")).filter(|f| !f.is_empty()),
                })
            });
            let n = queries.len();
            let es = &opts.enterprise_security;
            for (q_index, query) in queries.into_iter().enumerate() {
                let es_context = es.enabled.then(|| {
                    let cs = correlation_search(&Subject::of(d), &query, es);
                    for why in cs.omitted {
                        out.note(d, "splunk", es_part_omitted(d, &why));
                    }
                    cs.context
                });
                let base = stanza_name(d.title());
                let name = if n > 1 {
                    format!("{base} ({}/{n})", q_index + 1)
                } else {
                    base
                };
                stanzas.push((
                    i,
                    object([
                        ("name", Json::String(name)),
                        ("query", Json::String(query)),
                        ("rule", d.meta.clone()),
                        ("schedule", schedule.context()),
                        ("splunk_severity", Json::from(severity(d.level()))),
                        ("suppress", suppress.clone().unwrap_or(Json::Null)),
                        ("es", es_context.unwrap_or(Json::Null)),
                    ]),
                ));
            }
        }
        let detections = place_named(&mut out, stanzas, ctx, "splunk", &conf, str::to_lowercase, stanza_name);
        // One tree lent to all three templates.
        let context = lend(object([
            ("detections", Json::Array(detections)),
            ("target", json!({"name": "splunk", "options": opts})),
            ("vars", json!(ctx.config.variables)),
        ]));
        out.render(
            ctx.templates,
            format!("splunk/{app}/default/app.conf"),
            "splunk/app.conf.j2",
            &context,
        );
        out.render(ctx.templates, conf, "splunk/savedsearches.conf.j2", &context);
        out.render(
            ctx.templates,
            format!("splunk/{app}/metadata/default.meta"),
            "splunk/default.meta.j2",
            &context,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_scopes_every_subsearch() {
        let q = "| multisearch\n[ search a=1 | eval event_type=\"x\" ]\n[ search b=2 | eval event_type=\"y\" ]\n| stats count";
        assert_eq!(
            with_prefix("index=auth0", q),
            "| multisearch\n[ search index=auth0 a=1 | eval event_type=\"x\" ]\n[ search index=auth0 b=2 | eval event_type=\"y\" ]\n| stats count"
        );
        assert_eq!(with_prefix("index=auth0", "a=1"), "index=auth0 a=1");
        assert_eq!(with_prefix("", "a=1"), "a=1");
    }
}
