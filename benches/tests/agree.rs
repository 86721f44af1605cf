//! The benchmarked computations of `benches/reverse.rs` agree: the tape's
//! loss and gradients equal the hand-written nalgebra backpropagation's
//! (seed network, MLP 784→128→10), and the tape's gradients of the
//! Rosenbrock and tanh-network functions equal their closed forms.
//!
//! Tolerances: the two sides sum in different orders (the tape's
//! cross-entropy and gemm blocking, the hand-written row loops), and the
//! tape's tanh′ is the rule table's (1 − tanh² for |x| < ½, 4e/(1+e)²
//! beyond, e = exp(−2|x|)) where the hand-written code uses 1 − y²: the
//! results agree to a few ulps relative to the largest entry, not bit for
//! bit.

use dualgrad::reverse::Tape;
use dualgrad_bench::reverse_work::{HandMlp, Net, Rosen, Seed, SeedHand, TanhNet};
use nalgebra::DMatrix;

/// `a` and `b` agree entry by entry within `ulps` units of the largest
/// magnitude in `b`, and neither is trivially zero.
fn close(what: &str, a: &[f64], b: &[f64], ulps: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = b.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    assert!(scale > 0.0, "{what}: all zero");
    let tol = ulps * f64::EPSILON * scale;
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol,
            "{what}[{i}]: {x} vs {y} (tolerance {tol:e})"
        );
    }
}

fn m(a: &DMatrix<f64>) -> &[f64] {
    a.as_slice()
}

#[test]
fn seed_network_tape_equals_handwritten() {
    let s = Seed::new();
    let mut tape = Tape::new();
    let mut hand = SeedHand::new();
    for _ in 0..3 {
        // Several steps on one tape: the steady state gives the same numbers.
        let (l, g) = s.tape_grad(&mut tape).unwrap();
        let lh = hand.grad(&s);
        close("loss", &[l], &[lh], 2.0);
        close("dW", m(&g[0]), m(&hand.dw), 4.0);
        close("db", m(&g[1]), m(&hand.db), 4.0);
        assert_eq!(s.tape_forward(&mut tape).unwrap(), l);
        assert_eq!(hand.forward(&s), lh);
        for g in g {
            tape.recycle(g);
        }
    }
    // The closed form of worked example 7 (dualgrad::guide::worked_examples), from the hand-written y.
    let y = &hand.y;
    let dh: Vec<f64> = y.iter().map(|&y| y * (1.0 - y * y)).collect();
    let dw: Vec<f64> = (0..2)
        .flat_map(|j| s.x.iter().map(|&x| x * dh[j]).collect::<Vec<_>>())
        .collect();
    close("dW closed form", m(&hand.dw), &dw, 4.0);
}

#[test]
fn mlp_tape_equals_handwritten() {
    let mut n = Net::new();
    let mut tape = Tape::new();
    let mut hand = HandMlp::new(&n.mlp, n.x.nrows());
    for _ in 0..2 {
        let (l, g) = n.tape_grad(&mut tape).unwrap();
        let lh = hand.grad(&n.mlp, &n.x, &n.labels);
        close("loss", &[l], &[lh], 8.0);
        close("dW1", m(&g[0].dw), m(&hand.grads[0].0), 64.0);
        close("db1", m(&g[0].db), m(&hand.grads[0].1), 64.0);
        close("dW2", m(&g[1].dw), m(&hand.grads[1].0), 64.0);
        close("db2", m(&g[1].db), m(&hand.grads[1].1), 64.0);
        close("forward", &[n.tape_forward(&mut tape).unwrap()], &[l], 0.0);
        close(
            "hand forward",
            &[hand.loss(&n.mlp, &n.x, &n.labels)],
            &[lh],
            0.0,
        );
        for g in g {
            tape.recycle(g.dw);
            tape.recycle(g.db);
        }
    }
    // Some hidden units are active and some are not (ReLU exercised).
    let active = hand.z[0].iter().filter(|&&z| z > 0.0).count();
    assert!(active > 0 && active < hand.z[0].len(), "{active}");
}

