//! `linalg::gemm` and the product threads: results equal a plain triple
//! loop (to rounding) and do not depend on the thread count (bit for bit,
//! in f32 and f64), with either operand transposed; shape mismatches are
//! errors that leave the result alone; β = 0 does not read the result;
//! callers on several threads at once get the same numbers.
#![cfg(feature = "faer")]

use dualgrad::linalg::{
    gemm, product_threads, set_product_threads, Operand, ProductShapeError, MAX_PRODUCT_THREADS,
    SPLIT_MIN,
};
use dualgrad::nalgebra::DMatrix;
use dualgrad::{Dual, SplitMix64};
use proptest::prelude::*;

fn random(g: &mut SplitMix64, r: usize, c: usize) -> DMatrix<f64> {
    DMatrix::from_fn(r, c, |_, _| g.uniform(-1.0, 1.0))
}

/// `m` read as stored, or (`t`) its stored transpose read transposed.
fn operand<'a, S: dualgrad::Scalar>(
    m: &'a DMatrix<S>,
    mt: &'a DMatrix<S>,
    t: bool,
) -> Operand<'a, S> {
    if t {
        Operand::Transposed(mt)
    } else {
        Operand::Plain(m)
    }
}

/// α·a·b + β·c by a triple loop in f64, entry by entry.
fn reference(
    alpha: f64,
    a: &DMatrix<f64>,
    b: &DMatrix<f64>,
    beta: f64,
    c: &DMatrix<f64>,
) -> DMatrix<f64> {
    DMatrix::from_fn(a.nrows(), b.ncols(), |i, j| {
        let s: f64 = (0..a.ncols()).map(|l| a[(i, l)] * b[(l, j)]).sum();
        let c0 = if beta == 0.0 { 0.0 } else { beta * c[(i, j)] };
        alpha * s + c0
    })
}

fn close(x: &DMatrix<f64>, y: &DMatrix<f64>, k: usize) -> bool {
    x.shape() == y.shape()
        && x.iter()
            .zip(y.iter())
            .all(|(p, q)| (p - q).abs() <= 1e-13 * (k as f64 + 1.0) * (1.0 + q.abs()))
}

/// One product with `threads` product threads, `a` and/or `b` given as
/// stored transposes read transposed.
fn product(
    threads: usize,
    a: &DMatrix<f64>,
    b: &DMatrix<f64>,
    (ta, tb): (bool, bool),
    c0: &DMatrix<f64>,
    beta: f64,
) -> DMatrix<f64> {
    set_product_threads(threads);
    let (at, bt) = (a.transpose(), b.transpose());
    let mut c = c0.clone();
    gemm(&mut c, 1.5, operand(a, &at, ta), operand(b, &bt, tb), beta).unwrap();
    c
}

/// The same product in f32 (the inputs rounded).
fn product32(
    threads: usize,
    a: &DMatrix<f64>,
    b: &DMatrix<f64>,
    (ta, tb): (bool, bool),
) -> DMatrix<f32> {
    set_product_threads(threads);
    let (a, b) = (a.map(|v| v as f32), b.map(|v| v as f32));
    let (at, bt) = (a.transpose(), b.transpose());
    let mut c = DMatrix::from_element(a.nrows(), b.ncols(), f32::NAN);
    gemm(&mut c, 1.0, operand(&a, &at, ta), operand(&b, &bt, tb), 0.0).unwrap();
    c
}

