//! Bad input to the reverse mode: every error variant, with its message,
//! and defined answers (never a panic) at kinks and outside domains.
#![cfg(all(feature = "nalgebra", feature = "alloc"))]

use dualgrad::reverse::{one_hot, ReverseError, Tape};
use nalgebra::{dmatrix, DMatrix};

fn shape_err(r: Result<dualgrad::reverse::Var, ReverseError>, op: &str) -> String {
    match r {
        Err(e @ ReverseError::Shape { op: o, .. }) if o == op => e.to_string(),
        other => panic!("expected a shape error from {op}, got {other:?}"),
    }
}

#[test]
fn shape_mismatches_name_the_operation_and_both_shapes() {
    let t = Tape::<f64>::new();
    let a = t.var(DMatrix::zeros(2, 3));
    let b = t.var(DMatrix::zeros(4, 5));
    let row = t.var(DMatrix::zeros(1, 4));
    assert_eq!(
        shape_err(t.matmul(a, b), "matmul"),
        "matmul: 2×3 · 4×5: inner dimensions differ"
    );
    assert_eq!(
        shape_err(t.add(a, b), "add"),
        "add: 2×3 and 4×5: shapes differ"
    );
    shape_err(t.sub(a, b), "sub");
    shape_err(t.mul(a, b), "mul");
    shape_err(t.div(a, b), "div");
    shape_err(t.mse(a, b), "mse");
    assert_eq!(
        shape_err(t.add_row(a, row), "add_row"),
        "add_row: 2×3 and 1×4: the row must be 1×(columns of the matrix)"
    );
    shape_err(t.broadcast(row, 3, 5), "broadcast");
    shape_err(t.cross_entropy(a, &[0]), "cross_entropy");
    assert!(matches!(
        t.scalar(a),
        Err(ReverseError::Shape { op: "scalar", .. })
    ));
    let y = t.sum(a).unwrap();
    assert!(matches!(
        t.vjp(a, &DMatrix::zeros(3, 2), &[a]),
        Err(ReverseError::Shape {
            op: "vjp",
            left: (2, 3),
            right: (3, 2),
            ..
        })
    ));
    assert!(matches!(
        t.vjp_var(y, a, &[a]),
        Err(ReverseError::Shape { op: "vjp_var", .. })
    ));
    assert!(matches!(
        t.hessian_vector_product(y, &[a], &[DMatrix::zeros(3, 2)]),
        Err(ReverseError::Shape {
            op: "hessian_vector_product",
            ..
        })
    ));
    assert!(matches!(
        t.hessian_vector_product(y, &[a], &[]),
        Err(ReverseError::LengthMismatch {
            op: "hessian_vector_product",
            ..
        })
    ));
    // A failed operation records nothing.
    let n = t.len();
    let _ = t.matmul(a, b);
    assert_eq!(t.len(), n);
}

#[test]
fn labels_out_of_range() {
    let t = Tape::<f64>::new();
    let z = t.var(DMatrix::zeros(2, 3));
    let e = t.cross_entropy(z, &[1, 3]).unwrap_err();
    assert_eq!(
        e,
        ReverseError::LabelOutOfRange {
            op: "cross_entropy",
            index: 1,
            label: 3,
            classes: 3
        }
    );
    assert_eq!(
        e.to_string(),
        "cross_entropy: label 3 at position 1 is out of range for 3 classes"
    );
    assert!(matches!(
        one_hot::<f64>(&[0, 5], 2),
        Err(ReverseError::LabelOutOfRange { op: "one_hot", .. })
    ));
    assert!(t.one_hot(&[2], 2).is_err());
}

#[test]
fn empty_batches() {
    let t = Tape::<f64>::new();
    let e = t.var(DMatrix::zeros(0, 3));
    assert_eq!(t.mean(e), Err(ReverseError::EmptyBatch { op: "mean" }));
    assert_eq!(t.mse(e, e), Err(ReverseError::EmptyBatch { op: "mse" }));
    let err = t.cross_entropy(e, &[]).unwrap_err();
    assert_eq!(
        err,
        ReverseError::EmptyBatch {
            op: "cross_entropy"
        }
    );
    assert_eq!(err.to_string(), "cross_entropy: empty batch (no elements)");
    // Operations without an average are defined on empty matrices.
    let w = t.var(DMatrix::zeros(3, 2));
    let y = t.matmul(e, w).unwrap();
    let s = t.sum(t.softmax(y).unwrap()).unwrap();
    assert_eq!(t.scalar(s).unwrap(), 0.0);
    assert_eq!(t.gradient(s, &[w]).unwrap()[0], DMatrix::zeros(3, 2));
}

