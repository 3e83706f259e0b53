//! The static HTML catalog (`dist/site/`): an index with client-side search, filters and sorting
//! whose state lives in the URL, one page per rule and correlation (base rules consumed by a
//! correlation included), an ATT&CK coverage matrix with summary charts, one CSS and one JS file,
//! and the search index as JSON (and as a script, since `fetch` does not work from `file://`).
//!
//! Every page is a minijinja template under `templates/site/` with HTML auto-escaping; the few
//! fragments built here (Markdown, highlighted YAML, SVG charts) escape all rule text themselves.

mod coverage;
mod entry;
pub mod html;
pub mod markdown;
mod yaml;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;
use serde_json::{Value as Json, json};

use super::compiled::Detection;
use super::escape::unique_page;
use super::family::{BuildContext, Family, Output};
use super::json_view::{lend, object};
use super::meta::TACTICS;
use crate::backend::QueryLanguage;
use crate::eval::TestResult;
use coverage::{Bar, bar_chart};

pub struct StaticSite;

const LEVELS: [&str; 5] = ["critical", "high", "medium", "low", "informational"];

/// One detection with its page name and what the other pages need to know of it.
struct Item<'d, 'p, 'a> {
    d: &'d Detection<'p, 'a>,
    page: String,
    /// A base rule only deployed through its correlations.
    base: bool,
}

impl Item<'_, '_, '_> {
    fn kind(&self) -> &'static str {
        if self.base { "base rule" } else { self.d.kind() }
    }
}

impl Family for StaticSite {
    fn name(&self) -> &'static str {
        "site"
    }

    fn render(&self, ctx: &BuildContext<'_, '_, '_>) -> Output {
        let items = items(ctx);
        let links = correlation_links(&items);
        let results = results_by_title(ctx.test_results);
        let site = json!({"title": ctx.options.site.title});
        // Each page is built, rendered and dropped on a worker: only the index rows outlive it.
        let rendered: Vec<(Output, Json)> = items
            .par_iter()
            .enumerate()
            .map(|(i, it)| {
                let (p, row) = page(ctx, &items, i, &links, results.get(it.d.title()).map(Vec::as_slice));
                let mut o = Output::default();
                o.render(
                    ctx.templates,
                    format!("site/{}", it.page),
                    "site/rule.html.j2",
                    &minijinja::context! {site => &site, root => "../", nav => "rule", d => lend(p)},
                );
                (o, row)
            })
            .collect();
        let mut out = Output::default();
        let mut rows = Vec::with_capacity(rendered.len());
        for (o, row) in rendered {
            out.extend(o);
            rows.push(row);
        }
        for it in items.iter().filter(|it| !it.base) {
            out.deployed(
                it.d,
                "site",
                &format!("site/{}", it.page),
                vec![it.d.title().to_string()],
            );
        }
        // The index, the coverage page and the search index read the same rows (borrowed, not
        // copied into each context) and render side by side. The index's template reads nearly
        // every field of every row, so they are copied into its context rather than lent.
        let rows: &[Json] = &rows;
        let ((index, coverage), search) = rayon::join(
            || {
                rayon::join(
                    || {
                        let filters = filter_options(rows);
                        let mut o = Output::default();
                        o.render(
                            ctx.templates,
                            "site/index.html",
                            "site/index.html.j2",
                            &minijinja::context! {site => &site, root => "", nav => "index", rows => rows, filters => &filters},
                        );
                        o
                    },
                    || {
                        let mut o = Output::default();
                        o.render(
                            ctx.templates,
                            "site/coverage.html",
                            "site/coverage.html.j2",
                            &minijinja::context! {site => &site, root => "", nav => "coverage", matrix => coverage::matrix(rows), charts => charts(rows), count => rows.len()},
                        );
                        o
                    },
                )
            },
            || search_index(rows),
        );
        out.extend(index);
        out.extend(coverage);
        out.render(ctx.templates, "site/assets/site.css", "site/site.css.j2", &json!({}));
        out.render(ctx.templates, "site/assets/site.js", "site/site.js.j2", &json!({}));
        out.add_file(
            "site/search-index.js",
            format!("window.DETC_INDEX = {};\n", html::script_json(&search)),
        );
        out.add_file("site/search-index.json", search + "\n");
        out
    }
}

