//! The guide's worked examples 3, 4, 7, 8 and 9
//! (`dualgrad::guide::worked_examples`) on the reverse-mode tape, against
//! their listed values and closed forms.
#![cfg(all(feature = "nalgebra", feature = "alloc"))]

use dualgrad::reverse::{one_hot, ReverseError, Tape};
use dualgrad::SplitMix64;
use nalgebra::{dmatrix, DMatrix};

type R = Result<(), ReverseError>;

/// Fixed "random" weights: a small deterministic generator in [-1, 1).
fn fixed(rows: usize, cols: usize, seed: u64) -> DMatrix<f64> {
    let mut g = SplitMix64::new(seed);
    DMatrix::from_fn(rows, cols, |_, _| g.uniform(-1.0, 1.0))
}

/// Every entry agrees to `rel` relative to the largest entry of `want`.
fn close(got: &DMatrix<f64>, want: &DMatrix<f64>, rel: f64) {
    assert_eq!(got.shape(), want.shape());
    let scale = want.amax().max(1e-300);
    for (g, w) in got.iter().zip(want.iter()) {
        assert!(
            (g - w).abs() <= rel * scale,
            "got {got}, want {want} (entry {g} vs {w})"
        );
    }
}

#[test]
fn seed3_several_gradients_of_one_recording() -> R {
    let t = Tape::new();
    let x = t.scalar_var(5.0);
    let y = t.square(x)?;
    assert_eq!(t.gradient(y, &[x])?[0], dmatrix![10.0]);

    let t = Tape::new();
    let x = t.scalar_var(3.0);
    let y = t.mul(x, x)?;
    let dy = t.gradient_var(y, &[x])?[0];
    assert_eq!(t.value(dy)?, dmatrix![6.0]);
    assert_eq!(t.gradient(dy, &[x])?[0], dmatrix![2.0]);

    // y = x², z = y²: both questions asked of the same recording.
    let z = t.mul(y, y)?;
    assert_eq!(t.gradient(z, &[x])?[0], dmatrix![108.0]);
    assert_eq!(t.gradient(y, &[x])?[0], dmatrix![6.0]);
    assert_eq!(t.gradient(z, &[x])?[0], dmatrix![108.0]);
    Ok(())
}

#[test]
fn seed4_linear_layer_sum_and_loss() -> R {
    let t = Tape::new();
    let x = t.var(dmatrix![2.0; 3.0]);
    let w = t.var(dmatrix![4.0, 2.0; 2.0, 1.0]);
    let b = t.var(dmatrix![5.0; 2.0]);
    let y_hat = t.add(t.matmul(w, x)?, b)?;
    assert_eq!(t.value(y_hat)?, dmatrix![19.0; 9.0]);

    // A non-scalar target: the gradient of its sum.
    let g = t.gradient(y_hat, &[w, b, x])?;
    assert_eq!(g[0], dmatrix![2.0, 3.0; 2.0, 3.0]);
    assert_eq!(g[1], dmatrix![1.0; 1.0]);
    assert_eq!(g[2], dmatrix![6.0; 3.0]);

    let y = t.var(dmatrix![20.0; 7.0]);
    let loss = t.mean(t.square(t.sub(y, y_hat)?)?)?;
    assert_eq!(t.scalar(loss)?, 2.5);
    let g = t.gradient(loss, &[w, b, x])?;
    assert_eq!(g[0], dmatrix![-2.0, -3.0; 4.0, 6.0]);
    assert_eq!(g[1], dmatrix![-1.0; 2.0]);
    assert_eq!(g[2], dmatrix![0.0; 0.0]);

    // The same loss through the `mse` operation.
    let loss2 = t.mse(y, y_hat)?;
    assert_eq!(t.scalar(loss2)?, 2.5);
    assert_eq!(t.gradient(loss2, &[w, b, x])?, g);
    Ok(())
}

