//! Value modifiers (`Field|contains|all`) and the rules for chaining them (sigma-reference §3).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Neq,
    Base64,
    Base64Offset,
    Wide,
    Utf16Le,
    Utf16Be,
    Utf16,
    Windash,
    Re,
    IgnoreCase,
    Multiline,
    DotAll,
    Cased,
    Cidr,
    Expand,
    FieldRef,
    Exists,
    Gt,
    Gte,
    Lt,
    Lte,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

use Modifier::*;

/// Every modifier with its spellings; the first is the canonical name.
const NAMES: &[(Modifier, &[&str])] = &[
    (Contains, &["contains"]),
    (StartsWith, &["startswith"]),
    (EndsWith, &["endswith"]),
    (All, &["all"]),
    (Neq, &["neq"]),
    (Base64, &["base64"]),
    (Base64Offset, &["base64offset"]),
    (Wide, &["wide"]),
    (Utf16Le, &["utf16le"]),
    (Utf16Be, &["utf16be"]),
    (Utf16, &["utf16"]),
    (Windash, &["windash"]),
    (Re, &["re"]),
    (IgnoreCase, &["i", "ignorecase"]),
    (Multiline, &["m", "multiline"]),
    (DotAll, &["s", "dotall"]),
    (Cased, &["cased"]),
    (Cidr, &["cidr"]),
    (Expand, &["expand"]),
    (FieldRef, &["fieldref"]),
    (Exists, &["exists"]),
    (Gt, &["gt"]),
    (Gte, &["gte"]),
    (Lt, &["lt"]),
    (Lte, &["lte"]),
    (Minute, &["minute"]),
    (Hour, &["hour"]),
    (Day, &["day"]),
    (Week, &["week"]),
    (Month, &["month"]),
    (Year, &["year"]),
];

impl Modifier {
    pub fn parse(name: &str) -> Option<Modifier> {
        NAMES.iter().find(|(_, names)| names.contains(&name)).map(|(m, _)| *m)
    }

    pub fn name(self) -> &'static str {
        NAMES.iter().find(|(m, _)| *m == self).map(|(_, n)| n[0]).unwrap_or("?")
    }

    pub fn all() -> impl Iterator<Item = Modifier> {
        NAMES.iter().map(|(m, _)| *m)
    }

    /// Modifiers that need a string value.
    pub fn wants_string(self) -> bool {
        matches!(
            self,
            Contains
                | StartsWith
                | EndsWith
                | Base64
                | Base64Offset
                | Wide
                | Utf16Le
                | Utf16Be
                | Utf16
                | Windash
                | Re
                | Cased
                | Cidr
                | Expand
                | FieldRef
        )
    }

    /// Numeric comparisons.
    pub fn is_compare(self) -> bool {
        matches!(self, Gt | Gte | Lt | Lte)
    }

    pub fn is_time_part(self) -> bool {
        matches!(self, Minute | Hour | Day | Week | Month | Year)
    }

    pub fn is_regex_flag(self) -> bool {
        matches!(self, IgnoreCase | Multiline | DotAll)
    }

    /// Modifiers that turn the value into a new encoded string (and so reject wildcards).
    pub fn is_encoding(self) -> bool {
        matches!(self, Base64 | Base64Offset)
    }

    pub fn is_substring(self) -> bool {
        matches!(self, Contains | StartsWith | EndsWith)
    }

    /// A short description for `detc list modifiers`.
    pub fn describe(self) -> &'static str {
        match self {
            Contains => "value anywhere in the field (wildcards added at both ends)",
            StartsWith => "field starts with the value",
            EndsWith => "field ends with the value",
            All => "every value of the list must match (AND instead of OR)",
            Neq => "negate the item: the field differs from every value",
            Base64 => "match the Base64 encoding of the value",
            Base64Offset => "match the value Base64-encoded at any of the three byte offsets (use with contains)",
            Wide | Utf16Le => "encode the value as UTF-16LE before further modifiers",
            Utf16Be => "encode the value as UTF-16BE",
            Utf16 => "encode the value as UTF-16 with a byte-order mark",
            Windash => "also match flags written with /, en dash, em dash or horizontal bar instead of -",
            Re => "the value is a regular expression (case-sensitive unless |i)",
            IgnoreCase => "regex: case-insensitive",
            Multiline => "regex: ^ and $ match at line breaks",
            DotAll => "regex: . also matches a newline",
            Cased => "string match is case-sensitive",
            Cidr => "field is an IP address inside the network",
            Expand => "expand %placeholders% from variables or pipelines",
            FieldRef => "compare with the value of another field",
            Exists => "the field is present (true) or absent (false)",
            Gt => "numeric greater than",
            Gte => "numeric greater than or equal",
            Lt => "numeric less than",
            Lte => "numeric less than or equal",
            Minute | Hour | Day | Week | Month | Year => "compare a part of a timestamp field",
        }
    }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A chain problem: which modifier (index in the chain) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    pub index: usize,
    pub message: String,
    pub help: String,
}

