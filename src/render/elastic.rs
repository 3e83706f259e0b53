//! The Kibana detection-rule import (`elastic/rules.ndjson`). Each document picks its rule type: a
//! query rule in Lucene (else ES|QL, else EQL); `event_count` and `value_count` correlations become
//! threshold rules; ordered temporal correlations EQL sequences; other correlations ES|QL.

use serde_json::{Value as Json, json};

use super::compiled::Detection;
use super::family::{BuildContext, Family, Output};
use super::json_view::{lend, object};
use super::meta::elastic_threat;
use super::schedule::{Schedule, span};
use crate::model::correlation::{CorrelationType as T, Op};

pub struct KibanaRules;

const ARTIFACT: &str = "elastic/rules.ndjson";

/// (Elastic severity, risk score) of a Sigma level.
fn severity(level: &str) -> (&'static str, u8) {
    match level {
        "critical" => ("critical", 99),
        "high" => ("high", 73),
        "medium" => ("medium", 47),
        _ => ("low", 21),
    }
}

/// The type-specific part of each Kibana rule of a document (several for a multi-query rule), or
/// why the document cannot be a Kibana rule.
fn rule_bodies(d: &Detection<'_, '_>, index: &Json) -> Result<Vec<Json>, String> {
    let Some(c) = d.parsed.correlation() else {
        let lucene = d.queries("lucene");
        if let Ok(qs) = lucene {
            return Ok(qs
                .iter()
                .map(|q| json!({"type": "query", "language": "lucene", "query": q, "index": index}))
                .collect());
        }
        if let Ok(qs) = d.queries("esql") {
            return Ok(qs
                .iter()
                .map(|q| json!({"type": "esql", "language": "esql", "query": q}))
                .collect());
        }
        if let Ok(qs) = d.queries("eql") {
            return Ok(qs
                .iter()
                .map(|q| json!({"type": "eql", "language": "eql", "query": q, "index": index}))
                .collect());
        }
        return Err(lucene.err().unwrap_or("no query").to_string());
    };
    let threshold = c
        .bounds
        .first()
        .filter(|_| c.bounds.len() == 1)
        .and_then(|b| match b.op {
            Op::Gte => Some(b.value.ceil() as u64),
            Op::Gt => Some(b.value.floor() as u64 + 1),
            _ => None,
        });
    let group = &d.elastic_group;
    let one = |target: &str, language: &str, with_index: bool| -> Result<Vec<Json>, String> {
        let q = d.queries(target).map_err(str::to_string)?;
        let mut body = json!({"type": language, "language": language, "query": q[0]});
        if with_index {
            body["index"] = index.clone();
        }
        Ok(vec![body])
    };
    match (c.kind, threshold, &d.base_lucene) {
        (Some(T::EventCount), Some(n), Some(q)) if group.len() <= 5 => Ok(vec![json!({
            "type": "threshold", "language": "lucene", "query": q, "index": index,
            "threshold": {"field": group, "value": n.max(1)},
        })]),
        (Some(T::ValueCount), Some(n), Some(q)) if group.len() <= 5 => Ok(vec![json!({
            "type": "threshold", "language": "lucene", "query": q, "index": index,
            "threshold": {"field": group, "value": 1, "cardinality": [{"field": d.elastic_value, "value": n.max(1)}]},
        })]),
        (Some(T::TemporalOrdered), _, _) => one("eql", "eql", true),
        _ => one("esql", "esql", false),
    }
}

/// The `rule_id` and name of a document's rule `i` of `n`: the document's own id and title for one
/// rule, derived ids and numbered names for each query of a multi-query rule. The site shows them.
pub fn rule_id_and_name(d: &Detection<'_, '_>, i: usize, n: usize) -> (String, String) {
    if n > 1 {
        (
            uuid::Uuid::new_v5(
                &super::meta::ID_NAMESPACE,
                format!("{}#query{}", d.id(), i + 1).as_bytes(),
            )
            .to_string(),
            format!("{} ({}/{n})", d.title(), i + 1),
        )
    } else {
        (d.id().to_string(), d.title().to_string())
    }
}

/// Kibana `alert_suppression.duration` of a window, in the largest whole unit it takes.
fn duration(secs: u64) -> Json {
    let (value, unit) = if secs.is_multiple_of(3600) {
        (secs / 3600, "h")
    } else if secs.is_multiple_of(60) {
        (secs / 60, "m")
    } else {
        (secs, "s")
    };
    json!({"value": value, "unit": unit})
}

impl Family for KibanaRules {
    fn name(&self) -> &'static str {
        "elastic"
    }

    fn render(&self, ctx: &BuildContext<'_, '_, '_>) -> Output {
        let opts = &ctx.options.elastic;
        let interval = opts.common.interval_secs(300);
        let index = json!(opts.index);
        let mut out = Output::default();
        let mut rules = Vec::new();
        for d in ctx.detections {
            let bodies = match rule_bodies(d, &index) {
                Ok(b) => b,
                Err(why) => {
                    out.not_deployable(d, "elastic", &why, opts.common.skip_unsupported);
                    continue;
                }
            };
            let (severity, risk) = severity(d.level());
            let schedule = Schedule::new(interval, d.timespan, opts.common.max_runs_per_window);
            let n = bodies.len();
            let mut names = Vec::new();
            for (i, body) in bodies.into_iter().enumerate() {
                let threshold = body["type"] == "threshold";
                // A threshold rule counts over its whole `from` window: make that window the timespan,
                // and let one alert stand for the group for the rest of the window.
                let lookback = match (threshold, d.timespan) {
                    (true, Some(t)) => t,
                    _ => schedule.lookback,
                };
                let (rule_id, name) = rule_id_and_name(d, i, n);
                let mut rule = json!({
                    "rule_id": rule_id,
                    "name": name,
                    "description": d.meta["description"],
                    "risk_score": risk,
                    "severity": severity,
                    "enabled": opts.enabled,
                    "interval": span(schedule.interval),
                    "from": format!("now-{}", span(lookback)),
                    "to": "now",
                    "max_signals": 100,
                    "version": 1,
                    "author": d.meta["author"].as_str().map(|a| vec![a.to_string()]).unwrap_or_default(),
                    "references": d.meta["references"],
                    "false_positives": d.meta["falsepositives"],
                    "tags": d.meta["tags"],
                    "threat": elastic_threat(&d.meta),
                });
                if let (Some(o), Json::Object(b)) = (rule.as_object_mut(), body) {
                    o.extend(b);
                }
                if let (true, Some(t)) = (threshold, d.timespan) {
                    rule["alert_suppression"] = json!({"duration": duration(t)});
                }
                names.push(name);
                rules.push(object([("elastic", rule)]));
            }
            out.deployed(d, "elastic", ARTIFACT, names);
        }
        out.render(
            ctx.templates,
            ARTIFACT,
            "elastic/rules.ndjson.j2",
            &lend(object([
                ("detections", Json::Array(rules)),
                ("target", json!({"name": "elastic", "options": opts})),
                ("vars", json!(ctx.config.variables)),
            ])),
        );
        out
    }
}