#[test]
fn seed7_one_layer_tanh_network() -> R {
    let xm = dmatrix![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    let wm = fixed(7, 2, 7).scale(0.3);
    let t = Tape::new();
    let (x, w, b) = (
        t.var(xm.clone()),
        t.var(wm.clone()),
        t.var(DMatrix::zeros(1, 2)),
    );
    let y = t.tanh(t.add_row(t.matmul(x, w)?, b)?)?;
    let l = t.mean(t.square(y)?)?;
    let g = t.gradient(l, &[w, b])?;

    let ym = (&xm * &wm).map(f64::tanh);
    let dh = ym.map(|y| 2.0 * y * (1.0 - y * y) / 2.0);
    close(&g[0], &(xm.transpose() * &dh), 1e-14);
    close(&g[1], &dh, 1e-14);
    assert_eq!(t.value(y)?, ym);
    Ok(())
}

#[test]
fn seed8_classifier_losses() -> R {
    let xm = fixed(2, 4, 81);
    let wm = fixed(4, 3, 82);
    let labels = [2usize, 0];
    let onehot = one_hot::<f64>(&labels, 3)?;
    let z = &xm * &wm;
    let p = DMatrix::from_fn(2, 3, |i, j| {
        let m = z.row(i).max();
        let s: f64 = z.row(i).iter().map(|v| (v - m).exp()).sum();
        (z[(i, j)] - m).exp() / s
    });

    // softmax, then the mean squared error against the one-hot rows.
    let t = Tape::new();
    let (x, w, b) = (
        t.var(xm.clone()),
        t.var(wm.clone()),
        t.var(DMatrix::zeros(1, 3)),
    );
    let logits = t.add_row(t.matmul(x, w)?, b)?;
    let y = t.var(onehot.clone());
    let l = t.mse(t.softmax(logits)?, y)?;
    let g = t.gradient(l, &[w, b])?;
    let dp = (&p - &onehot).scale(2.0 / 6.0);
    let dz = DMatrix::from_fn(2, 3, |i, j| {
        let s: f64 = (0..3).map(|k| dp[(i, k)] * p[(i, k)]).sum();
        p[(i, j)] * (dp[(i, j)] - s)
    });
    close(&g[0], &(xm.transpose() * &dz), 1e-14);
    close(
        &g[1],
        &DMatrix::from_fn(1, 3, |_, j| dz.column(j).sum()),
        1e-14,
    );

    // Cross-entropy from logits: dL/dlogits = (softmax − onehot)/batch.
    let ce = t.cross_entropy(logits, &labels)?;
    let want = -((p[(0, 2)]).ln() + (p[(1, 0)]).ln()) / 2.0;
    let got = t.scalar(ce)?;
    assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    let g = t.gradient(ce, &[w, b, logits])?;
    let dz = (&p - &onehot).scale(0.5);
    close(&g[2], &dz, 1e-15);
    close(&g[0], &(xm.transpose() * &dz), 1e-15);
    close(
        &g[1],
        &DMatrix::from_fn(1, 3, |_, j| dz.column(j).sum()),
        1e-15,
    );

    // Stable for huge logits.
    let big = t.var(dmatrix![1e3, -1e3, 0.0; 0.0, 1e3, 999.0]);
    let ce = t.cross_entropy(big, &[0, 2])?;
    // row 0: −ln(1 + e⁻¹⁰⁰⁰ + …) = 0; row 1: 1000 − 999 + ln(1 + e⁻¹ + …)
    let want = (1.0 + (1.0 + (-1.0f64).exp()).ln()) / 2.0;
    let got = t.scalar(ce)?;
    assert!((got - want).abs() < 1e-15, "{got} vs {want}");
    let g = t.gradient(ce, &[big])?;
    assert!(g[0].iter().all(|v| v.is_finite()));

    // A single-output perceptron.
    let xm = dmatrix![0.5, -1.0, 2.0];
    let t = Tape::new();
    let (x, w, b) = (
        t.var(xm.clone()),
        t.var(DMatrix::from_element(3, 1, 1.0)),
        t.var(dmatrix![1.0]),
    );
    let p = t.sigmoid(t.add(t.matmul(x, w)?, b)?)?;
    let one = t.var(dmatrix![1.0]);
    let l = t.mean(t.square(t.sub(one, p)?)?)?;
    let g = t.gradient(l, &[w, b])?;
    let h: f64 = 0.5 - 1.0 + 2.0 + 1.0;
    let pv = 1.0 / (1.0 + (-h).exp());
    let dh = -2.0 * (1.0 - pv) * pv * (1.0 - pv);
    close(&g[0], &xm.transpose().scale(dh), 4e-15);
    close(&g[1], &dmatrix![dh], 4e-15);
    Ok(())
}

#[test]
fn seed9_gradient_of_a_gradient() -> R {
    let xm = fixed(7, 7, 91);
    let wm = fixed(7, 10, 92);
    let bm = fixed(1, 10, 93).scale(0.5);
    let t = Tape::new();
    let (x, w, b) = (t.var(xm.clone()), t.var(wm.clone()), t.var(bm.clone()));
    let h = t.add_row(t.matmul(x, w)?, b)?;
    let out = t.sum(t.square(t.relu(h)?)?)?;
    let g = t.gradient_var(out, &[x])?[0];
    let l = t.norm(g)?;
    let n0 = t.len();
    let d = t.gradient(l, &[w, b])?;
    assert_eq!(t.len(), n0, "the eager backward pass records nothing");

    // Closed form.
    let hm = DMatrix::from_fn(7, 10, |i, j| (xm.row(i) * wm.column(j))[0] + bm[(0, j)]);
    assert!(hm.iter().all(|v| v.abs() > 1e-3), "no entry at the kink");
    let r = hm.map(|v| v.max(0.0));
    let gm = (&r * wm.transpose()).scale(2.0);
    close(&t.value(g)?, &gm, 1e-14);
    let gn = gm.norm();
    assert!((t.scalar(l)? - gn).abs() <= 1e-14 * gn);
    let gg = gm.scale(1.0 / gn);
    let m = (&gg * &wm).zip_map(&hm, |v, h| if h > 0.0 { v } else { 0.0 });
    let dw = (gg.transpose() * &r).scale(2.0) + (xm.transpose() * &m).scale(2.0);
    let db = DMatrix::from_fn(1, 10, |_, j| 2.0 * m.column(j).sum());
    close(&d[0], &dw, 1e-13);
    close(&d[1], &db, 1e-13);
    Ok(())
}

#[test]
fn higher_derivatives_through_nested_recorded_passes() -> R {
    // f = tanh(x)·sigmoid(x) + softplus(x)³: derivatives 1 to 6 by
    // differentiating the recorded gradient again and again, against the
    // forward-mode core (HyperDual<HyperDual<f64>> for the fourth, one more
    // Dual for the fifth, one more HyperDual for the sixth): there is no
    // nesting limit.
    use dualgrad::{third_derivative, Dual, HyperDual, Scalar};
    fn f<S: Scalar>(x: S) -> S {
        x.tanh() * x.sigmoid() + x.softplus().powi(3)
    }
    let x0 = 0.3;
    let t = Tape::new();
    let x = t.scalar_var(x0);
    let y = t.add(
        t.mul(t.tanh(x)?, t.sigmoid(x)?)?,
        t.powi(t.softplus(x)?, 3)?,
    )?;
    let mut d = vec![y];
    for k in 0..6 {
        let next = t.gradient_var(d[k], &[x])?[0];
        d.push(next);
    }
    let (f0, f1, f2, f3) = third_derivative(f, x0);
    let c = |v: f64| HyperDual::new(v, 0.0, 0.0, 0.0);
    let x4 = HyperDual::new(HyperDual::new(x0, 1.0, 1.0, 0.0), c(1.0), c(1.0), c(0.0));
    let f4 = f(x4).e12.e12;
    let one = HyperDual::<HyperDual<f64>>::from_real(1.0);
    let zero = HyperDual::<HyperDual<f64>>::from_real(0.0);
    let f5 = f(Dual::new(x4, one)).eps.e12.e12;
    let f6 = f(HyperDual::new(x4, one, one, zero)).e12.e12.e12;
    let want = [f0, f1, f2, f3, f4, f5, f6];
    for (k, (&v, w)) in d.iter().zip(want).enumerate() {
        let got = t.scalar(v)?;
        assert!(
            (got - w).abs() <= 1e-12 * (1.0 + w.abs()),
            "order {k}: {got} vs {w}"
        );
    }
    Ok(())
}
