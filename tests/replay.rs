//! `Tape::replay` and `Mlp::replay`: replayed losses and gradients equal a
//! fresh recording's bit for bit, over several steps with changing inputs
//! and parameters; shape changes are errors.
#![cfg(all(feature = "nalgebra", feature = "std"))]

use dualgrad::nn::{Activation::*, Adam, Mlp, Optimizer, Sgd, Targets};
use dualgrad::reverse::{ReverseError, Tape, Var};
use dualgrad::SplitMix64;
use nalgebra::DMatrix;

fn random(g: &mut SplitMix64, r: usize, c: usize) -> DMatrix<f64> {
    DMatrix::from_fn(r, c, |_, _| g.uniform(-1.0, 1.0))
}

/// A graph with most kinds of operations: products (plain and through
/// transposes), element-wise maps, broadcasts, a softmax, a norm, and a
/// node used twice.
fn record(t: &Tape<f64>, x: &DMatrix<f64>, w: &DMatrix<f64>, b: &DMatrix<f64>) -> (Var, [Var; 3]) {
    let (x, w, b) = (t.var_copy(x), t.var_copy(w), t.var_copy(b));
    let h = t
        .tanh(t.add_row(t.matmul(x, w).unwrap(), b).unwrap())
        .unwrap();
    let s = t.softmax(h).unwrap();
    let hw = t.matmul(t.transpose(h).unwrap(), s).unwrap();
    let n = t.norm(t.mul(h, s).unwrap()).unwrap();
    let l = t
        .add(
            t.mean(t.square(hw).unwrap()).unwrap(),
            t.scale(t.add(n, t.sum(t.relu(h).unwrap()).unwrap()).unwrap(), 0.5)
                .unwrap(),
        )
        .unwrap();
    (l, [x, w, b])
}

#[test]
fn replay_equals_a_fresh_recording_bit_for_bit() {
    let mut g = SplitMix64::new(3);
    let (x, w, b) = (
        random(&mut g, 9, 6),
        random(&mut g, 6, 8),
        random(&mut g, 1, 8),
    );
    let t = Tape::new();
    let (l, [xv, wv, bv]) = record(&t, &x, &w, &b);
    let mut r = t.replay(l, &[xv, wv, bv], &[wv, bv, xv]).unwrap();
    // Softmax, norm and transpose: the general path.
    assert!(format!("{r:?}").contains("in_place: false"), "{r:?}");
    for step in 0..6 {
        let (x, w, b) = (
            random(&mut g, 9, 6),
            random(&mut g, 6, 8),
            random(&mut g, 1, 8),
        );
        let loss = if step % 2 == 0 {
            r.run(&[&x, &w, &b]).unwrap()
        } else {
            r.set_input(0, &x).unwrap();
            r.set_input(1, &w).unwrap();
            r.set_input(2, &b).unwrap();
            r.run_again()
        };
        let f = Tape::new();
        let (fl, [fx, fw, fb]) = record(&f, &x, &w, &b);
        assert_eq!(loss.to_bits(), f.scalar(fl).unwrap().to_bits());
        let fg = f.gradient(fl, &[fw, fb, fx]).unwrap();
        for (a, e) in r.gradients().iter().zip(&fg) {
            assert_eq!(a.shape(), e.shape());
            for (p, q) in a.iter().zip(e.iter()) {
                assert_eq!(p.to_bits(), q.to_bits(), "step {step}");
            }
        }
    }
}

#[test]
fn shape_changes_are_errors_and_change_nothing() {
    let mut g = SplitMix64::new(4);
    let (x, w, b) = (
        random(&mut g, 3, 2),
        random(&mut g, 2, 4),
        random(&mut g, 1, 4),
    );
    let t = Tape::new();
    let (l, [xv, wv, bv]) = record(&t, &x, &w, &b);
    let mut r = t.replay(l, &[xv, wv, bv], &[wv]).unwrap();
    let l0 = r.run(&[&x, &w, &b]).unwrap();
    let g0 = r.gradients().to_vec();
    let bad = random(&mut g, 4, 2);
    assert!(matches!(
        r.run(&[&bad, &w, &b]),
        Err(ReverseError::Shape { .. })
    ));
    assert!(matches!(
        r.run(&[&x, &w]),
        Err(ReverseError::LengthMismatch { .. })
    ));
    assert!(matches!(
        r.set_input(1, &bad),
        Err(ReverseError::Shape { .. })
    ));
    assert!(matches!(
        r.set_input(3, &x),
        Err(ReverseError::IndexOutOfRange { .. })
    ));
    let mut wrong = random(&mut g, 2, 5);
    assert!(r.swap_input(1, &mut wrong).is_err());
    assert_eq!(wrong.shape(), (2, 5));
    assert_eq!(r.run_again(), l0);
    assert_eq!(r.gradients(), &g0[..]);
    // Inputs must be leaves; foreign variables are refused.
    assert!(t.replay(l, &[l], &[wv]).is_err());
    assert!(matches!(
        Tape::<f64>::new().replay(l, &[], &[]),
        Err(ReverseError::ForeignVariable { .. })
    ));
}

