//! dualgrad's side of `benches/peers/peers.py`: for each workload named on
//! the command line, the minimum time of one training step (loss and every
//! parameter gradient, recorded once and replayed: `Mlp::replay` and
//! `MlpReplay::loss_and_gradients`, `Tape::replay` for the seed network —
//! the API the README recommends for training loops) over `reps` steps, in
//! ns. With `PEER_ROUNDS_TAPE=1` set, every step records anew on a reset
//! tape instead (`Mlp::loss_and_gradients`).
//!
//! ```sh
//! cargo run --release -p dualgrad-bench --bin peer_rounds -- 100 seed:f64 mlp:784-128-10:b64:f32
//! ```
//!
//! A workload prefixed with `hand-` (`hand-seed:f64`,
//! `hand-mlp:784-128-10:b64:f64`) times the same step written by hand
//! instead (`reverse_work::HandMlp` and `reverse_work::hand_seed_grad`,
//! the same code as the criterion bench's hand-written rows): the baseline
//! of peers.py's "hand-written" column.
//!
//! Prints one line per workload: `<workload> <ns>`.

use dualgrad::nalgebra::DMatrix;
use dualgrad::nn::{Activation, Mlp, MlpReplay, Targets};
use dualgrad::reverse::{Replay, Tape};
use dualgrad::{Scalar, SplitMix64};
use dualgrad_bench::reverse_work::{hand_seed_grad, HandMlp};
use std::hint::black_box;
use std::time::Instant;

/// One workload, ready to step.
trait Step {
    fn step(&mut self) -> f64;
}

/// An MLP with ReLU hidden layers and cross-entropy on labels i mod classes.
struct MlpStep<S: Scalar> {
    mlp: Mlp<S>,
    tape: Tape<S>,
    /// The step recorded once (`None`: record every step on `tape`).
    replay: Option<MlpReplay<S>>,
    x: DMatrix<S>,
    labels: Vec<usize>,
}

impl<S: Scalar + dualgrad::nalgebra::RealField> MlpStep<S> {
    fn new(sizes: &[usize], batch: usize) -> Result<Self, String> {
        let mut acts = vec![Activation::Relu; sizes.len().saturating_sub(2)];
        acts.push(Activation::Identity);
        let mlp = Mlp::new(sizes, &acts, 11).map_err(|e| e.to_string())?;
        let mut g = SplitMix64::new(13);
        let x = DMatrix::from_fn(batch, sizes[0], |_, _| S::lit(g.unit()));
        let classes = *sizes.last().ok_or("no sizes")?;
        let labels: Vec<usize> = (0..batch).map(|i| i % classes).collect();
        let replay = if tape_mode() {
            None
        } else {
            Some(
                mlp.replay(&x, Targets::Labels(&labels))
                    .map_err(|e| e.to_string())?,
            )
        };
        Ok(MlpStep {
            mlp,
            tape: Tape::new(),
            replay,
            x,
            labels,
        })
    }
}

impl<S: Scalar + dualgrad::nalgebra::RealField> Step for MlpStep<S> {
    fn step(&mut self) -> f64 {
        if let Some(r) = &mut self.replay {
            let (l, _) = r
                .loss_and_gradients_mut(&mut self.mlp, &mut self.x, Targets::Labels(&self.labels))
                .expect("shapes fit");
            return l.real().to_f64().unwrap_or(f64::NAN);
        }
        let (l, grads) = self
            .mlp
            .loss_and_gradients(&mut self.tape, &self.x, Targets::Labels(&self.labels))
            .expect("shapes fit");
        for d in grads {
            self.tape.recycle(d.dw);
            self.tape.recycle(d.db);
        }
        l.real().to_f64().unwrap_or(f64::NAN)
    }
}

/// The seed network: x 1×7, W 7×2, b 1×2, tanh, mean of squares.
struct SeedStep<S: Scalar> {
    tape: Tape<S>,
    /// The step recorded once (`None`: record every step on `tape`).
    replay: Option<Replay<S>>,
    x: DMatrix<S>,
    w: DMatrix<S>,
    b: DMatrix<S>,
}

