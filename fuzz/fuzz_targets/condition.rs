//! Parse the input as a Sigma condition. Parsing must not panic, and every byte range it returns
//! (each leaf on success, the error on failure) must lie within the text on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

use detc::model::condition::{Expr, parse_condition};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_condition(text) {
        Ok(expr) => {
            for leaf in expr.leaves() {
                let range = match leaf {
                    Expr::Ident { range, .. } | Expr::Selector { range, .. } => range,
                    other => panic!("leaves() returned a non-leaf: {other:?}"),
                };
                assert!(
                    text.get(range.clone()).is_some(),
                    "leaf {leaf:?} has range {range:?} outside / not on char boundaries of {text:?}"
                );
            }
        }
        Err(err) => {
            assert!(
                text.get(err.range.clone()).is_some(),
                "error {err:?} has range {:?} outside / not on char boundaries of {text:?}",
                err.range
            );
        }
    }
});
