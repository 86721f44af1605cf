//! The worked examples of the guide (`dualgrad::guide::worked_examples`) that ask for
//! reverse mode (3, 4, 7, 8, 9), computed with `dualgrad::reverse` and
//! printed next to their listed values or closed forms.
//!
//! ```sh
//! cargo run --release --example seeds_reverse
//! ```

use dualgrad::reverse::{one_hot, ReverseError, Tape};
use dualgrad::SplitMix64;
use nalgebra::{dmatrix, DMatrix};

fn row(what: &str, got: &DMatrix<f64>, expected: &DMatrix<f64>) {
    let err = (got - expected).amax();
    let ok = if err <= 1e-13 * (1.0 + expected.amax()) {
        "ok"
    } else {
        "DIFFERS"
    };
    let flat = |m: &DMatrix<f64>| format!("{:?}", m.transpose().as_slice());
    println!("  {what:<28} {:<40} max error {err:.1e}  {ok}", flat(got));
}

/// Fixed pseudo-random weights in [-1, 1).
fn fixed(rows: usize, cols: usize, seed: u64) -> DMatrix<f64> {
    let mut g = SplitMix64::new(seed);
    DMatrix::from_fn(rows, cols, |_, _| g.uniform(-1.0, 1.0))
}

pub fn main() -> Result<(), ReverseError> {
    println!("3. several gradients of one recording");
    let t = Tape::new();
    let x = t.scalar_var(3.0);
    let y = t.mul(x, x)?;
    let z = t.mul(y, y)?;
    let dy = t.gradient_var(y, &[x])?[0];
    row("dz/dx at 3", &t.gradient(z, &[x])?[0], &dmatrix![108.0]);
    row(
        "dy/dx at 3 (same tape)",
        &t.gradient(y, &[x])?[0],
        &dmatrix![6.0],
    );
    row("d²y/dx² at 3", &t.gradient(dy, &[x])?[0], &dmatrix![2.0]);

    println!("4. a linear layer, its sum and its squared-error loss");
    let t = Tape::new();
    let x = t.var(dmatrix![2.0; 3.0]);
    let w = t.var(dmatrix![4.0, 2.0; 2.0, 1.0]);
    let b = t.var(dmatrix![5.0; 2.0]);
    let y_hat = t.add(t.matmul(w, x)?, b)?;
    let g = t.gradient(y_hat, &[w, b, x])?;
    row("ŷ", &t.value(y_hat)?, &dmatrix![19.0; 9.0]);
    row("d(sum ŷ)/dW", &g[0], &dmatrix![2.0, 3.0; 2.0, 3.0]);
    row("d(sum ŷ)/db", &g[1], &dmatrix![1.0; 1.0]);
    row("d(sum ŷ)/dX", &g[2], &dmatrix![6.0; 3.0]);
    let loss = t.mse(t.var(dmatrix![20.0; 7.0]), y_hat)?;
    let g = t.gradient(loss, &[w, b, x])?;
    row("L", &t.value(loss)?, &dmatrix![2.5]);
    row("dL/dW", &g[0], &dmatrix![-2.0, -3.0; 4.0, 6.0]);
    row("dL/db", &g[1], &dmatrix![-1.0; 2.0]);
    row("dL/dX", &g[2], &dmatrix![0.0; 0.0]);

    println!("7. one tanh layer, l = mean(tanh(x·W + b)²) (closed form)");
    let (xm, wm) = (
        dmatrix![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        fixed(7, 2, 7) * 0.3,
    );
    let t = Tape::new();
    let (x, w, b) = (
        t.var(xm.clone()),
        t.var(wm.clone()),
        t.var(DMatrix::zeros(1, 2)),
    );
    let l = t.mean(t.square(t.tanh(t.add_row(t.matmul(x, w)?, b)?)?)?)?;
    let g = t.gradient(l, &[w, b])?;
    let yv = (&xm * &wm).map(f64::tanh);
    let dh = yv.map(|y| y * (1.0 - y * y));
    row("dl/db", &g[1], &dh);
    row(
        "dl/dW (first row)",
        &g[0].rows(0, 1).into(),
        &(xm.transpose() * &dh).rows(0, 1).into(),
    );

    println!("8. cross-entropy from logits, labels [2, 0] (closed form)");
    let (xm, wm) = (fixed(2, 4, 81), fixed(4, 3, 82));
    let t = Tape::new();
    let (x, w) = (t.var(xm.clone()), t.var(wm.clone()));
    let logits = t.matmul(x, w)?;
    let ce = t.cross_entropy(logits, &[2, 0])?;
    let g = t.gradient(ce, &[logits, w])?;
    let p = t.value(t.softmax(logits)?)?;
    let dz = (&p - one_hot::<f64>(&[2, 0], 3)?) * 0.5;
    row("dL/dlogits", &g[0], &dz);
    row(
        "dL/dW (first row)",
        &g[1].rows(0, 1).into(),
        &(xm.transpose() * &dz).rows(0, 1).into(),
    );

    println!("9. gradient of an input-gradient norm (closed form)");
    let (xm, wm, bm) = (fixed(7, 7, 91), fixed(7, 10, 92), fixed(1, 10, 93) * 0.5);
    let t = Tape::new();
    let (x, w, b) = (t.var(xm.clone()), t.var(wm.clone()), t.var(bm.clone()));
    let h = t.add_row(t.matmul(x, w)?, b)?;
    let out = t.sum(t.square(t.relu(h)?)?)?;
    let gx = t.gradient_var(out, &[x])?[0];
    let d = t.gradient(t.norm(gx)?, &[w, b])?;
    let hm = t.value(h)?;
    let r = hm.map(|v| v.max(0.0));
    let gm = &r * wm.transpose() * 2.0;
    let gg = &gm / gm.norm();
    let m = (&gg * &wm).zip_map(&hm, |v, h| if h > 0.0 { v } else { 0.0 });
    let db = DMatrix::from_fn(1, 10, |_, j| 2.0 * m.column(j).sum());
    let dw = gg.transpose() * &r * 2.0 + xm.transpose() * &m * 2.0;
    row("dl/db", &d[1], &db);
    row(
        "dl/dW (first row)",
        &d[0].rows(0, 1).into(),
        &dw.rows(0, 1).into(),
    );
    Ok(())
}
