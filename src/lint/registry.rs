//! Every diagnostic code detc can report, in code order. `detc list lints` and `detc explain` read
//! this list, and a test proves each code with YAML examples fires on `bad` and not on `good`.

use crate::backend::codes as backend;
use crate::diag::Code;

use super::{correlation, detection, load, metadata, modifiers, placeholders, references, schema, tags, unicode};

pub fn all_codes() -> Vec<&'static Code> {
    let mut codes: Vec<&'static Code> = Vec::new();
    codes.extend(load::CODES);
    codes.extend(unicode::CODES);
    codes.extend([&schema::SCHEMA_VIOLATION]);
    codes.extend(detection::CODES);
    codes.extend(correlation::CODES);
    codes.extend(modifiers::CODES);
    codes.extend(references::CODES);
    codes.extend(metadata::CODES);
    codes.extend(tags::CODES);
    codes.extend(placeholders::CODES);
    codes.extend(backend::CODES);
    codes.extend(crate::eval::codes::CODES);
    codes.push(&crate::config::INVALID_CONFIG);
    codes.push(&crate::render::TEMPLATE_ERROR);
    codes.push(&crate::render::MISSING_VARIABLE);
    codes.push(&crate::render::NOT_DEPLOYABLE);
    codes.push(&crate::render::EXCLUDED_DOCUMENT);
    codes.push(&crate::pipeline::INVALID_PIPELINE);
    codes.sort_by_key(|c| c.code);
    codes
}

/// Look a code up by its code (`C201`) or its name (`undefined-identifier`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Code> {
    all_codes()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(code_or_name) || c.name.eq_ignore_ascii_case(code_or_name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::check::check_catalog;

    fn codes_reported(yaml: &str) -> Vec<&'static str> {
        let catalog = Catalog::from_sources(&[("example.yml", yaml)]);
        check_catalog(&catalog, &crate::lint::Options::default())
            .iter()
            .map(|d| d.code.code)
            .collect()
    }

    /// Every code with examples fires on its `bad` example and stays quiet on its `good` one.
    #[test]
    fn every_lint_fires_on_bad_and_not_on_good() {
        let mut failures = Vec::new();
        for c in all_codes().into_iter().filter(|c| !c.bad.is_empty()) {
            if !codes_reported(c.bad).contains(&c.code) {
                failures.push(format!("{} does not fire on its bad example", c.code));
            }
            let on_good = codes_reported(c.good);
            if on_good.contains(&c.code) {
                failures.push(format!("{} fires on its good example", c.code));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn codes_are_unique_well_formed_and_documented() {
        let codes = all_codes();
        let mut seen = std::collections::HashSet::new();
        for c in &codes {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(seen.insert(c.name), "duplicate name {}", c.name);
            assert!(c.code.len() == 4 && "ESCMRQPTB".contains(&c.code[..1]), "{}", c.code);
            assert!(
                c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
                "{}",
                c.name
            );
            assert!(c.doc.len() > 60, "{} needs a real doc", c.code);
            assert_eq!(
                c.bad.is_empty(),
                c.good.is_empty(),
                "{}: bad and good come together",
                c.code
            );
        }
    }

    /// Codes without YAML examples are proven by their own tests (loader, walk, CLI tests).
    #[test]
    fn codes_without_examples_are_the_expected_ones() {
        let without: Vec<&str> = all_codes()
            .iter()
            .filter(|c| c.bad.is_empty())
            .map(|c| c.code)
            .collect();
        assert_eq!(
            without,
            [
                "B801", "B802", "B803", "B804", "B805", "B806", "B807", "B808", "B809", "E001", "E002", "E003", "E004",
                "E007", "E008", "E009", "E012", "E013", "P602", "P603", "R402", "R405", "R407", "S102", "T701", "T702",
                "T703", "T704", "T705", "T706"
            ]
        );
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(find("c205").unwrap().name, "null-from-commented-items");
        assert_eq!(find("near-miss-key").unwrap().code, "Q503");
        assert!(find("Z999").is_none());
    }
}
