//! Reverse mode for generic scalar code: `dualgrad::record` (the recording
//! number type `Taped<f64>`) against plain `f64`, dualgrad's forward
//! `gradient_dyn`, and the scalar reverse-mode crates `ad_trait` (`adr`)
//! and `reverse`, on the workloads of `src/scalar_reverse_work.rs`.
//!
//! Groups (`target/criterion/<group>/<id>/`): `srev_rosen_{10,100,1000,10000}`,
//! `srev_lj_{30,100}`, `srev_net_64`, `srev_fc`, each with the rows
//! `f64`, `dualgrad_rev` (the `gradient_rev_dyn` driver), `dualgrad_rev_recorder`
//! (a `Recorder` reused across calls), `dualgrad_fwd` (forward
//! `gradient_dyn`; `gradient` for function (c); left out at n = 10,000),
//! `ad_trait_adr`, `reverse`, and for Rosenbrock `dualgrad_matrix_tape` (the
//! matrix tape on an n × 1 column, written with row slices); and `srev2_rosen_{100,1000}` with
//! `dualgrad_grad`, `dualgrad_hvp` (`hvp_rev`), and for n = 100
//! `dualgrad_hessian_rev`, `dualgrad_hessian_dyn`; `srev2_rosen_{4,8,16}` with
//! `dualgrad_hessian_rev`, `dualgrad_hessian_dyn` and
//! `dualgrad_hessian_dual2vec` (forward `hessian` on `[f64; N]`).
//!
//! `DUALGRAD_PROBE=<group>/<id>:<iterations>` runs one workload that many
//! times instead (for callgrind instruction counts,
//! `scripts/callgrind_counts.py --scalar-reverse`).

use ad_trait::reverse_ad::adr::adr;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use dualgrad::record::{gradient_rev, gradient_rev_dyn, hessian_rev, hvp_rev, Recorder};
use dualgrad::{gradient, gradient_dyn, hessian, hessian_dyn};
use dualgrad_bench::scalar_reverse_work::{adm, float, inputs, lattice, rv, tape, Net};
use std::cell::RefCell;
use std::hint::black_box;

enum Mode {
    Criterion(Box<Criterion>),
    Probe { target: String, iters: u64 },
}

struct Group<'a> {
    name: String,
    crit: Option<BenchmarkGroup<'a, WallTime>>,
    probe: Option<(&'a str, u64)>,
}

impl<'a> Group<'a> {
    fn new(mode: &'a mut Mode, name: &str) -> Self {
        match mode {
            Mode::Criterion(c) => Group {
                name: name.to_string(),
                crit: Some(c.benchmark_group(name)),
                probe: None,
            },
            Mode::Probe { target, iters } => Group {
                name: name.to_string(),
                crit: None,
                probe: Some((target.as_str(), *iters)),
            },
        }
    }

    fn bench<R>(&mut self, id: &str, mut f: impl FnMut() -> R) -> &mut Self {
        if let Some(g) = self.crit.as_mut() {
            g.bench_function(id, |b| b.iter(&mut f));
        }
        if let Some((target, iters)) = self.probe {
            if target == format!("{}/{}", self.name, id) {
                for _ in 0..iters {
                    black_box(f());
                }
                eprintln!("probe: ran {target} {iters} times");
            }
        }
        self
    }

    fn finish(self) {
        if let Some(g) = self.crit {
            g.finish();
        }
    }
}

/// The gradient by `ad_trait`'s `adr` (its thread-local graph is reset by
/// the first variable).
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

/// The gradient by the `reverse` crate, on a tape cleared and reused.
fn reverse_gradient(
    tape: &reverse::Tape,
    f: impl for<'a> Fn(&[reverse::Var<'a>]) -> reverse::Var<'a>,
    x: &[f64],
) -> (f64, Vec<f64>) {
    use reverse::Gradient;
    tape.clear();
    let vars = tape.add_vars(x);
    let y = f(&vars);
    let g = y.grad();
    (y.val(), g.wrt(&vars))
}

/// A gradient driver on plain inputs: `f(x)` and `∇f(x)`.
type GradFn<'a> = dyn Fn(&[f64]) -> (f64, Vec<f64>) + 'a;

/// One first-order group: every row on the same function of a slice.
#[allow(clippy::too_many_arguments)]
fn first_order(
    mode: &mut Mode,
    name: &str,
    x: &[f64],
    plain: impl Fn(&[f64]) -> f64,
    taped: impl Fn(&[dualgrad::record::Taped<f64>]) -> dualgrad::record::Taped<f64>,
    fwd: Option<&GradFn<'_>>,
    ad: impl Fn(&[adr]) -> adr,
    rev: impl for<'a> Fn(&[reverse::Var<'a>]) -> reverse::Var<'a>,
    matrix_tape: Option<&GradFn<'_>>,
) {
    let tape = reverse::Tape::new();
    let mut rec = Recorder::new();
    let mut g = Group::new(mode, name);
    g.bench("f64", || plain(black_box(x)))
        .bench("dualgrad_rev", || gradient_rev_dyn(&taped, black_box(x)))
        .bench("dualgrad_rev_recorder", || {
            let y = rec.record(black_box(x), &taped).unwrap();
            rec.gradient(y).unwrap()[0]
        });
    if let Some(fwd) = fwd {
        g.bench("dualgrad_fwd", || fwd(black_box(x)));
    }
    g.bench("ad_trait_adr", || adr_gradient(&ad, black_box(x)))
        .bench("reverse", || reverse_gradient(&tape, &rev, black_box(x)));
    if let Some(mt) = matrix_tape {
        g.bench("dualgrad_matrix_tape", || mt(black_box(x)));
    }
    g.finish();
}

