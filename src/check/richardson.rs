//! Central finite differences with Richardson extrapolation, the
//! independent reference of every check (always computed in `f64`).
//!
//! For a step `h`, `D(h) = (g(h) − g(−h)) / 2h = g′(0) + c₁h² + c₂h⁴ + …`.
//! Evaluating `D` on a decreasing sequence `h, h/t, h/t², …` and eliminating
//! the `h²`, `h⁴`, … terms one after the other (a Neville tableau) cancels
//! the truncation error to high order while the steps stay large enough
//! for rounding not to matter. Each tableau entry comes with an error
//! estimate (its distance to its two parents); the entry with the smallest
//! estimate is kept, and a converged component stops as soon as rounding
//! makes the tableau's diagonal drift away from the best estimate.

use num_traits::Float;

/// Ratio between successive steps.
const SHRINK: f64 = 1.4;
/// Rows of the tableau (steps `h … h/SHRINK^(ROWS−1)`, a range of about
/// 600).
const ROWS: usize = 20;
/// A component stops early once its error estimate is below this fraction
/// of its value and rounding has started to dominate.
const CONVERGED: f64 = 1e-13;
/// How often the first step is reduced when `g(±h)` is not finite (the
/// step left the function's domain).
const RETRIES: usize = 40;

/// A finite-difference estimate of `g′(0)` for each output of `g`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Estimate<const M: usize> {
    /// The extrapolated derivative.
    pub value: [f64; M],
    /// Its error estimate (∞ if no extrapolation was possible).
    pub error: [f64; M],
    /// The step at which the kept estimate was formed.
    pub step: [f64; M],
}

/// The first step for a coordinate whose value is `x`: a tenth of its
/// magnitude, and never below 0.1 (variables of order one or smaller).
pub(crate) fn first_step(x: f64) -> f64 {
    0.1 * Float::max(Float::abs(x), 1.0)
}

/// Below this relative error estimate (worst component) the estimate from
/// the first starting step is kept without trying the others.
const GOOD_ENOUGH: f64 = 1e-9;

/// The derivative at `t = 0` of `g(t) = f(x + t)` for a coordinate whose
/// value is `x`, trying several starting steps: [`first_step`] (a tenth of
/// `max(|x|, 1)`), then `|x|/10` for `0 < |x| < 1` (`ln` at 1e-30, where every
/// larger step leaves the domain) and 0.1 for `|x| > 1` (`sin` at 1e6, whose
/// scale is 1, not `x`). The first estimate whose worst relative error
/// estimate is below 1e-9 is kept; otherwise the one with the smallest.
pub(crate) fn derivative_at<const M: usize>(
    mut g: impl FnMut(f64) -> [f64; M],
    x: f64,
) -> Estimate<M> {
    let ax = Float::abs(x);
    let mut candidates = [first_step(x), f64::NAN, f64::NAN];
    if ax > 0.0 && ax < 1.0 {
        candidates[1] = 0.1 * ax;
    }
    if ax > 1.0 {
        candidates[1] = 0.1;
        candidates[2] = 1e-3;
    }
    let score = |e: &Estimate<M>| {
        let mut worst = 0.0_f64;
        for k in 0..M {
            let r = e.error[k] / Float::max(Float::abs(e.value[k]), f64::MIN_POSITIVE);
            worst = if r.is_nan() {
                f64::INFINITY
            } else {
                Float::max(worst, r)
            };
        }
        worst
    };
    let mut best: Option<(f64, Estimate<M>)> = None;
    for h in candidates.into_iter().filter(|h| h.is_finite() && *h > 0.0) {
        let e = derivative_near(&mut g, h, x);
        let sc = score(&e);
        if best.as_ref().is_none_or(|(b, _)| sc < *b) {
            best = Some((sc, e));
        }
        if sc <= GOOD_ENOUGH {
            break;
        }
    }
    match best {
        Some((_, e)) => e,
        None => derivative_near(g, first_step(x), x),
    }
}

