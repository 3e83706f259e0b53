//! Q51x: tags: format, namespaces, ATT&CK tactics and techniques, TLP.

use crate::codes;
use foldhash::{HashSet, HashSetExt};

use super::{DiagExt, Sink};
use crate::catalog::yaml::Node;
use crate::data::attack::{DEFENSE_EVASION_SUCCESSORS, VERSION, attack};
use crate::diag::closest;

const NAMESPACES: [&str; 7] = ["attack", "car", "cve", "d3fend", "detection", "stp", "tlp"];
const TLP: [&str; 6] = ["clear", "white", "green", "amber", "amber-strict", "red"];

pub fn check(sink: &mut Sink<'_, '_>) {
    let tags: Vec<&Node> = sink.doc.meta.tags.clone();
    let texts: Vec<&str> = tags.iter().filter_map(|t| t.scalar_text()).collect();
    let tactics_tagged: HashSet<String> = texts
        .iter()
        .filter_map(|t| t.strip_prefix("attack."))
        .map(|t| t.replace('_', "-"))
        .collect();
    let mut seen = HashSet::new();
    for &node in &tags {
        let Some(tag) = node.scalar_text() else {
            continue;
        };
        if !seen.insert(tag) {
            sink.at_node(&codes::DUPLICATE_TAG, node, format!("`{tag}` is listed twice"));
            continue;
        }
        if !valid_format(tag) {
            let canonical = super::fixes::canonical_tag(tag);
            let fix = valid_format(&canonical)
                .then(|| super::fixes::retag(sink.doc.doc, &tags, node, &canonical))
                .flatten();
            sink.at_node(&codes::TAG_FORMAT, node, format!("`{tag}` is not a well-formed tag"))
                .with_help(format!("write `{canonical}`"))
                .with_fix(fix);
            continue;
        }
        let (ns, name) = tag.split_once('.').unwrap_or((tag, ""));
        match ns {
            "attack" => check_attack(sink, node, name, &tactics_tagged),
            "car" | "cve" | "detection" | "stp" if !namespace_name_ok(ns, name) => {
                sink.at_node(
                    &codes::NAMESPACE_TAG_FORMAT,
                    node,
                    format!("`{tag}` is not a valid `{ns}` tag"),
                )
                .with_help(namespace_form(ns));
            }
            "tlp" if !TLP.contains(&name) => {
                sink.at_node(&codes::INVALID_TLP, node, format!("`{name}` is not a TLP label"))
                    .with_help("use tlp.clear, tlp.green, tlp.amber, tlp.amber-strict or tlp.red");
            }
            _ if !NAMESPACES.contains(&ns) => {
                let help = match closest(ns, NAMESPACES.into_iter()) {
                    Some(near) => format!("did you mean `{near}.{name}`?"),
                    None => "namespaces: attack, car, cve, d3fend, detection, stp, tlp".into(),
                };
                sink.at_node(
                    &codes::UNKNOWN_NAMESPACE,
                    node,
                    format!("`{ns}` is not a Sigma tag namespace"),
                )
                .with_help(help);
            }
            _ => {}
        }
    }
}

fn valid_format(tag: &str) -> bool {
    let Some((ns, name)) = tag.split_once('.') else {
        return false;
    };
    !ns.is_empty()
        && !name.is_empty()
        && ns
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'))
}

fn check_attack(sink: &mut Sink<'_, '_>, node: &Node, name: &str, tactics_tagged: &HashSet<String>) {
    let table = attack();
    let is_id = |p: char| name.starts_with(p) && name[1..].chars().next().is_some_and(|c| c.is_ascii_digit());
    if is_id('t') {
        let Some(t) = table.techniques.get(name) else {
            // Ids above the table's highest are newer (Q516, once per catalog: `lint::newer_attack`).
            if !table.is_newer_technique(name) {
                sink.at_node(
                    &codes::UNKNOWN_ATTACK,
                    node,
                    format!("`{name}` is not an ATT&CK Enterprise {VERSION} technique"),
                )
                .with_help("check the id on attack.mitre.org");
            }
            return;
        };
        if t.revoked || t.deprecated {
            let what = if t.revoked { "revoked" } else { "deprecated" };
            sink.at_node(
                &codes::DEPRECATED_TECHNIQUE,
                node,
                format!("`{name}` ({}) is {what} in ATT&CK {VERSION}", t.name),
            )
            .with_help("tag the technique that replaced it");
        }
        let tactics = table.tactics_of(t);
        if !t.tactics.is_empty() && !tactics.iter().any(|tac| tactics_tagged.contains(*tac)) {
            let list = tactics
                .iter()
                .map(|t| format!("attack.{t}"))
                .collect::<Vec<_>>()
                .join(", ");
            sink.at_node(
                &codes::TECHNIQUE_WITHOUT_TACTIC,
                node,
                format!("`{name}` ({}) has no tactic tag", t.name),
            )
            .with_help(format!("add one of: {list}"));
        }
        return;
    }
    // Groups, software, data sources, mitigations, assets: well-formed ids are accepted.
    if ["g", "s", "ds", "m", "a"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
    }) {
        return;
    }
    if table.is_tactic(name) {
        return;
    }
    let hyphenated = name.replace('_', "-");
    let fix = table
        .is_tactic(&hyphenated)
        .then(|| super::fixes::retag(sink.doc.doc, &sink.doc.meta.tags, node, &format!("attack.{hyphenated}")))
        .flatten();
    let d = sink.at_node(
        &codes::UNKNOWN_ATTACK,
        node,
        format!("`attack.{name}` is no ATT&CK tactic or technique"),
    );
    let tactics = table.tactics.iter().copied().chain(DEFENSE_EVASION_SUCCESSORS);
    if table.is_tactic(&hyphenated) {
        d.with_help(format!("Sigma 2 tactic names use hyphens: `attack.{hyphenated}`"))
            .with_fix(fix);
    } else if let Some(near) = closest(&hyphenated, tactics) {
        d.with_help(format!("did you mean `attack.{near}`?"));
    } else {
        d.with_help(format!("tactics are: {}", table.tactics.join(", ")));
    }
}

fn namespace_name_ok(ns: &str, name: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    match ns {
        "car" => {
            let p: Vec<&str> = name.split('-').collect();
            p.len() == 3 && digits(p[0], 4) && digits(p[1], 2) && digits(p[2], 3)
        }
        "cve" => name
            .split_once('-')
            .is_some_and(|(y, n)| digits(y, 4) && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())),
        "detection" => ["dfir", "emerging-threats", "threat-hunting"].contains(&name),
        "stp" => {
            let mut c = name.chars();
            matches!(c.next(), Some('1'..='5'))
                && matches!(c.next(), None | Some('a' | 'u' | 'k'))
                && c.next().is_none()
        }
        _ => true,
    }
}

fn namespace_form(ns: &str) -> &'static str {
    match ns {
        "car" => "CAR tags look like `car.2016-04-005`",
        "cve" => "CVE tags look like `cve.2021-44228`",
        "detection" => "detection tags are dfir, emerging-threats and threat-hunting",
        _ => "STP tags are `stp.1` to `stp.5`, optionally followed by a, u or k",
    }
}
