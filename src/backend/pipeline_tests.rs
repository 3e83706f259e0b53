//! Pipelines applied to rules, end to end through lowering and rendering.

use std::path::Path;
use std::sync::Arc;

use super::{QueryLanguage, convert_catalog_with};
use crate::catalog::Catalog;
use crate::pipeline::load_pipeline;

/// A backend by id.
fn t(id: &str) -> QueryLanguage {
    QueryLanguage::parse(id).expect("a backend")
}

fn convert(pipeline: &str, rule: &str, target: QueryLanguage) -> Vec<String> {
    let p = load_pipeline(Arc::from(Path::new("p.yml")), pipeline.to_string()).expect("valid pipeline");
    let catalog = Catalog::from_sources(&[("r.yml", rule)]);
    let out = convert_catalog_with(&catalog, target, &Default::default(), Some(&p));
    assert!(
        out[0]
            .diagnostics
            .iter()
            .all(|d| d.severity != crate::diag::Severity::Error),
        "{:?}",
        out[0].diagnostics
    );
    out[0].queries.clone()
}

const RULE: &str = "title: T\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n    CommandLine|contains: whoami\n    Provider_Name: X\n  condition: sel\n";

#[test]
fn field_mapping_one_to_many_prefix_and_conditions() {
    let p = "transformations:\n  - id: m\n    type: field_name_mapping\n    mapping: {Image: process.executable, CommandLine: [process.command_line, process.args]}\n    rule_conditions: [{type: logsource, product: windows}]\n  - type: drop_detection_item\n    field_name_conditions: [{type: include_fields, fields: [Provider_Name]}]\n";
    assert_eq!(
        convert(p, RULE, t("splunk")),
        [r#"process.executable="*\\cmd.exe" process.command_line="*whoami*" OR process.args="*whoami*""#]
    );
    let other = "transformations:\n  - type: field_name_prefix\n    prefix: x.\n    rule_conditions: [{type: logsource, product: linux}]\n";
    assert_eq!(
        convert(other, RULE, t("lucene")),
        [r"Image:*\\cmd.exe AND CommandLine:*whoami* AND Provider_Name:X"]
    );
}

#[test]
fn add_condition_state_and_placeholders() {
    let p = "vars: {admins: [root, 'adm_*']}\ntransformations:\n  - type: add_condition\n    conditions: {index: win}\n  - type: set_state\n    key: index\n    val: logs-win-*\n  - type: value_placeholders\n";
    let rule =
        "title: T\nlogsource: {product: windows}\ndetection:\n  sel:\n    User|expand: '%admins%'\n  condition: sel\n";
    assert_eq!(
        convert(p, rule, t("splunk")),
        [r#"index="win" User IN ("root", "adm_*")"#]
    );
    assert_eq!(
        convert(p, rule, t("esql")),
        [
            r#"from logs-win-* metadata _id, _index, _version | where TO_LOWER(index)=="win" and (TO_LOWER(User)=="root" or starts_with(TO_LOWER(User), "adm_"))"#
        ]
    );
}

#[test]
fn failures_and_bad_files_are_errors() {
    let p = load_pipeline(Arc::from(Path::new("p.yml")), "transformations:\n  - type: rule_failure\n    message: no windows here\n    rule_conditions: [{type: logsource, product: windows}]\n".into()).unwrap();
    let catalog = Catalog::from_sources(&[("r.yml", RULE)]);
    let out = convert_catalog_with(&catalog, t("splunk"), &Default::default(), Some(&p));
    assert!(out[0].queries.is_empty() && out[0].diagnostics[0].message.contains("no windows here"));
    let errs = load_pipeline(
        Arc::from(Path::new("p.yml")),
        "transformations:\n  - type: field_name_mapping\n  - type: nope\n".into(),
    )
    .unwrap_err();
    let lines: Vec<u32> = errs.iter().map(|d| d.span.unwrap().start.line).collect();
    assert_eq!(lines, [2, 3], "{errs:?}");
    assert!(
        load_pipeline(
            Arc::from(Path::new("p.yml")),
            "transformations: []\npostprocessing: []\n".into()
        )
        .is_err()
    );
}

#[test]
fn case_rewrites_plain_strings_of_the_selected_fields_only() {
    let p = "transformations:\n  - type: case\n    method: upper\n    field_name_conditions: [{type: include_fields, mode: re, fields: ['.*Image']}]\n  - type: case\n    method: snake_case\n    field_name_conditions: [{type: include_fields, fields: [EventType]}]\n";
    let rule = "title: T\nlogsource: {product: windows}\ndetection:\n  sel:\n    ParentImage|endswith: '\\cmd.exe'\n    ImageLoaded: 'c:\\x.dll'\n    ImageArgs|windash: ' -enc'\n    OriginalFileName: cmd.exe\n    EventType: SetValue\n    ImageData|base64: abc\n  condition: sel\n";
    // `.*Image` is matched like Python's `re.match`: from the start, so `ImageLoaded` counts too.
    // Windash and base64 values are left alone (`abc`, not `ABC`), as are fields outside the conditions.
    assert_eq!(
        convert(p, rule, t("splunk")),
        [
            r#"ParentImage="*\\CMD.EXE" ImageLoaded="C:\\X.DLL" ImageArgs=" -enc" OR ImageArgs=" /enc" OR ImageArgs=" –enc" OR ImageArgs=" —enc" OR ImageArgs=" ―enc" OriginalFileName="cmd.exe" EventType="set_value" ImageData="YWJj""#
        ]
    );
}

#[test]
fn unknown_case_method_and_bad_field_regex_are_reported() {
    let err = load_pipeline(
        Arc::from(Path::new("p.yml")),
        "transformations:\n  - type: case\n    method: title\n  - type: case\n    field_name_conditions: [{type: include_fields, mode: re, fields: ['(']}]\n".into(),
    )
    .unwrap_err();
    let messages: Vec<&str> = err.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("unknown case method `title`")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("invalid field-name regex `(`")),
        "{messages:?}"
    );
}

