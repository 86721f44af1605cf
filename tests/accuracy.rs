//! Every part of every elementary function against 100-digit references
//! (`tests/data/reference.csv`, written by
//! `scripts/accuracy/make_reference.py` with mpmath): f, f′, f″, f‴ at
//! 110+ points per function — typical, tiny, huge, subnormal, near every
//! domain edge and pole, ±0, ±∞.
//!
//! Each part is read from every number type that carries it: f and f′ from
//! `Dual`, `HyperDual` (second_derivative), `Dual2Vec<_, 1>` (hessian),
//! `Dual<Dual>`, `Dual<Dual<Dual>>` and `HyperDual<Dual>`
//! (third_derivative); f″ from all but `Dual`; f‴ from `HyperDual<Dual>` and
//! `Dual<Dual<Dual>>`. The test fails where a result is NaN or infinite but
//! the truth is finite (or the other way round), and where a part is further
//! than 4 ulps from the truth, with one documented exception ([`exempt`]);
//! value parts must be the `f64` value bit for bit. `cargo test --test
//! accuracy -- --nocapture` prints the per-function max/median table (the
//! one in ACCURACY.md, with num-dual beside it, comes from
//! `cargo run --release -p dualgrad-bench --bin accuracy_table`).

mod common;
#[path = "common/powi_names.rs"]
mod powi_names;

use dualgrad::{derivative, hessian, second_derivative, third_derivative, Dual, Scalar};

/// Evaluates the named function of the table.
fn eval<S: Scalar>(name: &str, x: S) -> S {
    if let Some(n) = powi_names::powi_exponent(name) {
        return x.powi(n);
    }
    match name {
        "recip" => x.recip(),
        "sqrt" => x.sqrt(),
        "cbrt" => x.cbrt(),
        "exp" => x.exp(),
        "exp2" => x.exp2(),
        "exp_m1" => x.exp_m1(),
        "ln" => x.ln(),
        "log2" => x.log2(),
        "log10" => x.log10(),
        "ln_1p" => x.ln_1p(),
        "sin" => x.sin(),
        "cos" => x.cos(),
        "tan" => x.tan(),
        "asin" => x.asin(),
        "acos" => x.acos(),
        "atan" => x.atan(),
        "sinh" => x.sinh(),
        "cosh" => x.cosh(),
        "tanh" => x.tanh(),
        "asinh" => x.asinh(),
        "acosh" => x.acosh(),
        "atanh" => x.atanh(),
        "erf" => x.erf(),
        "sigmoid" => x.sigmoid(),
        "softplus" => x.softplus(),
        "powf_0.3" => x.powf(S::lit(0.3)),
        "powf_2.5" => x.powf(S::lit(2.5)),
        _ => panic!("unknown function {name}"),
    }
}

/// `Some(v)`, or `None` for a part the reference leaves out.
fn parse(s: &str) -> Option<f64> {
    (s != "skip").then(|| s.parse().unwrap_or_else(|_| panic!("bad number {s}")))
}

/// The error of `got` against the truth `want` in ulps (relative, with the
/// smallest normal number as the floor of the scale: subnormal results are
/// compared absolutely); ∞ where exactly one of them is NaN or infinite.
///
/// Where the truth overflows (±∞), a NaN is accepted as well: past an
/// overflow, products of infinite parts with zero parts are plain IEEE
/// arithmetic (crate docs, "Conventions at kinks and edges"), so a part
/// computed from overflowed ones may be NaN.
fn err(got: f64, want: f64) -> f64 {
    if want.is_nan() {
        return if got.is_nan() { 0.0 } else { f64::INFINITY };
    }
    if want.is_infinite() && got.is_nan() {
        return 0.0;
    }
    common::ulps(got, want)
}

/// The one documented exception: in a nested type (`Dual<Dual>`,
/// `HyperDual<Dual>`, …) a part whose lower derivative overflows is formed
/// by products of that infinite part with zero tangent parts, which are
/// plain IEEE arithmetic by design (crate docs: a guard on every product
/// would slow arithmetic-bound code) and give NaN: x³″ and x³‴ at 1e154
/// (f′ = ∞), x³‴ at f64::MAX (f″ = ∞), x^2.5″ at 1e300, exp2‴ at 1024.9.
fn exempt(ty: &str, part: usize, got: f64, want: &[Option<f64>; 4]) -> bool {
    ty.contains('<')
        && got.is_nan()
        && part >= 2
        && want[1..part]
            .iter()
            .any(|w| w.is_some_and(f64::is_infinite))
}

struct Row {
    name: String,
    x: f64,
    want: [Option<f64>; 4],
}

