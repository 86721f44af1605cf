//! Differentiating through nalgebra: the scalar trait stack for every number
//! type at every nesting depth, checked against closed forms (Jacobi's
//! formula, the derivative of the inverse and of a linear solve, eigenvalue
//! perturbation theory), against an independent mode (nested duals vs
//! hyper-duals) and against central finite differences on random matrices.
#![cfg(feature = "nalgebra")]

use dualgrad::nalgebra::{
    self, ComplexField, Const, DMatrix, DVector, DimMin, Matrix2, Matrix3, RealField, SMatrix,
    SVector, Vector3,
};
use dualgrad::{
    derivative, gradient_dvec, gradient_vec, hessian_dmat, hessian_mat, jacobian_dmat,
    jacobian_mat, second_derivative, third_derivative, ChunkDual, ChunkDual2, Dual, Dual2Vec,
    DualVec, HyperDual, Scalar,
};
use proptest::prelude::*;

type D2 = Dual<Dual<f64>>;

/// `|a − b| ≤ tol·max(1, |b|)`.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[track_caller]
fn assert_close(a: f64, b: f64, tol: f64) {
    assert!(close(a, b, tol), "{a} vs {b} (tol {tol})");
}

#[track_caller]
fn assert_mat_close<const R: usize, const C: usize>(
    a: &SMatrix<f64, R, C>,
    b: &SMatrix<f64, R, C>,
    tol: f64,
) {
    let scale = b.amax().max(1.0);
    assert!((a - b).amax() <= tol * scale, "{a} vs {b} (tol {tol})");
}

/// A well-conditioned, non-symmetric `N × N` matrix.
fn a_mat<const N: usize>() -> SMatrix<f64, N, N> {
    SMatrix::from_fn(|i, j| {
        let x = (i * N + j) as f64;
        let off = 0.3 * (1.3 * x + 0.7).sin();
        if i == j {
            N as f64 + off
        } else {
            off
        }
    })
}

/// A direction `B` for `A(t) = A + tB`.
fn b_mat<const N: usize>() -> SMatrix<f64, N, N> {
    SMatrix::from_fn(|i, j| 0.5 * ((2 * i + 3 * j) as f64 * 0.9 + 0.2).cos())
}

/// Symmetric positive definite `A` and symmetric `B`.
fn spd<const N: usize>() -> (SMatrix<f64, N, N>, SMatrix<f64, N, N>) {
    let a = a_mat::<N>();
    let b = b_mat::<N>();
    (a * a.transpose(), (b + b.transpose()) * 0.5)
}

/// An orthogonal matrix (the Q of a QR factorization).
fn orthogonal(seed: f64) -> SMatrix<f64, 4, 4> {
    (a_mat::<4>() + b_mat::<4>() * seed).qr().q()
}

/// `Q diag(d) Pᵀ`: a matrix with prescribed, well-separated eigen- (P = Q)
/// or singular values.
fn with_spectrum<const N: usize>(
    d: [f64; N],
    q: &SMatrix<f64, N, N>,
    p: &SMatrix<f64, N, N>,
) -> SMatrix<f64, N, N> {
    q * SMatrix::from_diagonal(&SVector::from(d)) * p.transpose()
}

/// `A + tB` on any number type.
fn at<S: Scalar + RealField, const N: usize>(
    a: &SMatrix<f64, N, N>,
    b: &SMatrix<f64, N, N>,
    t: S,
) -> SMatrix<S, N, N> {
    a.cast::<S>() + b.cast::<S>() * t
}

/// `t` seeded for second derivatives on `Dual<Dual<f64>>`.
fn d2_var(t: f64) -> D2 {
    Dual::new(Dual::variable(t), Dual::constant(1.0))
}

// ---------------------------------------------------------------------------
// Jacobi's formula

/// d/dt det(A + tB) = det · tr(C), d² = det · (tr(C)² − tr(C²)),
/// d³ = det · (tr(C)³ − 3 tr(C) tr(C²) + 2 tr(C³)), C = (A + tB)⁻¹B.
fn jacobi_closed<const N: usize>(a: &SMatrix<f64, N, N>, b: &SMatrix<f64, N, N>, t: f64) -> [f64; 4]
where
    Const<N>: DimMin<Const<N>, Output = Const<N>>,
{
    let m = a + b * t;
    let det = m.determinant();
    let c = m.try_inverse().unwrap() * b;
    let (t1, t2, t3) = (c.trace(), (c * c).trace(), (c * c * c).trace());
    [
        det,
        det * t1,
        det * (t1 * t1 - t2),
        det * (t1 * t1 * t1 - 3.0 * t1 * t2 + 2.0 * t3),
    ]
}

fn check_jacobi<const N: usize>()
where
    Const<N>: DimMin<Const<N>, Output = Const<N>>,
{
    let (a, b) = (a_mat::<N>(), b_mat::<N>());
    for t in [-0.4, 0.0, 0.3] {
        let [det, d1, d2, d3] = jacobi_closed(&a, &b, t);
        let (v, dv) = derivative(|t| at(&a, &b, t).determinant(), t);
        assert_eq!(v, (a + b * t).determinant(), "value part bit-identical");
        assert_close(v, det, 1e-14);
        assert_close(dv, d1, 1e-12);

        let (v, dv, ddv) = second_derivative(|t| at(&a, &b, t).determinant(), t);
        assert_eq!(v, (a + b * t).determinant());
        assert_close(dv, d1, 1e-12);
        assert_close(ddv, d2, 1e-11);

        let (_, _, _, dddv) = third_derivative(|t| at(&a, &b, t).determinant(), t);
        assert_close(dddv, d3, 1e-10);
    }
}

#[test]
fn jacobi_formula_explicit_small_determinants() {
    // nalgebra computes 2×2 and 3×3 determinants from explicit formulas ...
    check_jacobi::<2>();
    check_jacobi::<3>();
}

#[test]
fn jacobi_formula_through_lu() {
    // ... and larger ones through LU with partial pivoting.
    check_jacobi::<4>();
    check_jacobi::<6>();
}

