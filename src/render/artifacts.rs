//! Building every artifact of the catalog: Splunk app, Kibana rule NDJSON, Sumo Logic scheduled
//! searches, Markdown pages, ATT&CK Navigator layer. Returns file contents by relative path, so the
//! same code writes `dist/`, checks it (`build --check`) and diffs revisions (`detc diff`).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value as Json, json};

use super::meta::{elastic_threat, rule_meta};
use super::schedule::{parse, schedule};
use super::templates::Templates;
use crate::backend::{Conversion, TargetId, convert_catalog_with};
use crate::catalog::{Catalog, DocKind};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::eval::spec::{Expect, parse_tests};
use crate::ir::Lowering;
use crate::lint::references::Resolution;
use crate::model::{Body, Parsed};

pub struct Artifacts {
    pub files: BTreeMap<PathBuf, String>,
    pub diagnostics: Vec<Diagnostic>,
}

type Key = (Arc<std::path::Path>, usize);

/// Each target's queries for one document, or why it has none.
type TargetQueries = Vec<(TargetId, Result<Vec<String>, String>)>;

/// Options of one target from detc.yaml, with defaults.
fn options(config: &Config, target: &str, defaults: Json) -> Json {
    let mut out = defaults;
    if let Some(obj) = config.targets.get(target).and_then(Json::as_object) {
        for (k, v) in obj {
            out[k] = v.clone();
        }
    }
    out
}