fn rows() -> Vec<Row> {
    let text = include_str!("data/reference.csv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            Row {
                name: c[0].to_string(),
                x: c[1].parse().unwrap(),
                want: [parse(c[2]), parse(c[3]), parse(c[4]), parse(c[5])],
            }
        })
        .collect()
}

/// Every (part, value, number type) a row's function gives at its point.
fn results(name: &str, x: f64) -> Vec<(usize, f64, &'static str)> {
    let mut out = Vec::new();
    let (f, d1) = derivative(|t| eval(name, t), x);
    out.extend([(0, f, "Dual"), (1, d1, "Dual")]);
    let (f, d1, d2) = second_derivative(|t| eval(name, t), x);
    out.extend([
        (0, f, "HyperDual"),
        (1, d1, "HyperDual"),
        (2, d2, "HyperDual"),
    ]);
    let (f, g, h) = hessian(|[t]| eval(name, t), [x]);
    out.extend([
        (0, f, "Dual2Vec"),
        (1, g[0], "Dual2Vec"),
        (2, h[0][0], "Dual2Vec"),
    ]);
    let y = eval(name, Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
    out.extend([
        (0, y.re.re, "Dual<Dual>"),
        (1, y.re.eps, "Dual<Dual>"),
        (1, y.eps.re, "Dual<Dual>"),
        (2, y.eps.eps, "Dual<Dual>"),
    ]);
    let one = Dual::new(Dual::new(1.0, 0.0), Dual::new(0.0, 0.0));
    let y = eval(
        name,
        Dual::new(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)), one),
    );
    out.extend([
        (0, y.re.re.re, "Dual<Dual<Dual>>"),
        (1, y.re.re.eps, "Dual<Dual<Dual>>"),
        (2, y.re.eps.eps, "Dual<Dual<Dual>>"),
        (3, y.eps.eps.eps, "Dual<Dual<Dual>>"),
    ]);
    let (f, d1, d2, d3) = third_derivative(|t| eval(name, t), x);
    out.extend([
        (0, f, "HyperDual<Dual>"),
        (1, d1, "HyperDual<Dual>"),
        (2, d2, "HyperDual<Dual>"),
        (3, d3, "HyperDual<Dual>"),
    ]);
    out
}

#[test]
fn every_part_within_its_bound() {
    let rows = rows();
    assert!(rows.len() > 3000);
    // name -> per part: every error seen.
    let mut errors: Vec<(String, [Vec<f64>; 4])> = Vec::new();
    let mut failures = Vec::new();
    for r in &rows {
        let idx = match errors.iter().position(|(n, _)| *n == r.name) {
            Some(i) => i,
            None => {
                errors.push((r.name.clone(), Default::default()));
                errors.len() - 1
            }
        };
        let plain: f64 = eval(&r.name, r.x);
        for (part, got, ty) in results(&r.name, r.x) {
            if part == 0 {
                // The value part is the plain float's, bit for bit (its own
                // error against the truth is the platform's, and is only
                // listed in the table).
                assert!(
                    got.to_bits() == plain.to_bits() || (got.is_nan() && plain.is_nan()),
                    "{}({:e}) on {ty}: value {got:e} is not the f64 value {plain:e}",
                    r.name,
                    r.x
                );
            }
            let Some(want) = r.want[part] else { continue };
            let e = err(got, want);
            errors[idx].1[part].push(e);
            if part == 0 {
                continue;
            }
            let bound = if exempt(ty, part, got, &r.want) {
                f64::INFINITY
            } else {
                4.0
            };
            if e > bound {
                failures.push(format!(
                    "{}{}({:e}) on {ty}: got {got:e}, want {want:e} ({e:.1} ulps > {bound})",
                    r.name,
                    ["", "′", "″", "‴"][part],
                    r.x
                ));
            }
        }
    }
    println!("| function | points | f max / median | f′ max / median | f″ max / median | f‴ max / median |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, parts) in &mut errors {
        let mut line = format!("| {name} | {} |", parts[0].len() / 4);
        for p in parts.iter_mut() {
            p.sort_by(f64::total_cmp);
            let max = p.last().copied().unwrap_or(0.0);
            let med = p.get(p.len() / 2).copied().unwrap_or(0.0);
            line += &format!(" {} / {:.1} |", fmt_ulps(max), med);
        }
        println!("{line}");
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn fmt_ulps(e: f64) -> String {
    if e.is_infinite() {
        "**inf/NaN**".into()
    } else if e > 4.0 {
        format!("**{e:.1}**")
    } else {
        format!("{e:.1}")
    }
}