#[test]
fn nested_dual_second_derivative_of_determinant_equals_hyperdual() {
    let (a, b) = (a_mat::<5>(), b_mat::<5>());
    for t in [-0.2, 0.1, 0.5] {
        let nested: D2 = at(&a, &b, d2_var(t)).determinant();
        let (v, d1, d2) = second_derivative(|t| at(&a, &b, t).determinant(), t);
        assert_eq!(nested.re.re, v);
        assert_close(nested.re.eps, d1, 1e-14);
        assert_close(nested.eps.re, d1, 1e-14);
        assert_close(nested.eps.eps, d2, 1e-13);
        assert_close(nested.eps.eps, jacobi_closed(&a, &b, t)[2], 1e-11);
    }
}

#[test]
fn determinant_gradient_is_cofactor_matrix() {
    // ∂det/∂Aᵢⱼ = det · (A⁻ᵀ)ᵢⱼ, through a gradient over all 9 entries.
    let a = a_mat::<3>();
    let x = SVector::<f64, 9>::from_column_slice(a.as_slice());
    let (det, g) = gradient_vec(
        |x| Matrix3::from_column_slice(x.as_slice()).determinant(),
        x,
    );
    let expect = a.try_inverse().unwrap().transpose() * a.determinant();
    assert_eq!(det, a.determinant());
    assert_mat_close(&Matrix3::from_column_slice(g.as_slice()), &expect, 1e-14);
}

// ---------------------------------------------------------------------------
// Inverse and linear solves

fn check_inverse<const N: usize>()
where
    Const<N>: DimMin<Const<N>, Output = Const<N>>,
{
    let (a, b) = (a_mat::<N>(), b_mat::<N>());
    let t = 0.25;
    let m = a + b * t;
    let mi = m.try_inverse().unwrap();
    let expect = -mi * b * mi;
    let inv = at(&a, &b, Dual::variable(t)).try_inverse().unwrap();
    assert_eq!(inv.map(|x| x.re), mi, "value part bit-identical");
    assert_mat_close(&inv.map(|x| x.eps), &expect, 1e-13);
    let inv_lu = at(&a, &b, Dual::variable(t)).lu().try_inverse().unwrap();
    assert_mat_close(&inv_lu.map(|x| x.eps), &expect, 1e-13);
    // Second derivative: d²(M⁻¹) = 2 M⁻¹B M⁻¹B M⁻¹.
    let inv2 = at(&a, &b, d2_var(t)).try_inverse().unwrap();
    assert_mat_close(
        &inv2.map(|x| x.eps.eps),
        &(mi * b * mi * b * mi * 2.0),
        1e-12,
    );
}

#[test]
fn derivative_of_inverse() {
    check_inverse::<2>();
    check_inverse::<3>();
    check_inverse::<4>();
    check_inverse::<7>();
}

/// x(t) solves (A + tB) x = rhs: x′ = −M⁻¹Bx, x″ = 2 (M⁻¹B)² x.
fn solve_closed<const N: usize>(
    a: &SMatrix<f64, N, N>,
    b: &SMatrix<f64, N, N>,
    rhs: &SVector<f64, N>,
    t: f64,
) -> [SVector<f64, N>; 3] {
    let mi = (a + b * t).try_inverse().unwrap();
    let x = mi * rhs;
    let c = mi * b;
    [x, -c * x, c * c * x * 2.0]
}

#[test]
fn derivative_of_solution_through_lu() {
    let (a, b) = (a_mat::<5>(), b_mat::<5>());
    let rhs = SVector::<f64, 5>::from_fn(|i, _| 1.0 + i as f64);
    let t = -0.3;
    let [x, dx, ddx] = solve_closed(&a, &b, &rhs, t);
    let s = at(&a, &b, Dual::variable(t))
        .lu()
        .solve(&rhs.cast())
        .unwrap();
    assert_eq!(s.map(|v| v.re), (a + b * t).lu().solve(&rhs).unwrap());
    assert_mat_close(&s.map(|v| v.re), &x, 1e-14);
    assert_mat_close(&s.map(|v| v.eps), &dx, 1e-13);
    let s = at(&a, &b, HyperDual::new(t, 1.0, 1.0, 0.0))
        .lu()
        .solve(&rhs.cast())
        .unwrap();
    assert_mat_close(&s.map(|v| v.e12), &ddx, 1e-12);
}

#[test]
fn derivative_of_solution_through_cholesky() {
    let (a, b) = spd::<4>();
    let rhs = SVector::<f64, 4>::new(1.0, -2.0, 0.5, 3.0);
    let t = 0.2;
    let [x, dx, ddx] = solve_closed(&a, &b, &rhs, t);
    let s = at(&a, &b, Dual::variable(t))
        .cholesky()
        .unwrap()
        .solve(&rhs.cast());
    assert_eq!(s.map(|v| v.re), (a + b * t).cholesky().unwrap().solve(&rhs));
    assert_mat_close(&s.map(|v| v.re), &x, 1e-14);
    assert_mat_close(&s.map(|v| v.eps), &dx, 1e-13);
    let s = at(&a, &b, HyperDual::new(t, 1.0, 1.0, 0.0))
        .cholesky()
        .unwrap()
        .solve(&rhs.cast());
    assert_mat_close(&s.map(|v| v.e12), &ddx, 1e-12);
    // The Cholesky factor itself: d(LLᵀ) = L′Lᵀ + L L′ᵀ must equal B.
    let l = at(&a, &b, Dual::variable(t)).cholesky().unwrap().l();
    let (l0, l1) = (l.map(|v| v.re), l.map(|v| v.eps));
    assert_mat_close(&(l1 * l0.transpose() + l0 * l1.transpose()), &b, 1e-13);
}

#[test]
fn derivative_of_solution_through_qr() {
    let (a, b) = (a_mat::<4>(), b_mat::<4>());
    let rhs = SVector::<f64, 4>::new(2.0, 1.0, -1.0, 0.5);
    let t = 0.4;
    let [_, dx, ddx] = solve_closed(&a, &b, &rhs, t);
    let s = at(&a, &b, Dual::variable(t))
        .qr()
        .solve(&rhs.cast())
        .unwrap();
    assert_mat_close(&s.map(|v| v.eps), &dx, 1e-13);
    let s = at(&a, &b, d2_var(t)).qr().solve(&rhs.cast()).unwrap();
    assert_mat_close(&s.map(|v| v.eps.eps), &ddx, 1e-12);
}