#[test]
fn a_non_scalar_target_and_an_unconnected_source() {
    let t = Tape::new();
    let x = t.var(DMatrix::from_row_slice(1, 2, &[1.0, 2.0]));
    let u = t.var(DMatrix::from_row_slice(1, 1, &[5.0]));
    let y = t.exp(x).unwrap();
    let mut r = t.replay(y, &[x], &[x, u]).unwrap();
    let s = r
        .run(&[&DMatrix::from_row_slice(1, 2, &[0.0, 1.0])])
        .unwrap();
    assert_eq!(s, 1.0 + 1f64.exp());
    assert_eq!(
        r.gradients()[0],
        DMatrix::from_row_slice(1, 2, &[1.0, 1f64.exp()])
    );
    assert_eq!(r.gradients()[1], DMatrix::zeros(1, 1));
}

/// Training through a replay gives the same parameters, step after step,
/// as training through `loss_and_gradients` on a tape.
fn train_same(sizes: &[usize], acts: &[dualgrad::nn::Activation], labels: bool) {
    let mut g = SplitMix64::new(9);
    let batch = 12;
    let mut a = Mlp::<f64>::new(sizes, acts, 5).unwrap();
    let mut b = a.clone();
    let out = *sizes.last().unwrap();
    let xs: Vec<_> = (0..5).map(|_| random(&mut g, batch, sizes[0])).collect();
    let ys: Vec<_> = (0..5).map(|_| random(&mut g, batch, out)).collect();
    let ls: Vec<Vec<usize>> = (0..5)
        .map(|k| (0..batch).map(|i| (i * 7 + k) % out).collect())
        .collect();
    let tg = |k: usize| {
        if labels {
            Targets::Labels(&ls[k])
        } else {
            Targets::Values(&ys[k])
        }
    };
    let mut step = a.replay(&xs[0], tg(0)).unwrap();
    let (mut oa, mut ob) = (Adam::new(0.01), Adam::new(0.01));
    let mut tape = Tape::new();
    for (k, x) in xs.iter().enumerate() {
        // Every other step lends the batch instead of copying it.
        let mut lent = x.clone();
        let (la, ga) = if k % 2 == 0 {
            step.loss_and_gradients(&mut a, x, tg(k)).unwrap()
        } else {
            step.loss_and_gradients_mut(&mut a, &mut lent, tg(k))
                .unwrap()
        };
        assert_eq!(&lent, x, "the lent batch is given back, step {k}");
        let (lb, gb) = b.loss_and_gradients(&mut tape, x, tg(k)).unwrap();
        assert_eq!(la.to_bits(), lb.to_bits(), "step {k}");
        assert_eq!(ga, &gb[..], "step {k}");
        oa.update(&mut a, ga).unwrap();
        ob.update(&mut b, &gb).unwrap();
        assert_eq!(a, b, "step {k}");
    }
}

#[test]
fn mlp_replay_trains_like_loss_and_gradients() {
    train_same(&[5, 8, 7, 3], &[Relu, Tanh, Identity], true);
    train_same(&[4, 6, 2], &[Sigmoid, Identity], false);
}

/// A cross-entropy loss on the in-place path: the backward pass starts
/// from the softmax its forward pass kept. The gradients equal a fresh
/// recording's right after `replay` (before any run: the kept softmax is
/// the recorded logits') and after each run on new inputs; large logits
/// stay finite.
#[test]
fn cross_entropy_replay_keeps_the_softmax_of_the_last_run() {
    let mut g = SplitMix64::new(12);
    let labels = [2, 0, 1, 1, 2];
    let rec = |t: &Tape<f64>, x: &DMatrix<f64>, w: &DMatrix<f64>| {
        let (x, w) = (t.var_copy(x), t.var_copy(w));
        let z = t.matmul(x, w).unwrap();
        (t.cross_entropy(z, &labels).unwrap(), x, w)
    };
    let (x, w) = (random(&mut g, 5, 4), random(&mut g, 4, 3));
    let t = Tape::new();
    let (l, xv, wv) = rec(&t, &x, &w);
    let mut r = t.replay(l, &[xv, wv], &[wv, xv]).unwrap();
    assert!(format!("{r:?}").contains("in_place: true"), "{r:?}");
    let same = |r: &dualgrad::reverse::Replay<f64>, x: &DMatrix<f64>, w: &DMatrix<f64>| {
        let f = Tape::new();
        let (fl, fx, fw) = rec(&f, x, w);
        let fg = f.gradient(fl, &[fw, fx]).unwrap();
        for (a, e) in r.gradients().iter().zip(&fg) {
            assert!(a
                .iter()
                .zip(e.iter())
                .all(|(p, q)| p.to_bits() == q.to_bits()));
            assert!(a.iter().all(|v| v.is_finite()));
        }
        f.scalar(fl).unwrap()
    };
    same(&r, &x, &w);
    for scale in [1.0, 1e3, -1e4] {
        let (x, w) = (random(&mut g, 5, 4) * scale, random(&mut g, 4, 3));
        let loss = r.run(&[&x, &w]).unwrap();
        assert_eq!(loss.to_bits(), same(&r, &x, &w).to_bits());
    }
}