#[test]
fn gradients_of_n_inputs_equal_closed_forms() {
    let mut tape = Tape::new();
    for n in [4, 16, 64] {
        let r = Rosen::new(n);
        let (_, g) = r.tape_grad(&mut tape).unwrap();
        close(&format!("rosenbrock {n}"), m(&g), &r.closed_form(), 8.0);
        tape.recycle(g);
        let d = TanhNet::new(n);
        let (f, g) = d.tape_grad(&mut tape).unwrap();
        let (fc, gc) = d.closed_form();
        close(&format!("tanh net {n} value"), &[f], &[fc], 4.0);
        close(&format!("tanh net {n}"), m(&g), &gc, 16.0);
        tape.recycle(g);
    }
}

/// The generic hand-written MLP of `peer_rounds` (any depth, f32 or f64)
/// gives the tape's loss and gradients.
#[test]
fn generic_handwritten_mlp_equals_tape() {
    use dualgrad::nn::{Activation, Mlp, Targets};
    fn check<S: dualgrad::Scalar + nalgebra::RealField + Copy>(
        sizes: &[usize],
        batch: usize,
        tol: f64,
    ) {
        let mut acts = vec![Activation::Relu; sizes.len() - 2];
        acts.push(Activation::Identity);
        let mut mlp = Mlp::<S>::new(sizes, &acts, 11).unwrap();
        let mut g = dualgrad::SplitMix64::new(13);
        for l in &mut mlp.layers {
            l.b.apply(|b| *b = S::lit(0.05 * g.uniform(-1.0, 1.0)));
        }
        let x = DMatrix::from_fn(batch, sizes[0], |_, _| S::lit(g.uniform(-1.0, 1.0)));
        let labels: Vec<usize> = (0..batch)
            .map(|i| (i * 7 + 3) % sizes[sizes.len() - 1])
            .collect();
        let mut tape = Tape::new();
        let (l, grads) = mlp
            .loss_and_gradients(&mut tape, &x, Targets::Labels(&labels))
            .unwrap();
        let mut hand = HandMlp::new(&mlp, batch);
        for _ in 0..2 {
            let lh = hand.grad(&mlp, &x, &labels);
            let f = |v: S| v.to_f64().unwrap();
            assert!((f(l) - f(lh)).abs() <= tol * f(l).abs(), "{sizes:?} loss");
            for (k, (d, (dw, db))) in grads.iter().zip(&hand.grads).enumerate() {
                let scale = f(d.dw.amax()).max(f(d.db.amax()));
                let err = f((&d.dw - dw).amax()).max(f((&d.db - db).amax()));
                assert!(
                    scale > 0.0 && err <= tol * scale,
                    "{sizes:?} layer {k}: {err}"
                );
            }
        }
    }
    check::<f64>(&[30, 16, 12, 5], 8, 1e-13);
    check::<f32>(&[30, 16, 12, 5], 8, 1e-5);
}

/// The hand-written seed step in f32 (what `peer_rounds` times for
/// `hand-seed:f32`) gives the f64 step's numbers within f32 rounding.
#[test]
fn handwritten_seed_in_f32_follows_f64() {
    use dualgrad_bench::reverse_work::hand_seed_grad;
    let s = Seed::new();
    let mut hand = SeedHand::new();
    let l = hand.grad(&s);
    let c = |a: &DMatrix<f64>| a.map(|v| v as f32);
    let (mut y, mut dw, mut db) = (
        DMatrix::zeros(1, 2),
        DMatrix::zeros(7, 2),
        DMatrix::zeros(1, 2),
    );
    let l32 = hand_seed_grad(&c(&s.x), &c(&s.w), &c(&s.b), &mut y, &mut dw, &mut db);
    let near = |a: &f32, b: &f64| (f64::from(*a) - b).abs() <= 1e-6 * (1.0 + b.abs());
    assert!(near(&l32, &l), "{l32} vs {l}");
    assert!(
        dw.iter().zip(hand.dw.iter()).all(|(a, b)| near(a, b)),
        "{dw} vs {}",
        hand.dw
    );
    assert!(
        db.iter().zip(hand.db.iter()).all(|(a, b)| near(a, b)),
        "{db} vs {}",
        hand.db
    );
}
