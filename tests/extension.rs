//! Extension points: user rules (lgamma through a small polygamma, the
//! Bessel functions J₀/J₁) on every number type and nesting depth and on
//! the tape; user matrix operations; generic element-wise maps;
//! stop_gradient / detach / no_grad.
#![cfg(all(feature = "nalgebra", feature = "std"))]

use dualgrad::num_traits::Float;
use dualgrad::reverse::{CustomOp, ElementwiseFn, ElementwiseFn2, ReverseError, Tape, Var};
use dualgrad::{
    derivative, gradient, hessian, second_derivative, third_derivative, BinaryRule, Dual, Dual2Vec,
    DualVec, HyperDual, Scalar, UnaryRule,
};
use nalgebra::{dmatrix, DMatrix};

/// ψ⁽ⁿ⁾, the polygamma function: ψ⁽ⁿ⁾′ = ψ⁽ⁿ⁺¹⁾. Values by the recurrence
/// ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) − (−1)ⁿ n!/xⁿ⁺¹ up to x ≥ 20, then the asymptotic
/// series with Bernoulli numbers.
struct Polygamma(u32);

fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

fn polygamma(n: u32, mut x: f64) -> f64 {
    if x.is_nan() || x <= -1e4 || (x <= 0.0 && x == x.floor()) {
        return f64::NAN;
    }
    let sign = if n.is_multiple_of(2) { 1.0 } else { -1.0 };
    let nf = factorial(n);
    let mut acc = 0.0;
    while x < 20.0 {
        acc -= sign * nf / x.powi(n as i32 + 1);
        x += 1.0;
    }
    // B₂, B₄, …, B₁₆.
    const B: [f64; 8] = [
        1.0 / 6.0,
        -1.0 / 30.0,
        1.0 / 42.0,
        -1.0 / 30.0,
        5.0 / 66.0,
        -691.0 / 2730.0,
        7.0 / 6.0,
        -3617.0 / 510.0,
    ];
    let tail = if n == 0 {
        let mut s = x.ln() - 0.5 / x;
        for (k, b) in B.iter().enumerate() {
            let k2 = 2 * (k as i32 + 1);
            s -= b / (k2 as f64 * x.powi(k2));
        }
        s
    } else {
        // (−1)ⁿ⁺¹ [ (n−1)!/xⁿ + n!/(2xⁿ⁺¹) + Σ B₂ₖ (2k+n−1)!/((2k)! x²ᵏ⁺ⁿ) ]
        let mut s = factorial(n - 1) / x.powi(n as i32) + nf / (2.0 * x.powi(n as i32 + 1));
        for (k, b) in B.iter().enumerate() {
            let k2 = 2 * (k as u32 + 1);
            s += b * factorial(k2 + n - 1) / (factorial(k2) * x.powi((k2 + n) as i32));
        }
        -sign * s
    };
    acc + tail
}

impl UnaryRule for Polygamma {
    fn value(&self, x: f64) -> f64 {
        polygamma(self.0, x)
    }
    fn derivative<S: Scalar>(&self, x: S) -> S {
        x.apply(&Polygamma(self.0 + 1))
    }
}

/// ln Γ, with derivative ψ = ψ⁽⁰⁾.
struct Lgamma;
impl UnaryRule for Lgamma {
    fn value(&self, x: f64) -> f64 {
        libm::lgamma(x)
    }
    fn derivative<S: Scalar>(&self, x: S) -> S {
        x.apply(&Polygamma(0))
    }
}

struct J0;
struct J1;
impl UnaryRule for J0 {
    fn value(&self, x: f64) -> f64 {
        libm::j0(x)
    }
    fn derivative<S: Scalar>(&self, x: S) -> S {
        -x.apply(&J1)
    }
}
impl UnaryRule for J1 {
    fn value(&self, x: f64) -> f64 {
        libm::j1(x)
    }
    fn derivative<S: Scalar>(&self, x: S) -> S {
        x.apply(&J0) - x.apply(&J1) / x
    }
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * (1.0 + want.abs()),
        "{what}: {got} vs {want}"
    );
}

