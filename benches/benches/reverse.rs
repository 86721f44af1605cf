//! Reverse-mode benchmarks (issue 5, workload 5, and the reverse rows of
//! workload 3): the tape against a hand-written nalgebra backpropagation of
//! the same network, and against the forward pass alone, in the same run.
//!
//! Groups (`target/criterion/<group>/<id>/`):
//! - `reverse_seed` (x 1×7, W 7×2, b 1×2, tanh, mean of squares) and
//!   `reverse_mlp` (784→128→10, ReLU, cross-entropy, batch 64), each with
//!   ids `tape_grad` (loss and all parameter gradients on the tape),
//!   `replay_grad` (the same, recorded once and replayed: `Tape::replay`,
//!   `Mlp::replay`),
//!   `hand_grad` (hand-written nalgebra backpropagation), `tape_forward`
//!   (the loss alone, recorded on the tape) and `hand_forward` (the loss
//!   alone, plain nalgebra);
//! - `grad_b_{4,16,64}` and `grad_d_{4,16,64}`, id `dualgrad_reverse`: the
//!   gradient of the forward benchmarks' Rosenbrock and tanh-network
//!   functions with the tape (the same group names as `benches/forward.rs`,
//!   so the rows pair up with its `DualVec` and num-dual timings).
//!
//! Every tape workload uses the steady-state API: one tape, reset at every
//! step, spent gradients handed back with `Tape::recycle`.
//! `tests/agree.rs` checks that both sides compute the
//! same loss and gradients. `benches/scripts/bench_reverse_table.py` prints the
//! table of ratios.
//!
//! With `DUALGRAD_PROBE=<group>/<id>:<iterations>` set (`reverse_seed` or
//! `reverse_mlp` groups), the binary instead runs that one workload the
//! given number of times and exits: a fixed amount of work for
//! `valgrind --tool=callgrind` instruction counts.

use criterion::{criterion_group, Criterion};
use dualgrad::reverse::Tape;
use dualgrad_bench::reverse_work::{HandMlp, Net, Rosen, Seed, SeedHand, TanhNet};
use std::hint::black_box;

fn seed(c: &mut Criterion) {
    let s = Seed::new();
    let mut tape = Tape::new();
    let mut hand = SeedHand::new();
    let mut g = c.benchmark_group("reverse_seed");
    g.bench_function("tape_grad", |b| {
        b.iter(|| {
            let (l, grads) = black_box(&s).tape_grad(&mut tape).unwrap();
            let out = l + grads[0][(0, 0)] + grads[1][(0, 0)];
            for m in grads {
                tape.recycle(m);
            }
            out
        })
    });
    let mut replay = s.replay().unwrap();
    g.bench_function("replay_grad", |b| {
        b.iter(|| {
            let l = black_box(&s).replay_grad(&mut replay).unwrap();
            let g = replay.gradients();
            l + g[0][(0, 0)] + g[1][(0, 0)]
        })
    });
    g.bench_function("hand_grad", |b| {
        b.iter(|| {
            let l = hand.grad(black_box(&s));
            l + hand.dw[(0, 0)] + hand.db[(0, 0)]
        })
    });
    g.bench_function("tape_forward", |b| {
        b.iter(|| black_box(&s).tape_forward(&mut tape).unwrap())
    });
    g.bench_function("hand_forward", |b| b.iter(|| hand.forward(black_box(&s))));
    g.finish();
}

