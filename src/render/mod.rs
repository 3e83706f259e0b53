//! Stage 7, artifacts: the compiled catalog rendered through templates into what people deploy, one
//! family per file behind [`family::Family`], with the build's integrity rules in [`integrity`] and
//! its account of every document in [`report`].

pub mod build;
pub mod changes;
pub mod compiled;
pub mod docs;
pub mod elastic;
pub mod escape;
pub mod family;
pub mod integrity;
pub mod json_string;
pub mod json_text;
pub mod json_view;
pub mod meta;
pub mod navigator;
pub mod options;
pub mod outdir;
pub mod pr_comment;
pub mod report;
pub mod schedule;
pub mod site;
pub mod splunk;
pub mod splunk_es;
pub mod sumo;
pub mod templates;
pub mod write;

pub use build::{Artifacts, BuildPolicy, build};
pub use templates::Templates;