#[test]
fn lgamma_has_closed_form_derivatives() {
    // ψ(1) = −γ, ψ′(1) = π²/6, ψ″(1) = −2ζ(3), ψ(1/2) = −γ − 2 ln 2.
    let gamma = 0.577_215_664_901_532_9;
    let zeta3 = 1.202_056_903_159_594_3;
    let (f, d1, d2, d3) = third_derivative(|x| x.apply(&Lgamma), 1.0);
    assert_eq!(f, 0.0);
    close(d1, -gamma, 4.0 * f64::EPSILON, "ψ(1)");
    close(
        d2,
        std::f64::consts::PI.powi(2) / 6.0,
        4.0 * f64::EPSILON,
        "ψ′(1)",
    );
    close(d3, -2.0 * zeta3, 4.0 * f64::EPSILON, "ψ″(1)");
    let (_, d) = derivative(|x| x.apply(&Lgamma), 0.5);
    close(
        d,
        -gamma - 2.0 * std::f64::consts::LN_2,
        4.0 * f64::EPSILON,
        "ψ(1/2)",
    );
    // ψ(x + 1) = ψ(x) + 1/x, at a point the recurrence and the series share.
    for x in [0.3, 2.7, 19.5, 25.0] {
        let (_, a) = derivative(|x| x.apply(&Lgamma), x + 1.0);
        let (_, b) = derivative(|x| x.apply(&Lgamma), x);
        close(
            a,
            b + 1.0 / x,
            8.0 * f64::EPSILON * (1.0 + 1.0 / x),
            "ψ recurrence",
        );
    }
}

#[test]
fn custom_rules_match_finite_differences() {
    for x in [0.4, 1.3, 3.7, 12.0] {
        for (name, f) in [
            ("lgamma", (|x: f64| libm::lgamma(x)) as fn(f64) -> f64),
            ("j0", |x| libm::j0(x)),
        ] {
            let h = 1e-5;
            // Richardson-extrapolated central differences.
            let c = |h: f64| (f(x + h) - f(x - h)) / (2.0 * h);
            let fd = (4.0 * c(h / 2.0) - c(h)) / 3.0;
            let d = if name == "lgamma" {
                derivative(|x| x.apply(&Lgamma), x).1
            } else {
                derivative(|x| x.apply(&J0), x).1
            };
            close(d, fd, 1e-9, name);
        }
    }
}

#[test]
fn custom_rules_work_on_every_type_and_depth() {
    let x0 = 1.7;
    let (y, d1, d2, d3) = third_derivative(|x| x.apply(&J0), x0);
    // Bessel's equation x²y″ + xy′ + x²y = 0 and its derivative.
    close(x0 * x0 * d2 + x0 * d1 + x0 * x0 * y, 0.0, 1e-15, "Bessel");
    close(
        x0 * x0 * d3 + 3.0 * x0 * d2 + (x0 * x0 + 1.0) * d1 + 2.0 * x0 * y,
        0.0,
        1e-14,
        "Bessel′",
    );
    let (_, _, s) = second_derivative(|x| x.apply(&J0), x0);
    assert_eq!(s, d2);
    // DualVec, Dual2Vec, HyperDual: the same numbers.
    let (v, g) = gradient(|[a, b]| a.apply(&J0) * b, [x0, 2.0]);
    assert_eq!((v, g[0], g[1]), (2.0 * y, 2.0 * d1, y));
    let (_, _, h) = hessian(|[a, b]| a.apply(&J0) * b, [x0, 2.0]);
    close(h[0][0], 2.0 * d2, 1e-15, "Hessian");
    close(h[0][1], d1, 1e-15, "mixed");
    let z = HyperDual::new(x0, 1.0, 1.0, 0.0).apply(&J0);
    close(z.e12, d2, 1e-15, "HyperDual");
    let z = DualVec::<f64, 2>::variable(x0, 1).apply(&J0);
    assert_eq!(z.eps[1], d1);
    let z = Dual2Vec::<f64, 1>::variable(x0, 0).apply(&J0);
    close(z.hessian()[0][0], d2, 1e-15, "Dual2Vec");
    // f32 goes through f64.
    let (y32, _) = derivative(|x| x.apply(&J0), 1.7_f32);
    assert_eq!(y32, libm::j0(1.7_f32 as f64) as f32);
}

