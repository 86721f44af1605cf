//! Forward-mode benchmarks: dualgrad against num-dual (and plain `f64`) on
//! the same functions, in the same run.
//!
//! Groups (`target/criterion/<group>/<id>/`):
//! - `eval_{a,b,c,d}`: plain `f64`, `Dual<f64>`, num-dual `Dual64`
//!   (one directional derivative);
//! - `second_{a,b,c,d}`: `HyperDual<f64>`, `Dual<Dual<f64>>` and num-dual's
//!   `HyperDual64`, `Dual<Dual64>` (one mixed second partial);
//! - `grad_{b,d}_{4,16,64}`: the whole gradient, `DualVec` vs num-dual's
//!   `gradient` on `DualSVec64` (and chunked `DualVec` for 64 inputs);
//! - `hess_{b,d}_16`: the whole Hessian, `Dual2Vec` vs num-dual's
//!   `hessian` on `Dual2SVec64`.
//!
//! `benches/scripts/bench.sh` runs this and prints the table of ratios.
//!
//! With `DUALGRAD_PROBE=<group>/<id>:<iterations>` set, the binary instead
//! runs that one workload the given number of times and exits: a fixed
//! amount of work for `valgrind --tool=callgrind` instruction counts.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use dualgrad::{directional_derivative, gradient, hessian, mixed_partial, Dual, DualVec};
use dualgrad_bench::forward_work::{inputs, nd, ours, Net};
use nalgebra::SVector;
use num_dual::{Dual2SVec64, Dual64, DualSVec64, HyperDual64};
use std::hint::black_box;

/// Where the workloads go: criterion, or the probe loop.
enum Mode {
    Criterion(Box<Criterion>),
    Probe { target: String, iters: u64 },
}

/// One benchmark group in either mode.
struct Group<'a> {
    name: &'static str,
    crit: Option<BenchmarkGroup<'a, WallTime>>,
    probe: Option<(&'a str, u64)>,
}

