//! No public function panics on any input (issue 11), except the two
//! documented ones (`Tape::with_value` with a closure that records on the
//! same tape, `mixed_partial` with an index ≥ N) and the `check` module's
//! assertion helpers, whose job is to panic when a check fails.
//!
//! Every call runs inside `catch_unwind`; sizes include 0, `usize::MAX`
//! and 2⁴⁰, floats NaN, ±∞ and subnormals. Where an answer is defined
//! (an error naming the operation, NaN) it is checked too. Sizes that
//! would allocate are kept small or rejected before any allocation (a
//! failed allocation aborts the process instead of panicking, so a case
//! that allocated terabytes would not be caught here but would kill the
//! test).

#![cfg(all(feature = "nalgebra", feature = "std"))]

use std::panic::{catch_unwind, AssertUnwindSafe};

use dualgrad::nn::{Activation, Adam, Dense, Mlp, Optimizer, Sgd, Targets};
use dualgrad::reverse::{one_hot, ReverseError, Tape, MAX_NEW_ENTRIES};
use dualgrad::{gradient_dyn, hessian_dyn, jacobian_dyn, Scalar, SplitMix64};
use nalgebra::{dmatrix, DMatrix};
use proptest::prelude::*;

/// Runs `f`, failing the test (with `what`) if it panics.
#[track_caller]
fn no_panic<R>(what: &str, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{what} panicked: {msg}")
        }
    }
}

const ACTIVATIONS: [Activation; 6] = [
    Activation::Identity,
    Activation::Relu,
    Activation::Tanh,
    Activation::Sigmoid,
    Activation::Softplus,
    Activation::Identity,
];

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..4,
        Just(usize::MAX),
        Just(usize::MAX - 1),
        Just(1usize << 40),
        // Just above `MAX_NEW_ENTRIES` (on 64-bit targets): a size that
        // still fits the limit, 2³¹ say, would be a legal allocation of
        // 16 GiB, not an edge case.
        Just(1usize << 33),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        -3.0..3.0f64,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(5e-324),
        Just(-0.0),
        Just(f64::MAX),
        Just(1e-300),
    ]
}

/// A small matrix (0 to 3 rows and columns) of edge floats.
fn small_matrix() -> impl Strategy<Value = DMatrix<f64>> {
    (0usize..4, 0usize..4).prop_flat_map(|(r, c)| {
        proptest::collection::vec(float(), r * c).prop_map(move |v| DMatrix::from_vec(r, c, v))
    })
}

// ---- cases that panicked (or aborted) before ------------------------------

/// `matmul` of an m×0 and a 0×n matrix is m×n zeros: it allocated
/// m·n entries unchecked (2³²·2³¹ entries: "capacity overflow").
#[test]
fn matmul_of_empty_factors_with_a_huge_product_is_an_error() {
    let t = Tape::<f64>::new();
    let a = t.var(DMatrix::zeros(1 << 32, 0));
    let b = t.var(DMatrix::zeros(0, 1 << 31));
    let r = no_panic("matmul", || t.matmul(a, b));
    assert!(
        matches!(r, Err(ReverseError::Shape { op: "matmul", .. })),
        "{r:?}"
    );
    // Within the limit it is still the zero product.
    let c = t.var(DMatrix::zeros(0, 3));
    let small = t.var(DMatrix::zeros(2, 0));
    assert_eq!(
        t.value(t.matmul(small, c).unwrap()).unwrap(),
        DMatrix::zeros(2, 3)
    );
}