impl<S: Scalar + dualgrad::nalgebra::RealField> SeedStep<S> {
    fn new() -> Self {
        let mut g = SplitMix64::new(7);
        let mut s = SeedStep {
            tape: Tape::new(),
            replay: None,
            x: DMatrix::from_fn(1, 7, |_, j| S::lit(j as f64 + 1.0)),
            w: DMatrix::from_fn(7, 2, |_, _| S::lit(g.uniform(-0.3, 0.3))),
            b: DMatrix::zeros(1, 2),
        };
        if !tape_mode() {
            let t = Tape::new();
            let (x, w, b) = (t.var_copy(&s.x), t.var_copy(&s.w), t.var_copy(&s.b));
            let l = t
                .tanh(t.add_row(t.matmul(x, w).expect("fits"), b).expect("fits"))
                .and_then(|y| t.mean(t.square(y)?))
                .expect("shapes fit");
            s.replay = Some(t.replay(l, &[x, w, b], &[w, b]).expect("recorded here"));
        }
        s
    }
}

impl<S: Scalar + dualgrad::nalgebra::RealField> Step for SeedStep<S> {
    fn step(&mut self) -> f64 {
        if let Some(r) = &mut self.replay {
            let l = r.run(&[&self.x, &self.w, &self.b]).expect("shapes fit");
            return l.real().to_f64().unwrap_or(f64::NAN);
        }
        let t = &mut self.tape;
        t.reset();
        let r = (|| {
            let (x, w, b) = (
                t.var_copy(&self.x),
                t.var_copy(&self.w),
                t.var_copy(&self.b),
            );
            let y = t.tanh(t.add_row(t.matmul(x, w)?, b)?)?;
            let l = t.mean(t.square(y)?)?;
            let g = t.gradient(l, &[w, b])?;
            let v = t.scalar(l)?;
            Ok::<_, dualgrad::reverse::ReverseError>((v, g))
        })()
        .expect("shapes fit");
        for m in r.1 {
            t.recycle(m);
        }
        r.0.real().to_f64().unwrap_or(f64::NAN)
    }
}

/// The MLP step written by hand (`HandMlp`: five products and the
/// element-wise work, buffers allocated once), on the same network.
struct HandMlpStep<S: Scalar + dualgrad::nalgebra::RealField> {
    mlp: Mlp<S>,
    hand: HandMlp<S>,
    x: DMatrix<S>,
    labels: Vec<usize>,
}

impl<S: Scalar + dualgrad::nalgebra::RealField> Step for HandMlpStep<S> {
    fn step(&mut self) -> f64 {
        let l = self.hand.grad(&self.mlp, &self.x, &self.labels);
        l.real().to_f64().unwrap_or(f64::NAN)
    }
}

/// The seed network's step written by hand (`hand_seed_grad`).
struct HandSeedStep<S: Scalar> {
    x: DMatrix<S>,
    w: DMatrix<S>,
    b: DMatrix<S>,
    y: DMatrix<S>,
    dw: DMatrix<S>,
    db: DMatrix<S>,
}

impl<S: Scalar + dualgrad::nalgebra::RealField> Step for HandSeedStep<S> {
    fn step(&mut self) -> f64 {
        let l = hand_seed_grad(
            &self.x,
            &self.w,
            &self.b,
            &mut self.y,
            &mut self.dw,
            &mut self.db,
        );
        black_box(&self.dw);
        l.real().to_f64().unwrap_or(f64::NAN)
    }
}

/// Whether `PEER_ROUNDS_TAPE=1`: record every step instead of replaying.
fn tape_mode() -> bool {
    std::env::var("PEER_ROUNDS_TAPE").is_ok_and(|v| v == "1")
}