fn run(mode: &mut Mode) {
    for n in [10, 100, 1000, 10000] {
        let x = inputs(n, 1);
        let fwd = |x: &[f64]| gradient_dyn(float::rosenbrock, x);
        let mt = RefCell::new(dualgrad::reverse::Tape::new());
        let matrix_tape = |x: &[f64]| {
            let mut t = mt.borrow_mut();
            tape::gradient(&mut t, x).unwrap_or_default()
        };
        first_order(
            mode,
            &format!("srev_rosen_{n}"),
            &x,
            float::rosenbrock,
            float::rosenbrock,
            if n <= 1000 { Some(&fwd) } else { None },
            adm::rosenbrock,
            rv::rosenbrock,
            Some(&matrix_tape),
        );
    }
    for atoms in [30, 100] {
        let x = lattice(atoms, 2);
        let fwd = |x: &[f64]| gradient_dyn(float::lennard_jones, x);
        first_order(
            mode,
            &format!("srev_lj_{atoms}"),
            &x,
            float::lennard_jones,
            float::lennard_jones,
            Some(&fwd),
            adm::lennard_jones,
            rv::lennard_jones,
            None,
        );
    }
    {
        let net = Net::new(3);
        let x = inputs(dualgrad_bench::scalar_reverse_work::NET_IN, 4);
        let fwd = |x: &[f64]| gradient_dyn(|x| float::tanh_net(x, &net), x);
        first_order(
            mode,
            "srev_net_64",
            &x,
            |x| float::tanh_net(x, &net),
            |x| float::tanh_net(x, &net),
            Some(&fwd),
            |x| adm::tanh_net(x, &net),
            |x| rv::tanh_net(x, &net),
            None,
        );
    }
    {
        let x = inputs(2, 5);
        let fwd = |x: &[f64]| {
            let (v, g) = gradient(|[a, b]| float::fc(a, b), [x[0], x[1]]);
            (v, g.to_vec())
        };
        let tape = reverse::Tape::new();
        let mut g = Group::new(mode, "srev_fc");
        g.bench("f64", || float::fc(black_box(x[0]), black_box(x[1])))
            .bench("dualgrad_rev", || {
                gradient_rev(|[a, b]| float::fc(a, b), black_box([x[0], x[1]]))
            })
            .bench("dualgrad_fwd", || fwd(black_box(&x)))
            .bench("ad_trait_adr", || {
                adr_gradient(|v| adm::fc(v[0], v[1]), black_box(&x))
            })
            .bench("reverse", || {
                reverse_gradient(&tape, |v| rv::fc(v[0], v[1]), black_box(&x))
            });
        g.finish();
    }
    small_hessian::<4>(mode);
    small_hessian::<8>(mode);
    small_hessian::<16>(mode);
    for n in [100, 1000] {
        let x = inputs(n, 6);
        let v = inputs(n, 7);
        let mut g = Group::new(mode, &format!("srev2_rosen_{n}"));
        g.bench("dualgrad_grad", || {
            gradient_rev_dyn(float::rosenbrock, black_box(&x))
        })
        .bench("dualgrad_hvp", || {
            hvp_rev(float::rosenbrock, black_box(&x), &v)
        });
        if n == 100 {
            g.bench("dualgrad_hessian_rev", || {
                hessian_rev(float::rosenbrock, black_box(&x))
            })
            .bench("dualgrad_hessian_dyn", || {
                hessian_dyn(float::rosenbrock, black_box(&x))
            });
        }
        g.finish();
    }
}

/// Small Hessians: forward Dual2Vec (one evaluation) against reverse.
fn small_hessian<const N: usize>(mode: &mut Mode) {
    let x = inputs(N, 6);
    let xa: [f64; N] = core::array::from_fn(|i| x[i]);
    let mut g = Group::new(mode, &format!("srev2_rosen_{N}"));
    g.bench("dualgrad_hessian_rev", || {
        hessian_rev(float::rosenbrock, black_box(&x))
    })
    .bench("dualgrad_hessian_dyn", || {
        hessian_dyn(float::rosenbrock, black_box(&x))
    })
    .bench("dualgrad_hessian_dual2vec", || {
        hessian(|x| float::rosenbrock(&x), black_box(xa))
    });
    g.finish();
}

fn main() {
    let mut mode = match std::env::var("DUALGRAD_PROBE") {
        Ok(p) => {
            let (target, iters) = p.rsplit_once(':').expect("DUALGRAD_PROBE=<group>/<id>:<n>");
            Mode::Probe {
                target: target.to_string(),
                iters: iters.parse().expect("iterations"),
            }
        }
        Err(_) => Mode::Criterion(Box::new(Criterion::default().configure_from_args())),
    };
    run(&mut mode);
    if let Mode::Criterion(c) = mode {
        c.final_summary();
    }
}
