//! The minijinja environment: embedded default templates, a user folder that overrides them by name,
//! strict undefined values, and the filters templates need.

use crate::codes;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde_json::Value as Json;

use super::escape;
use crate::diag::Diagnostic;

/// The default templates, by name (`<target>/<artifact>.j2`).
pub const DEFAULTS: [(&str, &str); 7] = [
    ("splunk/app.conf.j2", include_str!("../../templates/splunk/app.conf.j2")),
    (
        "splunk/default.meta.j2",
        include_str!("../../templates/splunk/default.meta.j2"),
    ),
    (
        "splunk/savedsearches.conf.j2",
        include_str!("../../templates/splunk/savedsearches.conf.j2"),
    ),
    (
        "elastic/rules.ndjson.j2",
        include_str!("../../templates/elastic/rules.ndjson.j2"),
    ),
    (
        "sumo/searches.json.j2",
        include_str!("../../templates/sumo/searches.json.j2"),
    ),
    ("docs/rule.md.j2", include_str!("../../templates/docs/rule.md.j2")),
    ("docs/index.md.j2", include_str!("../../templates/docs/index.md.j2")),
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
        // Every filter that puts rule text into a file format escapes it for that format.
        env.add_filter("conf_value", |v: String| escape::conf_value(&v));
        env.add_filter("conf_line", |v: String| escape::conf_line(&v));
        env.add_filter("md", |v: String| escape::markdown(&v, false));
        env.add_filter("md_inline", |v: String| escape::markdown(&v, true));
        env.add_filter("fence", |v: String| escape::fence(&v));
        env.add_filter("code_block", |v: String| escape::code_block(&v));
        let mut origin = std::collections::HashMap::new();
        for (name, text) in DEFAULTS {
            let (text, from) = match overrides.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(p) => match std::fs::read_to_string(&p) {
                    Ok(t) => (t, p),
                    Err(e) => return Err(error(&p, format!("cannot read template: {e}"))),
                },
                None => (text.to_string(), PathBuf::from("templates").join(name)),
            };
            env.add_template_owned(name.to_string(), text)
                .map_err(|e| error(&from, e.to_string()))?;
            origin.insert(name.to_string(), from);
        }
        Ok(Templates { env, origin })
    }

    pub fn render(&self, name: &str, ctx: &Json) -> Result<String, Diagnostic> {
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
    }
}