/// `select_rows`/`select_cols` with a long index list make
/// `indices.len() × columns` entries: unchecked before.
#[test]
fn gathering_more_than_max_new_entries_is_an_error() {
    let t = Tape::<f64>::new();
    let a = t.var(DMatrix::zeros(1, 1 << 13));
    let idx = vec![0usize; (MAX_NEW_ENTRIES >> 13) + 2];
    let r = no_panic("select_rows", || t.select_rows(a, &idx));
    assert!(
        matches!(
            r,
            Err(ReverseError::Shape {
                op: "select_rows",
                ..
            })
        ),
        "{r:?}"
    );
    let b = t.var(DMatrix::zeros(1 << 13, 1));
    let r = no_panic("select_cols", || t.select_cols(b, &idx));
    assert!(
        matches!(
            r,
            Err(ReverseError::Shape {
                op: "select_cols",
                ..
            })
        ),
        "{r:?}"
    );
}

/// `one_hot(&[0], 2⁴⁰)` allocated a 1×2⁴⁰ matrix; `one_hot(&[0; 3],
/// usize::MAX)` overflowed `rows·classes`.
#[test]
fn one_hot_with_absurd_classes_is_an_error() {
    let r = no_panic("one_hot", || one_hot::<f64>(&[0], 1 << 40));
    assert!(
        matches!(r, Err(ReverseError::Shape { op: "one_hot", .. })),
        "{r:?}"
    );
    let r = no_panic("one_hot", || one_hot::<f64>(&[0, 1, 2], usize::MAX));
    assert!(r.is_err());
    let t = Tape::<f64>::new();
    assert!(no_panic("Tape::one_hot", || t.one_hot(&[5], usize::MAX)).is_err());
    // No labels: a 0×classes matrix, no entries, fine.
    assert_eq!(one_hot::<f64>(&[], 1 << 40).unwrap().shape(), (0, 1 << 40));
}

/// A value taken out of the tape (`take_value`) that a backward pass reads
/// is an error, not a shape-mismatch panic inside nalgebra.
#[test]
fn gradient_after_take_value_is_an_error() {
    let t = Tape::<f64>::new();
    let a = t.var(dmatrix![1.0, 2.0]);
    let b = t.var(dmatrix![3.0, 4.0]);
    let y = t.sum(t.mul(a, b).unwrap()).unwrap();
    let _ = t.take_value(a).unwrap();
    let r = no_panic("gradient after take_value", || t.gradient(y, &[b]));
    assert!(r.is_err(), "{r:?}");
    let r = no_panic("gradient_var after take_value", || t.gradient_var(y, &[b]));
    assert!(r.is_err(), "{r:?}");
    let r = no_panic("replay after take_value", || {
        t.replay(y, &[b], &[b]).map(|_| ())
    });
    assert!(r.is_err(), "{r:?}");
}

/// `Dense::init` (and so `Mlp::new`) with sizes whose product overflows
/// ("capacity overflow" before) or exceeds `MAX_NEW_ENTRIES` (an
/// allocation of terabytes) is an error; `inputs + outputs` no longer
/// overflows in the Glorot scale.
#[test]
fn layers_of_absurd_size_are_errors() {
    let r = no_panic("Mlp::new", || {
        Mlp::<f64>::new(&[1 << 40, 1 << 40], &[Activation::Relu], 0).map(|_| ())
    });
    assert!(r.is_err());
    let r = no_panic("Mlp::new", || {
        Mlp::<f64>::new(&[usize::MAX, 2], &[Activation::Relu], 0).map(|_| ())
    });
    assert!(r.is_err());
    let r = no_panic("Dense::init", || {
        Dense::<f64>::init(3, usize::MAX, Activation::Tanh, 0).map(|_| ())
    });
    assert!(r.is_err());
    // Zero-sized layers are fine.
    let m = Mlp::<f64>::new(&[0, 3, 0], &[Activation::Relu, Activation::Identity], 0).unwrap();
    assert_eq!(m.forward(&DMatrix::zeros(2, 0)).unwrap().shape(), (2, 0));
}