/// Deployed detections and consumed base rules in catalog order, each with a page name that no
/// other takes (two titles can give one stem: the later ones are numbered).
fn items<'d, 'p, 'a>(ctx: &'d BuildContext<'_, 'p, 'a>) -> Vec<Item<'d, 'p, 'a>> {
    let mut all: Vec<(&Detection<'p, 'a>, bool)> = ctx.detections.iter().map(|d| (d, false)).collect();
    all.extend(ctx.base_rules.iter().map(|d| (d, true)));
    all.sort_by(|a, b| a.0.key.cmp(&b.0.key));
    let mut used = HashSet::new();
    all.into_iter()
        .map(|(d, base)| {
            let page = unique_page(&mut used, d.title(), d.id(), "html");
            Item { d, page, base }
        })
        .collect()
}

/// For each item, the items it links to: a correlation's base rules, a base rule's correlations.
/// Correlations name their rules by `id` or `name`.
fn correlation_links(items: &[Item<'_, '_, '_>]) -> Vec<Vec<usize>> {
    let mut by_ref: HashMap<&str, usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        by_ref.insert(it.d.id(), i);
        if let Some(name) = it.d.meta["name"].as_str() {
            by_ref.insert(name, i);
        }
    }
    let mut links: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); items.len()];
    for (i, it) in items.iter().enumerate() {
        let Some(c) = it.d.parsed.correlation() else { continue };
        for r in c.rules.iter().filter_map(|r| r.scalar_text()) {
            if let Some(&b) = by_ref.get(r).filter(|&&b| b != i) {
                links[i].insert(b);
                links[b].insert(i);
            }
        }
    }
    links.into_iter().map(|s| s.into_iter().collect()).collect()
}

/// Test results by the title of the document they test (how `detc test` labels them).
fn results_by_title(results: Option<&[TestResult]>) -> HashMap<&str, Vec<&TestResult>> {
    let mut out: HashMap<&str, Vec<&TestResult>> = HashMap::new();
    for r in results.into_iter().flatten() {
        out.entry(r.document.as_str()).or_default().push(r);
    }
    out
}