#[test]
fn detection_item_failure_fires_only_on_the_fields_it_names() {
    let failure = |field: &str| {
        let text = format!(
            "transformations:\n  - type: detection_item_failure\n    message: no {field} here\n    field_name_conditions: [{{type: include_fields, fields: [{field}]}}]\n"
        );
        let p = load_pipeline(Arc::from(Path::new("p.yml")), text).unwrap();
        let catalog = Catalog::from_sources(&[("r.yml", RULE)]);
        let out = convert_catalog_with(&catalog, t("splunk"), &Default::default(), Some(&p));
        out[0].diagnostics.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
    };
    assert!(failure("CommandLine").iter().any(|m| m.contains("no CommandLine here")));
    assert!(failure("ParentImage").is_empty(), "RULE has no ParentImage item");
}

#[test]
fn correlations_take_their_base_rules_state_or_their_own() {
    let p = "transformations:\n  - type: set_state\n    key: index\n    val: logs-a\n    rule_conditions: [{type: logsource, product: a}]\n  - type: set_state\n    key: index\n    val: logs-b\n    rule_conditions: [{type: logsource, product: b}]\n  - type: set_state\n    key: source_category\n    val: my cat\n";
    let p = load_pipeline(Arc::from(Path::new("p.yml")), p.to_string()).expect("valid pipeline");
    let text = |b_product: &str| {
        format!(
            "title: A\nname: a\nlogsource: {{product: a}}\ndetection: {{sel: {{f: 1}}, condition: sel}}\n---\ntitle: B\nname: b\nlogsource: {{product: {b_product}}}\ndetection: {{sel: {{f: 2}}, condition: sel}}\n---\ntitle: C\ncorrelation: {{type: temporal, rules: [a, b], group-by: [g], timespan: 1h}}\n"
        )
    };
    let get = |product: &str, target| {
        let catalog = Catalog::from_sources(&[("r.yml", text(product).as_str())]);
        convert_catalog_with(&catalog, target, &Default::default(), Some(&p))[2].queries[0].clone()
    };
    // Each base rule's index, once each; without one for every rule, the correlation's own (none).
    assert!(get("b", t("esql")).starts_with("from logs-a, logs-b metadata"));
    assert!(get("a", t("esql")).starts_with("from logs-a metadata"));
    assert!(get("c", t("esql")).starts_with("from * metadata"));
    // An unconditional state reaches the correlation document too; a category with a space is quoted.
    assert!(get("c", t("sumo")).starts_with("_sourceCategory=\"my cat\"\n"));
}