/// The layers' fields are public: a bias of the wrong shape set by hand
/// panicked in `Dense::forward` (`row += b`); now an error.
#[test]
fn a_layer_changed_by_hand_is_checked() {
    let mut l = Dense::<f64>::init(2, 3, Activation::Tanh, 0).unwrap();
    l.b = DMatrix::zeros(1, 2);
    let x = DMatrix::zeros(4, 2);
    let r = no_panic("Dense::forward", || l.forward(&x));
    assert!(r.is_err());
    let t = Tape::new();
    let xv = t.var(x.clone());
    assert!(no_panic("Dense::record", || l.record(&t, xv).map(|_| ())).is_err());
    let mut m = Mlp::<f64>::new(&[2, 3, 1], &[Activation::Tanh, Activation::Identity], 0).unwrap();
    m.layers[1] = Dense::init(5, 1, Activation::Identity, 0).unwrap();
    assert!(no_panic("Mlp::forward", || m.forward(&x)).is_err());
    let mut tape = Tape::new();
    let r = no_panic("Mlp::loss_and_gradients", || {
        m.loss_and_gradients(&mut tape, &x, Targets::Labels(&[0, 0, 0, 0]))
            .map(|_| ())
    });
    assert!(r.is_err());
    assert!(no_panic("Mlp::loss", || m.loss(&x, Targets::Labels(&[0; 4]))).is_err());
    assert!(no_panic("Mlp::replay", || m
        .replay(&x, Targets::Labels(&[0; 4]))
        .map(|_| ()))
    .is_err());
}

