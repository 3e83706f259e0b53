//! Markdown pages: one per detection (`docs/rules/<stem>.md`) and an index. Rule text reaches them
//! only through the `md`, `md_inline`, `fence` and `code_block` template filters (render/escape.rs).

use std::collections::HashSet;
use std::sync::Arc;

use minijinja::Value;

use rayon::prelude::*;
use serde_json::Value as Json;

use super::compiled::Detection;
use super::escape::unique_page;
use super::family::{BuildContext, Family, Output};
use super::json_view::{lend_shared, object};

pub struct MarkdownDocs;

/// The queries of each target for the page: all of a multi-query rule, or why there are none.
fn queries(d: &Detection<'_, '_>) -> Vec<Json> {
    d.queries
        .iter()
        .map(|(target, q)| {
            let text = match &q.queries {
                Ok(list) => list.join("\n\n"),
                Err(why) => format!("not available: {why}"),
            };
            object([("target", Json::from(*target)), ("query", Json::String(text))])
        })
        .collect()
}

fn page_context(d: &Detection<'_, '_>, page: &str) -> Json {
    let correlation = super::meta::correlation_summary(d.parsed);
    // Built from moved and cloned values: `json!` re-serializes every value it is given, which cost
    // more than rendering the page.
    object([
        ("rule", d.meta.clone()),
        ("kind", Json::from(d.kind())),
        ("queries", Json::Array(queries(d))),
        ("tests", Json::Array(d.tests.clone())),
        ("correlation", correlation.unwrap_or(Json::Null)),
        ("page", Json::from(page)),
    ])
}

impl Family for MarkdownDocs {
    fn name(&self) -> &'static str {
        "docs"
    }

    fn render(&self, ctx: &BuildContext<'_, '_, '_>) -> Output {
        let mut out = Output::default();
        let mut used: HashSet<String> = HashSet::new();
        let pages: Vec<String> = ctx
            .detections
            .iter()
            .map(|d| unique_page(&mut used, d.title(), d.id(), "md"))
            .collect();
        // Pages render on all cores; names were given in catalog order above, so the output is the same.
        let rendered: Vec<(Output, Arc<Json>)> = ctx
            .detections
            .par_iter()
            .zip(&pages)
            .map(|(d, page)| {
                let context = Arc::new(page_context(d, page));
                let mut o = Output::default();
                o.render(
                    ctx.templates,
                    format!("docs/{page}"),
                    "docs/rule.md.j2",
                    &minijinja::context! {d => lend_shared(&context), vars => &ctx.config.variables},
                );
                o.deployed(d, "docs", &format!("docs/{page}"), vec![d.title().to_string()]);
                (o, context)
            })
            .collect();
        // The index reads a few fields of each page's context: lent, not copied.
        let mut index: Vec<Value> = Vec::with_capacity(rendered.len());
        for (o, context) in rendered {
            out.extend(o);
            index.push(lend_shared(&context));
        }
        out.render(
            ctx.templates,
            "docs/index.md",
            "docs/index.md.j2",
            &minijinja::context! {detections => index, vars => &ctx.config.variables},
        );
        out
    }
}
