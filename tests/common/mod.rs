//! Helpers shared by the integration tests: relative error in ulps, and
//! evaluation of one generic function on every number type of the crate.
#![allow(dead_code)]

use dualgrad::{Dual, Dual2Vec, DualVec, HyperDual, Scalar};

/// Relative error of `got` against `want`, in units of `f64::EPSILON`.
///
/// Identical values (including equal infinities, equal zeros of either sign
/// and two NaNs) have error 0; a NaN or infinity against anything else has
/// error +∞. Near zero the error is measured against the smallest normal
/// number, so subnormal results are compared absolutely.
pub fn ulps(got: f64, want: f64) -> f64 {
    if got == want || (got.is_nan() && want.is_nan()) {
        return 0.0;
    }
    if !got.is_finite() || !want.is_finite() {
        return f64::INFINITY;
    }
    let scale = want.abs().max(f64::MIN_POSITIVE);
    (got - want).abs() / scale / f64::EPSILON
}

/// Panics unless `got` is within `max_ulps` of `want` (see [`ulps`]).
#[track_caller]
pub fn assert_ulps(what: &str, got: f64, want: f64, max_ulps: f64) {
    let e = ulps(got, want);
    assert!(
        e <= max_ulps,
        "{what}: got {got:e}, want {want:e} ({e:.1} ulps > {max_ulps})"
    );
}

/// Panics unless `got` and `want` have the same bits, or are both NaN.
#[track_caller]
pub fn assert_bits(what: &str, got: f64, want: f64) {
    assert!(
        got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
        "{what}: got {got:e} ({:#x}), want {want:e} ({:#x})",
        got.to_bits(),
        want.to_bits()
    );
}

/// Panics unless `|got − want| ≤ tol · (1 + |want|)`.
#[track_caller]
pub fn assert_near(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * (1.0 + want.abs()),
        "{what}: got {got:e}, want {want:e} (tolerance {tol:e})"
    );
}

/// A function of one variable, written once for every [`Scalar`].
pub trait Unary {
    fn eval<S: Scalar>(x: S) -> S;
}

/// A function of two variables, written once for every [`Scalar`].
pub trait Binary {
    fn eval<S: Scalar>(x: S, y: S) -> S;
}

/// A unary function's value and derivatives as computed by one number type.
#[derive(Clone, Copy, Debug)]
pub struct Got {
    pub ty: &'static str,
    pub f: f64,
    pub d1: f64,
    /// `None` when the type carries no second derivative.
    pub d2: Option<f64>,
}