// ---- property tests over the public API ------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every tape operation taking sizes, indices, masks or shapes, on
    /// small matrices with arbitrary sizes: an `Ok` of the right shape or
    /// an `Err`, never a panic; a gradient through whatever was recorded.
    #[test]
    fn tape_operations_never_panic(
        m in small_matrix(),
        n in small_matrix(),
        sizes in proptest::collection::vec(size(), 4),
        idx in proptest::collection::vec(prop_oneof![0usize..4, Just(usize::MAX)], 0..5),
        mask_bits in proptest::collection::vec(any::<bool>(), 0..10),
        p in float(),
        k in float(),
    ) {
        let t = Tape::<f64>::new();
        let (a, b) = (t.var(m.clone()), t.var(n.clone()));
        let (r0, c0, r1, c1) = (sizes[0], sizes[1], sizes[2], sizes[3]);
        let mask = DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| {
            mask_bits.get(i + 3 * j).copied().unwrap_or(true)
        });
        let wrong_mask = DMatrix::from_element(1, mask_bits.len(), true);
        let mut out = Vec::new();
        no_panic("tape ops", || {
            out.push(t.block(a, (r0, c0), (r1, c1)));
            out.push(t.rows(a, r0, c1));
            out.push(t.cols(a, c0, r1));
            out.push(t.entry(a, r0, c0));
            // Empty results with a huge side (2⁴⁰×0) included:
            // `huge_empty_shapes_are_cheap` below times them.
            out.push(t.reshape(a, r1, c1));
            out.push(t.broadcast(a, r1, c1));
            out.push(t.select_rows(a, &idx));
            out.push(t.select_cols(a, &idx));
            out.push(t.select(&mask, a, b));
            out.push(t.select(&wrong_mask, a, a));
            out.push(t.dropout(a, &mask, p));
            out.push(t.matmul(a, b));
            out.push(t.add(a, b));
            out.push(t.mul(a, b));
            out.push(t.add_row(a, b));
            out.push(t.concat_rows(a, b));
            out.push(t.concat_cols(a, b));
            out.push(t.cross_entropy(a, &idx));
            out.push(t.one_hot(&idx, r0));
            out.push(t.mse(a, b));
            out.push(t.l1_loss(a, b));
            out.push(t.huber_loss(a, b, p));
            out.push(t.mean(a));
            out.push(t.row_means(a));
            out.push(t.col_means(a));
            out.push(t.row_sums(a));
            out.push(t.col_sums(a));
            out.push(t.softmax(a));
            out.push(t.log_softmax(a));
            out.push(t.log_sum_exp(a));
            out.push(t.norm(a));
            out.push(t.scale(a, k));
            out.push(t.powi(a, i32::MIN));
            out.push(t.max(a, b));
        });
        // Differentiate every result that was recorded, with respect to
        // both inputs (plain and recorded backward passes).
        for v in out.iter().flatten() {
            let s = t.sum(*v).unwrap();
            let g = no_panic("gradient", || t.gradient(s, &[a, b]));
            let g = g.unwrap();
            prop_assert_eq!(g[0].shape(), m.shape());
            prop_assert_eq!(g[1].shape(), n.shape());
            no_panic("gradient_var", || t.gradient_var(s, &[a, b]).map(|_| ())).unwrap();
            no_panic("replay", || {
                if let Ok(mut r) = t.replay(s, &[a, b], &[a]) {
                    let _ = r.forward(&[&m, &n]);
                    let _ = r.run(&[&m]);
                    let _ = r.set_input(usize::MAX, &m);
                    let _ = r.set_input(0, &DMatrix::zeros(7, 7));
                }
            });
        }
        // Errors name the operation they come from.
        for e in out.iter().filter_map(|r| r.as_ref().err()) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    /// Networks of arbitrary (small or absurd) sizes and activation lists,
    /// labels out of range, optimisers with mismatched gradients.
    #[test]
    fn networks_and_optimisers_never_panic(
        sizes in proptest::collection::vec(prop_oneof![0usize..4, Just(usize::MAX), Just(1usize << 40)], 0..4),
        acts in proptest::collection::vec(0usize..6, 0..4),
        labels in proptest::collection::vec(prop_oneof![0usize..4, Just(usize::MAX)], 0..4),
        x in small_matrix(),
        g in small_matrix(),
        lr in float(),
    ) {
        let acts: Vec<Activation> = acts.iter().map(|&i| ACTIVATIONS[i]).collect();
        let mlp = no_panic("Mlp::new", || Mlp::<f64>::new(&sizes, &acts, 7));
        let Ok(mut mlp) = mlp else { return Ok(()) };
        no_panic("Mlp", || {
            let _ = mlp.forward(&x);
            let _ = mlp.loss(&x, Targets::Labels(&labels));
            let _ = mlp.loss(&x, Targets::Values(&g));
            let _ = mlp.replay(&x, Targets::Labels(&labels));
            let mut tape = Tape::new();
            let grads = mlp.loss_and_gradients(&mut tape, &x, Targets::Labels(&labels));
            let mut sgd = Sgd::with_momentum(lr, lr);
            let mut adam = Adam::new(lr);
            if let Ok((_, grads)) = grads {
                let _ = sgd.update(&mut mlp, &grads);
                let _ = adam.update(&mut mlp, &grads);
                let _ = adam.update(&mut mlp, &grads[..grads.len().saturating_sub(1)]);
            }
            let mut p = x.clone();
            let _ = sgd.step(&mut [&mut p], &[&g]);
            let _ = adam.step(&mut [&mut p], &[&g, &g]);
            let _ = adam.step(&mut [&mut p], &[&g]);
        });
    }

    /// The dynamic drivers with empty inputs and closures whose output
    /// length changes between evaluations.
    #[test]
    fn dynamic_drivers_never_panic(
        x in proptest::collection::vec(float(), 0..40),
        lens in proptest::collection::vec(0usize..5, 1..4),
    ) {
        let calls = std::cell::Cell::new(0usize);
        let (v, g) = no_panic("gradient_dyn", || {
            gradient_dyn(|s| s.iter().fold(Scalar::lit(0.0), |acc, &xi| acc + xi * xi), &x)
        });
        prop_assert_eq!(g.len(), x.len());
        if x.is_empty() {
            prop_assert_eq!(v, 0.0);
        }
        let (vals, jac) = no_panic("jacobian_dyn", || {
            jacobian_dyn(
                |s| {
                    let n = lens[calls.get() % lens.len()];
                    calls.set(calls.get() + 1);
                    s.iter().take(1).copied().cycle().take(n).collect()
                },
                &x,
            )
        });
        for row in &jac {
            prop_assert_eq!(row.len(), x.len());
        }
        prop_assert_eq!(jac.len(), vals.len());
        let (_, hg, h) = no_panic("hessian_dyn", || {
            hessian_dyn(|s| s.iter().fold(Scalar::lit(1.0), |acc, &xi| acc * xi), &x)
        });
        prop_assert_eq!(hg.len(), x.len());
        prop_assert_eq!(h.len(), x.len());
    }

    /// `SplitMix64` with any bounds.
    #[test]
    fn rng_never_panics(seed in any::<u64>(), lo in float(), hi in float(), n in size()) {
        let mut r = SplitMix64::new(seed);
        let u = no_panic("uniform", || r.uniform(lo, hi));
        if lo.is_finite() && hi.is_finite() && (hi - lo).is_finite() {
            prop_assert!(u >= lo.min(hi) && u <= lo.max(hi), "{} in [{}, {}]", u, lo, hi);
        }
        let i = no_panic("index", || r.index(n));
        prop_assert!(i < n.max(1));
        let _: [f64; 3] = no_panic("array", || r.array(lo, hi));
    }
}