#[test]
fn qr_factor_differentiates_log_abs_determinant() {
    // Σ ln|rᵢᵢ| = ln|det|: first derivative tr(C), second −tr(C²).
    let (a, b) = (a_mat::<5>(), b_mat::<5>());
    let t = 0.15;
    let r = at(&a, &b, d2_var(t)).qr().r();
    let logdet: D2 = (0..5).map(|i| r[(i, i)].abs().ln()).sum();
    let c = (a + b * t).try_inverse().unwrap() * b;
    assert_close(logdet.re.re, (a + b * t).determinant().abs().ln(), 1e-13);
    assert_close(logdet.eps.re, c.trace(), 1e-13);
    assert_close(logdet.eps.eps, -(c * c).trace(), 1e-12);
    // Q stays orthogonal to first order: Q′ᵀQ + QᵀQ′ = 0.
    let q = at(&a, &b, Dual::variable(t)).qr().q();
    let (q0, q1) = (q.map(|v| v.re), q.map(|v| v.eps));
    let sym = q1.transpose() * q0 + q0.transpose() * q1;
    assert!(sym.amax() < 1e-14, "{sym}");
}

// ---------------------------------------------------------------------------
// Quadratic forms and norms through nalgebra's own dot and norm

#[test]
fn hessian_of_quadratic_form_is_symmetric_part() {
    let a = a_mat::<4>() + b_mat::<4>() * 3.0; // not symmetric
    let x = SVector::<f64, 4>::new(0.3, -1.2, 2.0, 0.7);
    let (v, g, h) = hessian_mat(|x| x.dot(&(a.cast::<Dual2Vec<f64, 4>>() * x)) * 0.5, x);
    assert_close(v, x.dot(&(a * x)) * 0.5, 1e-15);
    assert_mat_close(&g, &((a + a.transpose()) * x * 0.5), 1e-15);
    assert_mat_close(&h, &((a + a.transpose()) * 0.5), 1e-15);
    assert_eq!(h, h.transpose());
}

#[test]
fn gradient_of_norm_is_unit_vector() {
    let x = SVector::<f64, 5>::new(1.0, -2.0, 0.5, 3.0, -0.25);
    let (n, g) = gradient_vec(|x| x.norm(), x);
    assert_eq!(n, x.norm());
    assert_mat_close(&g, &(x / x.norm()), 1e-16);
    // The Hessian of ‖x‖ is (I − uuᵀ)/‖x‖.
    let (_, _, h) = hessian_mat(|x| x.norm(), x);
    let u = x / x.norm();
    assert_mat_close(
        &h,
        &((SMatrix::<f64, 5, 5>::identity() - u * u.transpose()) / x.norm()),
        1e-15,
    );
    // normalize(): the Jacobian of x/‖x‖ is the same matrix.
    let (y, j) = jacobian_mat(|x| x.normalize(), x);
    assert_mat_close(&y, &u, 1e-16);
    assert_mat_close(&j, &h, 1e-15);
}

#[test]
fn dynamic_drivers_match_closed_forms_across_chunks() {
    let n = 19; // three chunks of 8, the last one partial
    let a = DMatrix::from_fn(n, n, |i, j| ((i * n + j) as f64 * 0.37).sin());
    let x = DVector::from_fn(n, |i, _| (i as f64 * 0.5).cos());
    let sym = (&a + a.transpose()) * 0.5;

    let (v, g) = gradient_dvec(|x| x.norm(), &x);
    assert_eq!(v, x.norm());
    assert!((g - &x / x.norm()).amax() < 1e-16);

    let ac = a.map(ChunkDual::<f64>::constant);
    let (y, j) = jacobian_dmat(|x| (&ac * x).map(|v| v.sin()), &x);
    let ax = &a * &x;
    assert!((y - ax.map(f64::sin)).amax() < 1e-15);
    let expect = DMatrix::from_fn(n, n, |i, k| ax[i].cos() * a[(i, k)]);
    assert!((j - expect).amax() < 1e-14);

    let ac2 = a.clone().cast::<ChunkDual2<f64>>();
    let (v, g, h) = hessian_dmat(|x| 0.5 * x.dot(&(&ac2 * x)), &x);
    assert!((v - x.dot(&(&a * &x)) * 0.5).abs() < 1e-13);
    assert!((g - &sym * &x).amax() < 1e-14);
    assert!((h - &sym).amax() < 1e-15);
}

#[test]
fn dynamic_jacobian_of_a_linear_solve_is_the_inverse() {
    // x ↦ A⁻¹x through LU on chunked duals (12 inputs: two chunks).
    let n = 12;
    let a = DMatrix::from_fn(n, n, |i, j| {
        let off = ((i * n + j) as f64 * 0.61).sin() * 0.4;
        if i == j {
            n as f64 + off
        } else {
            off
        }
    });
    let ac = a.clone().cast::<ChunkDual<f64>>();
    let lu = ac.lu();
    let x = DVector::from_fn(n, |i, _| 1.0 + i as f64);
    let (y, j) = jacobian_dmat(|x| lu.solve(x).unwrap(), &x);
    let inv = a.clone().try_inverse().unwrap();
    assert_eq!(y, a.lu().solve(&x).unwrap(), "value part bit-identical");
    assert!((j - &inv).amax() < 1e-16 * n as f64, "Jacobian = A⁻¹");
}

#[test]
fn dynamic_drivers_accept_empty_inputs() {
    let x = DVector::<f64>::zeros(0);
    let (v, g) = gradient_dvec(|x| x.norm_squared() + ChunkDual::constant(2.0), &x);
    assert_eq!((v, g.len()), (2.0, 0));
    let (y, j) = jacobian_dmat(|_| DVector::from_element(2, ChunkDual::constant(1.0)), &x);
    assert_eq!((y.len(), j.shape()), (2, (2, 0)));
    let (v, g, h) = hessian_dmat(|_| nalgebra::convert(3.0), &x);
    assert_eq!((v, g.len(), h.shape()), (3.0, 0, (0, 0)));
}

// ---------------------------------------------------------------------------
// Eigenvalues and singular values

