//! Times the MLP step's two large products, X·W (64×784 · 784×128) and
//! Xᵀ·D (784×64 · 64×128), in f64 and f32: nalgebra's gemm (matrixmultiply
//! with its own `threading`, threads from `MATMUL_NUM_THREADS`; X·W also
//! transposed), `dualgrad::linalg::gemm` (blocks of the product on
//! dualgrad's product threads, `DUALGRAD_THREADS`), and faer with one and
//! two threads. Minimum over 7 rounds of 200 products; then X·W by
//! `dualgrad::linalg::gemm` after pauses of 5, 30 and 100 µs (a parked
//! worker takes time to wake).
//!
//! This build turns matrixmultiply's `threading` on (dualgrad does not),
//! so run it with `MATMUL_NUM_THREADS=1` for the dualgrad rows (each block
//! then runs on one thread, as in dualgrad's own build) and without it
//! for matrixmultiply's own threads.

use dualgrad::linalg::Operand;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use std::time::Instant;

const FLOP: f64 = 2.0 * 64.0 * 784.0 * 128.0;

fn best(mut f: impl FnMut()) -> f64 {
    (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..200 {
                f();
            }
            t.elapsed().as_secs_f64() / 200.0
        })
        .fold(f64::INFINITY, f64::min)
}

fn report(what: &str, a: f64, b: f64) {
    println!(
        "{what:<28} X·W {:7.1} µs ({:5.1} GFLOP/s)   Xᵀ·D {:7.1} µs ({:5.1} GFLOP/s)",
        a * 1e6,
        FLOP / a / 1e9,
        b * 1e6,
        FLOP / b / 1e9
    );
}

macro_rules! probe {
    ($t:ty) => {{
        let x = DMatrix::<$t>::from_fn(64, 784, |i, j| ((i * 7 + j) % 13) as $t * 0.1);
        let w = DMatrix::<$t>::from_fn(784, 128, |i, j| ((i * 3 + j) % 11) as $t * 0.1);
        let d = DMatrix::<$t>::from_fn(64, 128, |i, j| ((i + j) % 5) as $t * 0.1);
        let xt = x.transpose();
        let mut y = DMatrix::<$t>::zeros(64, 128);
        let mut g = DMatrix::<$t>::zeros(784, 128);
        let a = best(|| y.gemm(1.0, &x, &w, 0.0));
        let b = best(|| g.gemm(1.0, &xt, &d, 0.0));
        report(concat!("nalgebra/matrixmultiply ", stringify!($t)), a, b);
        // X·W as the tape computes a product with fewer rows than columns:
        // (W)ᵀ·(X)ᵀ into the result's storage, on strided views.
        let mut y2 = DMatrix::<$t>::zeros(64, 128);
        let t = best(|| {
            let wt = DMatrixView::from_slice_with_strides(w.as_slice(), 128, 784, 784, 1);
            let xv = DMatrixView::from_slice_with_strides(x.as_slice(), 784, 64, 64, 1);
            let mut yt =
                DMatrixViewMut::from_slice_with_strides_mut(y2.as_mut_slice(), 128, 64, 64, 1);
            yt.gemm(1.0, &wt, &xv, 0.0);
        });
        assert_eq!(y, y2, "the transposed product gives the same numbers");
        println!(
            "{:<28} X·W {:7.1} µs ({:5.1} GFLOP/s)   as the tape: (Wᵀ·Xᵀ)ᵀ",
            concat!("  transposed ", stringify!($t)),
            t * 1e6,
            FLOP / t / 1e9
        );
        let (mut y3, mut g3) = (DMatrix::<$t>::zeros(64, 128), DMatrix::<$t>::zeros(784, 128));
        let a = best(|| {
            dualgrad::linalg::gemm(&mut y3, 1.0, &x, &w, 0.0).unwrap()
        });
        let b = best(|| {
            dualgrad::linalg::gemm(&mut g3, 1.0, Operand::Transposed(&x), &d, 0.0).unwrap()
        });
        report(concat!("dualgrad::linalg::gemm ", stringify!($t)), a, b);
        for gap_us in [5u64, 30, 100] {
            let mut best_a = f64::INFINITY;
            for _ in 0..200 {
                let t0 = Instant::now();
                while t0.elapsed().as_micros() < gap_us as u128 {
                    std::hint::spin_loop();
                }
                let t = Instant::now();
                dualgrad::linalg::gemm(&mut y3, 1.0, &x, &w, 0.0).unwrap();
                best_a = best_a.min(t.elapsed().as_secs_f64());
            }
            println!("  after a {gap_us} µs gap: X·W {:7.1} µs", best_a * 1e6);
        }
        let fx = Mat::<$t>::from_fn(64, 784, |i, j| x[(i, j)]);
        let fw = Mat::<$t>::from_fn(784, 128, |i, j| w[(i, j)]);
        let fd = Mat::<$t>::from_fn(64, 128, |i, j| d[(i, j)]);
        let mut fy = Mat::<$t>::zeros(64, 128);
        let mut fg = Mat::<$t>::zeros(784, 128);
        for (name, par) in [
            ("faer 1 thread ", Par::Seq),
            ("faer 2 threads", Par::rayon(2)),
        ] {
            let a = best(|| {
                matmul(
                    fy.as_mut(),
                    Accum::Replace,
                    fx.as_ref(),
                    fw.as_ref(),
                    1.0,
                    par,
                )
            });
            let b = best(|| {
                matmul(
                    fg.as_mut(),
                    Accum::Replace,
                    fx.transpose(),
                    fd.as_ref(),
                    1.0,
                    par,
                )
            });
            report(&format!("{name} {}", stringify!($t)), a, b);
        }
    }};
}

fn main() {
    probe!(f64);
    probe!(f32);
}
