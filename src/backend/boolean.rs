//! The shared expression renderer: boolean structure, precedence and grouping, `IN` lists and
//! deferred parts, with each backend supplying its tokens and its leaves.

use super::strings::check_name;
use crate::ir::{Expr, Leaf, Value};

/// Why a construct cannot be rendered for a target.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsupported {
    pub message: String,
    pub span: Option<crate::diag::Span>,
}

impl Unsupported {
    pub fn new(message: impl Into<String>) -> Self {
        Unsupported {
            message: message.into(),
            span: None,
        }
    }

    pub fn at(leaf: &Leaf, message: impl Into<String>) -> Self {
        Unsupported {
            message: message.into(),
            span: Some(leaf.span),
        }
    }
}

/// Operators, in `Dialect::precedence` order from the tightest binding to the loosest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Not,
    And,
    Or,
}

/// A query language's boolean syntax.
pub struct Dialect {
    pub and: &'static str,
    pub or: &'static str,
    pub not: &'static str,
    /// Tightest first. Splunk's implicit AND binds looser than OR: `[Not, Or, And]`.
    pub precedence: [Op; 3],
    /// Group every non-leaf operand (Lucene, EQL do), not only where precedence requires it.
    pub parenthesize: bool,
    /// Group a negated leaf too (`!(f = "v")`): Sumo's `!` binds tighter than a comparison.
    pub group_negated_leaf: bool,
}

/// A leaf rendered: inline text, or a part appended after the main query (Splunk `| regex`).
pub enum Rendered {
    Inline(String),
    Deferred(String),
}

/// How one query language writes the boolean IR: its tokens ([`Dialect`]) and its leaves.
pub trait Syntax {
    fn dialect(&self) -> &Dialect;

    fn leaf(&self, leaf: &Leaf) -> Result<Rendered, Unsupported>;

    /// `NOT leaf` when the target has a better form (`_exists_:F` for not-null); `None` = default.
    fn not_leaf(&self, _leaf: &Leaf) -> Option<Result<Rendered, Unsupported>> {
        None
    }

    /// An OR over leaves of one field as a list expression (`F IN (…)`), when the target has one
    /// and these values may go in it. `expansion` is true for the alternatives of one value.
    fn in_list(&self, _leaves: &[&Leaf], _expansion: bool) -> Option<String> {
        None
    }

    /// Whether a leaf renders as a compound (pySigma groups a null test, `NOT _exists_:F`, in
    /// Lucene and EQL like a non-leaf operand).
    fn compound_leaf(&self, _leaf: &Leaf) -> bool {
        false
    }

    /// Refuse a field name (or a `fieldref` target) this target cannot write; control characters
    /// are refused for every target before this is asked.
    fn check_name(&self, _name: &str) -> Result<(), String> {
        Ok(())
    }
}

/// The result of rendering: the main expression (absent when everything was deferred) and the
/// deferred parts in order.
pub struct Query {
    pub main: Option<String>,
    pub deferred: Vec<String>,
}

pub fn render(target: &dyn Syntax, expr: &Expr) -> Result<Query, Unsupported> {
    check_names(target, expr)?;
    let mut deferred = Vec::new();
    // The whole expression is written into this one buffer, operands in place (grouping inserts
    // its `(` in front of the operand already written), instead of joining a String per operand.
    let mut out = String::with_capacity(256);
    let main = render_expr(target, expr, &mut out, &mut deferred, false)?.map(|_| out);
    Ok(Query { main, deferred })
}

/// Every field name and `fieldref` target of `expr` is one the target can write (no control
/// character anywhere; the target's own limits).
pub fn check_names(target: &dyn Syntax, expr: &Expr) -> Result<(), Unsupported> {
    expr.try_for_each_leaf(&mut |leaf| {
        let names = leaf.field.iter().map(|f| ("field name", f)).chain(match &leaf.value {
            Value::FieldRef { field: other, .. } => Some(("`fieldref` field", other)),
            _ => None,
        });
        for (what, name) in names {
            check_name(what, name)
                .and_then(|()| target.check_name(name))
                .map_err(|m| Unsupported::at(leaf, m))?;
        }
        Ok(())
    })
}

/// What [`render_expr`] wrote: `None` when nothing (the operand was deferred), else the
/// operator class of the written text, for grouping decisions (`None` for leaves).
type Written = Option<Option<Op>>;