#[test]
fn symmetric_eigenvalue_derivatives() {
    // dλᵢ = vᵢᵀBvᵢ; d²λᵢ = 2 Σⱼ≠ᵢ (vⱼᵀBvᵢ)² / (λᵢ − λⱼ).
    let q = orthogonal(0.5);
    let a = with_spectrum([1.0, 3.0, 6.0, 10.0], &q, &q);
    let b = spd::<4>().1;
    let t = 0.1;
    let e = (a + b * t).symmetric_eigen();
    let d1 = at(&a, &b, Dual::variable(t)).symmetric_eigen();
    let d2 = at(&a, &b, HyperDual::new(t, 1.0, 1.0, 0.0)).symmetric_eigen();
    let nested = at(&a, &b, d2_var(t)).symmetric_eigen();
    for i in 0..4 {
        // Same algorithm on the value parts: same order, same values.
        assert_eq!(d1.eigenvalues[i].re, e.eigenvalues[i]);
        let vi = e.eigenvectors.column(i);
        let first = vi.dot(&(b * vi));
        let mut second = 0.0;
        for j in (0..4).filter(|&j| j != i) {
            let vj = e.eigenvectors.column(j);
            second += 2.0 * vj.dot(&(b * vi)).powi(2) / (e.eigenvalues[i] - e.eigenvalues[j]);
        }
        assert_close(d1.eigenvalues[i].eps, first, 1e-13);
        assert_close(d2.eigenvalues[i].e1, first, 1e-13);
        assert_close(d2.eigenvalues[i].e12, second, 1e-11);
        assert_close(nested.eigenvalues[i].eps.eps, second, 1e-11);
    }
    // Eigenvectors: the derivative satisfies (A − λ)v′ = −(B − λ′)v.
    for i in 0..4 {
        let v = d1.eigenvectors.column(i);
        let (v0, v1) = (v.map(|x| x.re), v.map(|x| x.eps));
        let (l0, l1) = (d1.eigenvalues[i].re, d1.eigenvalues[i].eps);
        let m = a + b * t - SMatrix::<f64, 4, 4>::identity() * l0;
        let lhs = m * v1;
        let rhs = -(b * v0 - v0 * l1);
        assert!((lhs - rhs).amax() < 1e-12, "{lhs} vs {rhs}");
        assert!(v0.dot(&v1).abs() < 1e-13, "unit length kept");
    }
}

#[test]
fn singular_value_derivatives() {
    // dσᵢ = uᵢᵀBvᵢ for a non-symmetric matrix.
    let a = with_spectrum([0.5, 2.0, 4.0, 7.0], &orthogonal(0.3), &orthogonal(-1.1));
    let b = b_mat::<4>();
    let t = -0.2;
    let svd = (a + b * t).svd(true, true);
    let (u, vt) = (svd.u.unwrap(), svd.v_t.unwrap());
    let d = at(&a, &b, Dual::variable(t)).svd(false, false);
    let dd = at(&a, &b, d2_var(t)).svd(true, true);
    for i in 0..4 {
        let k = (0..4)
            .min_by(|&p, &q| {
                let dp = (svd.singular_values[p] - d.singular_values[i].re).abs();
                let dq = (svd.singular_values[q] - d.singular_values[i].re).abs();
                dp.total_cmp(&dq)
            })
            .unwrap();
        let expect = u.column(k).dot(&(b * vt.row(k).transpose()));
        assert_close(d.singular_values[i].eps, expect, 1e-12);
        assert_close(dd.singular_values[i].eps.re, expect, 1e-12);
        assert_close(dd.singular_values[i].re.eps, expect, 1e-12);
    }
    // Σ σᵢ² = ‖A‖²_F: its second derivative is 2‖B‖²_F.
    let s2: D2 = dd.singular_values.iter().map(|s| *s * *s).sum();
    assert_close(s2.eps.eps, 2.0 * b.norm_squared(), 1e-12);
}

#[test]
fn small_svd_special_paths() {
    // nalgebra has dedicated 2×2 (closed form, atan2) and 3×3 SVDs; dσᵢ = uᵢᵀBvᵢ.
    fn check<const N: usize>(a: SMatrix<f64, N, N>, b: SMatrix<f64, N, N>)
    where
        SMatrix<D2, N, N>: Svd<N>,
    {
        let s = at(&a, &b, d2_var(0.2)).svd_d2();
        let u = s.0.map(|x| x.re.re);
        let v = s.2.map(|x| x.re.re);
        for i in 0..N {
            let expect = u.column(i).dot(&(b * v.column(i)));
            assert_close(s.1[i].re.eps, expect, 1e-13);
            assert_close(s.1[i].eps.re, expect, 1e-13);
        }
        // Σσᵢ² = ‖A‖²_F: second derivative 2‖B‖²_F.
        let s2: D2 = s.1.iter().map(|x| *x * *x).sum();
        assert_close(s2.eps.eps, 2.0 * b.norm_squared(), 1e-12);
    }
    check(
        Matrix2::new(3.0, 1.0, 0.5, 2.0),
        Matrix2::new(0.2, 0.1, -0.3, 0.4),
    );
    check(
        Matrix3::new(3.0, 1.0, 0.5, 2.0, 4.0, 0.1, 0.3, 0.2, 5.0),
        b_mat::<3>(),
    );
}

/// The SVD of a 2×2 or 3×3 matrix of nested duals: (U, σ, V).
trait Svd<const N: usize> {
    fn svd_d2(self) -> (SMatrix<D2, N, N>, SVector<D2, N>, SMatrix<D2, N, N>);
}
impl Svd<2> for Matrix2<D2> {
    fn svd_d2(self) -> (Matrix2<D2>, SVector<D2, 2>, Matrix2<D2>) {
        let s = self.svd(true, true);
        (s.u.unwrap(), s.singular_values, s.v_t.unwrap().transpose())
    }
}
impl Svd<3> for Matrix3<D2> {
    fn svd_d2(self) -> (Matrix3<D2>, SVector<D2, 3>, Matrix3<D2>) {
        let s = self.svd(true, true);
        (s.u.unwrap(), s.singular_values, s.v_t.unwrap().transpose())
    }
}