/// Every thread count and layout gives the same bits, in f64 and f32, and
/// the triple loop's values; large enough to be split, by columns and (9
/// and 13 columns) by rows. One test, because the thread count is a
/// process-wide setting.
#[test]
fn thread_counts_and_layouts_agree() {
    let mut g = SplitMix64::new(5);
    for &(m, k, n) in &[
        (64, 784, 128),
        (784, 64, 128),
        (257, 129, 301),
        (9, 1000, 700),
        (2000, 300, 9),
        (700, 1000, 13),
        (13, 7, 11),
        (3, 4, 2),
    ] {
        let (a, b, c0) = (
            random(&mut g, m, k),
            random(&mut g, k, n),
            random(&mut g, m, n),
        );
        // The f32 product of the rounded inputs, summed in f64.
        let r32 = |m: &DMatrix<f64>| m.map(|v| v as f32 as f64);
        let want32 = reference(1.0, &r32(&a), &r32(&b), 0.0, &c0);
        for beta in [0.0, -0.5] {
            let want = reference(1.5, &a, &b, beta, &c0);
            for layout in [(false, false), (true, false), (false, true), (true, true)] {
                let one = product(1, &a, &b, layout, &c0, beta);
                assert!(close(&one, &want, k), "{m}×{k}·{k}×{n} {layout:?}");
                let one32 = product32(1, &a, &b, layout);
                assert!(
                    one32.iter().zip(want32.iter()).all(|(&p, &q)| {
                        (p as f64 - q).abs() <= 1e-6 * (k as f64 + 1.0) * (1.0 + q.abs())
                    }),
                    "f32 {m}×{k}·{k}×{n} {layout:?}"
                );
                for threads in [2, 4, 8] {
                    let many = product(threads, &a, &b, layout, &c0, beta);
                    assert!(
                        one.iter()
                            .zip(many.iter())
                            .all(|(p, q)| p.to_bits() == q.to_bits()),
                        "{m}×{k}·{k}×{n} {layout:?} on {threads} threads"
                    );
                    let many32 = product32(threads, &a, &b, layout);
                    assert!(
                        one32
                            .iter()
                            .zip(many32.iter())
                            .all(|(p, q)| p.to_bits() == q.to_bits()),
                        "f32 {m}×{k}·{k}×{n} {layout:?} on {threads} threads"
                    );
                }
            }
        }
    }
    // The setting: powers of two up to the maximum; 0 is the default.
    // (Other tests here change it concurrently, so only the returned
    // counts are checked.)
    assert_eq!(set_product_threads(3), 2);
    assert_eq!(set_product_threads(usize::MAX), MAX_PRODUCT_THREADS);
    assert_eq!(set_product_threads(1), 1);
    let d = set_product_threads(0);
    assert!(d.is_power_of_two() && d <= MAX_PRODUCT_THREADS);
    let now = product_threads();
    assert!(now.is_power_of_two() && now <= MAX_PRODUCT_THREADS);
}

#[test]
fn split_threshold_is_large() {
    // A product is split only if each half keeps 2^19 multiply-adds:
    // below that, waking a second thread costs more than it saves.
    assert_eq!(SPLIT_MIN, 1 << 19);
}

#[test]
fn shape_mismatches_are_errors_and_leave_c_alone() {
    let (a, b) = (DMatrix::<f64>::zeros(2, 3), DMatrix::<f64>::zeros(3, 4));
    for (cs, a2, b2) in [
        ((2, 4), (2, 5), (3, 4)), // inner dimensions
        ((3, 4), (2, 3), (3, 4)), // rows of c
        ((2, 5), (2, 3), (3, 4)), // columns of c
    ] {
        let a2 = DMatrix::<f64>::zeros(a2.0, a2.1);
        let b2 = DMatrix::<f64>::zeros(b2.0, b2.1);
        let mut c = DMatrix::from_element(cs.0, cs.1, 7.0);
        let e = gemm(&mut c, 1.0, &a2, &b2, 0.0).unwrap_err();
        assert_eq!(
            e,
            ProductShapeError {
                c: cs,
                a: a2.shape(),
                b: b2.shape()
            }
        );
        assert!(e.to_string().starts_with("gemm: c = a·b with c "));
        assert!(c.iter().all(|&v| v == 7.0));
    }
    let mut c = DMatrix::<f64>::zeros(2, 4);
    assert!(gemm(&mut c, 1.0, &a, &b, 0.0).is_ok());
    // Shapes are checked as read: aᵀ is 3×2.
    let e = gemm(&mut c, 1.0, Operand::Transposed(&a), &b, 0.0).unwrap_err();
    assert_eq!((e.a, e.b), ((3, 2), (3, 4)));
}

