//! "Did you mean": the known name nearest to a misspelt one. One helper serves every lint and
//! schema message that suggests a name (search identifiers, modifiers, keys, Auth0 fields and event
//! types, enumerated values, detc.yaml keys), so all of them agree on what counts as a typo.

/// The candidate nearest to `name` by edit distance, if it is close enough to be a typo: at most
/// two edits, or a quarter of the candidate's length for long names; an exact match is no typo.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let length = name.chars().count();
    candidates
        // The length difference is a lower bound of the distance: most candidates end here.
        .filter(|c| length.abs_diff(c.chars().count()) <= 2.max(c.len() / 4))
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d > 0)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_near_other_names_are_not() {
        assert_eq!(edit_distance("intervall", "interval"), 1);
        let keys = ["interval", "index", "app"];
        assert_eq!(closest("intervall", keys.into_iter()), Some("interval"));
        assert_eq!(closest("schedule", keys.into_iter()), None);
        assert_eq!(closest("interval", keys.into_iter()), None, "an exact match is no typo");
    }
}