/// The page context of item `i` and its row of the index.
fn page(
    ctx: &BuildContext<'_, '_, '_>,
    items: &[Item<'_, '_, '_>],
    i: usize,
    links: &[Vec<usize>],
    results: Option<&[&TestResult]>,
) -> (Json, Json) {
    let it = &items[i];
    let d = it.d;
    let results = ctx.test_results.map(|_| results.unwrap_or(&[]));
    let (tests, test_state) = entry::tests(d, results);
    let (tactics, techniques) = entry::attack_links(&d.meta);
    let linked: Vec<Json> = links[i]
        .iter()
        .map(|&j| {
            object([
                ("title", Json::from(items[j].d.title())),
                ("page", Json::from(items[j].page.as_str())),
                ("kind", Json::from(items[j].kind())),
            ])
        })
        .collect();
    // A correlation reads the log source of its first base rule.
    let logsource = match (d.is_correlation(), links[i].first()) {
        (true, Some(&b)) => entry::logsource(items[b].d),
        _ => entry::logsource(d),
    };
    let targets = entry::targets(d);
    let kind = it.kind();
    let correlation = super::meta::correlation_summary(d.parsed);
    let fields = entry::fields(d);
    let ok = |t: &&Json| t["ok"] == true;
    let row = object([
        ("u", Json::from(it.page.as_str())),
        ("t", Json::from(d.title())),
        ("id", Json::from(d.id())),
        ("k", Json::from(kind)),
        ("l", Json::from(d.level())),
        ("s", d.meta["status"].clone()),
        ("p", logsource["product"].clone()),
        ("c", logsource["category"].clone()),
        ("v", logsource["service"].clone()),
        ("ta", d.meta["tactics"].clone()),
        ("te", d.meta["techniques"].clone()),
        ("tg", targets.iter().filter(ok).map(|t| t["name"].clone()).collect()),
        (
            "x",
            targets
                .iter()
                .filter(|t| !ok(t))
                .map(|t| object([("name", t["name"].clone()), ("why", t["why"].clone())]))
                .collect(),
        ),
        ("n", Json::from(tests.len())),
        ("r", Json::from(test_state)),
        ("h", Json::from(haystack(d, &fields))),
    ]);
    // Built from moved and cloned values: `json!` re-serializes every value it is given.
    let page = object([
        ("page", Json::from(it.page.as_str())),
        ("kind", Json::from(kind)),
        ("rule", d.meta.clone()),
        ("logsource", logsource),
        ("prose", entry::prose(&d.meta)),
        ("tactics", Json::Array(tactics)),
        ("techniques", Json::Array(techniques)),
        ("targets", Json::Array(targets)),
        (
            "deployed",
            Json::Array(entry::deployed(d, ctx.placements.and_then(|p| p.get(&d.key)))),
        ),
        ("tests", Json::Array(tests)),
        ("test_state", Json::from(test_state)),
        ("linked", Json::Array(linked)),
        ("correlation", correlation.unwrap_or(Json::Null)),
        ("source", entry::source(d).map_or(Json::Null, Json::String)),
        ("fields", fields.into_iter().map(Json::String).collect()),
    ]);
    (page, row)
}

/// What the search box matches, lower-cased: title, description, id, name, fields and tags.
fn haystack(d: &Detection<'_, '_>, fields: &[String]) -> String {
    let meta = &d.meta;
    let mut parts: Vec<String> = vec![
        d.title().into(),
        meta["description"].as_str().unwrap_or("").into(),
        d.id().into(),
    ];
    parts.extend(meta["name"].as_str().map(str::to_string));
    parts.extend(fields.iter().cloned());
    parts.extend(
        meta["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_string)),
    );
    parts.join("\n").to_lowercase()
}

/// The values each filter offers, in a stable order: those present in the catalog.
///
/// Each field's values are gathered once, borrowed from the rows (gathering them again for every
/// level and tactic asked was 3 % of a build, on one core).
fn filter_options(rows: &[Json]) -> Json {
    let present = |key: &str| -> BTreeSet<&str> {
        let mut values = BTreeSet::new();
        for row in rows {
            match &row[key] {
                Json::Array(a) => values.extend(a.iter().filter_map(Json::as_str)),
                Json::String(s) if !s.is_empty() => {
                    values.insert(s.as_str());
                }
                _ => {}
            }
        }
        values
    };
    let (levels_present, tactics_present) = (present("l"), present("ta"));
    let levels: Vec<&str> = LEVELS.iter().copied().filter(|l| levels_present.contains(l)).collect();
    let tactics: Vec<Json> = TACTICS
        .iter()
        .filter(|(s, _, _)| tactics_present.contains(s))
        .map(|(s, _, n)| json!({"value": s, "label": n}))
        .collect();
    let techniques: BTreeSet<String> = present("te").into_iter().map(coverage::parent).collect();
    let targets: Vec<&str> = QueryLanguage::all().map(|t| t.name()).collect();
    json!({
        "level": levels,
        "status": present("s"),
        "product": present("p"),
        "category": present("c"),
        "service": present("v"),
        "tactic": tactics,
        "technique": techniques,
        "target": targets,
    })
}

/// Summary charts of the coverage page: detections by tactic, level, status and log source.
fn charts(rows: &[Json]) -> Vec<Json> {
    let count = |f: &dyn Fn(&Json) -> Vec<String>| -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for r in rows {
            for k in f(r) {
                *m.entry(k).or_default() += 1;
            }
        }
        m
    };
    let by_tactic = count(&|r| {
        r["ta"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect()
    });
    let tactic_bars: Vec<Bar> = TACTICS
        .iter()
        .filter_map(|(s, _, n)| {
            by_tactic.get(*s).map(|c| Bar {
                label: (*n).into(),
                count: *c,
                filter: format!("tactic={}", html::url_component(s)),
            })
        })
        .collect();
    let by_level = count(&|r| vec![r["l"].as_str().unwrap_or("").to_string()]);
    let level_bars: Vec<Bar> = LEVELS
        .iter()
        .filter_map(|l| {
            by_level.get(*l).map(|c| Bar {
                label: (*l).into(),
                count: *c,
                filter: format!("level={l}"),
            })
        })
        .collect();
    let simple = |key: &str, filter: &str| -> Vec<Bar> {
        count(&|r| vec![r[key].as_str().unwrap_or("").to_string()])
            .into_iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, c)| Bar {
                filter: format!("{filter}={}", html::url_component(&k)),
                label: k,
                count: c,
            })
            .collect()
    };
    let all = [
        ("chart-tactic", "Detections by ATT&CK tactic", tactic_bars),
        ("chart-level", "Detections by level", level_bars),
        ("chart-status", "Detections by status", simple("s", "status")),
        (
            "chart-product",
            "Detections by log source product",
            simple("p", "product"),
        ),
        (
            "chart-category",
            "Detections by log source category",
            simple("c", "category"),
        ),
        (
            "chart-service",
            "Detections by log source service",
            simple("v", "service"),
        ),
    ];
    all.into_iter()
        .filter(|(_, _, bars)| !bars.is_empty())
        .map(|(id, title, bars)| json!({"title": title, "svg": bar_chart(id, title, &bars)}))
        .collect()
}

/// The search index: the rows as JSON, in the index page's row order.
fn search_index(rows: &[Json]) -> String {
    #[derive(serde::Serialize)]
    struct SearchIndex<'r> {
        version: u32,
        entries: &'r [Json],
    }
    serde_json::to_string(&SearchIndex {
        version: 1,
        entries: rows,
    })
    .expect("serialises")
}