struct Atan2Rule;
impl BinaryRule for Atan2Rule {
    fn value(&self, y: f64, x: f64) -> f64 {
        y.atan2(x)
    }
    fn partials<S: Scalar>(&self, y: S, x: S) -> (S, S) {
        let r2 = x * x + y * y;
        (x / r2, -y / r2)
    }
}

#[test]
fn binary_rules_match_the_built_in_function() {
    let p = [0.7, -1.3];
    let (f, g, h) = hessian(|[y, x]| y.apply2(&Atan2Rule, x), p);
    let (f2, g2, h2) = hessian(|[y, x]| y.atan2(x), p);
    assert_eq!(f, f2);
    for i in 0..2 {
        close(g[i], g2[i], 1e-15, "gradient");
        for j in 0..2 {
            close(h[i][j], h2[i][j], 1e-15, "Hessian");
        }
    }
}

#[test]
fn detach_zeroes_every_derivative_part() {
    let x = HyperDual::new(
        Dual::new(2.0, 1.0),
        Dual::new(1.0, 3.0),
        Dual::new(1.0, 0.0),
        Dual::new(5.0, 7.0),
    );
    let d = x.detach();
    assert_eq!(
        (d.re.re, d.re.eps, d.e1.re, d.e1.eps, d.e12.eps),
        (2.0, 0.0, 0.0, 0.0, 0.0)
    );
    // Straight-through style: x·detach(x) has derivative detach(x).
    assert_eq!(derivative(|x| x * x.detach(), 3.0), (9.0, 3.0));
}

/// ln Γ on the tape: values and gradients against forward mode, second
/// order through a recorded pass.
#[test]
fn custom_rules_on_the_tape() -> Result<(), ReverseError> {
    let t = Tape::new();
    let xs = [0.6, 1.0, 2.5, 7.0];
    let x = t.var(DMatrix::from_row_slice(1, 4, &xs));
    let y = t.apply_rule(x, Lgamma)?;
    let s = t.sum(y)?;
    let g = t.gradient_var(s, &[x])?[0];
    let h = t.gradient(t.sum(g)?, &[x])?[0].clone();
    for (j, &x0) in xs.iter().enumerate() {
        let (f, d1, d2) = second_derivative(|x| x.apply(&Lgamma), x0);
        assert_eq!(t.value(y)?[j], f);
        assert_eq!(t.value(g)?[j], d1);
        close(h[j], d2, 1e-15, "tape ψ′");
    }
    // On Dual numbers: forward over reverse.
    let td = Tape::new();
    let xd = td.var(dmatrix![Dual::variable(2.5)]);
    let yd = td.apply_rule(xd, Lgamma)?;
    let gd = td.gradient(yd, &[xd])?[0][(0, 0)];
    let (_, d1, d2) = second_derivative(|x| x.apply(&Lgamma), 2.5);
    assert_eq!((gd.re, gd.eps), (d1, d2));
    Ok(())
}

struct Swish;
impl ElementwiseFn for Swish {
    fn call<S: Scalar>(&self, x: S) -> S {
        x * x.sigmoid()
    }
}