pub fn build(catalog: &Catalog, config: &Config, templates: &Templates) -> Artifacts {
    let mut diagnostics = Vec::new();
    let parsed: Vec<Parsed<'_>> = catalog.documents.iter().map(Parsed::parse).collect();
    let lowering = Lowering::new(&parsed, &config.variables);
    let suppressed = lowering.suppressed_rules();
    let mut pipelines: BTreeMap<&str, Option<crate::pipeline::Pipeline>> = BTreeMap::new();
    for kind in ["splunk", "elastic", "sumo"] {
        match target_pipeline(config, kind) {
            Ok(p) => {
                pipelines.insert(kind, p);
            }
            Err(mut d) => diagnostics.append(&mut d),
        }
    }
    let pipeline_of = |kind: &str| pipelines.get(kind).and_then(Option::as_ref);
    let elastic_lowering = Lowering::new(&parsed, &config.variables).with_pipeline(pipeline_of("elastic"));
    let mut queries: HashMap<Key, TargetQueries> = HashMap::new();
    for target in TargetId::ALL {
        let kind = match target {
            TargetId::Splunk => "splunk",
            TargetId::Sumo => "sumo",
            _ => "elastic",
        };
        for c in convert_catalog_with(catalog, target, &config.variables, pipeline_of(kind)) {
            let key = (c.doc.path().clone(), c.doc.index);
            queries.entry(key).or_default().push((target, outcome(&c)));
        }
    }
    let splunk_opts = options(
        config,
        "splunk",
        json!({"app": "detc_detections", "label": "detc detections", "author": "detc", "version": "1.0.0", "disabled": 1, "interval": "15m", "search_prefix": "", "use_custom_queries": false}),
    );
    let elastic_opts = options(
        config,
        "elastic",
        json!({"index": ["logs-*"], "interval": "5m", "enabled": false}),
    );
    let sumo_opts = options(
        config,
        "sumo",
        json!({"source_category": "", "interval": "15m", "folder": "detc detections", "email": []}),
    );
    let mut detections = Vec::new();
    for p in &parsed {
        if p.doc.kind == DocKind::Filter || suppressed.contains(&(p.doc.path().clone(), p.doc.index)) {
            continue;
        }
        let base = base_rule(&lowering, p);
        let meta = rule_meta(p, base);
        let timespan = p.correlation().and_then(|c| c.timespan_secs);
        let key = (p.doc.path().clone(), p.doc.index);
        let mut q: BTreeMap<&str, Json> = BTreeMap::new();
        for (t, r) in queries.remove(&key).unwrap_or_default() {
            q.insert(
                t.name(),
                match r {
                    Ok(list) => json!({"ok": true, "queries": list}),
                    Err(why) => json!({"ok": false, "why": why}),
                },
            );
        }
        // Threshold rules search the base rule's events: its Lucene query, unsuppressed.
        let base_query = base
            .and_then(|b| elastic_lowering.rule_exprs(b).ok())
            .and_then(|exprs| {
                (exprs.len() == 1)
                    .then(|| crate::backend::convert::render_query(TargetId::Lucene, &exprs[0]).ok())
                    .flatten()
            });
        if let Some(bq) = base_query {
            q.insert("lucene_base", json!(bq));
        }
        let tests: Vec<Json> = p.doc.root.get("tests").map(parse_tests).unwrap_or_default().into_iter().flatten().map(|t| {
            json!({"name": t.name, "expect": match t.expect { Expect::Match => "match".into(), Expect::NoMatch => "no match".into(), Expect::Alerts(n) => format!("{n} alert(s)") }})
        }).collect();
        let (elastic_group, elastic_value) = match p.correlation() {
            Some(c) => match elastic_lowering.correlation(p, c) {
                Ok(spec) => {
                    let group = spec
                        .inputs
                        .first()
                        .map(|i| i.group_fields.iter().map(|f| f.replace("{}", "")).collect())
                        .unwrap_or_default();
                    let plan = base
                        .zip(pipeline_of("elastic"))
                        .map(|(b, pl)| crate::pipeline::RulePlan::new(pl, b));
                    let value = spec
                        .field
                        .as_ref()
                        .map(|f| plan.as_ref().map_or(f.clone(), |pl| pl.map_field(f)).replace("{}", ""));
                    (group, value)
                }
                Err(_) => (Vec::new(), None),
            },
            None => (Vec::new(), None),
        };
        detections.push(Detection {
            parsed: p,
            elastic_group,
            elastic_value,
            meta,
            timespan,
            queries: q,
            tests,
        });
    }
    let mut files = BTreeMap::new();
    let mut render = |path: String, template: &str, ctx: Json, files: &mut BTreeMap<PathBuf, String>| match templates
        .render(template, &ctx)
    {
        Ok(text) => {
            files.insert(PathBuf::from(path), text);
        }
        Err(d) => diagnostics.push(d),
    };
    // Splunk app.
    let app = splunk_opts["app"].as_str().unwrap_or("detc_detections").to_string();
    let splunk_items: Vec<Json> = detections
        .iter()
        .filter_map(|d| d.splunk(&splunk_opts, config))
        .collect();
    let splunk_ctx = json!({"detections": dedupe_names(splunk_items), "target": {"name": "splunk", "options": splunk_opts}, "vars": config.variables});
    render(
        format!("splunk/{app}/default/app.conf"),
        "splunk/app.conf.j2",
        splunk_ctx.clone(),
        &mut files,
    );
    render(
        format!("splunk/{app}/default/savedsearches.conf"),
        "splunk/savedsearches.conf.j2",
        splunk_ctx.clone(),
        &mut files,
    );
    render(
        format!("splunk/{app}/metadata/default.meta"),
        "splunk/default.meta.j2",
        splunk_ctx,
        &mut files,
    );
    // Elastic.
    let elastic: Vec<Json> = detections
        .iter()
        .filter_map(|d| d.elastic(&elastic_opts))
        .map(|e| json!({"elastic": e}))
        .collect();
    render(
        "elastic/rules.ndjson".into(),
        "elastic/rules.ndjson.j2",
        json!({"detections": elastic, "target": {"name": "elastic", "options": elastic_opts}, "vars": config.variables}),
        &mut files,
    );
    // Sumo Logic.
    let searches: Vec<Json> = unique_sumo_names(detections.iter().filter_map(|d| d.sumo(&sumo_opts)).collect());
    render(
        "sumo/searches.json".into(),
        "sumo/searches.json.j2",
        json!({"searches": searches, "target": {"name": "sumo", "options": sumo_opts}, "vars": config.variables}),
        &mut files,
    );
    // Docs.
    let mut index = Vec::new();
    for d in &detections {
        let page = format!(
            "rules/{}.md",
            slug(
                d.meta["title"].as_str().unwrap_or("rule"),
                d.meta["id"].as_str().unwrap_or("")
            )
        );
        let ctx = json!({"d": d.doc_context(&page), "vars": config.variables});
        render(format!("docs/{page}"), "docs/rule.md.j2", ctx, &mut files);
        index.push(d.doc_context(&page));
    }
    render(
        "docs/index.md".into(),
        "docs/index.md.j2",
        json!({"detections": index, "vars": config.variables}),
        &mut files,
    );
    // Navigator layer (plain JSON: its format leaves nothing to customise).
    files.insert(PathBuf::from("navigator/layer.json"), navigator(&detections));
    diagnostics.extend(
        detections
            .iter()
            .flat_map(|d| d.custom_query_errors(&splunk_opts, config)),
    );
    Artifacts { files, diagnostics }
}