#[test]
fn foreign_and_stale_variables() {
    let t1 = Tape::<f64>::new();
    let mut t2 = Tape::<f64>::new();
    let a = t1.var(dmatrix![1.0]);
    let b = t2.var(dmatrix![1.0]);
    let foreign =
        |r: Result<_, ReverseError>| matches!(r, Err(ReverseError::ForeignVariable { .. }));
    assert!(foreign(t1.add(a, b)));
    assert!(foreign(t1.matmul(b, a)));
    assert!(foreign(t1.exp(b)));
    assert!(foreign(t1.cross_entropy(b, &[0])));
    assert!(foreign(t1.value(b).map(|_| a)));
    assert!(foreign(t1.gradient(a, &[b]).map(|_| a)));
    assert!(foreign(t1.gradient(b, &[a]).map(|_| a)));
    assert!(foreign(t1.gradient_var(a, &[b]).map(|_| a)));
    assert!(foreign(t1.is_connected(a, b).map(|_| a)));
    let e = t1.exp(b).unwrap_err();
    assert_eq!(
        e.to_string(),
        "exp: the variable belongs to another tape (or to this tape before a reset)"
    );
    t2.reset();
    let c = t2.var(dmatrix![2.0]);
    assert!(
        foreign(t2.add(b, c)),
        "a variable from before the reset is stale"
    );
}

#[test]
fn kinks_and_domains_have_defined_answers() {
    let t = Tape::<f64>::new();
    // relu′(0) = 0, as in the forward mode.
    let x = t.var(dmatrix![0.0, -0.0, 1.0]);
    let r = t.relu(x).unwrap();
    assert_eq!(t.gradient(r, &[x]).unwrap()[0], dmatrix![0.0, 0.0, 1.0]);
    // The norm's gradient at 0 is 0, also when recorded and differentiated again.
    let z = t.var(DMatrix::zeros(2, 2));
    let n = t.norm(z).unwrap();
    assert_eq!(t.scalar(n).unwrap(), 0.0);
    assert_eq!(t.gradient(n, &[z]).unwrap()[0], DMatrix::zeros(2, 2));
    let g = t.gradient_var(n, &[z]).unwrap()[0];
    let s = t.sum(g).unwrap();
    assert_eq!(t.gradient(s, &[z]).unwrap()[0], DMatrix::zeros(2, 2));
    // The norm neither overflows nor underflows.
    let big = t.var(dmatrix![3e200, 4e200]);
    let nb = t.scalar(t.norm(big).unwrap()).unwrap();
    assert!((nb - 5e200).abs() <= 2.0 * f64::EPSILON * 5e200, "{nb}");
    let tiny = t.var(dmatrix![3e-200, 4e-200]);
    let nt = t.scalar(t.norm(tiny).unwrap()).unwrap();
    assert!((nt - 5e-200).abs() <= 2.0 * f64::EPSILON * 5e-200, "{nt}");
    let g = t.gradient(t.norm(big).unwrap(), &[big]).unwrap();
    assert!((&g[0] - dmatrix![0.6, 0.8]).amax() <= 2.0 * f64::EPSILON);
    // Outside the domain: NaN values and gradients, no panic.
    let neg = t.var(dmatrix![-1.0]);
    let l = t.ln(neg).unwrap();
    assert!(t.scalar(l).unwrap().is_nan());
    assert!(t.gradient(l, &[neg]).unwrap()[0][0].is_nan());
    // sqrt at 0: the value is 0, the derivative +∞ (as in the forward mode).
    let zero = t.var(dmatrix![0.0]);
    let s = t.sqrt(zero).unwrap();
    assert_eq!(t.gradient(s, &[zero]).unwrap()[0][0], f64::INFINITY);
    // Softmax of huge logits stays finite.
    let h = t.var(dmatrix![1e308, -1e308]);
    let p = t.softmax(h).unwrap();
    assert_eq!(t.value(p).unwrap(), dmatrix![1.0, 0.0]);
    // Unconnected sources: zero gradient, and `None` / `false` to tell.
    let w = t.var(dmatrix![1.0, 2.0]);
    assert_eq!(t.gradient(r, &[w]).unwrap()[0], dmatrix![0.0, 0.0]);
    assert_eq!(t.gradient_opt(r, &[w]).unwrap()[0], None);
    assert!(!t.is_connected(r, w).unwrap());
    let gv = t.gradient_var(r, &[w]).unwrap()[0];
    assert_eq!(t.value(gv).unwrap(), dmatrix![0.0, 0.0]);
}

