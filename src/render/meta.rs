//! Rule metadata for artifacts, with correlations inheriting from their base rule.

use serde_json::{Value as Json, json};

use crate::catalog::yaml::Node;
use crate::data::attack::attack;
use crate::diag::emit::display_path;
use crate::model::Parsed;

/// The namespace for ids derived from a document's place (UUID v5), for documents without `id`.
pub const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6d1a_8f3e_1c2b_4d5a_9e8f_7a6b_5c4d_3e2f);

/// ATT&CK Enterprise tactic ids and display names, by short name.
pub const TACTICS: [(&str, &str, &str); 14] = [
    ("reconnaissance", "TA0043", "Reconnaissance"),
    ("resource-development", "TA0042", "Resource Development"),
    ("initial-access", "TA0001", "Initial Access"),
    ("execution", "TA0002", "Execution"),
    ("persistence", "TA0003", "Persistence"),
    ("privilege-escalation", "TA0004", "Privilege Escalation"),
    ("defense-evasion", "TA0005", "Defense Evasion"),
    ("credential-access", "TA0006", "Credential Access"),
    ("discovery", "TA0007", "Discovery"),
    ("lateral-movement", "TA0008", "Lateral Movement"),
    ("collection", "TA0009", "Collection"),
    ("command-and-control", "TA0011", "Command and Control"),
    ("exfiltration", "TA0010", "Exfiltration"),
    ("impact", "TA0040", "Impact"),
];

fn strings(node: Option<&Node>) -> Vec<String> {
    match node {
        Some(n) => match n.as_seq() {
            Some(items) => items
                .iter()
                .filter_map(|i| i.scalar_text().map(str::to_string))
                .collect(),
            None => n.scalar_text().map(|s| vec![s.to_string()]).unwrap_or_default(),
        },
        None => Vec::new(),
    }
}

fn text(p: &Parsed<'_>, key: &str) -> Option<String> {
    p.doc
        .root
        .get(key)
        .and_then(Node::scalar_text)
        .map(|s| s.trim_end().to_string())
}

/// A correlation's type, group-by, timespan and condition as the docs and site pages show them;
/// `None` for a rule.
pub fn correlation_summary(p: &Parsed<'_>) -> Option<Json> {
    let c = p.correlation()?;
    Some(json!({
        "type": c.type_node.and_then(|n| n.scalar_text()),
        "group_by": c.group_by.iter().filter_map(|g| g.scalar_text()).collect::<Vec<_>>(),
        "timespan": c.timespan.and_then(|t| t.scalar_text()),
        "condition": c
            .bounds
            .iter()
            .map(|b| format!("{} {}", b.key.scalar_text().unwrap_or(""), b.node.scalar_text().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(", "),
    }))
}

/// The metadata context of a document; `base` (a correlation's first rule) fills what is missing.
pub fn rule_meta(p: &Parsed<'_>, base: Option<&Parsed<'_>>) -> Json {
    let pick = |key: &str| text(p, key).or_else(|| base.and_then(|b| text(b, key)));
    let pick_list = |key: &str| {
        let own = strings(p.doc.root.get(key));
        if own.is_empty() {
            base.map(|b| strings(b.doc.root.get(key))).unwrap_or_default()
        } else {
            own
        }
    };
    // Derived from the file name, the document's place and its title, not the full path, so a build
    // run from another folder (or another checkout) gives the same id and re-imports replace rules.
    let id = text(p, "id").unwrap_or_else(|| {
        let file = p
            .doc
            .path()
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let title = text(p, "title").unwrap_or_default();
        uuid::Uuid::new_v5(&ID_NAMESPACE, format!("{file}#{}#{title}", p.doc.index).as_bytes()).to_string()
    });
    let tags = pick_list("tags");
    let (tactics, techniques) = attack_of(&tags);
    let mut custom = serde_json::Map::new();
    for key in ["explanation", "splunk", "tenant_logs"] {
        if let Some(v) = text(p, key) {
            custom.insert(key.into(), json!(v));
        }
    }
    for key in ["prevention", "comments"] {
        let v = strings(p.doc.root.get(key));
        if !v.is_empty() {
            custom.insert(key.into(), json!(v));
        }
    }
    json!({
        "title": text(p, "title").unwrap_or_default(),
        "id": id,
        "name": text(p, "name"),
        "description": pick("description").unwrap_or_else(|| text(p, "title").unwrap_or_default()),
        "level": pick("level").unwrap_or_else(|| "medium".into()),
        "status": pick("status").unwrap_or_else(|| "experimental".into()),
        "author": pick("author"),
        "references": pick_list("references"),
        "falsepositives": pick_list("falsepositives"),
        "tags": tags,
        "tactics": tactics,
        "techniques": techniques,
        "path": display_path(p.doc.path()),
        "document": p.doc.index,
        "custom": custom,
    })
}

/// ATT&CK tactic short names and technique ids (upper case) from `attack.*` tags.
fn attack_of(tags: &[String]) -> (Vec<String>, Vec<String>) {
    let mut tactics = Vec::new();
    let mut techniques = Vec::new();
    for t in tags {
        let Some(name) = t.strip_prefix("attack.") else {
            continue;
        };
        let name = name.replace('_', "-");
        if TACTICS.iter().any(|(short, _, _)| *short == name) {
            tactics.push(name);
        } else if name.starts_with('t') && name[1..].starts_with(|c: char| c.is_ascii_digit()) {
            techniques.push(name.to_uppercase());
        }
    }
    (tactics, techniques)
}

/// Elastic `threat`: one entry per tactic, with the tagged techniques of that tactic.
pub fn elastic_threat(meta: &Json) -> Json {
    let table = attack();
    let techniques: Vec<String> = meta["techniques"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    let mut out = Vec::new();
    for tactic in meta["tactics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
    {
        let Some((_, tid, tname)) = TACTICS.iter().find(|(s, _, _)| *s == tactic) else {
            continue;
        };
        let mut parents: Vec<Json> = Vec::new();
        for t in &techniques {
            let lower = t.to_lowercase();
            let parent = lower.split('.').next().unwrap_or(&lower).to_string();
            let Some(info) = table.techniques.get(parent.as_str()) else {
                continue;
            };
            if !info.tactics.contains(&tactic) {
                continue;
            }
            let pid = parent.to_uppercase();
            if !parents.iter().any(|p| p["id"] == pid.as_str()) {
                parents.push(json!({"id": pid, "name": info.name, "reference": format!("https://attack.mitre.org/techniques/{pid}/"), "subtechnique": []}));
            }
            if lower.contains('.')
                && let Some(sub) = table.techniques.get(lower.as_str())
            {
                let entry = parents
                    .iter_mut()
                    .find(|p| p["id"] == pid.as_str())
                    .expect("parent inserted above");
                let path = t.replace('.', "/");
                entry["subtechnique"].as_array_mut().expect("array").push(json!({"id": t, "name": sub.name, "reference": format!("https://attack.mitre.org/techniques/{path}/")}));
            }
        }
        out.push(json!({
            "framework": "MITRE ATT&CK",
            "tactic": {"id": tid, "name": tname, "reference": format!("https://attack.mitre.org/tactics/{tid}/")},
            "technique": parents,
        }));
    }
    Json::Array(out)
}
