//! detc: a detection-as-code compiler and linter for Sigma catalogs.
//!
//! The pipeline (DESIGN.md §1): [`catalog`] loads files into YAML documents with spans, [`schema`]
//! validates them, [`model`] reads the typed Sigma model, [`lint`] reports semantic findings, and
//! [`diag`] prints them. [`check`] ties the stages together for `detc check`. Every diagnostic code
//! is defined in [`codes`]; README "Layout" gives the one-way order of the modules.

// A `Diagnostic` is ~180 bytes and only built on error paths; returning it by value in `Err` is
// simpler than boxing it everywhere.
#![allow(clippy::result_large_err)]

pub mod backend;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod codes;
pub mod config;
pub mod data;
pub mod diag;
pub mod eval;
pub mod fix;
pub mod ir;
pub mod lint;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod schema;