/// The derivative at `t = 0` of `g: ℝ → ℝᴹ`, from central differences with
/// Richardson extrapolation, starting at step `h` (shrunk while `g(±h)` is
/// not finite).
pub(crate) fn derivative<const M: usize>(g: impl FnMut(f64) -> [f64; M], h: f64) -> Estimate<M> {
    derivative_near(g, h, 0.0)
}

/// [`derivative`] for `g(t) = f(x + t)`: the steps taken are the ones the
/// floats can represent, `(x ± h) − x` (exact), so that rounding `x + h`
/// does not become an error in the step (at `x = 1e6`, `h = 1e-5`, that
/// would be a relative error of 1e-5).
fn derivative_near<const M: usize>(
    mut g: impl FnMut(f64) -> [f64; M],
    mut h: f64,
    x: f64,
) -> Estimate<M> {
    let mut central = |h: f64| {
        let (up, down) = ((x + h) - x, (x - h) - x);
        let (a, b) = (g(up), g(down));
        let mut d = [0.0; M];
        for k in 0..M {
            d[k] = (a[k] - b[k]) / (up - down);
        }
        d
    };
    let finite = |d: &[f64; M]| d.iter().all(|v| v.is_finite());

    let mut first = central(h);
    let mut tries = 0;
    while !finite(&first) && tries < RETRIES {
        h /= 4.0;
        first = central(h);
        tries += 1;
    }
    let mut best = Estimate {
        value: first,
        error: [f64::INFINITY; M],
        step: [h; M],
    };
    if !finite(&first) {
        return best;
    }

    let mut prev = [[0.0; M]; ROWS];
    let mut cur = [[0.0; M]; ROWS];
    prev[0] = first;
    let mut done = [false; M];
    let t2 = SHRINK * SHRINK;
    for row in 1..ROWS {
        h /= SHRINK;
        cur[0] = central(h);
        if !finite(&cur[0]) {
            break;
        }
        let mut factor = t2;
        for col in 1..=row {
            for k in 0..M {
                let c = cur[col - 1][k];
                let p = prev[col - 1][k];
                let e = c + (c - p) / (factor - 1.0);
                cur[col][k] = e;
                let err = Float::max(Float::abs(e - c), Float::abs(e - p));
                if !done[k] && err <= best.error[k] {
                    best.value[k] = e;
                    best.error[k] = err;
                    best.step[k] = h;
                }
            }
            factor *= t2;
        }
        for k in 0..M {
            // Converged, and rounding has taken over: smaller steps and
            // higher orders only get worse. (Before convergence, a drifting
            // diagonal only means the steps are still too large.)
            let converged = best.error[k] <= CONVERGED * Float::abs(best.value[k]);
            if converged && Float::abs(cur[row][k] - prev[row - 1][k]) >= 2.0 * best.error[k] {
                done[k] = true;
            }
        }
        if done.iter().all(|&d| d) {
            break;
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_rational_to_1e_12() {
        for &x in &[-3.0_f64, -0.5, 0.0, 0.7, 2.0, 10.0] {
            let e = derivative(|t| [(x + t).exp()], first_step(x));
            assert!(
                ((e.value[0] - x.exp()) / x.exp()).abs() < 1e-12,
                "{x}: {:?}",
                e
            );
            let r = derivative(|t| [1.0 / (1.0 + (x + t) * (x + t))], first_step(x));
            let exact = -2.0 * x / (1.0 + x * x).powi(2);
            assert!(
                (r.value[0] - exact).abs() < 1e-12,
                "{x}: {:?} vs {exact}",
                r
            );
        }
    }

    #[test]
    fn starting_steps_fit_the_scale() {
        let e = derivative_at(|t| [(1e-30_f64 + t).ln()], 1e-30);
        assert!((e.value[0] - 1e30).abs() < 1e-8 * 1e30, "{e:?}");
        let x = 1e6_f64;
        let e = derivative_at(|t| [(x + t).sin()], x);
        assert!((e.value[0] - x.cos()).abs() < 1e-7, "{e:?}");
    }

    #[test]
    fn shrinks_into_the_domain() {
        let e = derivative(|t| [(1e-3_f64 + t).ln()], first_step(1e-3));
        assert!((e.value[0] - 1e3).abs() < 1e-6 * 1e3, "{e:?}");
    }
}
