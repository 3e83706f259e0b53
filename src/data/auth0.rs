//! The Auth0 log field taxonomy (from `data/auth0-fields.tsv`) and event type codes.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::diag::{closest, edit_distance};

const FIELDS: &str = include_str!("../../data/auth0-fields.tsv");
const TYPES: &str = include_str!("../../data/auth0-event-types.tsv");

#[derive(Debug, Default)]
pub struct Auth0 {
    /// Every known path (array items written `path{}`), with whether anything below it is allowed.
    paths: HashMap<&'static str, bool>,
    pub event_types: HashSet<&'static str>,
    type_descriptions: HashMap<&'static str, &'static str>,
}

pub fn auth0() -> &'static Auth0 {
    static A: OnceLock<Auth0> = OnceLock::new();
    A.get_or_init(|| {
        let mut a = Auth0::default();
        for line in FIELDS.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t');
            let (Some(path), Some(kind)) = (cols.next(), cols.next()) else {
                continue;
            };
            let open = matches!(kind, "open" | "array-open");
            let e = a.paths.entry(path).or_insert(false);
            *e |= open;
        }
        for line in TYPES.lines().filter(|l| !l.starts_with('#')) {
            let (code, description) = line.split_once('\t').unwrap_or((line, ""));
            a.event_types.insert(code);
            a.type_descriptions.insert(code, description);
        }
        a
    })
}

impl Auth0 {
    /// Whether a Sigma field name is a path some Auth0 event has. `{}` marks array elements as in
    /// Splunk; a path may also skip the `{}` (Elastic flattens arrays), and any path below an open
    /// object is accepted.
    pub fn knows(&self, field: &str) -> bool {
        let canonical = field.replace("{}", "");
        if self.lookup(field) || self.lookup(&canonical) {
            return true;
        }
        false
    }

    fn lookup(&self, field: &str) -> bool {
        if self.paths.contains_key(field) || self.paths.contains_key(format!("{field}{{}}").as_str()) {
            return true;
        }
        // Walk up: an open ancestor accepts anything below it.
        let mut end = field.len();
        while let Some(dot) = field[..end].rfind('.') {
            end = dot;
            let parent = &field[..end];
            if self.paths.get(parent) == Some(&true) || self.paths.get(format!("{parent}{{}}").as_str()) == Some(&true)
            {
                return true;
            }
        }
        false
    }

    /// A known path to suggest for an unknown one: the nearest by edit distance (`data.client_nmae` →
    /// `data.client_name`), else the shortest path with the same last segment (`data.ipaddress.ip` →
    /// `data.ip`), else the path with the `details` level that Management API events nest their
    /// request under (`data.request.body.allowlist` → `data.details.request.body.allowlist`).
    pub fn closest(&self, field: &str) -> Option<String> {
        let plain = field.replace("{}", "");
        if let Some(near) = closest(&plain, self.paths.keys().copied().filter(|p| !p.contains("{}"))) {
            return Some(near.to_string());
        }
        let last = plain.rsplit('.').next().unwrap_or(&plain);
        let mut candidates: Vec<&'static str> = self
            .paths
            .keys()
            .copied()
            .filter(|p| p.replace("{}", "").rsplit('.').next() == Some(last))
            .collect();
        candidates.sort_by_key(|p| (p.len(), *p));
        if let Some(c) = candidates.first() {
            return Some(c.to_string());
        }
        let rest = field.strip_prefix("data.")?;
        let nested = format!("data.details.{rest}");
        (!rest.starts_with("details.") && self.knows(&nested)).then_some(nested)
    }

    /// The event type code nearest to an unknown one, with its description. Codes are short (`s`,
    /// `f`, `sapi`), so only one edit is a typo, two for codes of six letters or more.
    pub fn closest_type(&self, code: &str) -> Option<(&'static str, &'static str)> {
        let limit = if code.len() >= 6 { 2 } else { 1 };
        let near = closest(code, self.event_types.iter().copied())
            .filter(|c| edit_distance(code, c) <= limit)
            .or_else(|| {
                let lower = code.to_lowercase();
                self.event_types.get(lower.as_str()).copied().filter(|c| *c != code)
            })?;
        Some((near, self.type_descriptions.get(near).copied().unwrap_or("")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_from_the_auth0_schemas() {
        let a = auth0();
        assert!(a.knows("data.type"));
        assert!(a.knows("data.details.request.auth.credentials.scopes{}"));
        assert!(a.knows("data.details.request.body.allowlist"));
        assert!(!a.knows("data.request.body.allowlist"));
        assert!(a.event_types.contains("sapi"));
        assert_eq!(a.closest("data.ipaddress.ip").as_deref(), Some("data.ip"));
        assert_eq!(a.closest("data.client_nmae").as_deref(), Some("data.client_name"));
        assert_eq!(
            a.closest("data.request.body.allowlist").as_deref(),
            Some("data.details.request.body.allowlist")
        );
        assert_eq!(a.closest_type("sapii").map(|t| t.0), Some("sapi"));
        assert_eq!(a.closest_type("FAPI").map(|t| t.0), Some("fapi"));
        assert_eq!(a.closest_type("zzzzz"), None);
    }
}
