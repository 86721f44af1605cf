//! The accuracy table of ACCURACY.md: every part (f, f′, f″, f‴) of every
//! elementary function at the points of `tests/data/reference.csv`
//! (100-digit references from `scripts/accuracy/make_reference.py`), from
//! dualgrad and from num-dual 0.15, as max / median error in ulps.
//!
//! `cargo run --release -p dualgrad-bench --bin accuracy_table`
//!
//! dualgrad: f, f′ from Dual, HyperDual, Dual2Vec, Dual<Dual>,
//! Dual<Dual<Dual>>, HyperDual<Dual>; f″ from all but Dual; f‴ from
//! HyperDual<Dual> and Dual<Dual<Dual>>. num-dual: f, f′ from Dual64,
//! Dual2_64, Dual3_64; f″ from the last two; f‴ from Dual3_64. The worst
//! over the types is taken at every point. Errors are relative, in units of
//! f64::EPSILON, with the smallest normal number as the floor of the scale;
//! "inf" marks a NaN or infinity where the truth is finite (or the other way
//! round); where the truth overflows (±∞), a NaN counts as right.

use dualgrad::Scalar;
#[path = "../../../tests/common/powi_names.rs"]
mod powi_names;
use num_dual::DualNum;

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

/// num-dual's version; `None` where it has no such function (erf), and
/// sigmoid/softplus written as a user would (1/(1 + e^−x), ln(1 + eˣ)).
fn eval_nd<D: DualNum<Primitive = f64> + Copy>(name: &str, x: D) -> Option<D> {
    if let Some(n) = powi_names::powi_exponent(name) {
        return Some(x.powi(n));
    }
    Some(match name {
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
        "sigmoid" => (D::one() + (-x).exp()).recip(),
        "softplus" => x.exp().ln_1p(),
        "powf_0.3" => x.powf(0.3),
        "powf_2.5" => x.powf(2.5),
        _ => return None,
    })
}

fn ulps(got: f64, want: f64) -> f64 {
    if want.is_nan() {
        return if got.is_nan() { 0.0 } else { f64::INFINITY };
    }
    if want.is_infinite() && got.is_nan() {
        return 0.0;
    }
    if got == want {
        return 0.0;
    }
    if !got.is_finite() || !want.is_finite() {
        return f64::INFINITY;
    }
    (got - want).abs() / want.abs().max(f64::MIN_POSITIVE) / f64::EPSILON
}

fn ours(name: &str, x: f64) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    let (f, d1) = dualgrad::derivative(|t| eval(name, t), x);
    out.extend([(0, f), (1, d1)]);
    let (f, d1, d2) = dualgrad::second_derivative(|t| eval(name, t), x);
    out.extend([(0, f), (1, d1), (2, d2)]);
    let (f, g, h) = dualgrad::hessian(|[t]| eval(name, t), [x]);
    out.extend([(0, f), (1, g[0]), (2, h[0][0])]);
    let (f, d1, d2, d3) = dualgrad::third_derivative(|t| eval(name, t), x);
    out.extend([(0, f), (1, d1), (2, d2), (3, d3)]);
    use dualgrad::Dual;
    let y = eval(name, Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
    out.extend([(0, y.re.re), (1, y.re.eps), (2, y.eps.eps)]);
    let one = Dual::new(Dual::new(1.0, 0.0), Dual::new(0.0, 0.0));
    let y = eval(
        name,
        Dual::new(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)), one),
    );
    out.extend([
        (0, y.re.re.re),
        (1, y.re.re.eps),
        (2, y.re.eps.eps),
        (3, y.eps.eps.eps),
    ]);
    out
}

fn theirs(name: &str, x: f64) -> Option<Vec<(usize, f64)>> {
    let mut out = Vec::new();
    let d = eval_nd(name, num_dual::Dual64::from_re(x).derivative())?;
    out.extend([(0, d.re), (1, d.eps)]);
    let d = eval_nd(name, num_dual::Dual2_64::from_re(x).derivative())?;
    out.extend([(0, d.re), (1, d.v1), (2, d.v2)]);
    let d = eval_nd(name, num_dual::Dual3_64::from_re(x).derivative())?;
    out.extend([(0, d.re), (1, d.v1), (2, d.v2), (3, d.v3)]);
    Some(out)
}

fn stats(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (
        v.last().copied().unwrap_or(0.0),
        v.get(v.len() / 2).copied().unwrap_or(0.0),
    )
}

fn cell((max, med): (f64, f64)) -> String {
    let m = if max.is_infinite() {
        "inf".to_string()
    } else if max >= 1e4 {
        format!("{max:.1e}")
    } else {
        format!("{max:.1}")
    };
    format!("{m} / {med:.1}")
}

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/reference.csv");
    let text = std::fs::read_to_string(path).expect("tests/data/reference.csv");
    let mut names: Vec<String> = Vec::new();
    // per function: per part: (ours, theirs) errors
    let mut errs: Vec<[(Vec<f64>, Vec<f64>); 4]> = Vec::new();
    let mut points = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let c: Vec<&str> = line.split(',').collect();
        let name = c[0];
        let x: f64 = c[1].parse().unwrap();
        let want: Vec<Option<f64>> = c[2..6]
            .iter()
            .map(|s| (*s != "skip").then(|| s.parse().unwrap()))
            .collect();
        let i = match names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                names.push(name.to_string());
                errs.push(Default::default());
                points.push(0);
                names.len() - 1
            }
        };
        points[i] += 1;
        let mut worst = |res: Vec<(usize, f64)>, which: usize| {
            let mut w = [None::<f64>; 4];
            for (part, got) in res {
                if let Some(t) = want[part] {
                    let e = ulps(got, t);
                    w[part] = Some(w[part].map_or(e, |o: f64| o.max(e)));
                }
            }
            for (part, e) in w.iter().enumerate() {
                if let Some(e) = e {
                    let v = if which == 0 {
                        &mut errs[i][part].0
                    } else {
                        &mut errs[i][part].1
                    };
                    v.push(*e);
                }
            }
        };
        worst(ours(name, x), 0);
        if let Some(r) = theirs(name, x) {
            worst(r, 1);
        }
    }
    println!("| function | points | f′ dualgrad | f′ num-dual | f″ dualgrad | f″ num-dual | f‴ dualgrad | f‴ num-dual | f (platform) |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (i, name) in names.iter().enumerate() {
        let mut line = format!("| {name} | {} |", points[i]);
        for (o, t) in errs[i][1..].iter_mut() {
            line += &format!(" {} |", cell(stats(o)));
            line += &if t.is_empty() {
                " — |".to_string()
            } else {
                format!(" {} |", cell(stats(t)))
            };
        }
        line += &format!(" {} |", cell(stats(&mut errs[i][0].0)));
        println!("{line}");
    }
}