#[test]
fn slicing_and_gathering_errors_name_the_operation() {
    let t = Tape::<f64>::new();
    let a = t.var(DMatrix::zeros(2, 3));
    let b = t.var(DMatrix::zeros(4, 5));
    assert_eq!(
        shape_err(t.block(a, (1, 1), (2, 2)), "block"),
        "block: 2×3 and 3×3: the block (its end shown) does not fit in the matrix"
    );
    shape_err(t.rows(a, 1, 2), "rows");
    shape_err(t.cols(a, 3, 1), "cols");
    shape_err(t.entry(a, 2, 0), "entry");
    shape_err(t.block(a, (usize::MAX, 0), (2, 1)), "block");
    assert_eq!(
        shape_err(t.concat_rows(a, b), "concat_rows"),
        "concat_rows: 2×3 and 4×5: the numbers of columns differ"
    );
    shape_err(t.concat_cols(a, b), "concat_cols");
    assert_eq!(
        shape_err(t.reshape(a, 4, 2), "reshape"),
        "reshape: 2×3 and 4×2: the numbers of entries differ"
    );
    shape_err(t.reshape(a, usize::MAX, 2), "reshape");
    shape_err(t.max(a, b), "max");
    shape_err(t.select(&DMatrix::from_element(2, 3, true), a, b), "select");
    shape_err(t.select(&DMatrix::from_element(1, 3, true), a, a), "select");
    shape_err(
        t.dropout(a, &DMatrix::from_element(3, 2, true), 0.1),
        "dropout",
    );
    shape_err(t.huber_loss(a, b, 1.0), "huber_loss");
    shape_err(t.l1_loss(a, b), "l1_loss");
    let e = t.select_rows(a, &[0, 2]).unwrap_err();
    assert_eq!(
        e,
        ReverseError::IndexOutOfRange {
            op: "select_rows",
            index: 2,
            len: 2
        }
    );
    assert_eq!(
        e.to_string(),
        "select_rows: index 2 is out of range for length 2"
    );
    assert!(t.select_cols(a, &[3]).is_err());
    assert!(matches!(
        t.dropout(a, &DMatrix::from_element(2, 3, true), -0.5),
        Err(ReverseError::InvalidArgument { op: "dropout", .. })
    ));
    let empty = t.var(DMatrix::zeros(0, 3));
    assert_eq!(
        t.l1_loss(empty, empty).unwrap_err(),
        ReverseError::EmptyBatch { op: "l1_loss" }
    );
    assert!(t.col_means(empty).is_err());
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Any operation on operands of any shapes (empty ones included)
        /// either records, and then differentiates without a panic, or
        /// returns an error.
        #[test]
        fn no_shape_panics(
            op in 0usize..45,
            (r1, c1, r2, c2) in (0usize..4, 0usize..4, 0usize..4, 0usize..4),
            label in 0usize..4,
            (i, j) in (0usize..5, 0usize..5),
        ) {
            let t = Tape::<f64>::new();
            let a = t.var(DMatrix::from_fn(r1, c1, |i, j| i as f64 - j as f64 + 0.5));
            let b = t.var(DMatrix::from_fn(r2, c2, |i, j| 1.0 + i as f64 + j as f64));
            let labels = vec![label; r1];
            let y = match op {
                0 => t.matmul(a, b),
                1 => t.add(a, b),
                2 => t.sub(a, b),
                3 => t.mul(a, b),
                4 => t.div(a, b),
                5 => t.add_row(a, b),
                6 => t.mse(a, b),
                7 => t.broadcast(a, r2, c2),
                8 => t.cross_entropy(a, &labels),
                9 => t.softmax(a),
                10 => t.log_softmax(a),
                11 => t.mean(a),
                12 => t.norm(a),
                13 => t.row_sums(a),
                14 => t.col_sums(a),
                15 => t.transpose(a),
                16 => t.relu(a),
                17 => t.sum(a),
                18 => t.one_hot(&labels, c1),
                19 => t.powi(a, -1),
                20 => t.block(a, (i, j), (r2, c2)),
                21 => t.rows(a, i, r2),
                22 => t.cols(a, j, c2),
                23 => t.entry(a, i, j),
                24 => t.concat_rows(a, b),
                25 => t.concat_cols(a, b),
                26 => t.reshape(a, r2, c2),
                27 => t.select_rows(a, &[i, j]),
                28 => t.select_cols(a, &[j]),
                29 => t.select(&DMatrix::from_element(r2, c2, true), a, b),
                30 => t.dropout(a, &DMatrix::from_element(r2, c2, false), 0.5),
                31 => t.huber_loss(a, b, 1.0),
                32 => t.l1_loss(a, b),
                33 => t.log_sum_exp(a),
                34 => t.row_means(a),
                35 => t.col_means(a),
                36 => t.max(a, b),
                37 => t.min(a, b),
                38 => t.gelu(a),
                39 => t.clamp(a, (-1.0, 1.0)),
                40 => t.block(a, (usize::MAX, j), (2, c2)),
                41 => t.reshape(a, usize::MAX, 2),
                42 => t.log2(a),
                43 => t.elu(a, 1.0),
                _ => t.tanh(a),
            };
            if let Ok(y) = y {
                let g = t.gradient(y, &[a, b]).unwrap();
                prop_assert_eq!(g[0].shape(), (r1, c1));
                prop_assert_eq!(g[1].shape(), (r2, c2));
                let gv = t.gradient_var(y, &[a, b]).unwrap();
                let s = t.sum(gv[0]).unwrap();
                let h = t.gradient(s, &[a, b]).unwrap();
                prop_assert_eq!(h[0].shape(), (r1, c1));
            }
        }
    }
}
