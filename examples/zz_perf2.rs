use dualgrad::reverse::{Activation::*, Mlp, Tape};
use nalgebra::{DMatrix, DMatrixView, Dyn};
use std::time::Instant;

fn time(name: &str, reps: usize, mut f: impl FnMut()) {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    println!(
        "{name}: {:.1} µs",
        t.elapsed().as_secs_f64() / reps as f64 * 1e6
    );
}

fn main() {
    let (batch, width) = (64, 64);
    let mlp = Mlp::<f64>::new(&[64, width, width, 10], &[Relu, Relu, Identity], 1).unwrap();
    let x = DMatrix::from_fn(batch, 64, |i, j| {
        ((i * 31 + j * 17) % 23) as f64 / 23.0 - 0.5
    });
    let labels: Vec<usize> = (0..batch).map(|i| i % 10).collect();
    let mut tape = Tape::new();
    let reps = 5000;
    for _ in 0..2 {
        time("record fwd+loss", reps, || {
            tape.reset();
            let t = &tape;
            let (out, _p) = mlp.record(t, t.var_copy(&x)).unwrap();
            std::hint::black_box(t.cross_entropy(out, &labels).unwrap());
        });
        time("plain forward", reps, || {
            std::hint::black_box(mlp.forward(&x).unwrap());
        });
        let w = &mlp.layers[1].w;
        time("matmul x*w", reps, || {
            std::hint::black_box(&x * w);
        });
        time("x^T * w (copy transpose)", reps, || {
            std::hint::black_box(x.transpose() * w);
        });
        time("x^T * w (view)", reps, || {
            let v = DMatrixView::<f64, Dyn, Dyn>::from_slice_with_strides(
                x.as_slice(),
                x.ncols(),
                x.nrows(),
                x.nrows(),
                1,
            );
            let mut c = DMatrix::zeros(64, 64);
            c.gemm(1.0, &v, w, 0.0);
            std::hint::black_box(c);
        });
        time("x * w^T (view)", reps, || {
            let v = DMatrixView::<f64, Dyn, Dyn>::from_slice_with_strides(
                w.as_slice(),
                w.ncols(),
                w.nrows(),
                w.nrows(),
                1,
            );
            let mut c = DMatrix::zeros(64, 64);
            c.gemm(1.0, &x, &v, 0.0);
            std::hint::black_box(c);
        });
        let h = &x * w;
        let b = mlp.layers[1].b.clone();
        time("tape add_row", reps, || {
            let mut t = Tape::new();
            let a = t.var(h.clone());
            let bb = t.var(b.clone());
            std::hint::black_box(t.add_row(a, bb).unwrap());
            t.reset();
        });
        time("tape clone only", reps, || {
            let mut t = Tape::new();
            let a = t.var(h.clone());
            let bb = t.var(b.clone());
            std::hint::black_box((a, bb));
            t.reset();
        });
        time("tape relu", reps, || {
            let mut t = Tape::new();
            let a = t.var(h.clone());
            std::hint::black_box(t.relu(a).unwrap());
            t.reset();
        });
        time("hand relu map", reps, || {
            std::hint::black_box(h.map(|v| v.max(0.0)));
        });
        time("full step", reps, || {
            std::hint::black_box(
                mlp.loss_and_gradients(&mut tape, &x, dualgrad::reverse::Targets::Labels(&labels))
                    .unwrap(),
            );
        });
    }
}
