//! The Auth0 log field taxonomy (from `data/auth0-fields.tsv`) and event type codes.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const FIELDS: &str = include_str!("../../data/auth0-fields.tsv");
const TYPES: &str = include_str!("../../data/auth0-event-types.tsv");

#[derive(Debug, Default)]
pub struct Auth0 {
    /// Every known path (array items written `path{}`), with whether anything below it is allowed.
    paths: HashMap<&'static str, bool>,
    pub event_types: HashSet<&'static str>,
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
        a.event_types = TYPES
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split('\t').next())
            .collect();
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

    /// Known paths, without `{}` markers, to suggest a correction.
    pub fn closest(&self, field: &str) -> Option<&'static str> {
        let last = field.rsplit('.').next().unwrap_or(field).replace("{}", "");
        let mut candidates: Vec<&'static str> = self
            .paths
            .keys()
            .copied()
            .filter(|p| p.replace("{}", "").rsplit('.').next() == Some(last.as_str()))
            .collect();
        candidates.sort_by_key(|p| (p.len(), *p));
        candidates.into_iter().next()
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
        assert_eq!(a.closest("data.ipaddress.ip"), Some("data.ip"));
    }
}
