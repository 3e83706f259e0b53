//! The IR: one boolean expression per condition, over typed leaves. Backends and the evaluator both
//! consume this, so it is the single meaning of a rule.

use crate::diag::Span;
use crate::model::sigma_string::SigmaString;

/// A number as Sigma (pySigma) keeps it: integral floats become integers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub fn from_f64(f: f64) -> Num {
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            Num::Int(f as i64)
        } else {
            Num::Float(f)
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Float(x) => write!(f, "{x}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Lte,
    Gt,
    Gte,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
        }
    }
}

/// Regex flags from `|i`, `|m`, `|s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReFlags {
    pub ignore_case: bool,
    pub multiline: bool,
    pub dot_all: bool,
}

impl ReFlags {
    /// `(?ims)` prefix as pySigma renders it (flags sorted), or "".
    pub fn prefix(self) -> String {
        let mut s = String::new();
        if self.ignore_case {
            s.push('i');
        }
        if self.multiline {
            s.push('m');
        }
        if self.dot_all {
            s.push('s');
        }
        if s.is_empty() { s } else { format!("(?{s})") }
    }
}

/// What a leaf tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Case-insensitive match with `*`/`?` wildcards.
    Str(SigmaString),
    /// Case-sensitive match (`|cased`).
    CasedStr(SigmaString),
    Num(Num),
    Bool(bool),
    /// The field is null or absent.
    Null,
    /// `|exists: true/false`.
    Exists(bool),
    Regex {
        pattern: String,
        flags: ReFlags,
    },
    Cidr(String),
    Compare(CmpOp, Num),
    /// `|fieldref`: equal to another field's value, compared case-insensitively as every Sigma string
    /// is, unless `|cased`.
    FieldRef {
        field: String,
        cased: bool,
    },
    /// A modifier we model but no backend renders (time parts).
    Unsupported(&'static str),
    /// A query fragment put in place of a placeholder by a pipeline, written as is.
    RawQuery(String),
}

/// One test: `field <value>`, or a keyword over the whole event when `field` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub field: Option<String>,
    pub value: Value,
    /// Where the value was written, for diagnostics.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    /// The alternatives one value expands to (`base64offset`, `windash`): an OR that pySigma keeps
    /// as one value, which changes how some backends render it (never as an `IN` list in Splunk).
    Expansion(Vec<Expr>),
    Not(Box<Expr>),
    Leaf(Leaf),
}

impl Expr {
    /// Build an AND/OR, collapsing a single child (pySigma does the same).
    pub fn and(mut items: Vec<Expr>) -> Option<Expr> {
        match items.len() {
            0 => None,
            1 => items.pop(),
            _ => Some(Expr::And(items)),
        }
    }

    pub fn or(mut items: Vec<Expr>) -> Option<Expr> {
        match items.len() {
            0 => None,
            1 => items.pop(),
            _ => Some(Expr::Or(items)),
        }
    }

    /// Calls `f` on every leaf, left to right, until it fails.
    pub fn try_for_each_leaf<E>(&self, f: &mut impl FnMut(&Leaf) -> Result<(), E>) -> Result<(), E> {
        match self {
            Expr::Leaf(l) => f(l),
            Expr::Not(x) => x.try_for_each_leaf(f),
            Expr::And(v) | Expr::Or(v) | Expr::Expansion(v) => v.iter().try_for_each(|e| e.try_for_each_leaf(f)),
        }
    }

    pub fn leaves(&self) -> Vec<&Leaf> {
        let mut out = Vec::new();
        let mut todo = vec![self];
        while let Some(e) = todo.pop() {
            match e {
                Expr::Leaf(l) => out.push(l),
                Expr::Not(x) => todo.push(x),
                Expr::And(v) | Expr::Or(v) | Expr::Expansion(v) => todo.extend(v.iter().rev()),
            }
        }
        out
    }
}
