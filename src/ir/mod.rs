//! Stage 4, lowering: each rule's detection becomes one boolean [`Expr`] per condition over typed
//! leaves, with modifiers applied, placeholders expanded and meta-filters AND-ed on. Every backend
//! (and the evaluator) consumes this IR.

mod catalog;
mod correlation;
pub mod encode;
pub mod expr;
mod filters;
mod item;
mod lower;

pub use catalog::Lowering;
pub use correlation::{CorrelationPlan, Input, plan_correlation};
pub use expr::{CmpOp, Expr, Leaf, Num, ReFlags, Value};
pub use filters::{apply_filters, filter_applies};
pub use item::{LowerError, lower_item, lower_spec};
pub use lower::{LowerCtx, lower_condition, lower_detection, lower_detection_with};
