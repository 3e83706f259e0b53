//! Backend outputs for the constructs of sigma-reference §7.1. Splunk, Lucene and EQL expectations
//! are pySigma's verified outputs except where a comment names a deliberate divergence; ES|QL
//! compares lower-cased values (Sigma's case-insensitive default). EQL compares numbers and booleans
//! with `==`: pySigma's `F:5` does not type-check in EQL.

use super::convert::render_query;
use super::{QueryLanguage, convert_catalog};
use crate::catalog::Catalog;

/// Convert a rule whose `detection` body is `detection` (without the condition line).
/// A backend by id.
fn t(id: &str) -> QueryLanguage {
    QueryLanguage::parse(id).expect("a backend")
}

fn conv(target: QueryLanguage, detection: &str, condition: &str) -> String {
    let text = format!("title: T\nlogsource: {{product: windows}}\ndetection:\n{detection}  condition: {condition}\n");
    let catalog = Catalog::from_sources(&[("t.yml", &text)]);
    let out = convert_catalog(&catalog, target, &Default::default());
    assert_eq!(out.len(), 1);
    let c = &out[0];
    assert!(
        c.diagnostics.iter().all(|d| d.severity != crate::diag::Severity::Error),
        "{:?}",
        c.diagnostics
    );
    c.queries.join("\n---\n")
}

fn sel(yaml: &str) -> String {
    format!(
        "  sel:\n{}",
        yaml.lines().map(|l| format!("    {l}\n")).collect::<String>()
    )
}

