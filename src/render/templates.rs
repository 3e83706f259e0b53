//! The minijinja environment: embedded default templates, a user folder that overrides them by name,
//! strict undefined values, and the filters templates need.

use crate::codes;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::{Environment, UndefinedBehavior, Value};

use super::escape;
use crate::diag::Diagnostic;

/// A filter's text argument, borrowed when the value is a string.
type Text<'a> = std::borrow::Cow<'a, str>;

/// A filter that puts rule text into a file format, escaping it for that format.
type TextFilter = fn(&str) -> String;

/// The text filters by name.
const TEXT_FILTERS: [(&str, TextFilter); 7] = [
    ("conf_value", escape::conf_value),
    ("conf_line", escape::conf_line),
    ("md", |v| escape::markdown(v, false)),
    ("md_inline", |v| escape::markdown(v, true)),
    ("fence", escape::fence),
    ("code_block", escape::code_block),
    // The site: a URL fragment or query value (HTML escaping is automatic in `.html` templates).
    ("url_component", super::site::html::url_component),
];

pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from, for messages.
    origin: std::collections::HashMap<String, PathBuf>,
}

impl Templates {
    /// Defaults, with every `<name>` found under `overrides` replacing the default of that name.
    pub fn load(overrides: Option<&Path>) -> Result<Templates, Diagnostic> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        // The text filters take their value the way a `String` argument would (numbers and booleans
        // written out, an undefined value refused) but borrow a string instead of copying it.
        for (name, filter) in TEXT_FILTERS {
            env.add_filter(name, move |v: Text<'_>| filter(&v));
        }
        // minijinja's own `tojson`, made fast for the JSON trees contexts lend (render/json_view.rs).
        env.add_filter("tojson", super::json_view::tojson);
        // The defaults: every `templates/**/*.j2`, embedded by build.rs under its path there.
        minijinja_embed::load_templates!(&mut env);
        let mut names: Vec<String> = env.templates().map(|(name, _)| name.to_string()).collect();
        names.sort();
        let mut origin = std::collections::HashMap::new();
        for name in names {
            let mut from = PathBuf::from("templates").join(&name);
            if let Some(p) = overrides.map(|d| d.join(&name)).filter(|p| p.is_file()) {
                let text = std::fs::read_to_string(&p).map_err(|e| error(&p, format!("cannot read template: {e}")))?;
                env.add_template_owned(name.clone(), text)
                    .map_err(|e| error(&p, e.to_string()))?;
                from = p;
            }
            origin.insert(name, from);
        }
        Ok(Templates { env, origin })
    }

    /// Render template `name` with `ctx`: a JSON value, or anything serializable (a `minijinja::context!`
    /// borrows its parts instead of copying them into a JSON tree first).
    pub fn render<C: serde::Serialize + ?Sized>(&self, name: &str, ctx: &C) -> Result<String, Diagnostic> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| error(Path::new(name), e.to_string()))?;
        t.render(Value::from_serialize(ctx)).map_err(|e| {
            let path = self.origin.get(name).cloned().unwrap_or_else(|| PathBuf::from(name));
            let line = e.line().map_or(String::new(), |l| format!(" (line {l})"));
            let mut msg = format!("{}{line}", e);
            if let Some(detail) = e.detail() {
                msg.push_str(&format!(": {detail}"));
            }
            error(&path, msg)
        })
    }
}

fn error(path: &Path, message: String) -> Diagnostic {
    let p: Arc<Path> = Arc::from(path);
    Diagnostic::new(&codes::TEMPLATE_ERROR, &p, None, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_compile_and_undefined_is_an_error() {
        let t = Templates::load(None).unwrap();
        let err = t.render("docs/index.md.j2", &json!({"vars": {}})).unwrap_err();
        assert!(
            err.message.contains("undefined") || err.message.contains("detections"),
            "{}",
            err.message
        );
    }

    /// The text filters read any value as a `String` argument would (they borrow strings instead):
    /// the same output or the same error as the same filters taking `String`, for every kind of value.
    #[test]
    fn text_filters_read_values_as_string_arguments_do() {
        let ours = Templates::load(None).unwrap();
        let mut owned = Environment::new();
        owned.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, filter) in TEXT_FILTERS {
            owned.add_filter(name, move |v: String| filter(&v));
        }
        let values = [
            "'a ``` *b*\\n[x]'",
            "3",
            "-2",
            "1.5",
            "true",
            "false",
            "none",
            "[1, 'a']",
            "{'k': 'v'}",
            "'<b>' | safe",
            "nothing_here",
            "'' ~ 4",
        ];
        for (f, _) in TEXT_FILTERS {
            for v in values {
                let template = format!("{{{{ ({v}) | {f} }}}}");
                let read = |env: &Environment<'_>| {
                    env.render_str(&template, json!({}))
                        .map_err(|e| format!("{:?}", e.kind()))
                };
                assert_eq!(read(&ours.env), read(&owned), "{template}");
            }
        }
    }

    /// build.rs embeds every `templates/**/*.j2` under its path there, and nothing else; the names
    /// users override stay the same.
    #[test]
    fn the_embedded_defaults_are_the_template_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk = Vec::new();
        let mut todo = vec![root.clone()];
        while let Some(dir) = todo.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    todo.push(p);
                } else if p.extension().is_some_and(|e| e == "j2") {
                    let name = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                    on_disk.push((name, std::fs::read_to_string(&p).unwrap()));
                }
            }
        }
        on_disk.sort();
        let t = Templates::load(None).unwrap();
        let mut embedded: Vec<(String, String)> = t
            .env
            .templates()
            .map(|(name, tmpl)| (name.to_string(), tmpl.source().to_string()))
            .collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
        let names: Vec<&str> = embedded.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "docs/index.md.j2",
                "docs/rule.md.j2",
                "elastic/rules.ndjson.j2",
                "site/coverage.html.j2",
                "site/index.html.j2",
                "site/layout.html.j2",
                "site/rule.html.j2",
                "site/site.css.j2",
                "site/site.js.j2",
                "splunk/app.conf.j2",
                "splunk/default.meta.j2",
                "splunk/savedsearches.conf.j2",
                "sumo/searches.json.j2",
            ]
        );
        assert!(t.origin.values().all(|p| p.starts_with("templates")));
    }

    #[test]
    fn a_broken_override_is_reported_at_its_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sumo")).unwrap();
        std::fs::write(dir.path().join("sumo/searches.json.j2"), "{% for %}\n").unwrap();
        let Err(err) = Templates::load(Some(dir.path())) else {
            panic!("a template with a syntax error loads")
        };
        assert!(err.message.contains("syntax"), "{}", err.message);
        assert_eq!(&*err.path, dir.path().join("sumo/searches.json.j2"));
    }

    #[test]
    fn a_user_folder_overrides_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        std::fs::write(
            dir.path().join("docs/index.md.j2"),
            "{{ detections | length }} detections\n",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        assert_eq!(
            t.render("docs/index.md.j2", &json!({"detections": [1, 2]})).unwrap(),
            "2 detections\n"
        );
        assert_eq!(t.origin["docs/index.md.j2"], dir.path().join("docs/index.md.j2"));
        // The other defaults stay.
        assert!(t.origin["docs/rule.md.j2"].starts_with("templates"));
    }
}
