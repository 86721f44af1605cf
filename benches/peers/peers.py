#!/usr/bin/env python3
"""Times JAX (jit) — and TensorFlow (tf.function) where installed — on the
workloads of dualgrad's reverse-mode benchmark, interleaved with dualgrad's
own timing of the same workloads in the same run, and prints the ratios.

    bash benches/peers/setup.sh                        # once: JAX into target/peers-venv
    target/peers-venv/bin/python benches/peers/peers.py [--rounds 9] [--reps 200]

A workload is `mlp:<sizes>:b<batch>:<dtype>` (ReLU hidden layers, softmax
cross-entropy against labels i mod classes, mean over the batch; loss and
the gradients of every weight and bias) or `seed:<dtype>` (x 1×7, W 7×2,
b 1×2, tanh, mean of squares; loss and dW, db). Each round runs dualgrad's
`peer_rounds` binary (bench crate, release) for every workload, then each
peer; each side keeps its minimum over rounds (the machine is shared: the
minimum is the least disturbed run). The weights differ between the sides
(each draws its own), which does not change the work done. The
"hand-written" column is the same step written by hand in Rust
(`peer_rounds` with `hand-<workload>`: nalgebra products, five of them for
one hidden layer, and the element-wise work in loops), timed in the same
runs, alternating with dualgrad's.
"""
import argparse, json, os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = [
    "seed:f64", "seed:f32",
    "mlp:784-128-10:b64:f64", "mlp:784-128-10:b64:f32",
    "mlp:784-128-10:b256:f64", "mlp:784-128-10:b256:f32",
    "mlp:784-512-512-10:b64:f64", "mlp:784-512-512-10:b256:f64",
    "mlp:784-512-512-10:b256:f32",
]


def parse(w):
    parts = w.split(":")
    if parts[0] == "seed":
        return {"kind": "seed", "dtype": parts[1]}
    sizes = [int(s) for s in parts[1].split("-")]
    return {"kind": "mlp", "sizes": sizes, "batch": int(parts[2][1:]), "dtype": parts[3]}


def flops(w):
    """Multiply-adds ×2 of the products in the forward and backward passes."""
    s = parse(w)
    if s["kind"] == "seed":
        return 3 * 2 * 7 * 2
    b, sizes = s["batch"], s["sizes"]
    fwd = sum(2 * b * i * o for i, o in zip(sizes, sizes[1:]))
    return 3 * fwd - 2 * b * sizes[0] * sizes[1]  # no gradient w.r.t. the input


class Jax:
    name = "JAX jit"

    def __init__(self):
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        self.jax, self.jnp = jax, jnp

    def prepare(self, w):
        jax, jnp = self.jax, self.jnp
        s = parse(w)
        dt = jnp.float64 if s["dtype"] == "f64" else jnp.float32
        key = jax.random.PRNGKey(0)
        if s["kind"] == "seed":
            x = jnp.arange(1.0, 8.0, dtype=dt).reshape(1, 7)
            params = (jax.random.uniform(key, (7, 2), dt, -0.3, 0.3), jnp.zeros((1, 2), dt))

            def loss(p, x):
                y = jnp.tanh(x @ p[0] + p[1])
                return jnp.mean(y * y)
            args = (x,)
        else:
            sizes, b = s["sizes"], s["batch"]
            params = []
            for i, o in zip(sizes, sizes[1:]):
                key, k = jax.random.split(key)
                lim = (6.0 / i) ** 0.5
                params.append((jax.random.uniform(k, (i, o), dt, -lim, lim), jnp.zeros((1, o), dt)))
            params = tuple(params)
            key, k = jax.random.split(key)
            x = jax.random.uniform(k, (b, sizes[0]), dt)
            labels = jnp.arange(b) % sizes[-1]

            def loss(p, x, labels):
                h = x
                for i, (wi, bi) in enumerate(p):
                    h = h @ wi + bi
                    if i + 1 < len(p):
                        h = jnp.maximum(h, 0)
                logp = jax.nn.log_softmax(h, axis=1)
                return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=1))
            args = (x, labels)
        f = jax.jit(jax.value_and_grad(loss))
        jax.block_until_ready(f(params, *args))  # compile
        return lambda: jax.block_until_ready(f(params, *args))


