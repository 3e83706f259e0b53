//! E0xx: loading — reading files, encodings, YAML syntax and structure.

codes! {
    UNREADABLE {
        code: "E001",
        name: "unreadable-path",
        severity: Severity::Error,
        summary: "a path cannot be read (missing, permission denied, symbolic link loop)",
        doc: "A file or folder given on the command line, or met while walking a folder, could not be read. \
              The rest of the catalog is still checked. Symbolic link loops are reported once and not followed. \
              It comes from the file system (a missing path, a permission), not from a file's text, so it has no check example.",
        bad: "",
        good: "",
    }

    INVALID_UTF8 {
        code: "E002",
        name: "invalid-utf8",
        severity: Severity::Error,
        summary: "the file is not valid UTF-8",
        doc: "Sigma rules are UTF-8 text. The diagnostic points at the first byte that is not valid UTF-8; \
              re-save the file as UTF-8 (a legacy Windows code page is the usual cause). \
              Examples are Rust strings, which cannot hold bytes that are not UTF-8, so it has no check example.",
        bad: "",
        good: "",
    }

    BINARY_FILE {
        code: "E003",
        name: "binary-file",
        severity: Severity::Error,
        summary: "a `.yml`/`.yaml` file contains NUL bytes",
        doc: "A file with a YAML extension contains NUL bytes, so it is binary (or UTF-16) rather than a rule. \
              It is not parsed. Remove it from the catalog folder or list it in `.gitignore`.",
        bad: "title: T\0\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    FILE_TOO_LARGE {
        code: "E004",
        name: "file-too-large",
        severity: Severity::Error,
        summary: "the file is larger than the 8 MiB limit for a rule file",
        doc: "Rule files are a few kilobytes. A file over 8 MiB in the catalog is almost always a log sample or \
              data file saved with a YAML extension; it is reported and not parsed so a check stays fast. \
              An example would be a file over 8 MiB, so it has no check example.",
        bad: "",
        good: "",
    }

    YAML_SYNTAX {
        code: "E005",
        name: "yaml-syntax",
        severity: Severity::Error,
        summary: "the YAML is malformed",
        doc: "The YAML parser could not read the file past the reported position. Documents before the error \
              (separated by `---`) are still checked; the rest of the file is not. Typical causes are a missing \
              space after `:`, wrong indentation, a tab, or an unclosed quote or bracket.",
        bad: "title: Broken\ndetection:\n  selection:\n    Image: 'cmd.exe\n  condition: selection\n",
        good: "title: Broken\ndetection:\n  selection:\n    Image: 'cmd.exe'\n  condition: selection\n",
    }

    DUPLICATE_KEY {
        code: "E006",
        name: "duplicate-key",
        severity: Severity::Error,
        summary: "the same key appears twice in one mapping",
        doc: "YAML forbids duplicate keys, yet PyYAML's multi-document loader (and so `sigma convert` on a \
              folder) silently keeps the last value: `a: 1` followed by `a: 2` converts to `a=2` with no \
              warning. Merge the two entries, or use a list of maps for alternatives.",
        bad: "title: Dup\nlogsource: {product: auth0}\ndetection:\n  selection:\n    data.type: s\n    data.type: f\n  condition: selection\n",
        good: "title: Dup\nlogsource: {product: auth0}\ndetection:\n  selection:\n    data.type: [s, f]\n  condition: selection\n",
    }

    ALIAS_EXPANSION {
        code: "E007",
        name: "alias-expansion-limit",
        severity: Severity::Error,
        summary: "YAML aliases expand to too many nodes (a YAML bomb)",
        doc: "Anchors and aliases (`&a`, `*a`) can repeat a subtree; nested repetition grows exponentially. A \
              document that would expand past 200,000 nodes is skipped instead of exhausting memory.",
        bad: "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e]\n",
        good: "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n",
    }

    NESTING_TOO_DEEP {
        code: "E008",
        name: "nesting-too-deep",
        severity: Severity::Error,
        summary: "YAML nesting is deeper than 128 levels",
        doc: "No Sigma construct nests more than a handful of levels. Documents deeper than 128 levels are \
              skipped, which keeps every later stage safe from stack exhaustion.",
        bad: concat!(
            "title: T\nx: ",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
        ),
        good: "title: T\nx: [[[[]]]]\n",
    }

    EMPTY_FILE {
        code: "E009",
        name: "empty-file",
        severity: Severity::Warning,
        summary: "a rule file holds no YAML document",
        doc: "The file is empty or holds only comments, so it defines no rule. Delete it or add the rule.",
        bad: "# a rule was here\n",
        good: "# a rule\ntitle: T\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    EMPTY_DOCUMENT {
        code: "E010",
        name: "empty-document",
        severity: Severity::Warning,
        summary: "an empty YAML document between `---` separators",
        doc: "Two `---` separators with nothing between them make an empty document that tools disagree \
              about (PyYAML yields `None`). Remove the extra separator. A single trailing `---` is accepted.",
        bad: "title: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\n---\ntitle: B\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
        good: "title: A\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: B\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n",
    }

    NOT_A_MAPPING {
        code: "E011",
        name: "document-not-mapping",
        severity: Severity::Error,
        summary: "a YAML document is not a mapping",
        doc: "Every Sigma document (rule, correlation or filter) is a mapping of fields. A document that is a \
              list or a bare value cannot be a rule and is skipped.",
        bad: "- title: A list is not a rule\n",
        good: "title: A mapping is\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n",
    }

    NO_RULES {
        code: "E012",
        name: "no-rule-files",
        severity: Severity::Warning,
        summary: "a folder given on the command line holds no rule files",
        doc: "The folder contains no `.yml` or `.yaml` files (after honouring `.gitignore`), so nothing was \
              checked there. Usually a wrong path. \
              It concerns a folder without YAML files, not a file's text, so it has no check example.",
        bad: "",
        good: "",
    }

    LINK_OUTSIDE_CATALOG {
        code: "E013",
        name: "link-outside-catalog",
        severity: Severity::Error,
        summary: "a symbolic link in a catalog folder points outside the catalog",
        doc: "While walking a catalog folder, a file or folder that is a symbolic link is followed only when \
              its target lies inside one of the catalog paths. A link elsewhere (`creds.yml -> ~/.aws/credentials` \
              added by a pull request) is reported with where it points and is not read, so its content can \
              never appear in a diagnostic or an artifact. Files named explicitly on the command line are \
              always read. \
              It concerns a symbolic link in a folder, not a file's text, so it has no check example.",
        bad: "",
        good: "",
    }

    HIDDEN_UNICODE {
        code: "E014",
        name: "hidden-unicode",
        severity: Severity::Warning,
        summary: "an invisible bidirectional control or zero-width character in the text",
        doc: "Bidirectional controls (U+202A–U+202E, U+2066–U+2069) change the order in which an editor, a \
              code review or a terminal displays the text after them, so a rule can read differently from \
              what it matches (the \"Trojan Source\" attack); zero-width characters (U+200B–U+200D, U+2060, \
              U+FEFF after the start of the file) are invisible, so `data.type` with a word joiner after `ty` \
              looks like `data.type` yet names another field and never matches. Every string of a document (titles, \
              names, field names, values, tags) and the comments between them are checked; each character \
              is reported at its own line and column with its code point. Delete it, or, when events \
              really contain it, write it as a visible escape in a double-quoted string (`\"\\u200B\"`).",
        bad: "title: Admin login\nlogsource: {product: auth0}\ndetection:\n  sel:\n    data.ty\u{200B}pe: s\n  condition: sel\n",
        good: "title: Admin login\nlogsource: {product: auth0}\ndetection:\n  sel:\n    data.type: s\n  condition: sel\n",
    }

    UNUSED_SUPPRESSION {
        code: "E015",
        name: "unused-suppression",
        severity: Severity::Warning,
        summary: "a `# detc: ignore[…]` comment suppresses nothing",
        doc: "A suppression comment (`# detc: ignore[CODE] reason` at the end of a line or alone on the line \
              above, `# detc: ignore-file[CODE]` at the top of the file) names a code that is not reported \
              where it applies: the finding was fixed, moved to another line, or the comment sits too far \
              from it. Stale suppressions would silently hide a future finding, so each unused code is \
              reported at its place in the comment. Delete the code from the comment (or the comment), or \
              move it onto the line of the finding or directly above it.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  condition: sel  # detc: ignore[C203] kept for later\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  # detc: ignore[C203] kept for a correlation under review\n  spare: {data.type: f}\n  condition: sel\n",
    }

    INVALID_SUPPRESSION {
        code: "E016",
        name: "invalid-suppression",
        severity: Severity::Warning,
        summary: "a `# detc:` comment is not a suppression detc understands",
        doc: "A comment starting with `detc:` is read as a suppression: `# detc: ignore[C203, Q5] reason` \
              (codes, prefixes or names, comma-separated) on the line of the finding or alone on the line \
              above it, or `# detc: ignore-file[Q5] reason` in the comment block at the top of the file. \
              Anything else (a misspelt directive, missing brackets, an unknown code, `ignore-file` below \
              the first content line) would leave the finding reported without saying why, so it is \
              reported with what was expected.",
        bad: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  # detc: ignore[C2033]\n  spare: {data.type: f}\n  condition: sel\n",
        good: "title: T\nlogsource: {product: auth0}\ndetection:\n  sel: {data.type: s}\n  # detc: ignore[C203]\n  spare: {data.type: f}\n  condition: sel\n",
    }
}