/// A matrix without entries may have a huge side (2⁴⁰ × 0, 0 × 2⁴⁰): every
/// operation on it, and every backward pass through it, visits no empty
/// rows or columns and allocates nothing per row (before: `transpose`,
/// `concat_rows`, the backward pass of `sum` looped 2⁴⁰ times, and
/// `softmax` asked for 8 TiB and aborted). Each case runs on its own
/// thread and must finish within seconds.
#[test]
fn huge_empty_shapes_are_cheap() {
    use std::sync::mpsc;
    use std::time::Duration;
    type Case = fn(
        &Tape<f64>,
        dualgrad::reverse::Var,
        dualgrad::reverse::Var,
        (usize, usize),
    ) -> Result<dualgrad::reverse::Var, ReverseError>;
    let cases: [(&str, Case); 22] = [
        ("transpose", |t, a, _, _| t.transpose(a)),
        ("sum", |t, a, _, _| t.sum(a)),
        ("row_sums", |t, a, _, _| t.row_sums(a)),
        ("col_sums", |t, a, _, _| t.col_sums(a)),
        ("softmax", |t, a, _, _| t.softmax(a)),
        ("log_softmax", |t, a, _, _| t.log_softmax(a)),
        ("log_sum_exp", |t, a, _, _| t.log_sum_exp(a)),
        ("exp", |t, a, _, _| t.exp(a)),
        ("add", |t, a, b, _| t.add(a, b)),
        ("max", |t, a, b, _| t.max(a, b)),
        ("concat_rows", |t, a, b, _| t.concat_rows(a, b)),
        ("concat_cols", |t, a, b, _| t.concat_cols(a, b)),
        ("rows", |t, a, _, _| t.rows(a, 0, 2)),
        ("cols", |t, a, _, _| t.cols(a, 0, 0)),
        ("select_rows", |t, a, _, _| t.select_rows(a, &[])),
        ("select_cols", |t, a, _, _| t.select_cols(a, &[])),
        ("reshape", |t, a, _, (r, c)| t.reshape(a, c, r)),
        ("broadcast", |t, a, _, (r, c)| t.broadcast(a, r, c)),
        ("norm", |t, a, _, _| t.norm(a)),
        ("square", |t, a, _, _| t.square(a)),
        ("matmul", |t, a, _, (r, c)| {
            let e = t.var(DMatrix::zeros(c.min(3), 2));
            let f = t.var(DMatrix::zeros(3, r.min(3)));
            t.matmul(a, e).or_else(|_| t.matmul(f, a))
        }),
        ("transpose then sum", |t, a, _, _| t.sum(t.transpose(a)?)),
    ];
    for shape in [(1usize << 40, 0usize), (0, 1usize << 40)] {
        for (name, case) in cases {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let t = Tape::<f64>::new();
                let z = t.var(DMatrix::zeros(0, 0));
                let a = t.reshape(z, shape.0, shape.1).unwrap();
                let b = t.reshape(z, shape.0, shape.1).unwrap();
                let done = case(&t, a, b, shape).map(|y| {
                    let s = t.sum(y)?;
                    let g = t.gradient(s, &[z])?;
                    assert_eq!(g[0].shape(), (0, 0));
                    let gv = t.gradient_var(s, &[z])?;
                    t.shape(gv[0])
                });
                let _ = tx.send(done.map(|_| ()).map_err(|e| e.to_string()));
            });
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("{name} on {shape:?}: still running after 20 s")
                }
                Err(_) => panic!("{name} on {shape:?}: panicked"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The scalar reverse-mode drivers with any inputs, mismatched
    /// cotangents and directions, closures whose output length varies, and
    /// values carried from one recording into another: values or errors.
    #[test]
    fn record_drivers_never_panic(
        x in proptest::collection::vec(float(), 0..4),
        w in proptest::collection::vec(float(), 0..4),
        outs in 0usize..4,
    ) {
        use dualgrad::record::{
            gradient_rev_dyn, hessian_rev, hvp_rev, jacobian_rev_dyn, vjp_rev_dyn, Recorder,
        };
        fn f<S: Scalar>(x: &[S]) -> S {
            x.iter().fold(S::one(), |a, &v| a * v.sqrt() + v.atan2(a).exp() - v.powi(-3))
        }
        no_panic("gradient_rev_dyn", || { let _ = gradient_rev_dyn(f, &x); });
        no_panic("vjp_rev_dyn", || {
            let _ = vjp_rev_dyn(|v| (0..outs).map(|k| f(v) * (k as f64)).collect(), &x, &w);
        });
        let calls = std::cell::Cell::new(0usize);
        no_panic("jacobian_rev_dyn", || {
            let _ = jacobian_rev_dyn(
                |v| {
                    calls.set(calls.get() + 1);
                    v.iter().take(outs + calls.get()).map(|&a| dualgrad::num_traits::Float::tanh(a)).collect()
                },
                &x,
            );
        });
        no_panic("hvp_rev", || { let _ = hvp_rev(f, &x, &w); });
        no_panic("hessian_rev", || { let _ = hessian_rev(f, &x); });
        // A value of one recording used in another: an error, not a panic.
        let mut r1 = Recorder::<f64>::new();
        let mut r2 = Recorder::<f64>::new();
        no_panic("stale values", || {
            if let Ok(y) = r1.record(&x, f) {
                let _ = r1.gradient(y);
                let _ = r2.record(&x, |v| f(v) + y);
                let _ = r2.gradient(y);
                r1.reset();
                let _ = r1.gradient(y);
                let _ = r1.vjp(&[y, y], &w);
            }
        });
    }

    /// The check module's entry points with NaN, infinite and huge points
    /// and claimed derivatives: reports, never panics (only their `assert`
    /// methods panic, on a failed check).
    #[test]
    fn checks_never_panic(x in proptest::array::uniform2(float()), g in proptest::array::uniform2(float())) {
        use dualgrad::check::{check_gradient, check_hessian, check_jacobian, check_vjp, Report};
        let f = dualgrad::scalar_fn!(|[a, b]| a.ln() * b.exp() + (a / b).sqrt());
        let v = dualgrad::vector_fn!(|[a, b]| [a * b, a.atan2(b), (a - b).abs()]);
        no_panic("check_gradient", || check_gradient(&f, x, g).passed());
        no_panic("check_hessian", || check_hessian(&f, x, [g, g]).passed());
        no_panic("check_jacobian", || check_jacobian(&v, x, [g, g, g]).passed());
        no_panic("check_vjp", || check_vjp(&v, x, |c: [f64; 3]| [c[0] * g[0], c[1] * g[1]]).passed());
    }
}