#[test]
fn generic_maps_nest_up_to_their_order() -> Result<(), ReverseError> {
    let t = Tape::new();
    let x0 = 0.8;
    let x = t.scalar_var(x0);
    let mut d = vec![t.map_elementwise(x, Swish)?];
    for k in 0..5 {
        let next = t.gradient_var(d[k], &[x])?[0];
        d.push(next);
    }
    let (f0, f1, f2, f3) = third_derivative(|x| Swish.call(x), x0);
    let c = |v: f64| HyperDual::new(v, 0.0, 0.0, 0.0);
    let x4 = HyperDual::new(HyperDual::new(x0, 1.0, 1.0, 0.0), c(1.0), c(1.0), c(0.0));
    let f4 = Swish.call(x4).e12.e12;
    for (k, w) in [f0, f1, f2, f3, f4].into_iter().enumerate() {
        close(t.scalar(d[k])?, w, 1e-14, &format!("order {k}"));
    }
    // Beyond ELEMENTWISE_ORDER: NaN, not a silent zero.
    assert!(t.scalar(d[5])?.is_nan());
    Ok(())
}

/// Row-wise squared norms ‖xᵢ‖² (m×n → m×1), with a recorded VJP.
struct RowNorm2 {
    recorded: bool,
}
impl CustomOp<f64> for RowNorm2 {
    fn name(&self) -> &'static str {
        "row_norm2"
    }
    fn forward(&self, x: &[&DMatrix<f64>]) -> Result<DMatrix<f64>, ReverseError> {
        Ok(DMatrix::from_fn(x[0].nrows(), 1, |i, _| {
            x[0].row(i).norm_squared()
        }))
    }
    fn vjp(&self, x: &[&DMatrix<f64>], _y: &DMatrix<f64>, g: &DMatrix<f64>) -> Vec<DMatrix<f64>> {
        vec![DMatrix::from_fn(x[0].nrows(), x[0].ncols(), |i, j| {
            2.0 * x[0][(i, j)] * g[(i, 0)]
        })]
    }
    fn vjp_recorded(
        &self,
        t: &Tape<f64>,
        x: &[Var],
        _y: Var,
        g: Var,
    ) -> Option<Result<Vec<Var>, ReverseError>> {
        if !self.recorded {
            return None;
        }
        Some((|| {
            let (r, c) = t.shape(x[0])?;
            let gb = t.broadcast(g, r, c)?;
            Ok(vec![t.scale(t.mul(x[0], gb)?, 2.0)?])
        })())
    }
}

#[test]
fn custom_operations_eager_recorded_and_checked() -> Result<(), ReverseError> {
    let x0 = dmatrix![1.0, 2.0; -3.0, 0.5];
    for recorded in [true, false] {
        let t = Tape::new();
        let x = t.var(x0.clone());
        let y = t.custom(RowNorm2 { recorded }, &[x])?;
        assert_eq!(t.value(y)?, dmatrix![5.0; 9.25]);
        let l = t.sum(t.square(y)?)?; // Σ ‖xᵢ‖⁴
        let g = t.gradient(l, &[x])?[0].clone();
        let want = DMatrix::from_fn(2, 2, |i, j| 4.0 * x0.row(i).norm_squared() * x0[(i, j)]);
        assert_eq!(g, want);
        let gv = t.gradient_var(l, &[x])?[0];
        assert_eq!(t.value(gv)?, want);
        let h = t.gradient(t.sum(gv)?, &[x])?[0].clone();
        if recorded {
            // ∂/∂x_ij Σ_kl 4‖x_k‖² x_kl = 8 x_ij Σ_l x_il + 4‖x_i‖².
            let want2 = DMatrix::from_fn(2, 2, |i, j| {
                8.0 * x0[(i, j)] * x0.row(i).sum() + 4.0 * x0.row(i).norm_squared()
            });
            assert!((&h - want2).amax() < 1e-12);
        } else {
            assert!(h.iter().all(|v| v.is_nan()), "{h}");
        }
    }
    // A VJP of the wrong shape is an error naming the operation.
    struct Bad;
    impl CustomOp<f64> for Bad {
        fn name(&self) -> &'static str {
            "bad"
        }
        fn forward(&self, x: &[&DMatrix<f64>]) -> Result<DMatrix<f64>, ReverseError> {
            Ok(x[0].clone())
        }
        fn vjp(
            &self,
            _: &[&DMatrix<f64>],
            _: &DMatrix<f64>,
            _: &DMatrix<f64>,
        ) -> Vec<DMatrix<f64>> {
            vec![DMatrix::zeros(3, 3)]
        }
    }
    let t = Tape::new();
    let x = t.var(dmatrix![1.0, 2.0]);
    let y = t.custom(Bad, &[x])?;
    let e = t.gradient(y, &[x]).unwrap_err();
    assert!(
        matches!(
            e,
            ReverseError::Shape {
                op: "bad",
                left: (1, 2),
                right: (3, 3),
                ..
            }
        ),
        "{e}"
    );
    assert!(t.gradient_var(y, &[x]).is_err());
    Ok(())
}