#[test]
fn rotations_and_quaternions() {
    use nalgebra::{Rotation3, Unit, UnitQuaternion};
    let t = d2_var(0.3);
    // R(t) about z: R₀₀ = cos t.
    let r = Rotation3::from_axis_angle(&Vector3::z_axis(), t);
    assert_eq!(r[(0, 0)].re.re, 0.3_f64.cos());
    assert_close(r[(0, 0)].eps.re, -(0.3_f64.sin()), 1e-16);
    assert_close(r[(0, 0)].eps.eps, -(0.3_f64.cos()), 1e-16);
    // The angle of a quaternion built from an angle t is t: derivative 1, then 0.
    let axis = Unit::new_normalize(Vector3::new(1.0, 1.0, 0.0).cast::<D2>());
    let q = UnitQuaternion::from_axis_angle(&axis, t);
    let a = q.angle();
    assert_close(a.re.re, 0.3, 1e-15);
    assert_close(a.eps.re, 1.0, 1e-15);
    assert!(a.eps.eps.abs() < 1e-14);
    let back = UnitQuaternion::from_rotation_matrix(&q.to_rotation_matrix()).angle();
    assert_close(back.eps.re, 1.0, 1e-14);
    assert!(back.eps.eps.abs() < 1e-13);
}

#[test]
fn real_schur_eigenvalues_of_nonsymmetric_matrix() {
    // A = P D P⁻¹ + tB: at t = 0 the eigenvalues are D's, and for a simple
    // eigenvalue dλᵢ = wᵢᵀBvᵢ / wᵢᵀvᵢ = (P⁻¹BP)ᵢᵢ (vᵢ, wᵢ the right and left
    // eigenvectors, the columns of P and the rows of P⁻¹).
    let p = a_mat::<4>();
    let pi = p.try_inverse().unwrap();
    let d = SMatrix::<f64, 4, 4>::from_diagonal(&SVector::from([1.0, 2.5, 4.0, 6.0]));
    let a = p * d * pi;
    let b = b_mat::<4>();
    let expect = pi * b * p;
    let ev = at(&a, &b, Dual::variable(0.0)).eigenvalues().unwrap();
    for l in ev.iter() {
        let i = [1.0, 2.5, 4.0, 6.0]
            .iter()
            .position(|&x| (x - l.re).abs() < 1e-9)
            .unwrap();
        assert_close(l.eps, expect[(i, i)], 1e-11);
    }
}

#[test]
fn complex_eigenvalues_through_schur() {
    // A matrix with a complex pair: Σλ = tr and Πλ = det, whose first and
    // second derivatives are tr(B) and Jacobi's formula.
    let a = Matrix3::new(1.0, -2.0, 0.5, 2.0, 1.0, 0.3, 0.1, 0.2, 3.0);
    let b = b_mat::<3>();
    let t = 0.1;
    let ev = at(&a, &b, d2_var(t)).complex_eigenvalues();
    assert!(ev.iter().any(|z| z.im.re.re.abs() > 0.5), "a complex pair");
    let s = ev
        .iter()
        .fold(ev[0] * D2::from(Dual::from(0.0)), |s, z| s + *z);
    let p = ev.iter().skip(1).fold(ev[0], |p, z| p * *z);
    assert_close(s.re.eps.re, b.trace(), 1e-12);
    assert!(s.im.eps.re.abs() < 1e-12);
    let [det, d1, d2, _] = jacobi_closed(&a, &b, t);
    assert_close(p.re.re.re, det, 1e-12);
    assert_close(p.re.eps.re, d1, 1e-11);
    assert_close(p.re.eps.eps, d2, 1e-10);
    assert!(p.im.eps.eps.abs() < 1e-10);
}

#[test]
fn eigenvalues_of_an_already_diagonal_matrix() {
    // The off-diagonal values are exactly zero, so the QR iteration stops at
    // once (its tests look at values); the eigenvalue derivatives are still
    // right: dλᵢ = Bᵢᵢ.
    let a = Matrix3::from_diagonal(&Vector3::new(1.0, 2.0, 4.0));
    let b = Matrix3::new(0.1, 0.5, 0.2, 0.5, -0.3, 0.4, 0.2, 0.4, 0.7);
    let e = at(&a, &b, Dual::variable(0.0)).symmetric_eigen();
    for i in 0..3 {
        let k = [1.0, 2.0, 4.0]
            .iter()
            .position(|&x| x == e.eigenvalues[i].re)
            .unwrap();
        assert_close(e.eigenvalues[i].eps, b[(k, k)], 1e-15);
    }
}

#[test]
fn matrix_exponential_derivative() {
    // d/dt exp(tA) = A exp(tA), d² = A² exp(tA).
    let a = a_mat::<3>() * 0.3;
    let t = 0.7;
    let e = (a * t).exp();
    let d = (a.cast::<D2>() * d2_var(t)).exp();
    assert_mat_close(&d.map(|x| x.re.re), &e, 1e-14);
    assert_mat_close(&d.map(|x| x.eps.re), &(a * e), 1e-12);
    assert_mat_close(&d.map(|x| x.eps.eps), &(a * a * e), 1e-11);
}

// ---------------------------------------------------------------------------
// Every factorization at nesting depth 2, and f32 at the bottom

#[test]
fn every_solver_works_on_nested_duals() {
    let (a, b) = spd::<4>();
    let rhs = SVector::<f64, 4>::new(1.0, 2.0, -1.0, 0.5);
    let t = 0.05;
    let [x, dx, ddx] = solve_closed(&a, &b, &rhs, t);
    let m = at(&a, &b, d2_var(t));
    let r = rhs.cast::<D2>();
    let eps = D2::from(Dual::from(1e-12));
    let solutions: [(&str, SVector<D2, 4>); 10] = [
        ("lblt", m.lblt().solve(&r).unwrap()),
        ("lu", m.lu().solve(&r).unwrap()),
        ("full_piv_lu", m.full_piv_lu().solve(&r).unwrap()),
        ("qr", m.qr().solve(&r).unwrap()),
        ("col_piv_qr", m.col_piv_qr().solve(&r).unwrap()),
        ("cholesky", m.cholesky().unwrap().solve(&r)),
        ("svd", m.svd(true, true).solve(&r, eps).unwrap()),
        ("try_inverse", m.try_inverse().unwrap() * r),
        ("pseudo_inverse", m.pseudo_inverse(eps).unwrap() * r),
        ("symmetric_eigen", {
            let e = m.symmetric_eigen();
            let d = e.eigenvalues.map(|l| l.recip());
            e.eigenvectors * SMatrix::from_diagonal(&d) * e.eigenvectors.transpose() * r
        }),
    ];
    for (name, s) in solutions {
        for i in 0..4 {
            assert!(close(s[i].re.re, x[i], 1e-12), "{name}: value");
            assert!(close(s[i].re.eps, dx[i], 1e-11), "{name}: d/dt (inner)");
            assert!(close(s[i].eps.re, dx[i], 1e-11), "{name}: d/dt (outer)");
            assert!(close(s[i].eps.eps, ddx[i], 1e-10), "{name}: d²/dt²");
        }
    }
    // UDU and LDLᵀ-style factorizations: det = Π dᵢ.
    let udu = m.udu().unwrap();
    let p: D2 = udu.d.iter().copied().product();
    let [det, d1, d2, _] = jacobi_closed(&a, &b, t);
    assert_close(p.re.re, det, 1e-12);
    assert_close(p.eps.re, d1, 1e-11);
    assert_close(p.eps.eps, d2, 1e-10);
}