/// Check the order and combination rules pySigma enforces when it parses a rule.
pub fn check_chain(chain: &[Modifier], has_field: bool) -> Vec<ChainError> {
    let mut errors = Vec::new();
    let mut err = |index: usize, message: String, help: &str| {
        errors.push(ChainError {
            index,
            message,
            help: help.to_string(),
        })
    };
    for (i, &m) in chain.iter().enumerate() {
        if matches!(m, Re | Cidr | Exists) && i != 0 {
            err(
                i,
                format!("`{m}` must be the first modifier"),
                "move it to the front of the chain",
            );
        }
        if m.is_regex_flag() && !chain[..i].contains(&Re) {
            err(
                i,
                format!("regex flag `{m}` without `re` before it"),
                "write `|re|i` (flags follow `re`)",
            );
        }
        if m == Exists && chain.len() > 1 {
            err(
                i,
                "`exists` cannot be combined with other modifiers".into(),
                "use `Field|exists: true` alone",
            );
        }
        if matches!(m, Exists | FieldRef) && !has_field {
            err(i, format!("`{m}` needs a field name"), "write `Field|exists: true`");
        }
        if m.is_encoding() && chain[..i].iter().any(|p| p.is_substring()) {
            err(
                i,
                format!("`{m}` after a substring modifier encodes the added wildcards"),
                "put the encoding first: `base64offset|contains`",
            );
        }
        if chain[..i].contains(&Re) && !m.is_regex_flag() && !m.is_substring() && m != Expand && m != Neq {
            err(
                i,
                format!("`{m}` cannot follow `re`"),
                "only the flags i, m, s (and contains/startswith/endswith) follow `re`",
            );
        }
        if m.is_compare() && chain[..i].iter().any(|p| p.wants_string()) {
            err(
                i,
                format!("numeric `{m}` after a string modifier"),
                "compare modifiers take numbers",
            );
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Modifier::all() {
            assert_eq!(Modifier::parse(m.name()), Some(m));
        }
        assert_eq!(Modifier::parse("ignorecase"), Some(IgnoreCase));
        assert_eq!(Modifier::parse("contain"), None);
    }

    #[test]
    fn chain_rules() {
        assert!(check_chain(&[Contains, All], true).is_empty());
        assert!(check_chain(&[Re, IgnoreCase], true).is_empty());
        assert!(check_chain(&[Base64Offset, Contains], true).is_empty());
        assert_eq!(check_chain(&[Contains, Re], true)[0].index, 1);
        assert_eq!(check_chain(&[IgnoreCase], true)[0].index, 0);
        assert_eq!(check_chain(&[Contains, Base64], true)[0].index, 1);
        assert!(!check_chain(&[Exists], false).is_empty());
    }
}
