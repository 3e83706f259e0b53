//! Treat the input as a rule file: load it, check it, and render the findings in every format.
//! Nothing here may panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

use detc::catalog::Catalog;
use detc::check::check_catalog;
use detc::codes;
use detc::config::LintOptions;
use detc::diag::emit::{render_github, render_human, render_json, render_sarif};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let catalog = Catalog::from_sources(&[("fuzz.yml", text)]);
    let diags = check_catalog(&catalog, &LintOptions::default());
    let _ = render_human(&diags, &catalog, false);
    let _ = render_json(&diags);
    let _ = render_sarif(&diags, &codes::all());
    let _ = render_github(&diags);
});