/// The pipelines a target's options name (`targets.<kind>.pipelines`), merged by priority.
fn target_pipeline(config: &Config, kind: &str) -> Result<Option<crate::pipeline::Pipeline>, Vec<Diagnostic>> {
    let names: Vec<String> = config
        .targets
        .get(kind)
        .and_then(|t| t.get("pipelines"))
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if names.is_empty() {
        return Ok(None);
    }
    let base = config
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut loaded = Vec::new();
    for n in names {
        // A file named in detc.yaml is relative to it; built-in names are used as they are.
        let is_builtin = crate::pipeline::BUILTIN.iter().any(|b| b.0 == n);
        let spec = if is_builtin {
            n
        } else {
            base.join(n).to_string_lossy().into_owned()
        };
        loaded.push(crate::pipeline::resolve(&spec)?);
    }
    Ok(Some(crate::pipeline::Pipeline::merge(loaded)))
}

fn outcome(c: &Conversion<'_>) -> Result<Vec<String>, String> {
    if c.queries.is_empty() {
        Err(c
            .diagnostics
            .iter()
            .find(|d| d.severity == crate::diag::Severity::Error)
            .map_or("no query".into(), |d| d.message.clone()))
    } else {
        Ok(c.queries.clone())
    }
}

/// A correlation's first referenced rule, which lends it missing metadata.
fn base_rule<'p, 'a>(lowering: &Lowering<'p, 'a>, p: &Parsed<'a>) -> Option<&'p Parsed<'a>> {
    let Body::Correlation(c) = &p.body else { return None };
    let first = c.rules.first()?.scalar_text()?;
    match lowering.index.resolve(first, p.doc.path()) {
        Resolution::Found(b) => Some(b),
        _ => None,
    }
}

struct Detection<'p, 'a> {
    parsed: &'p Parsed<'a>,
    /// For correlations: group-by and value fields as the Elastic pipeline names them.
    elastic_group: Vec<String>,
    elastic_value: Option<String>,
    meta: Json,
    timespan: Option<u64>,
    queries: BTreeMap<&'static str, Json>,
    tests: Vec<Json>,
}

fn level_rank(level: &str) -> (u8, &'static str, u8) {
    // (Splunk alert.severity 1–5, Elastic severity, Elastic risk score)
    match level {
        "critical" => (5, "critical", 99),
        "high" => (4, "high", 73),
        "medium" => (3, "medium", 47),
        "low" => (2, "low", 21),
        _ => (1, "low", 21),
    }
}

impl Detection<'_, '_> {
    fn first_query(&self, target: &str) -> Option<String> {
        self.queries
            .get(target)
            .and_then(|q| q["queries"].get(0))
            .and_then(Json::as_str)
            .map(str::to_string)
    }

    fn interval(&self, opts: &Json) -> u64 {
        opts["interval"].as_str().and_then(parse).unwrap_or(900)
    }