#[test]
fn f32_at_the_bottom_of_the_nesting() {
    type H = HyperDual<Dual<f32>>;
    let a = Matrix2::new(3.0_f32, 1.0, -0.5, 2.0);
    let b = Matrix2::new(1.0_f32, 0.5, 0.25, -1.0);
    let t = H::new(
        Dual::variable(0.5),
        Dual::constant(1.0),
        Dual::constant(1.0),
        Dual::constant(0.0),
    );
    let m = a.cast::<H>() + b.cast::<H>() * t;
    let det = m.determinant();
    let inv_det = m.try_inverse().unwrap().determinant();
    // det(A + tB) is a quadratic in t here: d³ = 0 and det(M⁻¹) = 1/det(M).
    assert_eq!(det.e12.eps, 0.0);
    assert!((det.e12.re - 2.0 * b.determinant()).abs() < 1e-5);
    assert!(((det * inv_det).re.re - 1.0).abs() < 1e-6);
    assert!((det * inv_det).e1.re.abs() < 1e-5);
}

// ---------------------------------------------------------------------------
// The trait methods: conventions, conversions, approx, no panics

#[test]
fn conversions_keep_values_and_drop_derivatives() {
    let c: Dual<Dual<f32>> = nalgebra::convert(2.5_f64);
    assert_eq!(
        (c.re.re, c.re.eps, c.eps.re, c.eps.eps),
        (2.5, 0.0, 0.0, 0.0)
    );
    let x = Dual::new(1.5_f64, 3.0);
    assert_eq!(nalgebra::try_convert::<_, f64>(x), Some(1.5));
    assert_eq!(nalgebra::try_convert::<_, f32>(x), Some(1.5_f32));
    let m = Matrix2::new(1.0, 2.0, 3.0, 4.0).cast::<HyperDual<f64>>();
    assert_eq!(m[(1, 0)], HyperDual::new(3.0, 0.0, 0.0, 0.0));
}

#[test]
fn approx_compares_every_part() {
    use approx::{AbsDiffEq, RelativeEq, UlpsEq};
    let a = Dual::new(1.0_f64, 2.0);
    let b = Dual::new(1.0_f64, 2.0 + 1e-12);
    let c = Dual::new(1.0_f64, 2.5);
    assert!(a.abs_diff_eq(&b, Dual::constant(1e-10)));
    assert!(!a.abs_diff_eq(&c, Dual::constant(1e-10)));
    assert!(a.relative_eq(&b, Dual::constant(1e-15), Dual::constant(1e-10)));
    assert!(!a.relative_eq(&c, Dual::constant(1e-15), Dual::constant(1e-10)));
    assert!(a.ulps_eq(&a, Dual::default_epsilon(), 0));
    assert!(!a.ulps_eq(&c, Dual::default_epsilon(), 4));
    // Nested: the innermost parts count too.
    let n = D2::new(Dual::new(1.0, 1.0), Dual::new(1.0, 1.0));
    let m = D2::new(Dual::new(1.0, 1.0), Dual::new(1.0, 1.5));
    assert!(!n.abs_diff_eq(&m, D2::default_epsilon()));
    assert!(n.abs_diff_eq(&n, D2::default_epsilon()));
}

#[test]
fn real_field_methods_follow_the_conventions() {
    let x = Dual::variable(-2.0_f64);
    // copysign: |x| with the sign of the second argument's value.
    let c = RealField::copysign(x, Dual::constant(1.0));
    assert_eq!((c.re, c.eps), (2.0, -1.0));
    let c = RealField::copysign(x, Dual::new(-0.0, 5.0));
    assert_eq!((c.re, c.eps), (-2.0, 1.0));
    // clamp: at a bound the input passes through, as Float::clamp.
    let lo = Dual::new(-1.0, 4.0);
    let hi = Dual::new(1.0, 6.0);
    let r = RealField::clamp(x, lo, hi);
    assert_eq!((r.re, r.eps), (-1.0, 4.0));
    let r = RealField::clamp(Dual::variable(0.5), lo, hi);
    assert_eq!((r.re, r.eps), (0.5, 1.0));
    let r = RealField::clamp(Dual::variable(1.0), lo, hi);
    assert_eq!((r.re, r.eps), (1.0, 1.0));
    let r = num_traits::Float::clamp(Dual::variable(1.0), lo, hi);
    assert_eq!((r.re, r.eps), (1.0, 1.0));
    // max/min and atan2 are the Float ones (tie: mean).
    let m = RealField::max(Dual::new(1.0, 2.0), Dual::new(1.0, 4.0));
    assert_eq!((m.re, m.eps), (1.0, 3.0));
    let a = RealField::atan2(Dual::variable(1.0), Dual::constant(1.0));
    assert_eq!(a.re, 1.0_f64.atan2(1.0));
    assert_close(a.eps, 0.5, 1e-16);
    // Constants are constants.
    let p: HyperDual<f64> = RealField::pi();
    assert_eq!(
        (p.re, p.e1, p.e2, p.e12),
        (core::f64::consts::PI, 0.0, 0.0, 0.0)
    );
    assert_eq!(<Dual<f64> as RealField>::max_value().unwrap().re, f64::MAX);
    assert_eq!(<Dual<f64> as RealField>::min_value().unwrap().re, f64::MIN);
    // Signs look at the value part.
    assert!(RealField::is_sign_negative(&x));
    assert!(RealField::is_sign_positive(&Dual::new(0.0, -1.0)));
}