#[test]
fn mlp_replay_errors() {
    let mut mlp = Mlp::<f64>::new(&[3, 4, 2], &[Relu, Identity], 1).unwrap();
    let x = DMatrix::from_element(5, 3, 0.5);
    let labels = [0, 1, 0, 1, 1];
    let mut step = mlp.replay(&x, Targets::Labels(&labels)).unwrap();
    let x4 = DMatrix::from_element(4, 3, 0.5);
    let short = [0, 1, 0, 1];
    assert!(matches!(
        step.loss_and_gradients(&mut mlp, &x4, Targets::Labels(&short)),
        Err(ReverseError::Shape { .. })
    ));
    // A lent batch of another shape is an error and stays the caller's.
    let mut x4m = x4.clone();
    assert!(matches!(
        step.loss_and_gradients_mut(&mut mlp, &mut x4m, Targets::Labels(&short)),
        Err(ReverseError::Shape { .. })
    ));
    assert_eq!(x4m, x4);
    let mut xm = x.clone();
    assert!(matches!(
        step.loss_and_gradients_mut(&mut mlp, &mut xm, Targets::Labels(&[0, 1, 2, 0, 0])),
        Err(ReverseError::LabelOutOfRange { .. })
    ));
    assert_eq!(xm, x);
    assert!(matches!(
        step.loss_and_gradients(&mut mlp, &x, Targets::Labels(&[0, 1, 2, 0, 0])),
        Err(ReverseError::LabelOutOfRange { .. })
    ));
    let y = DMatrix::from_element(5, 2, 0.5);
    assert!(matches!(
        step.loss_and_gradients(&mut mlp, &x, Targets::Values(&y)),
        Err(ReverseError::InvalidArgument { .. })
    ));
    let mut other = Mlp::<f64>::new(&[3, 5, 2], &[Relu, Identity], 1).unwrap();
    assert!(step
        .loss_and_gradients(&mut other, &x, Targets::Labels(&labels))
        .is_err());
    // The network is unchanged by the failed steps, and still replays.
    let before = mlp.clone();
    let (l, _) = step
        .loss_and_gradients(&mut mlp, &x, Targets::Labels(&labels))
        .unwrap();
    assert_eq!(mlp, before);
    assert!(l.is_finite());
    let mut sgd = Sgd::new(0.1);
    let g = step
        .loss_and_gradients(&mut mlp, &x, Targets::Labels(&labels))
        .unwrap()
        .1
        .to_vec();
    sgd.update(&mut mlp, &g).unwrap();
}

/// The in-place passes (every operation here has one): sums, differences,
/// products, scaling, a node used several times, an intermediate source.
#[test]
fn in_place_passes_equal_a_fresh_recording_bit_for_bit() {
    fn rec(t: &Tape<f64>, v: [&DMatrix<f64>; 4]) -> (Var, [Var; 5]) {
        let [x, w, b, y] = v.map(|m| t.var_copy(m));
        let h = t
            .sigmoid(t.add_row(t.matmul(x, w).unwrap(), b).unwrap())
            .unwrap();
        let k = t
            .sub(t.mul(h, h).unwrap(), t.scale(h, 0.25).unwrap())
            .unwrap();
        let z = t.add(k, t.relu(h).unwrap()).unwrap();
        let l = t
            .add(
                t.mse(z, y).unwrap(),
                t.add(t.sum(h).unwrap(), t.mean(t.tanh(k).unwrap()).unwrap())
                    .unwrap(),
            )
            .unwrap();
        (l, [x, w, b, y, h])
    }
    let mut g = SplitMix64::new(8);
    let mk = |g: &mut SplitMix64| {
        [
            random(g, 6, 5),
            random(g, 5, 4),
            random(g, 1, 4),
            random(g, 6, 4),
        ]
    };
    let v = mk(&mut g);
    let t = Tape::new();
    let (l, [x, w, b, y, h]) = rec(&t, [&v[0], &v[1], &v[2], &v[3]]);
    let mut r = t.replay(l, &[x, w, b, y], &[w, b, h, x, w]).unwrap();
    assert!(format!("{r:?}").contains("in_place: true"), "{r:?}");
    for _ in 0..4 {
        let v = mk(&mut g);
        let loss = r.run(&[&v[0], &v[1], &v[2], &v[3]]).unwrap();
        let f = Tape::new();
        let (fl, [fx, fw, fb, _, fh]) = rec(&f, [&v[0], &v[1], &v[2], &v[3]]);
        assert_eq!(loss.to_bits(), f.scalar(fl).unwrap().to_bits());
        let fg = f.gradient(fl, &[fw, fb, fh, fx, fw]).unwrap();
        for (a, e) in r.gradients().iter().zip(&fg) {
            let bits = |m: &DMatrix<f64>| m.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(a), bits(e));
        }
    }
}
