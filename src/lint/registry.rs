//! Every diagnostic code detc can report, in code order. `detc list lints` and `detc explain` read
//! this list, and a test proves each code with YAML examples fires on `bad` and not on `good`.

use crate::diag::Code;

use super::{
    correlation, detection, load, metadata, modifiers, placeholders, references, schema, tags,
};

pub fn all_codes() -> Vec<&'static Code> {
    let mut codes: Vec<&'static Code> = Vec::new();
    codes.extend(load::CODES);
    codes.extend([&schema::SCHEMA_VIOLATION]);
    codes.extend(detection::CODES);
    codes.extend(correlation::CODES);
    codes.extend(modifiers::CODES);
    codes.extend(references::CODES);
    codes.extend(metadata::CODES);
    codes.extend(tags::CODES);
    codes.extend(placeholders::CODES);
    codes.sort_by_key(|c| c.code);
    codes
}

/// Look a code up by its code (`C201`) or its name (`undefined-identifier`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Code> {
    all_codes().into_iter().find(|c| {
        c.code.eq_ignore_ascii_case(code_or_name) || c.name.eq_ignore_ascii_case(code_or_name)
    })
}
