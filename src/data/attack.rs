//! MITRE ATT&CK Enterprise: tactics and techniques (from `data/attack-enterprise.tsv`).

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/attack-enterprise.tsv");

/// The ATT&CK version of the embedded table; tags newer than this are at most a warning.
pub const VERSION: &str = "v18.1";

#[derive(Debug)]
pub struct Technique {
    pub tactics: Vec<&'static str>,
    pub deprecated: bool,
    pub revoked: bool,
    pub name: &'static str,
}

#[derive(Debug, Default)]
pub struct Attack {
    pub tactics: Vec<&'static str>,
    pub techniques: HashMap<&'static str, Technique>,
}

pub fn attack() -> &'static Attack {
    static A: OnceLock<Attack> = OnceLock::new();
    A.get_or_init(|| {
        let mut a = Attack::default();
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&'static str> = line.split('\t').collect();
            match cols.as_slice() {
                ["tactic", name] => a.tactics.push(name),
                ["technique", id, tactics, flags, name] => {
                    let tactics = if *tactics == "-" {
                        Vec::new()
                    } else {
                        tactics.split(',').collect()
                    };
                    a.techniques.insert(
                        id,
                        Technique {
                            tactics,
                            deprecated: flags.contains("deprecated"),
                            revoked: flags.contains("revoked"),
                            name,
                        },
                    );
                }
                _ => {}
            }
        }
        a
    })
}

/// Tactic names used by ATT&CK releases newer than the table (v19 renamed and split tactics), which
/// SigmaHQ already uses: known, so not "unknown", but not checkable against techniques either.
pub const NEWER_TACTICS: &[&str] = &["stealth", "defense-impairment"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads() {
        let a = attack();
        assert_eq!(a.tactics.len(), 14);
        assert!(a.techniques["t1110.004"].tactics.contains(&"credential-access"));
        assert!(a.techniques["t1002"].revoked);
    }
}
