//! B8xx: backend fidelity and deployment — reported by `convert` and `build`.

codes! {
    UNSUPPORTED {
        code: "B801",
        name: "unsupported-on-target",
        severity: Severity::Error,
        summary: "the rule uses a construct the target query language cannot express",
        doc: "The document converts to no query for this target, and the message names the construct (for \
              example keyword search in ES|QL, `fieldref` in Lucene, a regex under OR in Splunk, correlations \
              in Lucene). Other documents and other targets are unaffected. `--skip-unsupported` hides these. \
              Reported by `convert` and `build` when lowering to a target, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    WILDCARD_WIDENED {
        code: "B802",
        name: "single-char-wildcard-widened",
        severity: Severity::Warning,
        summary: "Splunk has no single-character wildcard: `?` becomes `*`",
        doc: "SPL search terms only know `*`. A Sigma `?` (exactly one character) is written as `*` (any \
              characters), so the Splunk query can match more than the rule. pySigma does this silently. Use \
              `|re` if the exact width matters. \
              Reported by `convert` and `build` for the Splunk target, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    CASE_SENSITIVE {
        code: "B803",
        name: "case-sensitive-target",
        severity: Severity::Warning,
        summary: "Lucene string matches on keyword fields are case-sensitive",
        doc: "Sigma matches strings case-insensitively. A Lucene query string compares keyword fields exactly \
              (only analysed text fields are case-insensitive), and it has no lower-casing function, so on keyword \
              fields the query matches only the case written in the rule. ES|QL and Sumo Logic outputs compare \
              lower-cased values instead and need no warning. \
              Reported by `convert` and `build` for the Lucene target, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    REGEX_ANCHORED {
        code: "B804",
        name: "regex-anchored-on-target",
        severity: Severity::Warning,
        summary: "Elastic regexes match the whole value, Sigma regexes a substring",
        doc: "Lucene `/re/`, ES|QL `rlike` and EQL `regex` match the entire field value, while Sigma (and \
              Splunk's `regex`) search for the pattern anywhere. `|re: foo` therefore means `^foo$` on Elastic. \
              Write `.*foo.*` (or use `|re|contains`) when a substring is meant. \
              Reported by `convert` and `build` for the Elastic targets, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    ARRAY_APPROXIMATED {
        code: "B805",
        name: "array-field-approximated",
        severity: Severity::Warning,
        summary: "a `field{}` array test is approximated on the target",
        doc: "`field{}` means 'any element of the array'. Sumo Logic's `json` operator returns the whole array as \
              JSON text, so the element test looks for the quoted element in that text: a wildcard pattern can then \
              match across elements. ES|QL functions and comparisons return null on a multi-valued field, so there \
              the test only works for single-element arrays. \
              Reported by `convert` and `build` for a target, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    FIXED_WINDOW {
        code: "B806",
        name: "correlation-fixed-window",
        severity: Severity::Warning,
        summary: "the target counts correlations in fixed time buckets, not a sliding window",
        doc: "Sigma's `timespan` is a sliding window: ten events within any hour. ES|QL (`date_trunc`) and Sumo \
              Logic (`timeslice`) group events into fixed buckets, so a burst that straddles a bucket boundary can \
              be split and missed. Splunk output uses `streamstats time_window`, a real sliding window, and EQL \
              sequences use `maxspan`. \
              Reported by `convert` and `build` for a target, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    TEMPLATE_ERROR {
        code: "B807",
        name: "template-error",
        severity: Severity::Error,
        summary: "an artifact template failed to render",
        doc: "Templates render with strict undefined values: naming a value the context does not have is an \
              error with the template's name and line, never an empty string in a deployed artifact. The \
              context holds `detections` (or `d` for one page), `target` (name, options) and `vars`. \
              Reported while `build` renders artifacts, not by `check`, so it has no check example.",
        bad: "",
        good: "",
    }

    NOT_DEPLOYABLE {
        code: "B808",
        name: "not-deployable",
        severity: Severity::Error,
        summary: "a build target cannot express a document",
        doc: "`detc build` deploys every rule and correlation to every target. When a target cannot express \
              one (a construct its query language lacks, a pipeline `rule_failure`, a placeholder without a \
              value), the build fails and says why, so no detection silently goes missing. Setting \
              `targets.<target>.skip_unsupported: true` in detc.yaml turns this into a warning: the document \
              is left out of that target, listed on stderr and recorded in `report.json`. Reported at build \
              time only, so it has no check example.",
        bad: "",
        good: "",
    }

    EXCLUDED_DOCUMENT {
        code: "B809",
        name: "excluded-document",
        severity: Severity::Warning,
        summary: "a broken document was left out of the build",
        doc: "By default `detc build` refuses a catalog with errors. With `--exclude-broken` (or \
              `exclude_broken: true` in detc.yaml) each document with an error is left out instead, together \
              with the correlations over it and the rules a broken filter applies to; each one is listed with \
              this warning and its reasons, and recorded in `report.json`. Reported at build time only, so it \
              has no check example.",
        bad: "",
        good: "",
    }

    ES_PART_OMITTED {
        code: "B810",
        name: "es-part-omitted",
        severity: Severity::Warning,
        summary: "a Splunk ES correlation search was deployed without its drill-down or risk action",
        doc: "With `targets.splunk.enterprise_security.enabled`, every saved search becomes an ES correlation \
              search with a notable event, a drill-down search and, when `risk_objects` are configured, a \
              risk action. A part is left out, and this warning says which and why, when it cannot be written \
              faithfully: ES replaces `$name$` in a drill-down search with the notable's field `name` and has \
              no escape for a literal `$`, so a search containing `$` gets no drill-down; a correlation whose \
              group-by fields include none of the risk object fields has results without a risk object, so it \
              gets no risk action. The correlation search itself and its notable are deployed. Reported at \
              build time only, so it has no check example.",
        bad: "",
        good: "",
    }
}
