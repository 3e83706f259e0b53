//! E0xx: problems reading files and parsing YAML. These are reported by the loader itself
//! (`crate::catalog`); this file holds their codes and documentation.

use crate::diag::{Code, Severity};

pub static UNREADABLE: Code = Code {
    code: "E001",
    name: "unreadable-path",
    severity: Severity::Error,
    summary: "a path cannot be read (missing, permission denied, symbolic link loop)",
    doc: "A file or folder given on the command line, or met while walking a folder, could not be read. \
          The rest of the catalog is still checked. Symbolic link loops are reported once and not followed.",
    bad: "",
    good: "",
};

pub static INVALID_UTF8: Code = Code {
    code: "E002",
    name: "invalid-utf8",
    severity: Severity::Error,
    summary: "the file is not valid UTF-8",
    doc: "Sigma rules are UTF-8 text. The diagnostic points at the first byte that is not valid UTF-8; \
          re-save the file as UTF-8 (a legacy Windows code page is the usual cause).",
    bad: "",
    good: "",
};

pub static BINARY_FILE: Code = Code {
    code: "E003",
    name: "binary-file",
    severity: Severity::Error,
    summary: "a `.yml`/`.yaml` file contains NUL bytes",
    doc: "A file with a YAML extension contains NUL bytes, so it is binary (or UTF-16) rather than a rule. \
          It is not parsed. Remove it from the catalog folder or list it in `.gitignore`.",
    bad: "",
    good: "",
};

pub static FILE_TOO_LARGE: Code = Code {
    code: "E004",
    name: "file-too-large",
    severity: Severity::Error,
    summary: "the file is larger than the 8 MiB limit for a rule file",
    doc: "Rule files are a few kilobytes. A file over 8 MiB in the catalog is almost always a log sample or \
          data file saved with a YAML extension; it is reported and not parsed so a check stays fast.",
    bad: "",
    good: "",
};

pub static YAML_SYNTAX: Code = Code {
    code: "E005",
    name: "yaml-syntax",
    severity: Severity::Error,
    summary: "the YAML is malformed",
    doc: "The YAML parser could not read the file past the reported position. Documents before the error \
          (separated by `---`) are still checked; the rest of the file is not. Typical causes are a missing \
          space after `:`, wrong indentation, a tab, or an unclosed quote or bracket.",
    bad: "title: Broken\ndetection:\n  selection:\n    Image: 'cmd.exe\n  condition: selection\n",
    good: "title: Broken\ndetection:\n  selection:\n    Image: 'cmd.exe'\n  condition: selection\n",
};

pub static DUPLICATE_KEY: Code = Code {
    code: "E006",
    name: "duplicate-key",
    severity: Severity::Error,
    summary: "the same key appears twice in one mapping",
    doc: "YAML forbids duplicate keys, yet PyYAML's multi-document loader (and so `sigma convert` on a \
          folder) silently keeps the last value: `a: 1` followed by `a: 2` converts to `a=2` with no \
          warning. Merge the two entries, or use a list of maps for alternatives.",
    bad: "title: Dup\nlogsource: {product: auth0}\ndetection:\n  selection:\n    data.type: s\n    data.type: f\n  condition: selection\n",
    good: "title: Dup\nlogsource: {product: auth0}\ndetection:\n  selection:\n    data.type: [s, f]\n  condition: selection\n",
};

pub static ALIAS_EXPANSION: Code = Code {
    code: "E007",
    name: "alias-expansion-limit",
    severity: Severity::Error,
    summary: "YAML aliases expand to too many nodes (a YAML bomb)",
    doc: "Anchors and aliases (`&a`, `*a`) can repeat a subtree; nested repetition grows exponentially. A \
          document that would expand past 200,000 nodes is skipped instead of exhausting memory.",
    bad: "",
    good: "",
};

pub static NESTING_TOO_DEEP: Code = Code {
    code: "E008",
    name: "nesting-too-deep",
    severity: Severity::Error,
    summary: "YAML nesting is deeper than 128 levels",
    doc: "No Sigma construct nests more than a handful of levels. Documents deeper than 128 levels are \
          skipped, which keeps every later stage safe from stack exhaustion.",
    bad: "",
    good: "",
};

pub static EMPTY_FILE: Code = Code {
    code: "E009",
    name: "empty-file",
    severity: Severity::Warning,
    summary: "a rule file holds no YAML document",
    doc: "The file is empty or holds only comments, so it defines no rule. Delete it or add the rule.",
    bad: "",
    good: "",
};

pub static EMPTY_DOCUMENT: Code = Code {
    code: "E010",
    name: "empty-document",
    severity: Severity::Warning,
    summary: "an empty YAML document between `---` separators",
    doc: "Two `---` separators with nothing between them make an empty document that tools disagree \
          about (PyYAML yields `None`). Remove the extra separator. A single trailing `---` is accepted.",
    bad: "title: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\n---\ntitle: B\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    good: "title: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
};

pub static NOT_A_MAPPING: Code = Code {
    code: "E011",
    name: "document-not-mapping",
    severity: Severity::Error,
    summary: "a YAML document is not a mapping",
    doc: "Every Sigma document (rule, correlation or filter) is a mapping of fields. A document that is a \
          list or a bare value cannot be a rule and is skipped.",
    bad: "- title: A list is not a rule\n",
    good: "title: A mapping is\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
};

pub static NO_RULES: Code = Code {
    code: "E012",
    name: "no-rule-files",
    severity: Severity::Warning,
    summary: "a folder given on the command line holds no rule files",
    doc: "The folder contains no `.yml` or `.yaml` files (after honouring `.gitignore`), so nothing was \
          checked there. Usually a wrong path.",
    bad: "",
    good: "",
};

pub static LINK_OUTSIDE_CATALOG: Code = Code {
    code: "E013",
    name: "link-outside-catalog",
    severity: Severity::Error,
    summary: "a symbolic link in a catalog folder points outside the catalog",
    doc: "While walking a catalog folder, a file or folder that is a symbolic link is followed only when \
          its target lies inside one of the catalog paths. A link elsewhere (`creds.yml -> ~/.aws/credentials` \
          added by a pull request) is reported with where it points and is not read, so its content can \
          never appear in a diagnostic or an artifact. Files named explicitly on the command line are \
          always read.",
    bad: "",
    good: "",
};

pub static CODES: &[&Code] = &[
    &UNREADABLE,
    &INVALID_UTF8,
    &BINARY_FILE,
    &FILE_TOO_LARGE,
    &YAML_SYNTAX,
    &DUPLICATE_KEY,
    &ALIAS_EXPANSION,
    &NESTING_TOO_DEEP,
    &EMPTY_FILE,
    &EMPTY_DOCUMENT,
    &NOT_A_MAPPING,
    &NO_RULES,
    &LINK_OUTSIDE_CATALOG,
];
