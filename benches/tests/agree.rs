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
use dualgrad_bench::reverse_work::{Net, NetHand, Rosen, Seed, SeedHand, TanhNet};
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
    let mut hand = NetHand::new();
    for _ in 0..2 {
        let (l, g) = n.tape_grad(&mut tape).unwrap();
        let lh = hand.grad(&n);
        close("loss", &[l], &[lh], 8.0);
        close("dW1", m(&g[0].dw), m(&hand.dw1), 64.0);
        close("db1", m(&g[0].db), m(&hand.db1), 64.0);
        close("dW2", m(&g[1].dw), m(&hand.dw2), 64.0);
        close("db2", m(&g[1].db), m(&hand.db2), 64.0);
        close("forward", &[n.tape_forward(&mut tape).unwrap()], &[l], 0.0);
        close("hand forward", &[hand.forward(&n)], &[lh], 0.0);
        for g in g {
            tape.recycle(g.dw);
            tape.recycle(g.db);
        }
    }
    // Some hidden units are active and some are not (ReLU exercised).
    let active = hand.z1.iter().filter(|&&z| z > 0.0).count();
    assert!(active > 0 && active < hand.z1.len(), "{active}");
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
