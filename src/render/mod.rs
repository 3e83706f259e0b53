//! Stage 7, rendering: artifacts people deploy, from templates over the converted catalog.

pub mod artifacts;
pub mod meta;
pub mod outdir;
pub mod schedule;
pub mod templates;
pub mod write;

pub use artifacts::{Artifacts, MISSING_VARIABLE, build};
pub use templates::{TEMPLATE_ERROR, Templates};
