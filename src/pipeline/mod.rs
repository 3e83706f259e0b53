//! Processing pipelines in pySigma's YAML format: field-name mappings, value rewrites, added
//! conditions, placeholders, log source changes and state, each under rule, detection-item and
//! field-name conditions. A rule's pipeline is planned once ([`plan::RulePlan`]) and applied to
//! each detection item while it is lowered.

mod builtin;
mod condition;
mod load;
pub mod plan;
mod trace;
mod transform;

pub use builtin::{BUILTIN, Builtin, builtin};
pub use load::{Pipeline, load_pipeline, resolve};
pub use plan::RulePlan;
pub use trace::TraceEntry;