    fn kind(&self) -> &'static str {
        if self.parsed.doc.kind == DocKind::Correlation {
            "correlation"
        } else {
            "rule"
        }
    }

    /// The rule's hand-written SPL with `{name}` tokens filled, when the target uses custom queries.
    fn custom_splunk(&self, opts: &Json, config: &Config) -> Option<Result<String, String>> {
        if opts["use_custom_queries"] != json!(true) {
            return None;
        }
        let text = self.meta["custom"]["splunk"].as_str()?;
        Some(fill_tokens(text, &config.variables))
    }

    fn custom_query_errors(&self, opts: &Json, config: &Config) -> Vec<Diagnostic> {
        match self.custom_splunk(opts, config) {
            Some(Err(name)) => {
                let node = self.parsed.doc.root.get("splunk");
                vec![
                    Diagnostic::new(
                        &MISSING_VARIABLE,
                        self.parsed.doc.path(),
                        node.map(|n| n.span),
                        format!("token `{{{name}}}` in the `splunk` query has no value"),
                    )
                    .help(format!("set `variables: {{{name}: …}}` in detc.yaml")),
                ]
            }
            _ => Vec::new(),
        }
    }

    fn splunk(&self, opts: &Json, config: &Config) -> Option<Json> {
        let query = match self.custom_splunk(opts, config) {
            Some(Ok(q)) => q,
            Some(Err(_)) => return None,
            None => {
                let q = self.first_query("splunk")?;
                let prefix = opts["search_prefix"].as_str().unwrap_or("");
                if prefix.is_empty() || q.starts_with('|') {
                    q
                } else {
                    format!("{prefix} {q}")
                }
            }
        };
        let level = self.meta["level"].as_str().unwrap_or("medium");
        Some(json!({
            "name": self.meta["title"].as_str().unwrap_or("").replace(['[', ']'], ""),
            "query": query,
            "rule": self.meta,
            "schedule": schedule(self.interval(opts), self.timespan),
            "splunk_severity": level_rank(level).0,
        }))
    }

    fn elastic(&self, opts: &Json) -> Option<Json> {
        let level = self.meta["level"].as_str().unwrap_or("medium");
        let (_, severity, risk) = level_rank(level);
        let sched = schedule(self.interval(opts), self.timespan);
        let mut rule = json!({
            "rule_id": self.meta["id"],
            "name": self.meta["title"],
            "description": self.meta["description"],
            "risk_score": risk,
            "severity": severity,
            "enabled": opts["enabled"],
            "interval": sched["interval"],
            "from": format!("now-{}", sched["lookback"].as_str().unwrap_or("5m")),
            "to": "now",
            "max_signals": 100,
            "version": 1,
            "author": self.meta["author"].as_str().map(|a| vec![a.to_string()]).unwrap_or_default(),
            "references": self.meta["references"],
            "false_positives": self.meta["falsepositives"],
            "tags": self.meta["tags"],
            "threat": elastic_threat(&self.meta),
        });
        let index = opts["index"].clone();
        let c = self.parsed.correlation();
        match c.and_then(|c| c.kind) {
            None => {
                if let Some(q) = self.first_query("lucene") {
                    merge(
                        &mut rule,
                        json!({"type": "query", "language": "lucene", "query": q, "index": index}),
                    );
                } else if let Some(q) = self.first_query("esql") {
                    merge(&mut rule, json!({"type": "esql", "language": "esql", "query": q}));
                } else if let Some(q) = self.first_query("eql") {
                    merge(
                        &mut rule,
                        json!({"type": "eql", "language": "eql", "query": q, "index": index}),
                    );
                } else {
                    return None;
                }
            }
            Some(kind) => {
                use crate::model::correlation::{CorrelationType as T, Op};
                let c = c.expect("kind implies a correlation");
                let threshold = c
                    .bounds
                    .first()
                    .filter(|_| c.bounds.len() == 1)
                    .and_then(|b| match b.op {
                        Op::Gte => Some(b.value.ceil() as u64),
                        Op::Gt => Some(b.value.floor() as u64 + 1),
                        _ => None,
                    });
                let group = self.elastic_group.clone();
                let base_lucene = self.base_lucene();
                match (kind, threshold, base_lucene) {
                    (T::EventCount, Some(n), Some(q)) if group.len() <= 5 => merge(
                        &mut rule,
                        json!({"type": "threshold", "language": "lucene", "query": q, "index": index, "threshold": {"field": group, "value": n.max(1)}}),
                    ),
                    (T::ValueCount, Some(n), Some(q)) if group.len() <= 5 => {
                        let field = self.elastic_value.clone();
                        merge(
                            &mut rule,
                            json!({"type": "threshold", "language": "lucene", "query": q, "index": index, "threshold": {"field": group, "value": 1, "cardinality": [{"field": field, "value": n.max(1)}]}}),
                        );
                    }
                    (T::TemporalOrdered, _, _) => merge(
                        &mut rule,
                        json!({"type": "eql", "language": "eql", "query": self.first_query("eql")?, "index": index}),
                    ),
                    _ => merge(
                        &mut rule,
                        json!({"type": "esql", "language": "esql", "query": self.first_query("esql")?}),
                    ),
                }
            }
        }
        Some(rule)
    }

    /// For threshold rules: the Lucene query of the correlation's base rule.
    fn base_lucene(&self) -> Option<String> {
        self.queries
            .get("lucene_base")
            .and_then(|q| q.as_str())
            .map(str::to_string)
    }

    fn sumo(&self, opts: &Json) -> Option<(Json, String)> {
        let mut query = self.first_query("sumo")?;
        if let Some(cat) = opts["source_category"].as_str().filter(|c| !c.is_empty())
            && let Some(rest) = query.strip_prefix('*')
        {
            query = format!("_sourceCategory={cat}{rest}");
        }
        let sched = schedule(self.interval(opts), self.timespan);
        let range = format!("-{}", sched["lookback"].as_str().unwrap_or("15m"));
        let id = self.meta["id"].as_str().unwrap_or("").to_string();
        Some((
            json!({
                "type": "SavedSearchWithScheduleSyncDefinition",
                "name": self.meta["title"],
                "description": self.meta["description"],
                "search": {"queryText": query, "defaultTimeRange": range, "byReceiptTime": false, "viewName": "", "viewStartTime": "1970-01-01T00:00:00Z", "queryParameters": [], "parsingMode": "AutoParse"},
                "searchSchedule": {
                    "cronExpression": sched["quartz"],
                    "displayableTimeRange": range,
                    "parseableTimeRange": {"type": "BeginBoundedTimeRange", "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": range}, "to": null},
                    "timeZone": "Etc/UTC",
                    "threshold": {"operator": "gt", "count": 0},
                    "notification": {"taskType": "EmailSearchNotificationSyncDefinition", "toList": opts["email"], "subjectTemplate": "detc: {{Name}}", "includeQuery": true, "includeResultSet": true, "includeHistogram": false, "includeCsvAttachment": false},
                    "scheduleType": "Custom",
                    "muteErrorEmails": false,
                    "parameters": []
                }
            }),
            id,
        ))
    }

    fn doc_context(&self, page: &str) -> Json {
        let queries: Vec<Json> = self
            .queries
            .iter()
            .filter(|(t, _)| !t.contains('_'))
            .map(|(t, q)| {
                let text = if q["ok"] == json!(true) {
                    q["queries"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Json::as_str)
                        .collect::<Vec<_>>()
                        .join("\n\n")
                } else {
                    format!("not available: {}", q["why"].as_str().unwrap_or(""))
                };
                json!({"target": t, "query": text})
            })
            .collect();
        let correlation = self.parsed.correlation().map(|c| json!({
            "type": c.type_node.and_then(|n| n.scalar_text()),
            "group_by": c.group_by.iter().filter_map(|g| g.scalar_text()).collect::<Vec<_>>(),
            "timespan": c.timespan.and_then(|t| t.scalar_text()),
            "condition": c.bounds.iter().map(|b| format!("{} {}", b.key.scalar_text().unwrap_or(""), b.node.scalar_text().unwrap_or(""))).collect::<Vec<_>>().join(", "),
        }));
        json!({"rule": self.meta, "kind": self.kind(), "queries": queries, "tests": self.tests, "correlation": correlation, "page": page})
    }
}