impl<'a> Group<'a> {
    fn new(mode: &'a mut Mode, name: &'static str) -> Self {
        match mode {
            Mode::Criterion(c) => Group {
                name,
                crit: Some(c.benchmark_group(name)),
                probe: None,
            },
            Mode::Probe { target, iters } => Group {
                name,
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

/// `[x; N]` as num-dual `Dual64`s with derivative part 1.
fn nd_dir<const N: usize>(x: [f64; N]) -> [Dual64; N] {
    x.map(|xi| Dual64::new(xi, 1.0))
}

/// `[x; N]` as num-dual hyper-duals seeded for ∂²/∂x₀∂x₁.
fn nd_hyper<const N: usize>(x: [f64; N]) -> [HyperDual64; N] {
    let mut v = x.map(HyperDual64::from_re);
    v[0].eps1 = 1.0;
    v[1].eps2 = 1.0;
    v
}

/// `[x; N]` as dualgrad `Dual<Dual<f64>>`s seeded for ∂²/∂x₀∂x₁ (the same
/// way as [`nd_dd`]).
fn dd<const N: usize>(x: [f64; N]) -> [Dual<Dual<f64>>; N] {
    let mut v = x.map(|xi| Dual::constant(Dual::constant(xi)));
    v[0].re.eps = 1.0;
    v[1].eps.re = 1.0;
    v
}

/// `[x; N]` as num-dual `Dual<Dual64>`s seeded for ∂²/∂x₀∂x₁.
fn nd_dd<const N: usize>(x: [f64; N]) -> [num_dual::Dual<Dual64>; N] {
    let mut v = x.map(|xi| num_dual::Dual::from_re(Dual64::from_re(xi)));
    v[0].re.eps = 1.0;
    v[1].eps.re = 1.0;
    v
}

/// The gradient from `⌈N / C⌉` evaluations on `DualVec<f64, C>`, each
/// seeding `C` of the inputs.
#[inline]
fn gradient_chunked<const N: usize, const C: usize>(
    f: impl Fn([DualVec<f64, C>; N]) -> DualVec<f64, C>,
    x: [f64; N],
) -> (f64, [f64; N]) {
    let mut g = [0.0; N];
    let mut value = 0.0;
    for start in (0..N).step_by(C) {
        let y = f(core::array::from_fn(|i| {
            DualVec::variable(x[i], i.wrapping_sub(start))
        }));
        value = y.re;
        for (gi, e) in g[start..].iter_mut().zip(y.eps.iter()) {
            *gi = *e;
        }
    }
    (value, g)
}

/// Plain `f64` through the `ours` expansion (`f64: Scalar`).
fn eval_group(mode: &mut Mode) {
    let [x, y] = inputs::<2>(1);
    let xb = inputs::<16>(2);
    let net = Net::<16>::new(3);
    let ones = [1.0; 16];

    let mut g = Group::new(mode, "eval_a");
    g.bench("f64", || ours::fa(black_box(x), black_box(y)))
        .bench("dualgrad_Dual", || {
            directional_derivative(|[x, y]| ours::fa(x, y), black_box([x, y]), [1.0, 1.0])
        })
        .bench("numdual_Dual64", || {
            let [x, y] = nd_dir(black_box([x, y]));
            let r = nd::fa(x, y);
            (r.re, r.eps)
        });
    g.finish();

    let mut g = Group::new(mode, "eval_b");
    g.bench("f64", || ours::fb(&black_box(xb)))
        .bench("dualgrad_Dual", || {
            directional_derivative(|x| ours::fb(&x), black_box(xb), ones)
        })
        .bench("numdual_Dual64", || {
            let r = nd::fb(&nd_dir(black_box(xb)));
            (r.re, r.eps)
        });
    g.finish();

    let mut g = Group::new(mode, "eval_c");
    g.bench("f64", || ours::fc(black_box(x), black_box(y)))
        .bench("dualgrad_Dual", || {
            directional_derivative(|[x, y]| ours::fc(x, y), black_box([x, y]), [1.0, 1.0])
        })
        .bench("numdual_Dual64", || {
            let [x, y] = nd_dir(black_box([x, y]));
            let r = nd::fc(x, y);
            (r.re, r.eps)
        });
    g.finish();

    let mut g = Group::new(mode, "eval_d");
    g.bench("f64", || ours::fd(&black_box(xb), &net))
        .bench("dualgrad_Dual", || {
            directional_derivative(|x| ours::fd(&x, &net), black_box(xb), ones)
        })
        .bench("numdual_Dual64", || {
            let r = nd::fd(&nd_dir(black_box(xb)), &net);
            (r.re, r.eps)
        });
    g.finish();
}

fn second_group(mode: &mut Mode) {
    let [x, y] = inputs::<2>(1);
    let xb = inputs::<16>(2);
    let net = Net::<16>::new(3);

    let mut g = Group::new(mode, "second_a");
    g.bench("dualgrad_HyperDual", || {
        mixed_partial(|[x, y]| ours::fa(x, y), black_box([x, y]), 0, 1)
    })
    .bench("numdual_HyperDual64", || {
        let [x, y] = nd_hyper(black_box([x, y]));
        let r = nd::fa(x, y);
        (r.re, r.eps1, r.eps2, r.eps1eps2)
    })
    .bench("dualgrad_DualDual", || {
        let [x, y] = dd(black_box([x, y]));
        ours::fa(x, y)
    })
    .bench("numdual_DualDual64", || {
        let [x, y] = nd_dd(black_box([x, y]));
        nd::fa(x, y)
    });
    g.finish();

    let mut g = Group::new(mode, "second_b");
    g.bench("dualgrad_HyperDual", || {
        mixed_partial(|x| ours::fb(&x), black_box(xb), 0, 1)
    })
    .bench("numdual_HyperDual64", || {
        let r = nd::fb(&nd_hyper(black_box(xb)));
        (r.re, r.eps1, r.eps2, r.eps1eps2)
    })
    .bench("dualgrad_DualDual", || ours::fb(&dd(black_box(xb))))
    .bench("numdual_DualDual64", || nd::fb(&nd_dd(black_box(xb))));
    g.finish();

    let mut g = Group::new(mode, "second_c");
    g.bench("dualgrad_HyperDual", || {
        mixed_partial(|[x, y]| ours::fc(x, y), black_box([x, y]), 0, 1)
    })
    .bench("numdual_HyperDual64", || {
        let [x, y] = nd_hyper(black_box([x, y]));
        let r = nd::fc(x, y);
        (r.re, r.eps1, r.eps2, r.eps1eps2)
    })
    .bench("dualgrad_DualDual", || {
        let [x, y] = dd(black_box([x, y]));
        ours::fc(x, y)
    })
    .bench("numdual_DualDual64", || {
        let [x, y] = nd_dd(black_box([x, y]));
        nd::fc(x, y)
    });
    g.finish();

    let mut g = Group::new(mode, "second_d");
    g.bench("dualgrad_HyperDual", || {
        mixed_partial(|x| ours::fd(&x, &net), black_box(xb), 0, 1)
    })
    .bench("numdual_HyperDual64", || {
        let r = nd::fd(&nd_hyper(black_box(xb)), &net);
        (r.re, r.eps1, r.eps2, r.eps1eps2)
    })
    .bench("dualgrad_DualDual", || ours::fd(&dd(black_box(xb)), &net))
    .bench("numdual_DualDual64", || nd::fd(&nd_dd(black_box(xb)), &net));
    g.finish();
}

/// num-dual's `gradient` on a function of an array.
#[inline]
fn nd_gradient<const N: usize>(
    f: impl Fn(&[DualSVec64<N>; N]) -> DualSVec64<N>,
    x: [f64; N],
) -> (f64, SVector<f64, N>) {
    num_dual::gradient(
        |v: SVector<DualSVec64<N>, N>| f(&v.data.0[0]),
        &SVector::from(x),
    )
}

fn grad_sizes<const N: usize>(mode: &mut Mode, names: [&'static str; 2]) {
    let x = inputs::<N>(4);
    let net = Net::<N>::new(5);

    let mut g = Group::new(mode, names[0]);
    g.bench("dualgrad_DualVec", || {
        gradient(|x| ours::fb(&x), black_box(x))
    })
    .bench("numdual_DualSVec64", || nd_gradient(nd::fb, black_box(x)));
    if N > 16 {
        g.bench("dualgrad_DualVec_chunk16", || {
            gradient_chunked::<N, 16>(|x| ours::fb(&x), black_box(x))
        })
        .bench("dualgrad_DualVec_chunk8", || {
            gradient_chunked::<N, 8>(|x| ours::fb(&x), black_box(x))
        });
    }
    g.finish();

    let mut g = Group::new(mode, names[1]);
    g.bench("dualgrad_DualVec", || {
        gradient(|x| ours::fd(&x, &net), black_box(x))
    })
    .bench("numdual_DualSVec64", || {
        nd_gradient(|x| nd::fd(x, &net), black_box(x))
    });
    if N > 16 {
        g.bench("dualgrad_DualVec_chunk16", || {
            gradient_chunked::<N, 16>(|x| ours::fd(&x, &net), black_box(x))
        })
        .bench("dualgrad_DualVec_chunk8", || {
            gradient_chunked::<N, 8>(|x| ours::fd(&x, &net), black_box(x))
        });
    }
    g.finish();
}

fn grad_group(mode: &mut Mode) {
    grad_sizes::<4>(mode, ["grad_b_4", "grad_d_4"]);
    grad_sizes::<16>(mode, ["grad_b_16", "grad_d_16"]);
    grad_sizes::<64>(mode, ["grad_b_64", "grad_d_64"]);
}

/// num-dual's `hessian` on a function of an array.
#[inline]
fn nd_hessian<const N: usize>(
    f: impl Fn(&[Dual2SVec64<N>; N]) -> Dual2SVec64<N>,
    x: [f64; N],
) -> (f64, SVector<f64, N>, nalgebra::SMatrix<f64, N, N>) {
    num_dual::hessian(
        |v: SVector<Dual2SVec64<N>, N>| f(&v.data.0[0]),
        &SVector::from(x),
    )
}

fn hess_group(mode: &mut Mode) {
    let x = inputs::<16>(6);
    let net = Net::<16>::new(7);

    let mut g = Group::new(mode, "hess_b_16");
    g.bench("dualgrad_Dual2Vec", || {
        hessian(|x| ours::fb(&x), black_box(x))
    })
    .bench("numdual_Dual2SVec64", || nd_hessian(nd::fb, black_box(x)));
    g.finish();

    let mut g = Group::new(mode, "hess_d_16");
    g.bench("dualgrad_Dual2Vec", || {
        hessian(|x| ours::fd(&x, &net), black_box(x))
    })
    .bench("numdual_Dual2SVec64", || {
        nd_hessian(|x| nd::fd(x, &net), black_box(x))
    });
    g.finish();
}

/// Before timing anything: both libraries compute the same numbers on the
/// same functions (so the comparison is between equal work).
fn check() {
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
    }
    let [x, y] = inputs::<2>(1);
    let xb = inputs::<16>(2);
    let net = Net::<16>::new(3);

    // First order, both libraries, all four functions.
    let ours2 = |f: fn(Dual<f64>, Dual<f64>) -> Dual<f64>| {
        directional_derivative(|[x, y]| f(x, y), [x, y], [1.0, 1.0])
    };
    let nd2 = |f: fn(Dual64, Dual64) -> Dual64| {
        let [x, y] = nd_dir([x, y]);
        let r = f(x, y);
        (r.re, r.eps)
    };
    let pairs = [
        (ours2(ours::fa), nd2(nd::fa), ours::fa(x, y)),
        (ours2(ours::fc), nd2(nd::fc), ours::fc(x, y)),
        (
            directional_derivative(|x| ours::fb(&x), xb, [1.0; 16]),
            {
                let r = nd::fb(&nd_dir(xb));
                (r.re, r.eps)
            },
            ours::fb(&xb),
        ),
        (
            directional_derivative(|x| ours::fd(&x, &net), xb, [1.0; 16]),
            {
                let r = nd::fd(&nd_dir(xb), &net);
                (r.re, r.eps)
            },
            ours::fd(&xb, &net),
        ),
    ];
    for (i, ((v, d), (nv, ndd), plain)) in pairs.into_iter().enumerate() {
        assert_eq!(v, plain, "function {i}: value part differs from f64");
        assert!(
            close(v, nv) && close(d, ndd),
            "function {i}: {v} {d} vs {nv} {ndd}"
        );
    }

    // Second order.
    let (_, _, _, h) = mixed_partial(|[x, y]| ours::fc(x, y), [x, y], 0, 1);
    let r = {
        let [x, y] = nd_hyper([x, y]);
        nd::fc(x, y)
    };
    let [a, b] = dd([x, y]);
    assert!(close(h, r.eps1eps2) && close(h, ours::fc(a, b).eps.eps));

    // Gradients and Hessians.
    let (v, g) = gradient(|x| ours::fd(&x, &net), xb);
    let (nv, ng) = nd_gradient(|x| nd::fd(x, &net), xb);
    let (cv, cg) = gradient_chunked::<16, 8>(|x| ours::fd(&x, &net), xb);
    assert!(close(v, nv) && v == cv && g == cg);
    assert!(g.iter().zip(ng.iter()).all(|(a, b)| close(*a, *b)));
    let (_, _, h) = hessian(|x| ours::fb(&x), xb);
    let (_, _, nh) = nd_hessian(nd::fb, xb);
    for i in 0..16 {
        for j in 0..16 {
            assert!(close(h[i][j], nh[(i, j)]), "Hessian ({i}, {j})");
        }
    }
}

fn main() {
    check();
    let mut mode = match std::env::var("DUALGRAD_PROBE") {
        Ok(p) => {
            let (target, iters) = p.rsplit_once(':').expect("DUALGRAD_PROBE=<group>/<id>:<n>");
            Mode::Probe {
                target: target.to_string(),
                iters: iters.parse().expect("iteration count"),
            }
        }
        Err(_) => Mode::Criterion(Box::new(Criterion::default().configure_from_args())),
    };
    eval_group(&mut mode);
    second_group(&mut mode);
    grad_group(&mut mode);
    hess_group(&mut mode);
    if let Mode::Criterion(c) = mode {
        c.final_summary();
    }
}