#[test]
fn complex_field_methods_delegate_to_the_rule_table() {
    let x = HyperDual::new(0.6_f64, 1.0, 1.0, 0.0);
    // Every function equals its Float counterpart in every part.
    let same = |a: HyperDual<f64>, b: HyperDual<f64>| {
        assert_eq!((a.re, a.e1, a.e2, a.e12), (b.re, b.e1, b.e2, b.e12));
    };
    use num_traits::Float;
    same(ComplexField::sin(x), Float::sin(x));
    same(ComplexField::exp(x), Float::exp(x));
    same(ComplexField::ln(x), Float::ln(x));
    same(ComplexField::sqrt(x), Float::sqrt(x));
    same(ComplexField::atanh(x), Float::atanh(x));
    same(ComplexField::powf(x, x), Float::powf(x, x));
    same(ComplexField::powc(x, x), Float::powf(x, x));
    same(ComplexField::log(x, x + 2.0), Float::log(x, x + 2.0));
    same(ComplexField::hypot(x, x * 2.0), Float::hypot(x, x * 2.0));
    same(ComplexField::modulus(-x), Float::abs(-x));
    same(ComplexField::norm1(-x), Float::abs(-x));
    same(ComplexField::modulus_squared(x), x * x);
    same(ComplexField::signum(-x), Float::signum(-x));
    same(
        ComplexField::argument(-x),
        HyperDual::constant(core::f64::consts::PI),
    );
    same(ComplexField::argument(x), HyperDual::constant(0.0));
    same(ComplexField::conjugate(x), x);
    same(ComplexField::imaginary(x), HyperDual::constant(0.0));
    let (m, s) = ComplexField::to_exp(-x);
    same(m, x);
    same(s, HyperDual::constant(-1.0));
    let (m, a) = ComplexField::to_polar(-x);
    same(m, x);
    same(a, HyperDual::constant(core::f64::consts::PI));
    // try_sqrt: None for negative values and NaN, never a panic.
    assert!(ComplexField::try_sqrt(-x).is_none());
    assert!(ComplexField::try_sqrt(HyperDual::<f64>::nan()).is_none());
    same(ComplexField::try_sqrt(x).unwrap(), Float::sqrt(x));
    // is_finite looks at the value part, as Float::is_finite does.
    assert!(ComplexField::is_finite(&x));
    assert!(!ComplexField::is_finite(&HyperDual::new(
        f64::INFINITY,
        0.0,
        0.0,
        0.0
    )));
}

#[test]
fn sinc_is_smooth_at_zero() {
    // sinc(x) = 1 − x²/6 + x⁴/120 − …: at 0, sinc′ = 0, sinc″ = −1/3, sinc⁗ = 1/5.
    let (v, d1, d2) = second_derivative(ComplexField::sinc, 0.0);
    assert_eq!((v, d1), (1.0, 0.0));
    assert_close(d2, -1.0 / 3.0, 1e-16);
    let (v, _, d2, d3) = third_derivative(ComplexField::sinhc, 0.0);
    assert_eq!(v, 1.0);
    assert_close(d2, 1.0 / 3.0, 1e-16);
    assert_eq!(d3, 0.0);
    // Fourth derivative via nesting HyperDual in HyperDual.
    let x = HyperDual::new(
        HyperDual::new(0.0, 1.0, 1.0, 0.0),
        HyperDual::new(1.0, 0.0, 0.0, 0.0),
        HyperDual::new(1.0, 0.0, 0.0, 0.0),
        HyperDual::new(0.0, 0.0, 0.0, 0.0),
    );
    let s = ComplexField::sinc(x);
    assert_close(s.e12.e12, 1.0 / 5.0, 1e-15);
    // Away from 0 it is sin(x)/x, bit for bit in the value.
    let (v, d) = derivative(ComplexField::sinc, 0.8);
    assert_eq!(v, 0.8_f64.sin() / 0.8);
    assert_close(d, (0.8 * 0.8_f64.cos() - 0.8_f64.sin()) / 0.64, 1e-15);
}

#[test]
fn singular_and_indefinite_inputs_give_none_not_panics() {
    let s = Matrix3::new(1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 0.0, 1.0, 1.0).cast::<Dual<f64>>();
    assert!(s.try_inverse().is_none());
    assert!(s.lu().solve(&Vector3::zeros()).is_none());
    let indefinite = Matrix2::new(1.0, 2.0, 2.0, 1.0).cast::<D2>();
    assert!(indefinite.cholesky().is_none());
    let det = s.determinant();
    assert_eq!(det.re, 0.0);
}

// ---------------------------------------------------------------------------
// Random well-conditioned matrices against central finite differences

fn diag_dominant<const N: usize>(v: &[f64]) -> SMatrix<f64, N, N> {
    SMatrix::from_fn(|i, j| v[i * N + j] + if i == j { N as f64 + 1.0 } else { 0.0 })
}