fn merge(into: &mut Json, from: Json) {
    if let (Some(a), Json::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

/// Stanza names must be unique: a repeated title gets its id appended.
fn dedupe_names(mut items: Vec<Json>) -> Vec<Json> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in &items {
        *seen.entry(i["name"].as_str().unwrap_or("").to_string()).or_default() += 1;
    }
    for i in &mut items {
        let name = i["name"].as_str().unwrap_or("").to_string();
        if seen[&name] > 1 {
            i["name"] = json!(format!("{name} ({})", i["rule"]["id"].as_str().unwrap_or("")));
        }
    }
    items
}

/// Sumo Logic folder entries need distinct names: a repeated title gets the rule id appended.
fn unique_sumo_names(searches: Vec<(Json, String)>) -> Vec<Json> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for (s, _) in &searches {
        *count.entry(s["name"].as_str().unwrap_or("").to_string()).or_default() += 1;
    }
    searches
        .into_iter()
        .map(|(mut s, id)| {
            let name = s["name"].as_str().unwrap_or("").to_string();
            if count[&name] > 1 {
                s["name"] = json!(format!("{name} ({id})"));
            }
            s
        })
        .collect()
}

/// File name for a detection page: the title in lowercase words, then the id's first block.
fn slug(title: &str, id: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!("{}-{}", words.join("-"), id.split('-').next().unwrap_or(""))
}

