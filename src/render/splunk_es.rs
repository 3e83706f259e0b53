//! Splunk Enterprise Security correlation searches: the keys a saved search needs to be one (label,
//! ATT&CK annotations), its notable event (title, description, domain, severity, drill-down) and its
//! risk-based alerting action (risk and threat objects scored from the rule's level). Values here are
//! text; the template escapes each for its `.conf` line. JSON values are built by serde_json.

use serde_json::{Value as Json, json};

use super::compiled::Detection;
use super::escape::token_free;
use super::options::{EnterpriseSecurity, plain_field};

/// What the ES keys are made of: a detection's metadata, and for a correlation its group-by fields.
pub struct Subject<'d> {
    pub title: &'d str,
    pub description: &'d str,
    pub level: &'d str,
    /// The metadata context (`techniques` is read).
    pub meta: &'d Json,
    /// A correlation's group-by fields as its Splunk search names them; `None` for a rule.
    pub group: Option<&'d [String]>,
}

impl<'d> Subject<'d> {
    pub fn of(d: &'d Detection<'_, '_>) -> Subject<'d> {
        Subject {
            title: d.title(),
            description: d.meta["description"].as_str().unwrap_or(d.title()),
            level: d.level(),
            meta: &d.meta,
            group: d.is_correlation().then_some(d.splunk_group.as_slice()),
        }
    }
}

/// The `es` context of one stanza, and what was left out of it and why (for a warning).
pub struct CorrelationSearch {
    pub context: Json,
    pub omitted: Vec<String>,
}

fn lower_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `action.correlationsearch.annotations`: the rule's ATT&CK technique ids under `mitre_attack`.
fn annotations(meta: &Json) -> String {
    let techniques = meta["techniques"].as_array().cloned().unwrap_or_default();
    let mut map = serde_json::Map::new();
    if !techniques.is_empty() {
        map.insert("mitre_attack".into(), Json::Array(techniques));
    }
    Json::Object(map).to_string()
}

/// The risk and threat objects that apply: all configured ones for a rule (its results are events);
/// for a correlation only those among its group-by fields (an aggregating search keeps no others).
fn applicable<'o, T>(items: &'o [T], field: fn(&T) -> &str, group: Option<&[String]>) -> Vec<&'o T> {
    items
        .iter()
        .filter(|o| group.is_none_or(|g| g.iter().any(|f| f == field(o))))
        .collect()
}