/// Central difference of `f` at `t`.
fn fd<const R: usize, const C: usize>(
    f: impl Fn(f64) -> SMatrix<f64, R, C>,
    t: f64,
) -> SMatrix<f64, R, C> {
    let h = 1e-5;
    (f(t + h) - f(t - h)) / (2.0 * h)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_matrices_against_finite_differences(
        va in prop::collection::vec(-1.0..1.0_f64, 16),
        vb in prop::collection::vec(-1.0..1.0_f64, 16),
        rhs in prop::collection::vec(-2.0..2.0_f64, 4),
        t in -0.5..0.5_f64,
    ) {
        let a = diag_dominant::<4>(&va);
        let b = SMatrix::<f64, 4, 4>::from_row_slice(&vb);
        let r = SVector::<f64, 4>::from_column_slice(&rhs);
        let m = |t: f64| a + b * t;

        // Determinant, first and second derivative.
        let (_, d1, d2) = second_derivative(|t| at(&a, &b, t).determinant(), t);
        let f1 = fd(|t| SMatrix::<f64, 1, 1>::new(m(t).determinant()), t)[0];
        let f2 = fd(|t| SMatrix::<f64, 1, 1>::new(derivative(|t| at(&a, &b, t).determinant(), t).1), t)[0];
        prop_assert!(close(d1, f1, 1e-7), "{} vs {}", d1, f1);
        prop_assert!(close(d2, f2, 1e-7), "{} vs {}", d2, f2);

        // Inverse.
        let inv = at(&a, &b, Dual::variable(t)).try_inverse().unwrap().map(|x| x.eps);
        let finv = fd(|t| m(t).try_inverse().unwrap(), t);
        prop_assert!((inv - finv).amax() < 1e-7 * finv.amax().max(1.0));

        // LU and QR solves.
        let x_lu = at(&a, &b, Dual::variable(t)).lu().solve(&r.cast()).unwrap().map(|x| x.eps);
        let x_qr = at(&a, &b, Dual::variable(t)).qr().solve(&r.cast()).unwrap().map(|x| x.eps);
        let fx = fd(|t| m(t).lu().solve(&r).unwrap(), t);
        prop_assert!((x_lu - fx).amax() < 1e-7 * fx.amax().max(1.0));
        prop_assert!((x_qr - fx).amax() < 1e-7 * fx.amax().max(1.0));

        // Cholesky on the SPD matrix MᵀM, and its second derivative nested.
        let spd = |t: f64| m(t).transpose() * m(t);
        let md = at(&a, &b, d2_var(t));
        let xc = (md.transpose() * md).cholesky().unwrap().solve(&r.cast());
        let fx = fd(|t| spd(t).cholesky().unwrap().solve(&r), t);
        let fxx = fd(|t| {
            let md = at(&a, &b, Dual::variable(t));
            (md.transpose() * md).cholesky().unwrap().solve(&r.cast()).map(|x| x.eps)
        }, t);
        prop_assert!((xc.map(|x| x.eps.re) - fx).amax() < 1e-7 * fx.amax().max(1.0));
        prop_assert!((xc.map(|x| x.eps.eps) - fxx).amax() < 1e-6 * fxx.amax().max(1.0));

        // Eigenvalues of the symmetric part (sorted, to match by size).
        let sym = |t: f64| { let s = m(t); (s + s.transpose()) * 0.5 };
        let sorted = |v: SVector<f64, 4>| { let mut v: Vec<f64> = v.iter().copied().collect(); v.sort_by(f64::total_cmp); v };
        let md = at(&a, &b, Dual::variable(t));
        let mut ev: Vec<(f64, f64)> = ((md + md.transpose()) * Dual::constant(0.5))
            .symmetric_eigen().eigenvalues.iter().map(|l| (l.re, l.eps)).collect();
        ev.sort_by(|p, q| p.0.total_cmp(&q.0));
        let (lp, lm) = (sorted(sym(t + 1e-5).symmetric_eigenvalues()), sorted(sym(t - 1e-5).symmetric_eigenvalues()));
        let gap = ev.windows(2).map(|w| w[1].0 - w[0].0).fold(f64::INFINITY, f64::min);
        prop_assume!(gap > 1e-2);
        for (i, (_, d)) in ev.iter().enumerate() {
            let f = (lp[i] - lm[i]) / 2e-5;
            prop_assert!(close(*d, f, 1e-6), "{} vs {}", d, f);
        }
    }
}

#[test]
fn every_type_at_every_depth_is_a_real_field() {
    fn real_field<T: RealField + Copy>(x: T) -> T {
        // Generic nalgebra code: a 2×2 inverse and a norm.
        let two: T = nalgebra::convert(2.0);
        let m = Matrix2::new(two, x, x, two + two);
        m.try_inverse().unwrap()[(0, 0)] + Vector3::new(x, x, two).norm()
    }
    let plain = real_field(0.5_f64);
    assert_eq!(real_field(Dual::constant(0.5)).re, plain);
    assert_eq!(real_field(HyperDual::constant(0.5)).re, plain);
    assert_eq!(real_field(DualVec::<f64, 3>::constant(0.5)).re, plain);
    assert_eq!(real_field(Dual2Vec::<f64, 2>::constant(0.5)).value(), plain);
    assert_eq!(
        real_field(HyperDual::<Dual<f32>>::constant(Dual::constant(0.5)))
            .re
            .re,
        real_field(0.5_f32)
    );
    assert_eq!(
        Scalar::real(&real_field(
            <Dual2Vec<DualVec<HyperDual<Dual<f64>>, 2>, 2> as Scalar>::from_real(0.5)
        )),
        plain
    );
    // Derivatives agree across the types: d/dx of the function above.
    let (_, d) = derivative(real_field, 0.5);
    let (_, g) = gradient_vec(|x| real_field(x[0]), SVector::<f64, 1>::new(0.5));
    let (_, _, h) = hessian_mat(|x| real_field(x[0]), SVector::<f64, 1>::new(0.5));
    let (_, d1, d2) = second_derivative(real_field, 0.5);
    assert_eq!(g[0], d);
    assert_eq!(d1, d);
    assert_close(h[(0, 0)], d2, 1e-15);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_quadratic_forms_and_norms(
        va in prop::collection::vec(-3.0..3.0_f64, 9),
        vx in prop::collection::vec(-3.0..3.0_f64, 3),
    ) {
        let a = Matrix3::from_row_slice(&va);
        let x = Vector3::from_column_slice(&vx);
        prop_assume!(x.norm() > 1e-3);
        let sym = (a + a.transpose()) * 0.5;
        let (v, g, h) = hessian_mat(|x| x.dot(&(a.cast::<Dual2Vec<f64, 3>>() * x)) * 0.5, x);
        prop_assert!(close(v, x.dot(&(a * x)) * 0.5, 1e-14));
        prop_assert!((g - sym * x).amax() <= 1e-14 * (sym * x).amax().max(1.0));
        prop_assert!((h - sym).amax() <= 1e-15 * sym.amax().max(1.0));
        let (n, g) = gradient_vec(|x| x.norm(), x);
        prop_assert_eq!(n, x.norm());
        prop_assert!((g - x / n).amax() <= 1e-15);
    }
}