/// `f`, `f′` and (where the type carries it) `f″` at `x` from every number
/// type: `Dual`, `DualVec<_, 1>`, `HyperDual` (ε1 and ε2 both seeded, `f′`
/// read from both), `Dual<Dual<_>>`, `Dual2Vec<_, 1>`.
pub fn all_types<F: Unary>(x: f64) -> Vec<Got> {
    let mut out = Vec::new();
    let d = F::eval(Dual::variable(x));
    out.push(Got {
        ty: "Dual",
        f: d.re,
        d1: d.eps,
        d2: None,
    });
    let v = F::eval(DualVec::<f64, 1>::variable(x, 0));
    out.push(Got {
        ty: "DualVec<1>",
        f: v.re,
        d1: v.eps[0],
        d2: None,
    });
    let h = F::eval(HyperDual::new(x, 1.0, 1.0, 0.0));
    out.push(Got {
        ty: "HyperDual(e1)",
        f: h.re,
        d1: h.e1,
        d2: Some(h.e12),
    });
    out.push(Got {
        ty: "HyperDual(e2)",
        f: h.re,
        d1: h.e2,
        d2: None,
    });
    let n = F::eval(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
    out.push(Got {
        ty: "Dual<Dual>(inner)",
        f: n.re.re,
        d1: n.re.eps,
        d2: Some(n.eps.eps),
    });
    out.push(Got {
        ty: "Dual<Dual>(outer)",
        f: n.re.re,
        d1: n.eps.re,
        d2: None,
    });
    let q = F::eval(Dual2Vec::<f64, 1>::variable(x, 0));
    out.push(Got {
        ty: "Dual2Vec<1>",
        f: q.value(),
        d1: q.gradient()[0],
        d2: Some(q.hessian()[0][0]),
    });
    out
}

/// Tolerances in ulps for a unary check: first and second derivatives.
#[derive(Clone, Copy, Debug)]
pub struct Tol {
    pub d1: f64,
    pub d2: f64,
}

/// The default "few ulps" bound.
pub const FEW: Tol = Tol { d1: 4.0, d2: 4.0 };

/// Checks `F` at every point against the plain `f64` evaluation (value,
/// bit for bit) and against the closed forms `d1`, `d2`, on every number
/// type; also checks that a `DualVec<_, 3>` with seeds `[1, −2, 0.5]` is
/// exactly the single-direction `Dual` scaled. Collects every failure and
/// panics with all of them. Returns the largest errors seen (d1, d2).
pub fn check_unary<F: Unary>(
    name: &str,
    d1: fn(f64) -> f64,
    d2: fn(f64) -> f64,
    value: Option<fn(f64) -> f64>,
    points: &[f64],
    tol: Tol,
) -> (f64, f64) {
    let mut failures = Vec::new();
    let (mut worst1, mut worst2) = (0.0_f64, 0.0_f64);
    for &x in points {
        let plain = F::eval(x);
        if let Some(v) = value {
            let e = ulps(plain, v(x));
            if e > tol.d1 {
                failures.push(format!(
                    "{name}({x:e}): value {plain:e} vs closed form {:e} ({e:.1} ulps)",
                    v(x)
                ));
            }
        }
        let (w1, w2) = (d1(x), d2(x));
        for g in all_types::<F>(x) {
            if !(g.f.to_bits() == plain.to_bits() || (g.f.is_nan() && plain.is_nan())) {
                failures.push(format!(
                    "{name}({x:e}) on {}: value {:e} is not bit-identical to f64 {plain:e}",
                    g.ty, g.f
                ));
            }
            let e1 = ulps(g.d1, w1);
            worst1 = worst1.max(e1);
            if e1 > tol.d1 {
                failures.push(format!(
                    "{name}′({x:e}) on {}: {:e} vs {w1:e} ({e1:.1} ulps)",
                    g.ty, g.d1
                ));
            }
            if let Some(got2) = g.d2 {
                let e2 = ulps(got2, w2);
                worst2 = worst2.max(e2);
                if e2 > tol.d2 {
                    failures.push(format!(
                        "{name}″({x:e}) on {}: {got2:e} vs {w2:e} ({e2:.1} ulps)",
                        g.ty
                    ));
                }
            }
        }
        let seeds = [1.0, -2.0, 0.5];
        let v = F::eval(DualVec::<f64, 3>::new(x, seeds));
        let single = F::eval(Dual::variable(x)).eps;
        for (k, s) in seeds.iter().enumerate() {
            let want = single * s;
            // Bit for bit, except the sign of a zero: a locally constant
            // function gives +0 in every direction.
            let zeros = v.eps[k] == 0.0 && want == 0.0;
            if !(v.eps[k].to_bits() == want.to_bits()
                || zeros
                || (v.eps[k].is_nan() && want.is_nan()))
            {
                failures.push(format!(
                    "{name}({x:e}) DualVec<3> direction {k}: {:e} != {s} · {single:e}",
                    v.eps[k]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    (worst1, worst2)
}

/// The closed-form partials of a function of two variables:
/// `[fx, fy, fxx, fxy, fyy]`.
pub type Partials = [f64; 5];

/// Checks `F(x, y)` at every point: value bit-identical to `f64` on every
/// type; `fx`, `fy` from `Dual` (each direction), `DualVec<_, 2>` (exactly
/// equal to the two `Dual` passes), `HyperDual` (all seedings),
/// `Dual<Dual<_>>` and `Dual2Vec<_, 2>`; second partials from `HyperDual`
/// (including the swapped seeding `e1 ↔ e2`), `Dual<Dual<_>>` and
/// `Dual2Vec<_, 2>`, all against `closed`.
pub fn check_binary<F: Binary>(
    name: &str,
    closed: fn(f64, f64) -> Partials,
    points: &[(f64, f64)],
    tol: Tol,
) -> (f64, f64) {
    let mut failures = Vec::new();
    let (mut worst1, mut worst2) = (0.0_f64, 0.0_f64);
    for &(x, y) in points {
        let plain = F::eval(x, y);
        let [fx, fy, fxx, fxy, fyy] = closed(x, y);
        let mut value = |ty: &str, v: f64| {
            if !(v.to_bits() == plain.to_bits() || (v.is_nan() && plain.is_nan())) {
                failures.push(format!(
                    "{name}({x:e}, {y:e}) on {ty}: value {v:e} is not bit-identical to f64 {plain:e}"
                ));
            }
        };
        // Dual, one direction at a time.
        let dx = F::eval(Dual::variable(x), Dual::constant(y));
        let dy = F::eval(Dual::constant(x), Dual::variable(y));
        value("Dual", dx.re);
        value("Dual", dy.re);
        // DualVec, both at once.
        let v = F::eval(DualVec::<f64, 2>::variable(x, 0), DualVec::variable(y, 1));
        value("DualVec<2>", v.re);
        // HyperDual: (x, x), (x, y), (y, x), (y, y) seedings.
        let hd = |i: usize, j: usize| {
            let s = |k: usize| {
                HyperDual::new(
                    [x, y][k],
                    if k == i { 1.0 } else { 0.0 },
                    if k == j { 1.0 } else { 0.0 },
                    0.0,
                )
            };
            F::eval(s(0), s(1))
        };
        let (hxx, hxy, hyx, hyy) = (hd(0, 0), hd(0, 1), hd(1, 0), hd(1, 1));
        for h in [hxx, hxy, hyx, hyy] {
            value("HyperDual", h.re);
        }
        // Dual<Dual>: inner direction i, outer direction j.
        let dd = |i: usize, j: usize| {
            let s = |k: usize| {
                Dual::new(
                    Dual::new([x, y][k], if k == i { 1.0 } else { 0.0 }),
                    Dual::new(if k == j { 1.0 } else { 0.0 }, 0.0),
                )
            };
            F::eval(s(0), s(1))
        };
        let (nxx, nxy, nyy) = (dd(0, 0), dd(0, 1), dd(1, 1));
        for n in [nxx, nxy, nyy] {
            value("Dual<Dual>", n.re.re);
        }
        let q = F::eval(Dual2Vec::<f64, 2>::variable(x, 0), Dual2Vec::variable(y, 1));
        value("Dual2Vec<2>", q.value());
        let (qg, qh) = (q.gradient(), q.hessian());

        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        if !same(v.eps[0], dx.eps) || !same(v.eps[1], dy.eps) {
            failures.push(format!(
                "{name}({x:e}, {y:e}): DualVec {:?} != Dual passes [{:e}, {:e}]",
                v.eps, dx.eps, dy.eps
            ));
        }
        let firsts = [
            ("Dual fx", dx.eps, fx),
            ("Dual fy", dy.eps, fy),
            ("HyperDual(x,y).e1", hxy.e1, fx),
            ("HyperDual(x,y).e2", hxy.e2, fy),
            ("HyperDual(y,x).e1", hyx.e1, fy),
            ("HyperDual(y,x).e2", hyx.e2, fx),
            ("HyperDual(x,x).e1", hxx.e1, fx),
            ("HyperDual(y,y).e2", hyy.e2, fy),
            ("Dual<Dual>(x,y) inner", nxy.re.eps, fx),
            ("Dual<Dual>(x,y) outer", nxy.eps.re, fy),
            ("Dual2Vec fx", qg[0], fx),
            ("Dual2Vec fy", qg[1], fy),
        ];
        for (what, got, want) in firsts {
            let e = ulps(got, want);
            worst1 = worst1.max(e);
            if e > tol.d1 {
                failures.push(format!(
                    "{name}({x:e}, {y:e}) {what}: {got:e} vs {want:e} ({e:.1} ulps)"
                ));
            }
        }
        let seconds = [
            ("HyperDual fxx", hxx.e12, fxx),
            ("HyperDual fxy", hxy.e12, fxy),
            ("HyperDual fyx", hyx.e12, fxy),
            ("HyperDual fyy", hyy.e12, fyy),
            ("Dual<Dual> fxx", nxx.eps.eps, fxx),
            ("Dual<Dual> fxy", nxy.eps.eps, fxy),
            ("Dual<Dual> fyy", nyy.eps.eps, fyy),
            ("Dual2Vec fxx", qh[0][0], fxx),
            ("Dual2Vec fxy", qh[0][1], fxy),
            ("Dual2Vec fyx", qh[1][0], fxy),
            ("Dual2Vec fyy", qh[1][1], fyy),
        ];
        for (what, got, want) in seconds {
            let e = ulps(got, want);
            worst2 = worst2.max(e);
            if e > tol.d2 {
                failures.push(format!(
                    "{name}({x:e}, {y:e}) {what}: {got:e} vs {want:e} ({e:.1} ulps)"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    (worst1, worst2)
}