/// `action.risk.param._risk` (a JSON array) and `_risk_message`, or why there is no risk action.
fn risk(s: &Subject<'_>, es: &EnterpriseSecurity) -> Result<Option<Json>, String> {
    let group = s.group;
    if es.risk_objects.is_empty() {
        return Ok(None);
    }
    let objects = applicable(&es.risk_objects, |o| &o.field, group);
    if objects.is_empty() {
        return Err(format!(
            "the risk action: none of the risk object fields ({}) is a group-by field of the correlation, the only fields its results are sure to carry",
            es.risk_objects
                .iter()
                .map(|o| o.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let score = es.risk_score.of(s.level);
    let mut entries: Vec<Json> = objects
        .iter()
        .map(|o| json!({"risk_object_field": o.field, "risk_object_type": lower_name(&o.kind), "risk_score": score}))
        .collect();
    entries.extend(
        applicable(&es.threat_objects, |o| &o.field, group)
            .iter()
            .map(|o| json!({"threat_object_field": o.field, "threat_object_type": o.kind})),
    );
    // Field names are plain (checked with the options), so `$field$` is a token ES fills in.
    let tokens: Vec<String> = objects.iter().map(|o| format!("{0}=${0}$", o.field)).collect();
    let message = format!("{} ({})", token_free(s.title), tokens.join(", "));
    Ok(Some(
        json!({"objects": Json::Array(entries).to_string(), "message": message}),
    ))
}

/// The ES part of the stanza deploying `query` of detection `d`.
pub fn correlation_search(s: &Subject<'_>, query: &str, es: &EnterpriseSecurity) -> CorrelationSearch {
    let mut omitted = Vec::new();
    let title = s.title;
    let nes: Vec<&str> = match s.group {
        Some(g) if !g.is_empty() && g.iter().all(|f| plain_field(f)) => g.iter().map(String::as_str).collect(),
        _ => es.nes_fields.iter().map(String::as_str).collect(),
    };
    let drilldown = if !es.drilldown {
        None
    } else if query.contains('$') {
        // ES replaces `$name$` in a drill-down search with the notable's field `name` and knows no
        // escape for a literal `$`: the search would not be the rule's any more.
        omitted.push("the drill-down search: the search contains `$`, which ES would read as a token".to_string());
        None
    } else {
        Some(json!({
            "name": format!("Events of {}", token_free(title)),
            "search": query,
            "earliest_offset": es.drilldown_earliest_offset,
            "latest_offset": es.drilldown_latest_offset,
        }))
    };
    let risk = risk(s, es).unwrap_or_else(|why| {
        omitted.push(why);
        None
    });
    let context = json!({
        "label": title,
        "annotations": annotations(s.meta),
        "rule_title": token_free(title),
        "rule_description": token_free(s.description),
        "security_domain": lower_name(&es.security_domain),
        "severity": lower_name(&es.severity.of(s.level)),
        "nes_fields": (!nes.is_empty()).then(|| nes.join(",")),
        "drilldown": drilldown,
        "risk": risk,
    });
    CorrelationSearch { context, omitted }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::options::{RiskObject, RiskObjectType, ThreatObject};

    fn options() -> EnterpriseSecurity {
        EnterpriseSecurity {
            enabled: true,
            risk_objects: vec![
                RiskObject {
                    field: "user".into(),
                    kind: RiskObjectType::User,
                },
                RiskObject {
                    field: "src".into(),
                    kind: RiskObjectType::System,
                },
            ],
            threat_objects: vec![ThreatObject {
                field: "url".into(),
                kind: "url".into(),
            }],
            nes_fields: vec!["user".into()],
            ..EnterpriseSecurity::default()
        }
    }

    fn subject<'a>(title: &'a str, meta: &'a Json, group: Option<&'a [String]>) -> Subject<'a> {
        Subject {
            title,
            description: "Costs $5 per $user$.",
            level: "high",
            meta,
            group,
        }
    }

    #[test]
    fn a_rule_gets_a_notable_a_drilldown_and_risk_scored_by_level() {
        let meta = json!({"techniques": ["T1110", "T1556.006"]});
        let cs = correlation_search(&subject("Brute force", &meta, None), "index=a user=*", &options());
        assert!(cs.omitted.is_empty());
        let c = &cs.context;
        assert_eq!(c["label"], "Brute force");
        assert_eq!(c["severity"], "high");
        assert_eq!(c["security_domain"], "threat");
        assert_eq!(c["nes_fields"], "user");
        assert_eq!(c["drilldown"]["search"], "index=a user=*");
        assert_eq!(c["drilldown"]["earliest_offset"], "$info_min_time$");
        let annotations: Json = serde_json::from_str(c["annotations"].as_str().unwrap()).unwrap();
        assert_eq!(annotations, json!({"mitre_attack": ["T1110", "T1556.006"]}));
        let risk: Json = serde_json::from_str(c["risk"]["objects"].as_str().unwrap()).unwrap();
        assert_eq!(
            risk,
            json!([
                {"risk_object_field": "user", "risk_object_type": "user", "risk_score": 75},
                {"risk_object_field": "src", "risk_object_type": "system", "risk_score": 75},
                {"threat_object_field": "url", "threat_object_type": "url"},
            ])
        );
        assert_eq!(c["risk"]["message"], "Brute force (user=$user$, src=$src$)");
    }

    #[test]
    fn rule_text_never_becomes_an_es_token() {
        let meta = json!({});
        let cs = correlation_search(&subject("Pay $user$ now", &meta, None), "a=1", &options());
        let c = &cs.context;
        assert_eq!(c["label"], "Pay $user$ now", "the label is not substituted");
        assert_eq!(c["rule_title"], "Pay \u{FF04}user\u{FF04} now");
        assert_eq!(c["rule_description"], "Costs \u{FF04}5 per \u{FF04}user\u{FF04}.");
        assert_eq!(c["drilldown"]["name"], "Events of Pay \u{FF04}user\u{FF04} now");
        assert_eq!(
            c["risk"]["message"],
            "Pay \u{FF04}user\u{FF04} now (user=$user$, src=$src$)"
        );
        assert_eq!(c["annotations"], "{}");
    }

    #[test]
    fn a_search_with_a_dollar_gets_no_drilldown_and_says_so() {
        let meta = json!({});
        let cs = correlation_search(&subject("Admin share", &meta, None), r#"share="*\\ADMIN$""#, &options());
        assert!(cs.context["drilldown"].is_null());
        assert_eq!(cs.omitted.len(), 1);
        assert!(
            cs.omitted[0].contains("drill-down") && cs.omitted[0].contains('$'),
            "{:?}",
            cs.omitted
        );
        let mut off = options();
        off.drilldown = false;
        let cs = correlation_search(&subject("Admin share", &meta, None), "a=1", &off);
        assert!(cs.context["drilldown"].is_null() && cs.omitted.is_empty());
    }

    #[test]
    fn a_correlation_scores_only_its_group_by_fields_and_groups_notables_by_them() {
        let meta = json!({});
        let group = vec!["src".to_string()];
        let cs = correlation_search(
            &subject("Spray", &meta, Some(&group)),
            "| stats count by src",
            &options(),
        );
        let c = &cs.context;
        assert_eq!(c["nes_fields"], "src");
        let risk: Json = serde_json::from_str(c["risk"]["objects"].as_str().unwrap()).unwrap();
        assert_eq!(
            risk,
            json!([{"risk_object_field": "src", "risk_object_type": "system", "risk_score": 75}])
        );
        assert_eq!(c["risk"]["message"], "Spray (src=$src$)");

        let group = vec!["session".to_string()];
        let cs = correlation_search(
            &subject("Spray", &meta, Some(&group)),
            "| stats count by session",
            &options(),
        );
        assert!(cs.context["risk"].is_null());
        assert!(
            cs.omitted[0].contains("risk action") && cs.omitted[0].contains("user, src"),
            "{:?}",
            cs.omitted
        );
    }

    #[test]
    fn without_risk_objects_there_is_no_risk_action_and_no_warning() {
        let meta = json!({});
        let es = EnterpriseSecurity {
            enabled: true,
            ..EnterpriseSecurity::default()
        };
        let cs = correlation_search(&subject("X", &meta, None), "a=1", &es);
        assert!(cs.context["risk"].is_null() && cs.omitted.is_empty());
        assert!(cs.context["nes_fields"].is_null());
    }
}