#[test]
fn stop_gradient_and_no_grad() -> Result<(), ReverseError> {
    let t = Tape::new();
    let x = t.var(dmatrix![2.0, -1.0]);
    let d = t.stop_gradient(x)?;
    let y = t.sum(t.mul(x, d)?)?;
    assert_eq!(t.gradient(y, &[x])?[0], dmatrix![2.0, -1.0]);
    assert!(!t.is_connected(d, x)?);
    let z = t.no_grad(|| -> Result<Var, ReverseError> { t.exp(t.square(x)?) })?;
    assert!(!t.is_connected(z, x)?);
    assert_eq!(t.value(z)?, dmatrix![4.0_f64.exp(), 1.0_f64.exp()]);
    // Recording resumes afterwards, also after a panic inside.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        t.no_grad(|| panic!("inside"));
    }));
    assert!(r.is_err() && t.is_recording());
    let w = t.square(x)?;
    assert!(t.is_connected(w, x)?);
    Ok(())
}

/// x·sin(y) + x²·y, by a generic function of two numbers and by a rule.
struct Mixed;
impl dualgrad::reverse::ElementwiseFn2 for Mixed {
    fn call<S: Scalar>(&self, x: S, y: S) -> S {
        x * y.sin() + x * x * y
    }
}

#[test]
fn binary_maps_and_rules_on_the_tape() -> Result<(), ReverseError> {
    let (x0, y0) = (0.7, -1.2);
    let t = Tape::new();
    let x = t.scalar_var(x0);
    let y = t.scalar_var(y0);
    let z = t.map_elementwise2(x, y, Mixed)?;
    assert_eq!(t.scalar(z)?, Mixed.call(x0, y0));
    // First partials, eager and recorded.
    let (fx, fy) = (y0.sin() + 2.0 * x0 * y0, x0 * y0.cos() + x0 * x0);
    let g = t.gradient(z, &[x, y])?;
    close(g[0][(0, 0)], fx, 1e-15, "fx");
    close(g[1][(0, 0)], fy, 1e-15, "fy");
    let gv = t.gradient_var(z, &[x, y])?;
    // Second partials: fxx = 2y, fxy = cos y + 2x, fyy = −x sin y.
    let hx = t.gradient(gv[0], &[x, y])?;
    let hy = t.gradient(gv[1], &[x, y])?;
    close(hx[0][(0, 0)], 2.0 * y0, 1e-15, "fxx");
    close(hx[1][(0, 0)], y0.cos() + 2.0 * x0, 1e-15, "fxy");
    close(hy[0][(0, 0)], y0.cos() + 2.0 * x0, 1e-15, "fyx");
    close(hy[1][(0, 0)], -x0 * y0.sin(), 1e-15, "fyy");
    // Third: fxyy = −sin y, fyyy = −x cos y; fourth: fyyyy = x sin y.
    let hyv = t.gradient_var(gv[1], &[x, y])?;
    let third = t.gradient(hyv[1], &[x, y])?;
    close(third[0][(0, 0)], -y0.sin(), 1e-15, "fxyy");
    close(third[1][(0, 0)], -x0 * y0.cos(), 1e-15, "fyyy");
    let fyyy = t.gradient_var(hyv[1], &[y])?[0];
    close(
        t.gradient(fyyy, &[y])?[0][(0, 0)],
        x0 * y0.sin(),
        1e-15,
        "fyyyy",
    );
    // A binary rule on the tape: atan2 by its partials.
    let z2 = t.apply_rule2(x, y, Atan2Rule)?;
    let g2 = t.gradient(z2, &[x, y])?;
    let r2 = x0 * x0 + y0 * y0;
    close(g2[0][(0, 0)], y0 / r2, 1e-15, "∂atan2/∂y");
    close(g2[1][(0, 0)], -x0 / r2, 1e-15, "∂atan2/∂x");
    Ok(())
}

