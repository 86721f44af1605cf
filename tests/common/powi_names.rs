//! The `powi` entries of `tests/data/reference.csv`, named by their
//! exponent: shared by `tests/accuracy.rs` and the bench crate's
//! `accuracy_table`, so that a row added to the references is evaluated by
//! both (included with `#[path]`).

/// The exponent of a `powi` entry: `powi31` → 31, `powi_m7` → −7,
/// `powi_m2147483647` → −(2³¹ − 1), `powi_min` → `i32::MIN`; `None` for
/// any other name.
pub fn powi_exponent(name: &str) -> Option<i32> {
    let rest = name.strip_prefix("powi")?;
    if rest == "_min" {
        return Some(i32::MIN);
    }
    match rest.strip_prefix("_m") {
        Some(m) => m.parse::<i32>().ok().map(|n| -n),
        None => rest.parse().ok(),
    }
}