class Tf:
    name = "TF function"

    def __init__(self):
        import tensorflow as tf
        self.tf = tf

    def prepare(self, w):
        tf = self.tf
        s = parse(w)
        dt = tf.float64 if s["dtype"] == "f64" else tf.float32
        g = tf.random.Generator.from_seed(0)
        if s["kind"] == "seed":
            x = tf.reshape(tf.range(1.0, 8.0, dtype=dt), (1, 7))
            params = [tf.Variable(g.uniform((7, 2), -0.3, 0.3, dt)), tf.Variable(tf.zeros((1, 2), dt))]

            def loss():
                y = tf.tanh(x @ params[0] + params[1])
                return tf.reduce_mean(y * y)
        else:
            sizes, b = s["sizes"], s["batch"]
            params = []
            for i, o in zip(sizes, sizes[1:]):
                lim = (6.0 / i) ** 0.5
                params += [tf.Variable(g.uniform((i, o), -lim, lim, dt)), tf.Variable(tf.zeros((1, o), dt))]
            x = g.uniform((b, sizes[0]), 0, 1, dt)
            labels = tf.range(b) % sizes[-1]

            def loss():
                h = x
                n = len(params) // 2
                for i in range(n):
                    h = h @ params[2 * i] + params[2 * i + 1]
                    if i + 1 < n:
                        h = tf.nn.relu(h)
                return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, h))

        @tf.function(jit_compile=True)
        def step():
            with tf.GradientTape() as t:
                l = loss()
            return l, t.gradient(l, params)
        step()
        return lambda: [v.numpy() for v in tf.nest.flatten(step())]


def ours(workloads, reps):
    """dualgrad's minimum ns per step for each workload (one run of peer_rounds)."""
    exe = build()
    out = subprocess.run([exe, str(reps), *workloads], check=True, capture_output=True, text=True).stdout
    return {line.split()[0]: float(line.split()[1]) for line in out.splitlines() if line.strip()}


_exe = None


def build():
    global _exe
    if _exe is None:
        out = subprocess.run(
            ["cargo", "build", "--release", "-p", "dualgrad-bench", "--bin", "peer_rounds", "--message-format=json"],
            cwd=ROOT, check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            m = json.loads(line)
            if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "peer_rounds" and m.get("executable"):
                _exe = m["executable"]
        if _exe is None:
            sys.exit("peer_rounds not built")
    return _exe


def time_min(f, reps):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter_ns()
        f()
        best = min(best, time.perf_counter_ns() - t)
    return best


PEAK = """
import sys, time, numpy as np
n = 2048
a = np.random.rand(n, n).astype(np.float64 if sys.argv[1] == "f64" else np.float32)
a @ a
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    a @ a
    best = min(best, time.perf_counter() - t)
print(2 * n ** 3 / best / 1e9)
"""


def gemm_peak(dtype="f64"):
    """GFLOP/s of one large product (2048², numpy's BLAS, all cores): the
    machine's measured matrix-product peak. Run in a fresh interpreter with
    OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, which this workplace sets
    for old OpenBLAS builds and which slow a current one."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    out = subprocess.run([sys.executable, "-c", PEAK, dtype], env=env, check=True, capture_output=True, text=True)
    return float(out.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--no-ours", action="store_true", help="time the peers only")
    ap.add_argument("workloads", nargs="*", default=DEFAULT)
    a = ap.parse_args()
    peers = []
    for cls in (Jax, Tf):
        try:
            peers.append(cls())
        except ImportError:
            print(f"({cls.name}: not installed, skipped)", file=sys.stderr)
    steps = {(p.name, w): p.prepare(w) for p in peers for w in a.workloads}
    best = {}
    for r in range(a.rounds):
        if not a.no_ours:
            # dualgrad and the hand-written step, alternating by workload.
            runs = [v for w in a.workloads for v in (w, "hand-" + w)]
            for w, ns in ours(runs, a.reps).items():
                side = "hand-written" if w.startswith("hand-") else "dualgrad"
                key = (side, w.removeprefix("hand-"))
                best[key] = min(best.get(key, float("inf")), ns)
        for (name, w), f in steps.items():
            reps = a.reps if "seed" not in w else a.reps * 10
            best[(name, w)] = min(best.get((name, w), float("inf")), time_min(f, reps))
        print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
    names = (["dualgrad", "hand-written"] if not a.no_ours else []) + [p.name for p in peers]
    others = names[1:] if not a.no_ours else [p.name for p in peers]
    print("| workload | " + " | ".join(names) + " | " + " | ".join(f"dualgrad ÷ {n}" for n in others)
          + " | dualgrad GFLOP/s |")
    print("|---" * (2 + len(names) + len(others)) + "|")
    for w in a.workloads:
        cells = [fmt(best.get((n, w))) for n in names]
        o = best.get(("dualgrad", w))
        ratios = [f"{o / best[(n, w)]:.2f}×" if o and best.get((n, w)) else "—" for n in others]
        gf = f"{flops(w) / o:.1f}" if o else "—"
        print(f"| {w} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {gf} |")
    try:
        print(f"\nmeasured gemm peak (numpy, 2048², all cores): f64 {gemm_peak():.1f} GFLOP/s, "
              f"f32 {gemm_peak('f32'):.1f} GFLOP/s")
    except (subprocess.CalledProcessError, ValueError):
        print("(gemm peak: numpy not available)")


def fmt(ns):
    if ns is None:
        return "—"
    return f"{ns / 1e6:.3f} ms" if ns >= 1e6 else f"{ns / 1e3:.2f} µs"


if __name__ == "__main__":
    main()
