//! The logistic function and softplus keep their derivatives far in the
//! tails, where e^(−|x|) is tiny but representable (regression test: it
//! was computed as expm1(−|x|) + 1 and rounded to 0 for |x| > 37).

use dualgrad::check::{check_gradient_with, check_hessian_with, Tolerance};
use dualgrad::scalar_fn;

#[test]
fn sigmoid_and_softplus_derivatives_in_the_tails() {
    // Relative agreement with the closed forms, no absolute slack.
    let tol = Tolerance::default().with_abs(0.0).with_rel(1e-13);
    for x in [-700.0_f64, -300.0, -40.0, -38.0, 38.0, 40.0, 300.0, 700.0] {
        let e = (-x.abs()).exp();
        let s = if x >= 0.0 {
            1.0 / (1.0 + e)
        } else {
            e / (1.0 + e)
        };
        let ds = e / ((1.0 + e) * (1.0 + e));
        let d2s = ds * if x >= 0.0 { -(1.0 - e) } else { 1.0 - e } / (1.0 + e);
        assert!(ds > 0.0, "{x}");

        let r = check_gradient_with(&scalar_fn!(|[x]| x.sigmoid()), [x], [ds], tol);
        assert!(r.vs_exact.passed, "sigmoid′({x}):\n{r}");
        let r = check_hessian_with(&scalar_fn!(|[x]| x.sigmoid()), [x], [[d2s]], tol);
        assert!(r.vs_exact.passed, "sigmoid″({x}):\n{r}");
        let r = check_gradient_with(&scalar_fn!(|[x]| x.softplus()), [x], [s], tol);
        assert!(r.vs_exact.passed, "softplus′({x}):\n{r}");
        let r = check_hessian_with(&scalar_fn!(|[x]| x.softplus()), [x], [[ds]], tol);
        assert!(r.vs_exact.passed, "softplus″({x}):\n{r}");
    }
}