/// (detection item, splunk, lucene, eql, esql-where)
const CASES: &[(&str, &str, &str, &str, &str)] = &[
    (
        r"Image: 'C:\Windows\System32\cmd.exe'",
        r#"Image="C:\\Windows\\System32\\cmd.exe""#,
        r"Image:C\:\\Windows\\System32\\cmd.exe",
        r#"Image:"C:\\Windows\\System32\\cmd.exe""#,
        r#"TO_LOWER(Image)=="c:\\windows\\system32\\cmd.exe""#,
    ),
    (
        r"Image|endswith: '\cmd.exe'",
        r#"Image="*\\cmd.exe""#,
        r"Image:*\\cmd.exe",
        r#"Image:"*\\cmd.exe""#,
        r#"ends_with(TO_LOWER(Image), "\\cmd.exe")"#,
    ),
    (
        r#"CommandLine|contains: 'a"b c'"#,
        r#"CommandLine="*a\"b c*""#,
        r#"CommandLine:*a\"b\ c*"#,
        r#"CommandLine:"*a\"b c*""#,
        r#"TO_LOWER(CommandLine) like "*a\"b c*""#,
    ),
    (
        "F: 'ab?c'",
        r#"F="ab*c""#,
        "F:ab?c",
        r#"F:"ab?c""#,
        r#"TO_LOWER(F) like "ab?c""#,
    ),
    (
        r"F: 'ab\*c'",
        r#"F="ab\*c""#,
        r"F:ab\*c",
        r#"F regex~ "ab\\*c""#, // EQL has no wildcard escape: an equivalent regex
        r#"TO_LOWER(F)=="ab*c""#,
    ),
    (
        "EventID: 4688",
        "EventID=4688",
        "EventID:4688",
        "EventID == 4688",
        "EventID==4688",
    ),
    ("F: true", "F=true", "F:true", "F == true", "F==true"),
    ("F: null", "NOT F=*", "NOT _exists_:F", "?F == null", "F is null"),
    ("F: ''", r#"F="""#, r#"F:"""#, r#"F=="""#, r#"TO_LOWER(F)=="""#),
    (
        "F: [a, b]",
        r#"F IN ("a", "b")"#,
        "F:(a OR b)",
        r#"F like~ ("a", "b")"#,
        r#"TO_LOWER(F) in ("a", "b")"#,
    ),
    (
        "F|contains|all: [a, b]",
        r#"F="*a*" F="*b*""#,
        "F:*a* AND F:*b*",
        r#"F:"*a*" and F:"*b*""#,
        r#"TO_LOWER(F) like "*a*" and TO_LOWER(F) like "*b*""#,
    ),
    (
        "F|re|i|m|s: abc",
        "*\n| regex F=\"(?ims)abc\"",
        "F:/(?ims)abc/",
        r#"F regex~ "(?ims)abc""#,
        r#"F rlike "(?ims)abc""#,
    ),
    (
        "Ip|cidr: 10.0.0.0/8",
        r#"Ip="10.0.0.0/8""#,
        r"Ip:10.0.0.0\/8",
        r#"cidrMatch(Ip, "10.0.0.0/8")"#,
        r#"cidr_match(Ip, "10.0.0.0/8")"#,
    ),
    ("F|gt: 5", "F>5", "F:>5", "F > 5", "F>5"),
    ("F|neq: 5", "NOT F=5", "NOT F:5", "not F == 5", "not F==5"),
    (
        "F|neq: [a, b]",
        r#"NOT (F IN ("a", "b"))"#,
        "NOT (F:(a OR b))",
        r#"not (F like~ ("a", "b"))"#,
        r#"not (TO_LOWER(F) in ("a", "b"))"#,
    ),
    (
        "F|base64offset|contains: abc",
        r#"F="*YWJj*" OR F="*FiY*" OR F="*hYm*""#,
        "F:(*YWJj* OR *FiY* OR *hYm*)",
        r#"F like~ ("*YWJj*", "*FiY*", "*hYm*")"#,
        r#"TO_LOWER(F) like "*ywjj*" or TO_LOWER(F) like "*fiy*" or TO_LOWER(F) like "*hym*""#,
    ),
];

#[test]
fn construct_matrix() {
    let mut failures = Vec::new();
    for (item, splunk, lucene, eql, esql) in CASES {
        let det = sel(item);
        for (target, want) in [
            (t("splunk"), splunk.to_string()),
            (t("lucene"), lucene.to_string()),
            (t("eql"), format!("any where {eql}")),
            (
                t("esql"),
                format!("from * metadata _id, _index, _version | where {esql}"),
            ),
        ] {
            let got = conv(target, &det, "sel");
            if got != want {
                failures.push(format!("{item} on {}:\n  want {want}\n  got  {got}", target.name()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn precedence_and_grouping() {
    let det = "  s1: {a: 1}\n  s2: {b: 2}\n  s3: {c: 3}\n";
    let cases = [
        (
            "s1 and (s2 or s3)",
            "a=1 b=2 OR c=3",
            "a:1 AND (b:2 OR c:3)",
            "a == 1 and (b == 2 or c == 3)",
        ),
        (
            "(s1 and s2) or not s3",
            "(a=1 b=2) OR NOT c=3",
            "(a:1 AND b:2) OR (NOT c:3)",
            "(a == 1 and b == 2) or (not c == 3)",
        ),
        ("not not s1", "NOT (NOT a=1)", "NOT (NOT a:1)", "not (not a == 1)"),
    ];
    for (cond, splunk, lucene, eql) in cases {
        assert_eq!(conv(t("splunk"), det, cond), splunk, "{cond}");
        assert_eq!(conv(t("lucene"), det, cond), lucene, "{cond}");
        assert_eq!(conv(t("eql"), det, cond), format!("any where {eql}"), "{cond}");
    }
}

#[test]
fn negated_null_collapses_on_lucene_and_eql() {
    let det = "  sel: {a: 1}\n  filter: {F: null}\n";
    assert_eq!(conv(t("splunk"), det, "sel and not filter"), "a=1 NOT NOT F=*");
    assert_eq!(conv(t("lucene"), det, "sel and not filter"), "a:1 AND _exists_:F");
    assert_eq!(
        conv(t("eql"), det, "sel and not filter"),
        "any where a == 1 and ?F != null"
    );
}

#[test]
fn keywords() {
    let det = "  kw: [evil, 'bad thing']\n";
    assert_eq!(conv(t("splunk"), det, "kw"), r#""evil" OR "bad thing""#);
    assert_eq!(conv(t("lucene"), det, "kw"), r"*evil* OR *bad\ thing*");
    assert_eq!(
        conv(t("sumo"), det, "kw"),
        "*\n| where toLowerCase(_raw) matches \"*evil*\" or toLowerCase(_raw) matches \"*bad thing*\""
    );
}

#[test]
fn windash_expands_every_dash() {
    let got = conv(t("splunk"), &sel("CommandLine|windash|contains: ' -foo'"), "sel");
    assert_eq!(
        got,
        "CommandLine=\"* -foo*\" OR CommandLine=\"* /foo*\" OR CommandLine=\"* \u{2013}foo*\" OR CommandLine=\"* \u{2014}foo*\" OR CommandLine=\"* \u{2015}foo*\""
    );
}

#[test]
fn sumo_parses_fields_and_lowercases() {
    let got = conv(t("sumo"), &sel("data.type: S\ndata.description|contains: Brute"), "sel");
    assert_eq!(
        got,
        "*\n| json field=_raw \"data.description\", \"data.type\" as data_description, data_type nodrop\n| where toLowerCase(data_type) = \"s\" and toLowerCase(data_description) matches \"*brute*\""
    );
}

#[test]
fn array_fields_are_flattened_off_splunk() {
    let det = sel("data.roles{}: admin");
    assert_eq!(conv(t("splunk"), &det, "sel"), r#""data.roles{}"="admin""#);
    assert_eq!(conv(t("lucene"), &det, "sel"), "data.roles:admin");
}

#[test]
fn unsupported_constructs_are_errors_with_reasons() {
    let text = "title: T\nlogsource: {product: x}\ndetection:\n  kw: [evil]\n  condition: kw\n";
    let catalog = Catalog::from_sources(&[("t.yml", text)]);
    let out = convert_catalog(&catalog, t("esql"), &Default::default());
    assert!(out[0].queries.is_empty());
    assert!(
        out[0].diagnostics[0].message.contains("keyword search"),
        "{:?}",
        out[0].diagnostics
    );
}

#[test]
fn correlation_event_count_on_every_target() {
    let text = "title: Base\nname: base\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: Many\ncorrelation:\n  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gte: 10}\n";
    let catalog = Catalog::from_sources(&[("t.yml", text)]);
    let get = |t| convert_catalog(&catalog, t, &Default::default());
    let splunk = get(t("splunk"));
    assert!(
        splunk[0].queries.is_empty(),
        "the base rule is folded into the correlation"
    );
    assert_eq!(
        splunk[1].queries[0],
        "data.type=\"f\"\n| sort 0 _time\n| streamstats time_window=1h count as event_count by data.ip\n| where event_count >= 10"
    );
    assert_eq!(
        get(t("eql"))[1].queries[0],
        format!(
            "sequence by data.ip with maxspan=1h{}",
            "\n  [any where data.type:\"f\"]".repeat(10)
        )
    );
    assert_eq!(
        get(t("esql"))[1].queries[0],
        "from * metadata _id, _index, _version | where TO_LOWER(data.type)==\"f\"\n| eval timebucket=date_trunc(1hours, @timestamp) | stats event_count=count() by timebucket, data.ip\n| where event_count >= 10"
    );
    assert!(
        get(t("sumo"))[1].queries[0]
            .contains("| timeslice 1h\n| count as event_count by _timeslice, data_ip\n| where event_count >= 10")
    );
    let lucene = get(t("lucene"));
    assert!(lucene[1].queries.is_empty());
    assert!(lucene[1].diagnostics[0].message.contains("threshold"));
}

#[test]
fn temporal_ordered_is_an_eql_sequence() {
    let text = "title: A\nname: a\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: B\nname: b\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: Then\ncorrelation:\n  type: temporal_ordered\n  rules: [a, b]\n  group-by: [data.user_id]\n  timespan: 10m\n";
    let catalog = Catalog::from_sources(&[("t.yml", text)]);
    let eql = convert_catalog(&catalog, t("eql"), &Default::default());
    assert_eq!(
        eql[2].queries[0],
        "sequence by data.user_id with maxspan=10m\n  [any where data.type:\"f\"]\n  [any where data.type:\"s\"]"
    );
    let splunk = convert_catalog(&catalog, t("splunk"), &Default::default());
    assert!(
        splunk[2].queries[0].ends_with("| where match(mvjoin(event_types, \" \"), \"(^| )a( .*)? b( |$)\")"),
        "{}",
        splunk[2].queries[0]
    );
}

#[test]
fn render_query_is_exposed_for_single_expressions() {
    let leaf = crate::ir::Expr::Leaf(crate::ir::Leaf {
        field: Some("a".into()),
        value: crate::ir::Value::Num(crate::ir::Num::Int(1)),
        span: Default::default(),
    });
    assert_eq!(render_query(t("lucene"), &leaf).unwrap(), "a:1");
}

#[test]
fn esql_like_escapes_at_pattern_and_string_level() {
    let got = conv(t("esql"), &sel(r"F|contains: 'C:\Win\*'"), "sel");
    // Pattern `*c:\\win\\\**` (escaped backslashes and star), then each backslash doubled in the string.
    assert_eq!(
        got,
        r#"from * metadata _id, _index, _version | where TO_LOWER(F) like "*c:\\\\win\\**""#
    );
}

#[test]
fn range_conditions_convert_where_the_target_can_filter_an_aggregate() {
    let text = "title: Base\nname: base\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: Some\ncorrelation:\n  type: event_count\n  rules: [base]\n  group-by: [data.ip]\n  timespan: 1h\n  condition: {gt: 10, lte: 100}\n";
    let catalog = Catalog::from_sources(&[("t.yml", text)]);
    let get = |t| convert_catalog(&catalog, t, &Default::default());
    assert!(get(t("splunk"))[1].queries[0].ends_with("| where event_count > 10 AND event_count <= 100"));
    assert!(get(t("esql"))[1].queries[0].ends_with("| where event_count > 10 and event_count <= 100"));
    assert!(get(t("sumo"))[1].queries[0].ends_with("| where event_count > 10 and event_count <= 100"));
    let eql = get(t("eql"));
    assert!(eql[1].queries.is_empty() && eql[1].diagnostics[0].message.contains("one gt/gte bound"));
}

/// Convert a catalog text for one target: (queries per document, error messages per document).
fn conv_all(target: QueryLanguage, text: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let catalog = Catalog::from_sources(&[("t.yml", text)]);
    convert_catalog(&catalog, target, &Default::default())
        .into_iter()
        .map(|c| {
            let errors = c
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::diag::Severity::Error)
                .map(|d| d.message.clone())
                .collect();
            (c.queries, errors)
        })
        .collect()
}

fn rule_with(item: &str) -> String {
    format!("title: T\nlogsource: {{product: x}}\ndetection:\n  sel:\n    {item}\n  condition: sel\n")
}

#[test]
fn splunk_fieldref_cannot_end_the_quoted_name() {
    // Was `| where 'a'='b' | delete | where 'x'`: the quote ended the name and `| delete` ran.
    let out = conv_all(t("splunk"), &rule_with(r#"a|fieldref: "b' | delete | where 'x""#));
    assert!(out[0].0.is_empty(), "{:?}", out[0].0);
    assert!(out[0].1[0].contains("single-quoted field name"), "{:?}", out[0].1);
    let out = conv_all(t("splunk"), &rule_with(r#""a'b|fieldref": c"#));
    assert!(out[0].0.is_empty() && out[0].1[0].contains("single-quoted"), "{out:?}");
    // Ordinary names keep pySigma's quoting; both sides are lower-cased (Sigma compares strings
    // case-insensitively, `where` does not), except under `|cased`, which is pySigma's form.
    assert_eq!(
        conv_all(t("splunk"), &rule_with("a|fieldref: b"))[0].0,
        ["*\n| where lower('a')=lower('b')"]
    );
    assert_eq!(
        conv_all(t("splunk"), &rule_with("a|fieldref|cased: b"))[0].0,
        ["*\n| where 'a'='b'"]
    );
}

#[test]
fn sumo_fieldref_target_is_parsed_under_an_alias() {
    // Was `| where a = b or 1=1`: the target went into the `where` clause raw.
    let q = &conv_all(t("sumo"), &rule_with("a|fieldref: b or 1=1"))[0].0[0];
    assert_eq!(
        q,
        "*\n| json field=_raw \"a\", \"b or 1=1\" as a, b_or_1_1 nodrop\n| where toLowerCase(a) = toLowerCase(b_or_1_1)"
    );
    // An alias never shadows an operator or a field the query defines.
    let q = &conv_all(t("sumo"), &rule_with("_raw|fieldref|cased: and"))[0].0[0];
    assert!(q.ends_with("as _raw_, and_ nodrop\n| where _raw_ = and_"), "{q}");
}

#[test]
fn fieldref_on_esql_quotes_both_names() {
    let q = &conv_all(t("esql"), &rule_with("a b|fieldref: c`d"))[0].0[0];
    assert!(q.ends_with("| where TO_LOWER(`a b`)==TO_LOWER(`c``d`)"), "{q}");
    let q = &conv_all(t("esql"), &rule_with("a|fieldref|cased: b"))[0].0[0];
    assert!(q.ends_with("| where a==b"), "{q}");
    for t in [t("lucene"), t("eql")] {
        assert!(conv_all(t, &rule_with("a|fieldref: b"))[0].1[0].contains("fieldref"));
    }
}

const HOSTILE_CORRELATION: &str = "title: A\nname: a\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: B\nname: 'b\" | delete | \"'\nlogsource: {product: auth0}\ndetection: {sel: {data.type: s}, condition: sel}\n---\ntitle: C\ncorrelation:\n  type: temporal\n  rules: [a, 'b\" | delete | \"']\n  group-by: ['ip | delete']\n  timespan: 10m\n";

#[test]
fn splunk_correlation_names_are_quoted() {
    // Was `by ip | delete` and `eval event_type="b" | delete | ""`.
    let q = &conv_all(t("splunk"), HOSTILE_CORRELATION)[2].0[0];
    assert!(q.contains(r#"| eval event_type="b\" | delete | \"" ]"#), "{q}");
    assert!(q.contains(r#" by "ip | delete""#), "{q}");
    let value_count = "title: A\nname: a\nlogsource: {product: auth0}\ndetection: {sel: {data.type: f}, condition: sel}\n---\ntitle: C\ncorrelation:\n  type: value_count\n  rules: [a]\n  group-by: [ip]\n  timespan: 10m\n  condition: {gte: 3, field: 'x) as v | delete | eval y=(z'}\n";
    let q = &conv_all(t("splunk"), value_count)[1].0[0];
    assert!(
        q.contains(r#"dc("x) as v | delete | eval y=(z") as value_count by ip"#),
        "{q}"
    );
}

#[test]
fn temporal_labels_are_string_literals() {
    // Was `case(…, "b" | delete | "")` on ES|QL and `if(…, "b" | delete | "", …)` on Sumo.
    let q = &conv_all(t("esql"), HOSTILE_CORRELATION)[2].0[0];
    assert!(q.contains(r#", "b\" | delete | \"")"#), "{q}");
    assert!(q.contains("by timebucket, `ip | delete`"), "{q}");
    let q = &conv_all(t("sumo"), HOSTILE_CORRELATION)[2].0[0];
    assert!(q.contains(r#", "b\" | delete | \"", "")"#), "{q}");
    assert!(q.contains(r#""ip | delete" as "#), "{q}");
    let temporal_ordered = HOSTILE_CORRELATION
        .replace("type: temporal", "type: temporal_ordered")
        .replace(" | delete | ", "|delete|");
    let q = &conv_all(t("splunk"), &temporal_ordered)[2].0[0];
    assert!(q.ends_with(r#""(^| )a( .*)? b\"\\|delete\\|\"( |$)")"#), "{q}");
    // The labels are joined with spaces: a name with one would read as two events.
    let spaced = HOSTILE_CORRELATION.replace("type: temporal", "type: temporal_ordered");
    let out = conv_all(t("splunk"), &spaced);
    assert!(
        out[2].0.is_empty() && out[2].1[0].contains("whitespace"),
        "{:?}",
        out[2]
    );
}

#[test]
fn slash_regex_literals_stay_closed() {
    // `a\/` was written `F:/a\\//`: the escaped backslash left the `/` bare, which closed the literal.
    assert_eq!(conv(t("lucene"), &sel(r"F|re: 'a\/'"), "sel"), r"F:/a\//");
    assert_eq!(conv(t("lucene"), &sel(r"F|re: 'a/b\\/c'"), "sel"), r"F:/a\/b\\\/c/");
    let sumo = conv(t("sumo"), &sel(r"F|re: 'a\/ or x'"), "sel");
    assert!(sumo.ends_with(r"| where F matches /a\/ or x/"), "{sumo}");
    // A lone trailing backslash would escape the closing slash: refused.
    let out = conv_all(t("lucene"), &rule_with(r"F|re: 'a\'"));
    assert!(out[0].0.is_empty() && out[0].1[0].contains("lone backslash"), "{out:?}");
}

#[test]
fn eql_strings_escape_line_breaks() {
    // A raw line break inside an EQL string was written after a backslash; Elastic rejects it.
    let got = conv(t("eql"), &sel("F: \"a\\nb\\tc\\rd\""), "sel");
    assert_eq!(got, r#"any where F:"a\nb\tc\rd""#);
    let got = conv(t("eql"), &sel("F|re: \"a\\nb\""), "sel");
    assert_eq!(got, r#"any where F regex "a\nb""#);
    // Other control characters as `\u{XX}` (two hex digits at least, as Elastic's parsers need).
    let got = conv(t("eql"), &sel("F: \"a\\0b\""), "sel");
    assert_eq!(got, r#"any where F:"a\u{00}b""#);
}

#[test]
fn field_names_are_escaped_for_every_construct() {
    let sp = |item: &str| conv_all(t("splunk"), &rule_with(item))[0].0.join("\n---\n");
    assert_eq!(sp(r#""a b|re": x"#), "*\n| regex \"a b\"=\"x\"");
    assert_eq!(sp("OR: x"), "\"OR\"=\"x\"");
    let rex = conv_all(
        t("splunk"),
        "title: T\nlogsource: {product: x}\ndetection:\n  a: {'x.b-c d|re': 'y'}\n  b: {z: 1}\n  condition: a or b\n",
    );
    assert_eq!(
        rex[0].0[0],
        "\n| rex field=\"x.b-c d\" \"(?<b_c_dMatch>y)\"\n| eval b_c_dCondition=if(isnotnull(b_c_dMatch), \"true\", \"false\")\n| search b_c_dCondition=\"true\" OR z=1"
    );
    let lu = |item: &str| conv_all(t("lucene"), &rule_with(item))[0].0.join("");
    assert_eq!(lu("-a: x"), r"\-a:x");
    assert_eq!(lu("NOT: x"), r"\NOT:x");
    assert_eq!(lu("a-b: x"), "a-b:x");
    let es = |item: &str| conv_all(t("esql"), &rule_with(item))[0].0.join("");
    assert!(es("1a: 1").ends_with("where `1a`==1"));
    assert!(es("a.not: 1").ends_with("where `a.not`==1"));
    assert!(es("'a..b': 1").ends_with("where `a..b`==1"));
    assert!(es("data.ip: 1").ends_with("where data.ip==1"));
    let eq = |item: &str| conv_all(t("eql"), &rule_with(item));
    assert_eq!(eq("a.where: 1")[0].0, ["any where `a.where` == 1"]);
    assert_eq!(eq("a|exists: true")[0].0, ["any where ?a != null"]);
    assert!(eq("a`b: 1")[0].1[0].contains("backtick"));
    // A control character in a field name is refused on every target.
    for t in QueryLanguage::all() {
        let out = conv_all(t, &rule_with("\"a\\nb\": x"));
        assert!(out[0].0.is_empty() && out[0].1[0].contains("U+000A"), "{t:?}: {out:?}");
    }
}