/// A tape with user functions and operations on it can still move to
/// another thread.
#[test]
fn tapes_with_extensions_are_send() {
    fn send<T: Send>(_: &T) {}
    let t = Tape::<f64>::new();
    let x = t.var(dmatrix![1.0]);
    let _ = t.map_elementwise(x, Swish).unwrap();
    send(&t);
    let y = std::thread::spawn(move || t.scalar(t.square(x).unwrap()).unwrap())
        .join()
        .unwrap();
    assert_eq!(y, 1.0);
}

/// Scaled dot-product attention softmax(Q·Kᵀ·s)·V, a user operation of
/// three operands, with its plain VJP and (optionally) a recorded one.
struct Attention {
    s: f64,
    recorded: bool,
}

fn softmax_rows(m: &DMatrix<f64>) -> DMatrix<f64> {
    let mut p = m.clone();
    for mut row in p.row_iter_mut() {
        let mx = row.max();
        row.apply(|v| *v = (*v - mx).exp());
        let s = row.sum();
        row /= s;
    }
    p
}

impl CustomOp<f64> for Attention {
    fn name(&self) -> &'static str {
        "attention"
    }
    fn forward(&self, x: &[&DMatrix<f64>]) -> Result<DMatrix<f64>, ReverseError> {
        let [q, k, v] = [x[0], x[1], x[2]];
        if q.ncols() != k.ncols() || k.nrows() != v.nrows() {
            return Err(ReverseError::shape(
                "attention",
                q.shape(),
                k.shape(),
                "Q and K need as many columns, K and V as many rows",
            ));
        }
        Ok(softmax_rows(&(q * k.transpose() * self.s)) * v)
    }
    fn vjp(&self, x: &[&DMatrix<f64>], _y: &DMatrix<f64>, g: &DMatrix<f64>) -> Vec<DMatrix<f64>> {
        let [q, k, v] = [x[0], x[1], x[2]];
        let p = softmax_rows(&(q * k.transpose() * self.s));
        let dp = g * v.transpose();
        let mut ds = p.component_mul(&dp);
        for (i, mut row) in ds.row_iter_mut().enumerate() {
            let r = row.sum();
            for (j, e) in row.iter_mut().enumerate() {
                *e -= p[(i, j)] * r;
            }
        }
        vec![
            &ds * k * self.s,
            ds.transpose() * q * self.s,
            p.transpose() * g,
        ]
    }
    fn vjp_recorded(
        &self,
        t: &Tape<f64>,
        x: &[Var],
        _y: Var,
        g: Var,
    ) -> Option<Result<Vec<Var>, ReverseError>> {
        if !self.recorded {
            return None;
        }
        Some((|| {
            let [q, k, v] = [x[0], x[1], x[2]];
            let p = t.softmax(t.scale(t.matmul(q, t.transpose(k)?)?, self.s)?)?;
            let dp = t.matmul(g, t.transpose(v)?)?;
            let (r, c) = t.shape(p)?;
            let pdp = t.mul(p, dp)?;
            let rs = t.broadcast(t.row_sums(pdp)?, r, c)?;
            let ds = t.sub(pdp, t.mul(p, rs)?)?;
            Ok(vec![
                t.scale(t.matmul(ds, k)?, self.s)?,
                t.scale(t.matmul(t.transpose(ds)?, q)?, self.s)?,
                t.matmul(t.transpose(p)?, g)?,
            ])
        })())
    }
}

