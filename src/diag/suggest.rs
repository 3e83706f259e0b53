//! "Did you mean": the nearest known name to a misspelt one. Used by lints (identifiers, modifiers,
//! keys) and by lint configuration (codes in detc.yaml and in suppression comments).

/// The candidate nearest to `name` by edit distance, if it is close enough to be a typo.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
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
    fn nearest_within_typo_distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest("C230", ["C203", "Q501"].into_iter()), Some("C203"));
        assert_eq!(closest("zzzz", ["C203"].into_iter()), None);
        assert_eq!(
            closest("C203", ["C203"].into_iter()),
            None,
            "an exact match is no suggestion"
        );
    }
}
