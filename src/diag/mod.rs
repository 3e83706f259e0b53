//! Diagnostics: what every stage reports, and the emitters that print them.

mod diagnostic;
pub mod emit;
mod fix;
mod path_order;
mod span;
mod suggest;

pub use crate::codes::{Code, Severity};
pub use diagnostic::{Diagnostic, Related, sort_diagnostics};
pub use fix::{Applied, Edit, Fix, apply_fixes};
pub use path_order::{cmp_paths, path_key};
pub use span::{Pos, Span};
pub use suggest::{closest, edit_distance};