fn attention_composed(t: &Tape<f64>, q: Var, k: Var, v: Var, s: f64) -> Result<Var, ReverseError> {
    let p = t.softmax(t.scale(t.matmul(q, t.transpose(k)?)?, s)?)?;
    t.matmul(p, v)
}

fn close_to(a: &DMatrix<f64>, b: &DMatrix<f64>, what: &str) {
    assert_eq!(a.shape(), b.shape(), "{what}");
    let tol = 1e-13 * (1.0 + b.amax());
    assert!((a - b).amax() <= tol, "{what}: {a} vs {b}");
}

#[test]
fn custom_operation_of_three_operands() -> Result<(), ReverseError> {
    let mut rng = dualgrad::SplitMix64::new(11);
    let mut m = |r, c| DMatrix::from_fn(r, c, |_, _| rng.uniform(-1.0, 1.0));
    let (q0, k0, v0, w) = (m(3, 4), m(5, 4), m(5, 2), m(3, 2));
    let s = 0.5;
    for recorded in [true, false] {
        // The user operation and the same function in tape operations, on
        // three operands and on one operand used three times.
        for shared in [false, true] {
            let t = Tape::new();
            let (q, k, v) = if shared {
                let x = t.var(k0.clone());
                (x, x, x)
            } else {
                (t.var(q0.clone()), t.var(k0.clone()), t.var(v0.clone()))
            };
            let wv = t.var(if shared { m(5, 4) } else { w.clone() });
            let y = t.custom(Attention { s, recorded }, &[q, k, v])?;
            let z = attention_composed(&t, q, k, v, s)?;
            close_to(&t.value(y)?, &t.value(z)?, "value");
            let ly = t.sum(t.mul(t.square(y)?, wv)?)?;
            let lz = t.sum(t.mul(t.square(z)?, wv)?)?;
            let sources = if shared { vec![q] } else { vec![q, k, v] };
            let gy = t.gradient(ly, &sources)?;
            let gz = t.gradient(lz, &sources)?;
            for (a, b) in gy.iter().zip(&gz) {
                close_to(a, b, "gradient");
            }
            // Second derivatives through a recorded backward pass.
            let hy = t.gradient_var(ly, &sources)?;
            let hz = t.gradient_var(lz, &sources)?;
            let (sy, sz) = (t.sum(t.square(hy[0])?)?, t.sum(t.square(hz[0])?)?);
            let dy = t.gradient(sy, &sources)?;
            let dz = t.gradient(sz, &sources)?;
            for (a, b) in dy.iter().zip(&dz) {
                if recorded {
                    close_to(a, b, "second derivative");
                } else {
                    assert!(a.iter().any(|e| e.is_nan()), "{a}");
                }
            }
        }
    }
    // Shape errors come from the operation's own checks; no operand at all
    // is an error of `custom`.
    let t = Tape::new();
    let (q, k) = (t.var(m(3, 4)), t.var(m(5, 3)));
    let e = t
        .custom(Attention { s, recorded: false }, &[q, k, k])
        .unwrap_err();
    assert!(
        matches!(
            e,
            ReverseError::Shape {
                op: "attention",
                ..
            }
        ),
        "{e}"
    );
    assert!(t.custom(Attention { s, recorded: false }, &[]).is_err());
    Ok(())
}