/// `{name}` tokens filled from variables; the first missing token's name on failure.
pub fn fill_tokens(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let re = regex::Regex::new(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}").expect("valid regex");
    if let Some(missing) = re
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .find(|n| !vars.contains_key(n))
    {
        return Err(missing);
    }
    Ok(re
        .replace_all(text, |c: &regex::Captures<'_>| vars[&c[1]].clone())
        .into_owned())
}

pub static MISSING_VARIABLE: crate::diag::Code = crate::diag::Code {
    code: "P602",
    name: "missing-variable",
    severity: crate::diag::Severity::Error,
    summary: "an artifact needs a `{name}` token that has no value",
    doc: "A target that deploys the hand-written `splunk` query (`use_custom_queries: true`) fills its \
          `{name}` tokens from detc.yaml `variables`. A token without a value would ship literally, so the \
          build fails and names the token and the rule.",
    bad: "",
    good: "",
};

/// ATT&CK Navigator layer (format 4.5): each technique scored by the number of detections.
fn navigator(detections: &[Detection<'_, '_>]) -> String {
    let mut counts: BTreeMap<(String, String), (u32, Vec<String>)> = BTreeMap::new();
    for d in detections {
        let techniques = d.meta["techniques"].as_array().cloned().unwrap_or_default();
        let tactics = d.meta["tactics"].as_array().cloned().unwrap_or_default();
        for t in techniques.iter().filter_map(Json::as_str) {
            for tac in tactics.iter().filter_map(Json::as_str) {
                let e = counts.entry((t.to_string(), tac.to_string())).or_default();
                e.0 += 1;
                e.1.push(d.meta["title"].as_str().unwrap_or("").to_string());
            }
        }
    }
    let max = counts.values().map(|c| c.0).max().unwrap_or(1);
    let techniques: Vec<Json> = counts
        .into_iter()
        .map(|((t, tac), (n, titles))| json!({"techniqueID": t, "tactic": tac, "score": n, "comment": titles.join("; "), "enabled": true, "showSubtechniques": true}))
        .collect();
    let layer = json!({
        "name": "detc detections",
        "versions": {"attack": "18", "navigator": "5.1.0", "layer": "4.5"},
        "domain": "enterprise-attack",
        "description": "Techniques covered by the detection catalog, scored by number of detections.",
        "techniques": techniques,
        "gradient": {"colors": ["#ffffff", "#66b1ff"], "minValue": 0, "maxValue": max},
        "hideDisabled": false,
        "selectTechniquesAcrossTactics": false,
    });
    serde_json::to_string_pretty(&layer).expect("serialises") + "\n"
}
