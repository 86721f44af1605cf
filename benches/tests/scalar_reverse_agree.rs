//! Every side of `benches/scalar_reverse.rs` computes the same gradient:
//! dualgrad's reverse mode (`gradient_rev_dyn`, and a reused `Recorder`),
//! its forward mode (`gradient_dyn`), `ad_trait`'s `adr` and the `reverse`
//! crate, on every workload; the values equal the plain `f64` evaluation.
//!
//! Tolerances: the sides accumulate adjoints in different orders and use
//! different formulas for some local derivatives (tanh′, powf′), so they
//! agree to a few ulps of the largest component, not bit for bit. For
//! function (c) the `reverse` crate's atan2 is atan(y/x) (it has no atan2).

use ad_trait::reverse_ad::adr::adr;
use dualgrad::gradient_dyn;
use dualgrad::record::{gradient_rev_dyn, Recorder, Taped};
use dualgrad_bench::scalar_reverse_work::{adm, float, inputs, lattice, rv, tape, Net, NET_IN};

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

fn adr_gradient(f: impl Fn(&[adr]) -> adr, x: &[f64]) -> (f64, Vec<f64>) {
    let vars: Vec<adr> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| adr::new_variable(v, i == 0))
        .collect();
    let y = f(&vars);
    let g = y.get_backwards_mode_grad();
    (y.value(), vars.iter().map(|v| g.wrt(v)).collect())
}

fn reverse_gradient(
    f: impl for<'a> Fn(&[reverse::Var<'a>]) -> reverse::Var<'a>,
    x: &[f64],
) -> (f64, Vec<f64>) {
    use reverse::Gradient;
    let tape = reverse::Tape::new();
    let vars = tape.add_vars(x);
    let y = f(&vars);
    (y.val(), y.grad().wrt(&vars))
}

#[allow(clippy::too_many_arguments)]
fn agree(
    what: &str,
    x: &[f64],
    plain: impl Fn(&[f64]) -> f64,
    taped: impl Fn(&[Taped<f64>]) -> Taped<f64>,
    fwd: impl Fn(&[dualgrad::ChunkDual<f64>]) -> dualgrad::ChunkDual<f64>,
    ad: impl Fn(&[adr]) -> adr,
    rev: impl for<'a> Fn(&[reverse::Var<'a>]) -> reverse::Var<'a>,
    ulps: f64,
) {
    let value = plain(x);
    let (v, g) = gradient_rev_dyn(&taped, x).unwrap();
    assert_eq!(v, value, "{what}: value");
    let mut rec = Recorder::new();
    for _ in 0..2 {
        let y = rec.record(x, &taped).unwrap();
        assert_eq!(rec.gradient(y).unwrap(), &g[..], "{what}: recorder");
    }
    let (fv, fg) = gradient_dyn(fwd, x);
    assert_eq!(fv, value, "{what}: forward value");
    close(&format!("{what} forward"), &g, &fg, ulps);
    let (av, ag) = adr_gradient(ad, x);
    assert!(
        (av - value).abs() <= 4.0 * f64::EPSILON * value.abs(),
        "{what}: adr value"
    );
    close(&format!("{what} adr"), &ag, &g, ulps);
    let (rv_, rg) = reverse_gradient(rev, x);
    assert!(
        (rv_ - value).abs() <= 4.0 * f64::EPSILON * value.abs(),
        "{what}: reverse value"
    );
    close(&format!("{what} reverse"), &rg, &g, ulps);
}

#[test]
fn rosenbrock_all_sides_agree() {
    for n in [10, 100, 1000, 10000] {
        let x = inputs(n, 1);
        agree(
            &format!("rosenbrock {n}"),
            &x,
            float::rosenbrock,
            float::rosenbrock,
            float::rosenbrock,
            adm::rosenbrock,
            rv::rosenbrock,
            8.0,
        );
        // The matrix tape (row slices) on the same function.
        let (v, g) = gradient_rev_dyn(float::rosenbrock, &x).unwrap();
        let mut t = dualgrad::reverse::Tape::new();
        for _ in 0..2 {
            let (tv, tg) = tape::gradient(&mut t, &x).unwrap();
            assert!(
                (tv - v).abs() <= 4.0 * f64::EPSILON * v.abs(),
                "tape value {n}"
            );
            close(&format!("rosenbrock {n} matrix tape"), &tg, &g, 8.0);
        }
    }
}

#[test]
fn lennard_jones_all_sides_agree() {
    for atoms in [30, 100] {
        let x = lattice(atoms, 2);
        agree(
            &format!("lennard-jones {atoms}"),
            &x,
            float::lennard_jones,
            float::lennard_jones,
            float::lennard_jones,
            adm::lennard_jones,
            rv::lennard_jones,
            64.0,
        );
    }
}

#[test]
fn tanh_network_all_sides_agree() {
    let net = Net::new(3);
    let x = inputs(NET_IN, 4);
    agree(
        "tanh network",
        &x,
        |x| float::tanh_net(x, &net),
        |x| float::tanh_net(x, &net),
        |x| float::tanh_net(x, &net),
        |x| adm::tanh_net(x, &net),
        |x| rv::tanh_net(x, &net),
        16.0,
    );
}

#[test]
fn function_c_all_sides_agree() {
    let x = inputs(2, 5);
    agree(
        "function (c)",
        &x,
        |x| float::fc(x[0], x[1]),
        |x| float::fc(x[0], x[1]),
        |x| float::fc(x[0], x[1]),
        |x| adm::fc(x[0], x[1]),
        |x| rv::fc(x[0], x[1]),
        16.0,
    );
}
