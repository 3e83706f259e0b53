//! Embeds the default artifact templates (`templates/**/*.j2`) into the binary; `render::templates`
//! loads them by their path under `templates/` (`splunk/app.conf.j2`, …).

fn main() {
    minijinja_embed::embed_templates!("templates", &[".j2"][..]);
}
