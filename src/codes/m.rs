//! M3xx: modifiers and values.

codes! {
    UNKNOWN_MODIFIER {
        code: "M301",
        name: "unknown-modifier",
        severity: Severity::Error,
        summary: "a `|name` after a field is not a Sigma modifier",
        doc: "Modifiers are the names listed by `detc list modifiers`. An unknown one (a typo such as \
              `contain`, or `utf16le`, which pySigma does not know) makes the rule fail to convert.",
        bad: rule_yaml!("    CommandLine|contain: whoami\n"),
        good: rule_yaml!("    CommandLine|contains: whoami\n"),
    }

    INVALID_CHAIN {
        code: "M302",
        name: "invalid-modifier-chain",
        severity: Severity::Error,
        summary: "modifiers combined in an order or way Sigma forbids",
        doc: "`re`, `cidr` and `exists` must come first; regex flags `i`, `m`, `s` need `re` before them; \
              `exists` stands alone; an encoding (`base64`, `base64offset`) after `contains` would encode the \
              wildcards; numeric comparisons cannot follow string modifiers.",
        bad: rule_yaml!("    CommandLine|contains|base64: whoami\n"),
        good: rule_yaml!("    CommandLine|base64|contains: whoami\n"),
    }

    VALUE_TYPE {
        code: "M303",
        name: "value-type-mismatch",
        severity: Severity::Error,
        summary: "a value's type does not fit its modifiers (or is a date, a mapping…)",
        doc: "String modifiers need strings (`contains: 5` is an error in pySigma: quote the number), \
              `gt`/`gte`/`lt`/`lte` need numbers, `exists` needs `true` or `false`. Unquoted dates \
              (`2024-01-01`) are YAML dates, which pySigma rejects; nested mappings or lists are not values.",
        bad: rule_yaml!("    EventID|contains: 4688\n"),
        good: rule_yaml!("    EventID|contains: '4688'\n"),
    }

    ALL_MISUSE {
        code: "M304",
        name: "all-modifier-misuse",
        severity: Severity::Warning,
        summary: "`|all` on a single value, or on exact values that can never all match",
        doc: "`|all` ANDs a value list. On a single value it does nothing. On exact (wildcard-free) values of \
              one field without `contains`/`startswith`/`endswith` it requires the field to equal several \
              different values at once, which never matches.",
        bad: rule_yaml!("    User|all: [alice, bob]\n"),
        good: rule_yaml!("    CommandLine|contains|all: [alice, bob]\n"),
    }

    BASE64OFFSET_WITHOUT_CONTAINS {
        code: "M305",
        name: "base64offset-without-contains",
        severity: Severity::Warning,
        summary: "`base64offset` not followed by `contains`",
        doc: "The three `base64offset` variants are fragments of a longer encoding; they only match as \
              substrings. Write `|base64offset|contains`.",
        bad: rule_yaml!("    CommandLine|base64offset: whoami\n"),
        good: rule_yaml!("    CommandLine|base64offset|contains: whoami\n"),
    }

    WINDASH_ALL {
        code: "M306",
        name: "windash-with-all",
        severity: Severity::Warning,
        summary: "`windash` combined with `all`",
        doc: "`windash` expands each value into alternatives that are always OR-ed; with `all` the result \
              is easy to misread. Split the values into separate items.",
        bad: rule_yaml!("    CommandLine|windash|contains|all: [' -a', ' -b']\n"),
        good: rule_yaml!("    CommandLine|windash|contains: [' -a', ' -b']\n"),
    }

    DUPLICATE_MODIFIER {
        code: "M307",
        name: "duplicate-modifier",
        severity: Severity::Warning,
        summary: "the same modifier appears twice in a chain",
        doc: "Apart from `base64` (double encoding), repeating a modifier is a mistake.",
        bad: rule_yaml!("    CommandLine|contains|contains: whoami\n"),
        good: rule_yaml!("    CommandLine|contains: whoami\n"),
    }

    INVALID_REGEX {
        code: "M308",
        name: "invalid-regex",
        severity: Severity::Error,
        summary: "a `|re` value is not a valid regular expression",
        doc: "The value of a `re` item must compile. The error names the problem and its position.",
        bad: rule_yaml!("    CommandLine|re: 'a(b'\n"),
        good: rule_yaml!("    CommandLine|re: 'a\\(b'\n"),
    }

    INVALID_CIDR {
        code: "M309",
        name: "invalid-cidr",
        severity: Severity::Error,
        summary: "a `|cidr` value is not a network in CIDR notation (or has host bits set)",
        doc: "`cidr` takes `address/prefix` with an IPv4 or IPv6 network address whose host bits are zero \
              (`10.0.0.0/8`, not `10.0.0.1/8`), as pySigma requires.",
        bad: rule_yaml!("    SourceIp|cidr: 10.0.0.1/8\n"),
        good: rule_yaml!("    SourceIp|cidr: 10.0.0.0/8\n"),
    }

    REGEX_UNSUPPORTED {
        code: "M310",
        name: "regex-construct-unsupported",
        severity: Severity::Warning,
        summary: "a regex uses look-around, backreferences or atomic groups that Elastic cannot run",
        doc: "Elasticsearch (Lucene regexp, ES|QL `rlike`, EQL `regex`) has no look-ahead, look-behind, \
              backreferences or atomic groups, and Lucene regexes are anchored. Such a rule cannot be deployed \
              to Elastic with the same meaning; rewrite it with plain alternation and a separate `not` selection.",
        bad: rule_yaml!("    CommandLine|re: 'powershell(?!\\.exe)'\n"),
        good: rule_yaml!("    CommandLine|re: 'powershell[^.]'\n"),
    }

    YAML11_AMBIGUOUS {
        code: "M311",
        name: "yaml11-ambiguous-value",
        severity: Severity::Warning,
        summary: "an unquoted value that YAML 1.1 reads as a boolean or an unexpected number",
        doc: "pySigma reads rules with PyYAML (YAML 1.1): unquoted `yes`, `no`, `on`, `off` are booleans, \
              `0755` is octal 493, `1:30` is 90 and `0x1F` is 31. A YAML 1.2 tool reads them differently, so \
              quote the value to say which you mean.",
        bad: rule_yaml!("    Enabled: on\n"),
        good: rule_yaml!("    Enabled: 'on'\n"),
    }

    DOUBLE_WILDCARD {
        code: "M312",
        name: "double-wildcard",
        severity: Severity::Info,
        summary: "`**` in a value",
        doc: "Two consecutive `*` wildcards mean the same as one; usually a leftover of editing.",
        bad: rule_yaml!("    CommandLine: '**whoami*'\n"),
        good: rule_yaml!("    CommandLine: '*whoami*'\n"),
    }

    NUMBER_AS_STRING {
        code: "M313",
        name: "number-as-string",
        severity: Severity::Info,
        summary: "a number written as a quoted string",
        doc: "`EventID: '4688'` is a string and converts to `EventID=\"4688\"`; a number converts to \
              `EventID=4688`. Backends compare them differently; write numbers unquoted unless the field is text.",
        bad: rule_yaml!("    EventID: '4688'\n"),
        good: rule_yaml!("    EventID: 4688\n"),
    }

    CONTROL_CHARACTER {
        code: "M314",
        name: "control-character",
        severity: Severity::Warning,
        summary: "a value contains a control character",
        doc: "A tab, backspace or other control character in a value is almost always a double-quoted YAML \
              string where `\\t` or `\\b` was meant as a backslash and a letter (`\"C:\\temp\"`). Use single quotes.",
        bad: rule_yaml!("    Image: \"C:\\temp\\a.exe\"\n"),
        good: rule_yaml!("    Image: 'C:\\temp\\a.exe'\n"),
    }

    FIELD_NAME_CONTROL_CHARACTER {
        code: "M315",
        name: "field-name-control-character",
        severity: Severity::Error,
        summary: "a field name contains a control character",
        doc: "No target query can name a field with a tab, line break, NUL or other control character \
              (no log field has one), so the rule cannot be converted (B801 on every target). It is \
              usually a double-quoted YAML key where `\\t` was meant literally.",
        bad: rule_yaml!("    \"Image\\tPath\": a\n"),
        good: rule_yaml!("    Image: a\n"),
    }

    DUPLICATE_VALUE {
        code: "M316",
        name: "duplicate-value",
        severity: Severity::Warning,
        summary: "the same value appears twice in one list",
        doc: "A repeated value in a field's list adds nothing; it often hides a typo in the value meant.",
        bad: rule_yaml!("    Image: [a.exe, b.exe, a.exe]\n"),
        good: rule_yaml!("    Image: [a.exe, b.exe, c.exe]\n"),
    }

    PLACEHOLDER_WITHOUT_EXPAND {
        code: "M317",
        name: "placeholder-without-expand",
        severity: Severity::Warning,
        summary: "a `%name%` placeholder in a value without the `expand` modifier",
        doc: "Sigma placeholders are only replaced under `|expand`; without it `%Servers%` is matched as the \
              literal text. Add `|expand` (and define the variable), or escape the percent signs.",
        bad: rule_yaml!("    Computer: '%DomainControllers%'\n"),
        good: rule_yaml!("    Computer|expand: '%DomainControllers%'\n"),
    }

    WILDCARDS_FOR_MODIFIERS {
        code: "M318",
        name: "wildcards-instead-of-modifiers",
        severity: Severity::Info,
        summary: "`*x*`, `x*` or `*x` written by hand instead of contains, startswith or endswith",
        doc: "Leading and trailing wildcards say the same as `|contains`, `|startswith` and `|endswith`, but the \
              modifiers state the intent, survive pipelines that rewrite values, and let backends choose their \
              fastest operator. Fixable (`detc check --fix`: `CommandLine: '*x*'` → `CommandLine|contains: 'x'`) when \
              every value of the item has the same shape, no value holds an escaped or inner wildcard, and no \
              sibling key already has that modifier.",
        bad: rule_yaml!("    CommandLine: '*whoami*'\n"),
        good: rule_yaml!("    CommandLine|contains: whoami\n"),
    }

    ESCAPED_WILDCARD {
        code: "M319",
        name: "escaped-wildcard",
        severity: Severity::Info,
        summary: "a value contains an escaped wildcard `\\*` or `\\?`",
        doc: "`\\*` matches a literal asterisk. Right after a path component (`C:\\Windows\\*`) the backslash was \
              most likely meant as the path separator before a wildcard, and escapes the wildcard instead: write \
              `C:\\Windows\\\\*`. A literal `*` or `?` outside a Windows path (`/tn \\*`, `page.asp\\?id=`) or after \
              an escaped backslash (`\\\\\\*`) is deliberate and not reported.",
        bad: rule_yaml!("    Image: 'C:\\Windows\\*'\n"),
        good: rule_yaml!("    Image: 'C:\\Windows\\\\*'\n"),
    }
}
