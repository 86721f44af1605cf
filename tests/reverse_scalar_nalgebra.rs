//! Reverse mode through nalgebra: matrices of `Taped<f64>` go through LU,
//! Cholesky, QR, SVD and the symmetric eigen-decomposition, and the
//! gradients equal forward mode's (the same generic function on
//! `DualVec<f64, 8>`) and the closed forms.
#![cfg(all(feature = "nalgebra", feature = "std"))]

use dualgrad::nalgebra::{ComplexField, DMatrix, DVector, RealField};
use dualgrad::record::{gradient_rev_dvec, gradient_rev_dyn, RecordError, Recorder, Taped};
use dualgrad::{gradient_dyn, Scalar};

const N: usize = 4;

/// A well-conditioned N×N matrix from N² inputs.
fn mat<S: Scalar + RealField>(x: &[S]) -> DMatrix<S> {
    DMatrix::from_fn(N, N, |i, j| x[i * N + j])
}

/// A symmetric positive definite matrix from N² inputs: (M + Mᵀ)/2 + N·I.
fn spd<S: Scalar + RealField>(x: &[S]) -> DMatrix<S> {
    let m = mat(x);
    (m.clone() + m.transpose()) * S::lit(0.5) + DMatrix::identity(N, N) * S::lit(N as f64)
}

fn rhs<S: Scalar + RealField>() -> DVector<S> {
    DVector::from_fn(N, |i, _| S::lit(1.0 + i as f64))
}

fn lu_det<S: Scalar + RealField>(x: &[S]) -> S {
    mat(x).lu().determinant()
}
fn lu_solve<S: Scalar + RealField>(x: &[S]) -> S {
    mat(x).lu().solve(&rhs()).map_or(S::nan(), |v| v.sum())
}
fn cholesky<S: Scalar + RealField>(x: &[S]) -> S {
    let c = spd(x).cholesky().expect("SPD");
    let l = c.l();
    c.solve(&rhs()).sum() + (0..N).map(|i| l[(i, i)]).fold(S::zero(), |a, b| a + b)
}
fn qr<S: Scalar + RealField>(x: &[S]) -> S {
    let q = mat(x).qr();
    let r = q.r();
    q.solve(&rhs()).map_or(S::nan(), |v| v.sum())
        + (0..N)
            .map(|i| num_traits::Float::abs(r[(i, i)]))
            .fold(S::zero(), |a, b| a + b)
}
fn svd_nuclear<S: Scalar + RealField>(x: &[S]) -> S {
    mat(x).singular_values().sum()
}
fn eig_max<S: Scalar + RealField>(x: &[S]) -> S {
    let e = spd(x).symmetric_eigenvalues();
    e.iter()
        .copied()
        .fold(S::neg_infinity(), |a, b| num_traits::Float::max(a, b))
}

fn point() -> Vec<f64> {
    let mut g = dualgrad::SplitMix64::new(11);
    (0..N * N)
        .map(|k| g.uniform(-1.0, 1.0) + if k % (N + 1) == 0 { 3.0 } else { 0.0 })
        .collect()
}

fn close(what: &str, a: &[f64], b: &[f64], rel: f64) {
    let scale = b.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    assert!(scale > 0.0);
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= rel * scale,
            "{what}[{i}]: reverse {x} vs {y}"
        );
    }
}

macro_rules! against_forward {
    ($($f:ident),*) => {$({
        let x = point();
        let (v, g) = gradient_rev_dyn(|x| $f(x), &x).unwrap();
        let (fv, fg) = gradient_dyn(|x| $f(x), &x);
        assert_eq!(v, fv, "{}: value", stringify!($f));
        close(stringify!($f), &g, &fg, 1e-12);
    })*};
}

#[test]
fn decompositions_reverse_equals_forward() {
    against_forward!(lu_det, lu_solve, cholesky, qr, svd_nuclear, eig_max);
}

#[test]
fn decompositions_closed_forms() {
    let x = point();
    let a = mat(&x);
    // ∂ det A / ∂A = det(A)·A⁻ᵀ.
    let (_, g) = gradient_rev_dyn(lu_det, &x).unwrap();
    let expect = a.determinant() * a.clone().try_inverse().unwrap().transpose();
    close("det", &g, &row_major(&expect), 1e-12);
    // ∂ Σσ / ∂A = U Vᵀ.
    let (_, g) = gradient_rev_dyn(svd_nuclear, &x).unwrap();
    let svd = a.clone().svd(true, true);
    let uv = svd.u.unwrap() * svd.v_t.unwrap();
    close("svd", &g, &row_major(&uv), 1e-12);
    // ∂ λmax / ∂S = v vᵀ, and S = (M + Mᵀ)/2 + N·I: ∂/∂M = v vᵀ (symmetric).
    let (_, g) = gradient_rev_dyn(eig_max, &x).unwrap();
    let e = spd(&x).symmetric_eigen();
    let k = e.eigenvalues.imax();
    let v = e.eigenvectors.column(k);
    close("eigen", &g, &row_major(&(v * v.transpose())), 1e-12);
    // ∂ Σ(A⁻¹b) / ∂A = −A⁻ᵀ 1 (A⁻¹b)ᵀ.
    let (_, g) = gradient_rev_dyn(lu_solve, &x).unwrap();
    let inv = a.clone().try_inverse().unwrap();
    let sol = &inv * rhs::<f64>();
    let expect = -(inv.transpose() * DVector::from_element(N, 1.0)) * sol.transpose();
    close("solve", &g, &row_major(&expect), 1e-12);
}

fn row_major(m: &DMatrix<f64>) -> Vec<f64> {
    (0..m.nrows())
        .flat_map(|i| (0..m.ncols()).map(move |j| m[(i, j)]))
        .collect()
}

#[test]
fn dvector_driver_and_realfield_code() {
    // Code generic over nalgebra's RealField only.
    fn soft_norm<R: RealField + Copy>(v: &DVector<R>) -> R {
        let s = v.dot(v) + R::one();
        ComplexField::ln(s)
    }
    let x = DVector::from_vec(vec![1.0, -2.0, 0.5]);
    let (v, g) = gradient_rev_dvec(soft_norm, &x).unwrap();
    assert_eq!(v, soft_norm(&x));
    let s = x.dot(&x) + 1.0;
    for i in 0..3 {
        assert!((g[i] - 2.0 * x[i] / s).abs() < 1e-15);
    }
}

#[test]
fn pivoting_compares_values_and_approx_compares_values() {
    use approx::{AbsDiffEq, RelativeEq};
    let mut r = Recorder::new();
    let (a, b) = r.record(&[1.0, 1.0 + 1e-12], |x| (x[0], x[1])).unwrap();
    assert!(a < b);
    assert!(a.abs_diff_eq(&b, Taped::constant(1e-9)));
    assert!(a.relative_eq(&b, Taped::constant(1e-9), Taped::constant(1e-9)));
    // A constant equal in value to a variable is approx-equal to it.
    assert!(a.abs_diff_eq(&Taped::constant(1.0), Taped::constant(0.0)));
    let _ = RecordError::Stale;
}