fn render_expr(
    t: &dyn Syntax,
    expr: &Expr,
    out: &mut String,
    deferred: &mut Vec<String>,
    under_or: bool,
) -> Result<Written, Unsupported> {
    match expr {
        Expr::Leaf(l) => {
            let kind = t.compound_leaf(l).then_some(Op::Not);
            place(t.leaf(l)?, l, kind, out, deferred, under_or)
        }
        Expr::Not(inner) => {
            if let Expr::Leaf(l) = inner.as_ref()
                && let Some(r) = t.not_leaf(l)
            {
                return place(r?, l, None, out, deferred, under_or);
            }
            let d = t.dialect();
            out.push_str(d.not);
            let operand = out.len();
            let Some(kind) = render_expr(t, inner, out, deferred, true)? else {
                return Err(Unsupported::new(
                    "NOT over a deferred condition is not supported on this target",
                ));
            };
            if d.group_negated_leaf && kind.is_none() {
                wrap(out, operand);
            } else {
                group_if(d, Op::Not, kind, out, operand);
            }
            Ok(Some(Some(Op::Not)))
        }
        Expr::And(items) => join(t, Op::And, items, out, deferred, under_or, false),
        Expr::Or(items) => join(t, Op::Or, items, out, deferred, true, false),
        Expr::Expansion(items) => join(t, Op::Or, items, out, deferred, true, true),
    }
}

/// A rendered leaf: inline text goes into `out` (as an operand of class `kind`), a deferred part
/// into `deferred`, which an OR above cannot hold.
fn place(
    r: Rendered,
    l: &Leaf,
    kind: Option<Op>,
    out: &mut String,
    deferred: &mut Vec<String>,
    under_or: bool,
) -> Result<Written, Unsupported> {
    match r {
        Rendered::Inline(s) => {
            out.push_str(&s);
            Ok(Some(kind))
        }
        Rendered::Deferred(_) if under_or => Err(Unsupported::at(
            l,
            "this condition cannot be combined with OR on this target",
        )),
        Rendered::Deferred(d) => {
            deferred.push(d);
            Ok(None)
        }
    }
}

fn join(
    t: &dyn Syntax,
    op: Op,
    items: &[Expr],
    out: &mut String,
    deferred: &mut Vec<String>,
    under_or: bool,
    expansion: bool,
) -> Result<Written, Unsupported> {
    if op == Op::Or
        && let Some(leaves) = same_field_leaves(items, expansion)
        && let Some(list) = t.in_list(&leaves, expansion)
    {
        // A value list stays an OR for grouping (`NOT (F IN (…))`); the alternatives of one value
        // (an expansion) are a single leaf to pySigma and are not grouped.
        out.push_str(&list);
        return Ok(Some((!expansion).then_some(Op::Or)));
    }
    let d = t.dialect();
    let separator = if op == Op::And { d.and } else { d.or };
    let mut written = 0;
    for item in items {
        let before = out.len();
        if written > 0 {
            out.push_str(separator);
        }
        let operand = out.len();
        match render_expr(t, item, out, deferred, under_or)? {
            Some(kind) => {
                group_if(d, op, kind, out, operand);
                written += 1;
            }
            // A deferred operand leaves no text, and no separator before it either.
            None => out.truncate(before),
        }
    }
    Ok((written > 0).then_some(Some(op)))
}

/// Leaves of an OR that all test the same field (candidates for a list expression).
fn same_field_leaves(items: &[Expr], expansion: bool) -> Option<Vec<&Leaf>> {
    let leaves: Vec<&Leaf> = items
        .iter()
        .map(|e| match e {
            Expr::Leaf(l) if l.field.is_some() => Some(l),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = leaves.first()?.field.as_ref();
    let enough = leaves.len() > 1 || expansion;
    (enough && leaves.iter().all(|l| l.field.as_ref() == first)).then_some(leaves)
}

/// Parenthesise the operand written at `out[start..]` (of class `kind`) when the dialect or the
/// precedence of its parent `parent` requires it.
fn group_if(d: &Dialect, parent: Op, kind: Option<Op>, out: &mut String, start: usize) {
    let Some(kind) = kind else { return };
    let rank = |op: Op| d.precedence.iter().position(|p| *p == op).unwrap_or(0);
    if d.parenthesize || parent == Op::Not || rank(kind) > rank(parent) {
        wrap(out, start);
    }
}

/// `(…)` around the text written at `out[start..]`.
fn wrap(out: &mut String, start: usize) {
    out.insert(start, '(');
    out.push(')');
}

/// A fidelity note from a backend's correlation lowering.
pub type Note = (&'static crate::diag::Code, String);
