//! Diagnostics: what every stage reports, and the emitters that print them.

mod code;
mod diagnostic;
pub mod emit;
mod severity;
mod span;

pub use code::Code;
pub use diagnostic::{Diagnostic, Related, sort_diagnostics};
pub use severity::Severity;
pub use span::{Pos, Span};
