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
    /// The highest technique number in the table (`t1684` → 1684), computed once: every tag of
    /// the catalog is compared with it.
    highest: u32,
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
        a.highest = a
            .techniques
            .keys()
            .filter_map(|k| technique_number(k))
            .max()
            .unwrap_or(0);
        a
    })
}

/// ATT&CK v19 retired Defense Evasion and split its techniques between two new tactics, which
/// current SigmaHQ rules tag (Elastic's detection-rules issue 6035 and remapping guide record the
/// split into Stealth and Defense Impairment). The table predates the split, so a technique it files
/// under `defense-evasion` is accepted under either successor.
pub const DEFENSE_EVASION_SUCCESSORS: [&str; 2] = ["stealth", "defense-impairment"];

impl Attack {
    /// Whether `name` is a tactic short name of the table or of v19.
    pub fn is_tactic(&self, name: &str) -> bool {
        self.tactics.contains(&name) || DEFENSE_EVASION_SUCCESSORS.contains(&name)
    }

    /// The tactics a technique tag may be paired with: its own, and the successors of Defense Evasion.
    pub fn tactics_of(&self, t: &Technique) -> Vec<&'static str> {
        let mut out = t.tactics.clone();
        if out.contains(&"defense-evasion") {
            out.extend(DEFENSE_EVASION_SUCCESSORS);
        }
        out
    }

    /// Whether `id` (`t1685.001`) is a technique of a newer release: not in the table, and numbered
    /// above every technique in it.
    pub fn is_newer_technique(&self, id: &str) -> bool {
        !self.techniques.contains_key(id) && technique_number(id).is_some_and(|n| n > self.highest_technique())
    }

    /// The highest technique number in the table (`t1684` → 1684): an id above it is newer.
    pub fn highest_technique(&self) -> u32 {
        self.highest
    }
}

/// `t1685.001` → 1685.
pub fn technique_number(id: &str) -> Option<u32> {
    id.strip_prefix('t')?.split('.').next()?.parse().ok()
}

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

    #[test]
    fn v19_successors_of_defense_evasion() {
        let a = attack();
        assert!(a.is_tactic("stealth") && a.is_tactic("defense-impairment") && a.is_tactic("impact"));
        assert!(!a.tactics.contains(&"stealth"), "the table itself is v18.1");
        let masquerading = &a.techniques["t1036"];
        assert!(a.tactics_of(masquerading).contains(&"stealth"));
        assert!(!a.tactics_of(&a.techniques["t1110"]).contains(&"stealth"));
        assert!(technique_number("t1685.001").unwrap() > a.highest_technique());
    }
}
