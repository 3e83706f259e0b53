//! B8xx: backend fidelity. Reported by `detc convert` (and `build`) when a target cannot express a
//! rule, or can only with a stated change of meaning.

use crate::diag::{Code, Severity};

pub static UNSUPPORTED: Code = Code {
    code: "B801",
    name: "unsupported-on-target",
    severity: Severity::Error,
    summary: "the rule uses a construct the target query language cannot express",
    doc: "The document converts to no query for this target, and the message names the construct (for \
          example keyword search in ES|QL, `fieldref` in Lucene, a regex under OR in Splunk, correlations \
          in Lucene). Other documents and other targets are unaffected. `--skip-unsupported` hides these.",
    bad: "",
    good: "",
};

pub static WILDCARD_WIDENED: Code = Code {
    code: "B802",
    name: "single-char-wildcard-widened",
    severity: Severity::Warning,
    summary: "Splunk has no single-character wildcard: `?` becomes `*`",
    doc: "SPL search terms only know `*`. A Sigma `?` (exactly one character) is written as `*` (any \
          characters), so the Splunk query can match more than the rule. pySigma does this silently. Use \
          `|re` if the exact width matters.",
    bad: "",
    good: "",
};

pub static CASE_SENSITIVE: Code = Code {
    code: "B803",
    name: "case-sensitive-target",
    severity: Severity::Warning,
    summary: "Lucene string matches on keyword fields are case-sensitive",
    doc: "Sigma matches strings case-insensitively. A Lucene query string compares keyword fields exactly \
          (only analysed text fields are case-insensitive), and it has no lower-casing function, so on keyword \
          fields the query matches only the case written in the rule. ES|QL and Sumo Logic outputs compare \
          lower-cased values instead and need no warning.",
    bad: "",
    good: "",
};

pub static REGEX_ANCHORED: Code = Code {
    code: "B804",
    name: "regex-anchored-on-target",
    severity: Severity::Warning,
    summary: "Elastic regexes match the whole value, Sigma regexes a substring",
    doc: "Lucene `/re/`, ES|QL `rlike` and EQL `regex` match the entire field value, while Sigma (and \
          Splunk's `regex`) search for the pattern anywhere. `|re: foo` therefore means `^foo$` on Elastic. \
          Write `.*foo.*` (or use `|re|contains`) when a substring is meant.",
    bad: "",
    good: "",
};

pub static ARRAY_APPROXIMATED: Code = Code {
    code: "B805",
    name: "array-field-approximated",
    severity: Severity::Warning,
    summary: "a `field{}` array test is approximated on the target",
    doc: "`field{}` means 'any element of the array'. Sumo Logic's `json` operator returns the whole array as \
          JSON text, so the element test looks for the quoted element in that text: a wildcard pattern can then \
          match across elements. ES|QL functions and comparisons return null on a multi-valued field, so there \
          the test only works for single-element arrays.",
    bad: "",
    good: "",
};

pub static CODES: &[&Code] = &[
    &UNSUPPORTED,
    &WILDCARD_WIDENED,
    &CASE_SENSITIVE,
    &REGEX_ANCHORED,
    &ARRAY_APPROXIMATED,
    &FIXED_WINDOW,
];

pub static FIXED_WINDOW: Code = Code {
    code: "B806",
    name: "correlation-fixed-window",
    severity: Severity::Warning,
    summary: "the target counts correlations in fixed time buckets, not a sliding window",
    doc: "Sigma's `timespan` is a sliding window: ten events within any hour. ES|QL (`date_trunc`) and Sumo \
          Logic (`timeslice`) group events into fixed buckets, so a burst that straddles a bucket boundary can \
          be split and missed. Splunk output uses `streamstats time_window`, a real sliding window, and EQL \
          sequences use `maxspan`.",
    bad: "",
    good: "",
};
