"""What the benchmark scripts share: where criterion writes its results,
reading a median, formatting times and ratios, and building a bench binary."""
import json, os, subprocess, sys

# The workspace root (benches/scripts/ → the repository).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CRIT = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "criterion")


def median(group, bid):
    """criterion's median estimate in ns for <group>/<id>, None if it has not run."""
    p = os.path.join(CRIT, group, bid, "new", "estimates.json")
    try:
        with open(p) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def fmt(t):
    """A time in ns, in the unit that suits it."""
    if t is None:
        return "—"
    if t >= 1e6:
        return f"{t / 1e6:.3f} ms"
    if t >= 1e3:
        return f"{t / 1e3:.2f} µs"
    return f"{t:.1f} ns"


def ratio(a, b):
    return "—" if a is None or b is None else f"{a / b:.2f}×"


def bench_executable(name):
    """Builds the criterion bench `name` of the bench crate and returns its path."""
    out = subprocess.run(
        ["cargo", "bench", "-p", "dualgrad-bench", "--bench", name, "--no-run", "--message-format=json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        m = json.loads(line)
        if m.get("reason") == "compiler-artifact" and m["target"]["name"] == name and m.get("executable"):
            return m["executable"]
    sys.exit(f"bench binary {name} not found")