#[test]
fn set_value_on_a_typed_match_and_convert_type_outside_excluded_fields() {
    let p = "transformations:\n  - type: set_value\n    value: egress\n    field_name_conditions: [{type: include_fields, fields: [Initiated]}]\n    detection_item_conditions: [{type: match_value, value: true, cond: all}]\n  - type: convert_type\n    target_type: str\n    field_name_conditions: [{type: include_fields, fields: [DestinationPort]}]\n    field_name_cond_not: true\n";
    let rule = |initiated: &str| {
        format!(
            "title: T\nlogsource: {{product: windows}}\ndetection:\n  sel:\n    Initiated: {initiated}\n    EventID: 3\n    DestinationPort: 443\n    Count|gt: 5\n  condition: sel\n"
        )
    };
    // The boolean `true` matches `value: true`; the string 'true' does not (pySigma compares typed
    // values). Numbers become strings except in the excluded field and under a comparison.
    assert_eq!(
        convert(p, &rule("true"), t("eql")),
        [r#"any where Initiated:"egress" and EventID:"3" and DestinationPort == 443 and Count > 5"#]
    );
    assert_eq!(
        convert(p, &rule("'true'"), t("eql")),
        [r#"any where Initiated:"true" and EventID:"3" and DestinationPort == 443 and Count > 5"#]
    );
}

#[test]
fn added_conditions_go_through_the_items_after_theirs_only() {
    // `before` runs ahead of the add_condition, so the added EventID is not renamed by it; `after`
    // renames it, and `only_added` sees that the added item was processed by `add`.
    let p = "transformations:\n  - id: before\n    type: field_name_mapping\n    mapping: {EventID: Before}\n  - id: add\n    type: add_condition\n    conditions: {EventID: 1}\n  - id: after\n    type: field_name_mapping\n    mapping: {EventID: event.code}\n  - id: only_added\n    type: field_name_suffix\n    suffix: _added\n    detection_item_conditions: [{type: processing_item_applied, processing_item_id: add}]\n";
    let rule = "title: T\nlogsource: {product: windows}\ndetection:\n  sel:\n    EventID: 4688\n  condition: sel\n";
    assert_eq!(convert(p, rule, t("splunk")), [r#"event.code_added=1 Before=4688"#]);
}

#[test]
fn merged_pipelines_run_by_priority_then_by_the_name_given() {
    let load = |name: &str, priority: i64| {
        let text = format!(
            "name: {name}\npriority: {priority}\ntransformations:\n  - type: field_name_suffix\n    suffix: _{name}\n"
        );
        (
            name.to_string(),
            load_pipeline(Arc::from(Path::new("p.yml")), text).unwrap(),
        )
    };
    // pySigma's resolver sorts by (priority, spec): equal priorities run in name order, whatever
    // order they were given in.
    let merged = crate::pipeline::Pipeline::merge(vec![load("b", 10), load("c", 5), load("a", 10)]);
    let order: Vec<&str> = merged.items.iter().map(|i| i.pipeline.as_str()).collect();
    assert_eq!(order, ["c", "a", "b"]);
    assert_eq!(merged.name, "c+a+b");
}

#[test]
fn allowed_backends_refuse_the_other_targets() {
    let p = |backends: &str| {
        let text = format!("name: x\nallowed_backends: {backends}\ntransformations: []\n");
        load_pipeline(Arc::from(Path::new("p.yml")), text).unwrap()
    };
    let elastic = crate::pipeline::Pipeline::merge(vec![("x".into(), p("[elasticsearch, eql]"))]);
    assert!(elastic.refuses("lucene").is_none() && elastic.refuses("eql").is_none());
    let (name, suits) = elastic.refuses("splunk").expect("refused");
    assert_eq!((name, suits), ("x", &["lucene".to_string(), "eql".to_string()][..]));
    assert!(p("[]").refuses("splunk").is_none());
}

#[test]
fn explain_names_the_pipeline_and_item_of_every_change() {
    let p = load_pipeline(
        Arc::from(Path::new("p.yml")),
        "name: demo\ntransformations:\n  - id: scope\n    type: add_condition\n    conditions: {source: win}\n  - type: field_name_mapping\n    mapping: {Image: process.executable}\n  - id: lower\n    type: case\n    method: lower\n  - id: refuse_linux\n    type: rule_failure\n    message: no linux\n    rule_conditions: [{type: logsource, product: linux}]\n".into(),
    )
    .unwrap();
    let trace = |product: &str| {
        let text = format!(
            "title: T\nlogsource: {{product: {product}}}\ndetection:\n  sel:\n    Image: CMD.exe\n  condition: sel and sel\n"
        );
        let catalog = Catalog::from_sources(&[("r.yml", text.as_str())]);
        let parsed: Vec<crate::model::Parsed<'_>> = catalog.documents.iter().map(crate::model::Parsed::parse).collect();
        let vars = Default::default();
        let lowering = crate::ir::Lowering::new(&parsed, &vars).with_pipeline(Some(&p));
        lowering
            .explain_rule(&parsed[0])
            .0
            .into_iter()
            .map(|e| format!("{}/{}: {}", e.pipeline, e.item, e.change))
            .collect::<Vec<_>>()
    };
    // Each change once, though `sel` is lowered twice; an item without id is `#N`.
    assert_eq!(
        trace("windows"),
        [
            r#"demo/scope: condition added: source: "win""#,
            "demo/#1: field Image → process.executable",
            r#"demo/lower: process.executable: "CMD.exe" → process.executable: "cmd.exe""#,
        ]
    );
    assert_eq!(
        trace("linux").last().unwrap(),
        "demo/refuse_linux: rule failed: no linux"
    );
}

#[test]
fn explain_shows_a_renamed_field_reference() {
    let p = load_pipeline(
        Arc::from(Path::new("p.yml")),
        "name: m\ntransformations:\n  - id: map\n    type: field_name_mapping\n    mapping: {Image: process.executable, ParentImage: process.parent.executable}\n".into(),
    )
    .unwrap();
    let text = "title: T\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|fieldref: ParentImage\n  condition: sel\n";
    let catalog = Catalog::from_sources(&[("r.yml", text)]);
    let parsed: Vec<crate::model::Parsed<'_>> = catalog.documents.iter().map(crate::model::Parsed::parse).collect();
    let vars = Default::default();
    let lowering = crate::ir::Lowering::new(&parsed, &vars).with_pipeline(Some(&p));
    let changes: Vec<String> = lowering
        .explain_rule(&parsed[0])
        .0
        .into_iter()
        .map(|e| e.change)
        .collect();
    assert_eq!(
        changes,
        [
            "field reference ParentImage → process.parent.executable",
            "field Image → process.executable"
        ]
    );
}