fn mlp(c: &mut Criterion) {
    let mut n = Net::new();
    let mut tape = Tape::new();
    let mut hand = HandMlp::new(&n.mlp, n.x.nrows());
    let mut g = c.benchmark_group("reverse_mlp");
    g.bench_function("tape_grad", |b| {
        b.iter(|| {
            let (l, grads) = black_box(&mut n).tape_grad(&mut tape).unwrap();
            let out = l + grads[0].dw[(0, 0)] + grads[1].db[(0, 0)];
            for d in grads {
                tape.recycle(d.dw);
                tape.recycle(d.db);
            }
            out
        })
    });
    let mut replay = n.replay().unwrap();
    g.bench_function("replay_grad", |b| {
        b.iter(|| {
            let (l, grads) = black_box(&mut n).replay_grad(&mut replay).unwrap();
            l + grads[0].dw[(0, 0)] + grads[1].db[(0, 0)]
        })
    });
    g.bench_function("hand_grad", |b| {
        b.iter(|| {
            let n = black_box(&n);
            let l = hand.grad(&n.mlp, &n.x, &n.labels);
            l + hand.grads[0].0[(0, 0)] + hand.grads[1].1[(0, 0)]
        })
    });
    g.bench_function("tape_forward", |b| {
        b.iter(|| black_box(&n).tape_forward(&mut tape).unwrap())
    });
    g.bench_function("hand_forward", |b| {
        b.iter(|| {
            let n = black_box(&n);
            hand.loss(&n.mlp, &n.x, &n.labels)
        })
    });
    g.finish();
}

fn gradients(c: &mut Criterion) {
    let mut tape = Tape::new();
    for n in [4, 16, 64] {
        let r = Rosen::new(n);
        c.benchmark_group(format!("grad_b_{n}"))
            .bench_function("dualgrad_reverse", |b| {
                b.iter(|| {
                    let (f, g) = black_box(&r).tape_grad(&mut tape).unwrap();
                    let out = f + g[0];
                    tape.recycle(g);
                    out
                })
            });
        let d = TanhNet::new(n);
        c.benchmark_group(format!("grad_d_{n}"))
            .bench_function("dualgrad_reverse", |b| {
                b.iter(|| {
                    let (f, g) = black_box(&d).tape_grad(&mut tape).unwrap();
                    let out = f + g[0];
                    tape.recycle(g);
                    out
                })
            });
    }
}

/// Runs one workload `iters` times (for instruction counts).
fn probe(target: &str, iters: u64) {
    let (s, mut sh) = (Seed::new(), SeedHand::new());
    let mut n = Net::new();
    let mut nh = HandMlp::new(&n.mlp, n.x.nrows());
    let mut tape = Tape::new();
    let mut seed_replay = s.replay().unwrap();
    let mut net_replay = n.replay().unwrap();
    for _ in 0..iters {
        match target {
            "reverse_seed/replay_grad" => {
                black_box(s.replay_grad(&mut seed_replay).unwrap());
            }
            "reverse_mlp/replay_grad" => {
                black_box(n.replay_grad(&mut net_replay).unwrap().0);
            }
            "reverse_seed/tape_grad" => {
                let (_, g) = s.tape_grad(&mut tape).unwrap();
                g.into_iter().for_each(|m| tape.recycle(m));
            }
            "reverse_seed/hand_grad" => {
                black_box(sh.grad(&s));
            }
            "reverse_seed/tape_forward" => {
                black_box(s.tape_forward(&mut tape).unwrap());
            }
            "reverse_seed/hand_forward" => {
                black_box(sh.forward(&s));
            }
            "reverse_mlp/tape_grad" => {
                let (_, g) = n.tape_grad(&mut tape).unwrap();
                for d in g {
                    tape.recycle(d.dw);
                    tape.recycle(d.db);
                }
            }
            "reverse_mlp/hand_grad" => {
                black_box(nh.grad(&n.mlp, &n.x, &n.labels));
            }
            "reverse_mlp/tape_forward" => {
                black_box(n.tape_forward(&mut tape).unwrap());
            }
            "reverse_mlp/hand_forward" => {
                black_box(nh.loss(&n.mlp, &n.x, &n.labels));
            }
            _ => panic!("unknown probe {target}"),
        }
    }
    eprintln!("probe: ran {target} {iters} times");
}

criterion_group!(benches, seed, mlp, gradients);

fn main() {
    if let Ok(p) = std::env::var("DUALGRAD_PROBE") {
        let (target, iters) = p.rsplit_once(':').expect("DUALGRAD_PROBE=<group>/<id>:<n>");
        probe(target, iters.parse().expect("an iteration count"));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