#[test]
fn beta_zero_does_not_read_c_and_empty_products_are_defined() {
    let mut g = SplitMix64::new(9);
    for (m, k, n) in [(3, 4, 5), (64, 300, 90)] {
        let (a, b) = (random(&mut g, m, k), random(&mut g, k, n));
        let mut c = DMatrix::from_element(m, n, f64::NAN);
        gemm(&mut c, 1.0, &a, &b, 0.0).unwrap();
        assert!(close(&c, &(&a * &b), k));
    }
    // k = 0: c = β·c; empty results.
    let (a, b) = (DMatrix::<f64>::zeros(3, 0), DMatrix::<f64>::zeros(0, 2));
    let mut c = DMatrix::from_element(3, 2, 4.0);
    gemm(&mut c, 1.0, &a, &b, 0.5).unwrap();
    assert!(c.iter().all(|&v| v == 2.0));
    gemm(&mut c, 1.0, &a, &b, 0.0).unwrap();
    assert!(c.iter().all(|&v| v == 0.0));
    let (a, b) = (DMatrix::<f64>::zeros(0, 3), DMatrix::<f64>::zeros(3, 2));
    let mut c = DMatrix::<f64>::zeros(0, 2);
    gemm(&mut c, 1.0, &a, &b, 0.0).unwrap();
}

/// Dual numbers take nalgebra's generic product: every layout gives the
/// values and tangents of nalgebra's own product, and β = 0 does not read
/// the result.
#[test]
fn dual_numbers_in_every_layout() {
    let mut g = SplitMix64::new(3);
    let d = |g: &mut SplitMix64, r: usize, c: usize| {
        DMatrix::from_fn(r, c, |_, _| {
            Dual::new(g.uniform(-1.0, 1.0), g.uniform(-1.0, 1.0))
        })
    };
    for (m, k, n) in [(2, 3, 4), (8, 9, 7), (20, 30, 10)] {
        let (a, b) = (d(&mut g, m, k), d(&mut g, k, n));
        let want = &a * &b;
        let (at, bt) = (a.transpose(), b.transpose());
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut c = DMatrix::from_element(m, n, Dual::new(f64::NAN, 0.0));
            let (ao, bo) = (operand(&a, &at, ta), operand(&b, &bt, tb));
            gemm(&mut c, Dual::from(1.0), ao, bo, Dual::from(0.0)).unwrap();
            for (p, q) in c.iter().zip(want.iter()) {
                assert!((p.re - q.re).abs() < 1e-13 && (p.eps - q.eps).abs() < 1e-13);
            }
        }
    }
}

/// Products from several threads at once (one holds the pool, the others
/// compute alone) give the numbers of one thread.
#[test]
fn concurrent_callers_get_the_same_numbers() {
    let mut g = SplitMix64::new(11);
    let (a, b) = (random(&mut g, 200, 300), random(&mut g, 300, 250));
    let mut want = DMatrix::zeros(200, 250);
    gemm(&mut want, 1.0, &a, &b, 0.0).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..20 {
                    let mut c = DMatrix::zeros(200, 250);
                    gemm(&mut c, 1.0, &a, &b, 0.0).unwrap();
                    assert_eq!(c, want);
                }
            });
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Random shapes (some above the split threshold) and layouts: two
    /// threads give one thread's bits, and both the triple loop's values.
    #[test]
    fn random_products(m in 1usize..140, k in 0usize..160, n in 1usize..140,
                       ta: bool, tb: bool, seed: u64) {
        let mut g = SplitMix64::new(seed);
        let (a, b, c0) = (random(&mut g, m, k), random(&mut g, k, n), random(&mut g, m, n));
        let want = reference(1.5, &a, &b, 0.25, &c0);
        let one = product(1, &a, &b, (ta, tb), &c0, 0.25);
        let two = product(2, &a, &b, (ta, tb), &c0, 0.25);
        prop_assert!(close(&one, &want, k));
        prop_assert!(one.iter().zip(two.iter()).all(|(p, q)| p.to_bits() == q.to_bits()));
    }
}