fn parse(w: &str) -> Result<Box<dyn Step>, String> {
    let parts: Vec<&str> = w.split(':').collect();
    let f64_ = |d: &str| match d {
        "f64" => Ok(true),
        "f32" => Ok(false),
        _ => Err(format!("{w}: dtype must be f64 or f32")),
    };
    match parts.as_slice() {
        ["seed", d] => Ok(if f64_(d)? {
            Box::new(SeedStep::<f64>::new())
        } else {
            Box::new(SeedStep::<f32>::new())
        }),
        ["hand-seed", d] => Ok(if f64_(d)? {
            Box::new(hand_seed::<f64>())
        } else {
            Box::new(hand_seed::<f32>())
        }),
        ["hand-mlp", sizes, batch, d] => {
            let (sizes, batch) = sizes_batch(w, sizes, batch)?;
            Ok(if f64_(d)? {
                Box::new(hand_mlp::<f64>(&sizes, batch)?)
            } else {
                Box::new(hand_mlp::<f32>(&sizes, batch)?)
            })
        }
        ["mlp", sizes, batch, d] => {
            let (sizes, batch) = sizes_batch(w, sizes, batch)?;
            Ok(if f64_(d)? {
                Box::new(MlpStep::<f64>::new(&sizes, batch)?)
            } else {
                Box::new(MlpStep::<f32>::new(&sizes, batch)?)
            })
        }
        _ => Err(format!(
            "{w}: expected [hand-]seed:<dtype> or [hand-]mlp:<sizes>:b<batch>:<dtype>"
        )),
    }
}

/// `784-128-10` and `b64` as sizes and batch.
fn sizes_batch(w: &str, sizes: &str, batch: &str) -> Result<(Vec<usize>, usize), String> {
    let sizes: Vec<usize> = sizes
        .split('-')
        .map(|s| s.parse().map_err(|_| format!("{w}: bad size {s}")))
        .collect::<Result<_, _>>()?;
    if sizes.len() < 2 {
        return Err(format!("{w}: at least two sizes"));
    }
    let batch: usize = batch
        .strip_prefix('b')
        .and_then(|b| b.parse().ok())
        .ok_or(format!("{w}: batch is b<number>"))?;
    Ok((sizes, batch))
}

/// The hand-written MLP step on the network and batch `MlpStep` uses.
fn hand_mlp<S: Scalar + dualgrad::nalgebra::RealField>(
    sizes: &[usize],
    batch: usize,
) -> Result<HandMlpStep<S>, String> {
    let mut acts = vec![Activation::Relu; sizes.len().saturating_sub(2)];
    acts.push(Activation::Identity);
    let mlp = Mlp::new(sizes, &acts, 11).map_err(|e| e.to_string())?;
    let mut g = SplitMix64::new(13);
    let x = DMatrix::from_fn(batch, sizes[0], |_, _| S::lit(g.unit()));
    let classes = sizes[sizes.len() - 1];
    let labels: Vec<usize> = (0..batch).map(|i| i % classes).collect();
    let hand = HandMlp::new(&mlp, batch);
    Ok(HandMlpStep {
        mlp,
        hand,
        x,
        labels,
    })
}

/// The hand-written seed step on the data `SeedStep` uses.
fn hand_seed<S: Scalar + dualgrad::nalgebra::RealField>() -> HandSeedStep<S> {
    let mut g = SplitMix64::new(7);
    HandSeedStep {
        x: DMatrix::from_fn(1, 7, |_, j| S::lit(j as f64 + 1.0)),
        w: DMatrix::from_fn(7, 2, |_, _| S::lit(g.uniform(-0.3, 0.3))),
        b: DMatrix::zeros(1, 2),
        y: DMatrix::zeros(1, 2),
        dw: DMatrix::zeros(7, 2),
        db: DMatrix::zeros(1, 2),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(100);
    for w in args {
        let mut s = match parse(&w) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        };
        // Warm up: buffers reach their steady state.
        for _ in 0..5 {
            black_box(s.step());
        }
        let reps = if w.contains("seed") { reps * 10 } else { reps };
        let best = (0..reps)
            .map(|_| {
                let t = Instant::now();
                black_box(s.step());
                t.elapsed().as_nanos()
            })
            .min()
            .unwrap_or(0);
        println!("{w} {best}");
    }
}
