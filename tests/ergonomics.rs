//! The worked examples written with `Expr` operators: the same numbers as
//! the method form, and errors still name the operation and the shapes.
#![cfg(all(feature = "nalgebra", feature = "alloc"))]

use dualgrad::reverse::{ReverseError, Tape};
use nalgebra::{dmatrix, DMatrix};

#[test]
fn linear_layer_with_operators() -> Result<(), ReverseError> {
    let t = Tape::new();
    let x = t.input(dmatrix![2.0; 3.0]);
    let w = t.input(dmatrix![4.0, 2.0; 2.0, 1.0]);
    let b = t.input(dmatrix![5.0; 2.0]);
    let y_hat = &w * &x + &b;
    assert_eq!(y_hat.value()?, dmatrix![19.0; 9.0]);
    // Gradient of sum(ŷ).
    let g = y_hat.sum().gradient(&[&w, &b, &x])?;
    assert_eq!(g[0], dmatrix![2.0, 3.0; 2.0, 3.0]);
    assert_eq!(g[1], dmatrix![1.0; 1.0]);
    assert_eq!(g[2], dmatrix![6.0; 3.0]);
    // Squared error against y.
    let loss = y_hat.mse(&t.input(dmatrix![20.0; 7.0]));
    assert_eq!(loss.scalar()?, 2.5);
    let g = loss.gradient(&[&w, &b, &x])?;
    assert_eq!(g[0], dmatrix![-2.0, -3.0; 4.0, 6.0]);
    assert_eq!(g[1], dmatrix![-1.0; 2.0]);
    assert_eq!(g[2], dmatrix![0.0; 0.0]);
    Ok(())
}

#[test]
fn operators_record_the_same_operations_as_methods() -> Result<(), ReverseError> {
    let t = Tape::new();
    let x = t.input(dmatrix![0.5, -1.0; 2.0, 0.25]);
    let w = t.input(dmatrix![1.0, 2.0; -3.0, 0.5]);
    let e = -((&x * &w).tanh() - &x).hadamard(&x).softplus().sum();
    let (xv, wv) = (x.var()?, w.var()?);
    let m = t.neg(t.sum(t.softplus(t.mul(t.sub(t.tanh(t.matmul(xv, wv)?)?, xv)?, xv)?)?)?)?;
    assert_eq!(e.scalar()?, t.scalar(m)?);
    assert_eq!(e.gradient(&[&x, &w])?, t.gradient(m, &[xv, wv])?);
    // Second order through recorded gradients.
    let [dx] = x.powi(3).sum().gradient_expr(&[&x])?.try_into().unwrap();
    assert_eq!(dx.sum().gradient(&[&x])?[0], x.value()?.map(|v| 6.0 * v));
    Ok(())
}

#[test]
fn the_first_error_is_kept() {
    let t = Tape::<f64>::new();
    let a = t.input(dmatrix![1.0, 2.0]);
    let b = t.input(dmatrix![1.0; 2.0; 3.0]);
    let y = ((&a + &b) * &a).exp().sum();
    assert_eq!(
        y.scalar().unwrap_err().to_string(),
        "add: 1×2 and 3×1: shapes differ"
    );
    let other = Tape::<f64>::new();
    let c = other.input(dmatrix![1.0, 2.0]);
    assert!(matches!(
        (&a + &c).var(),
        Err(ReverseError::ForeignVariable { op: "add" })
    ));
}

/// Worked example 3 (`dualgrad::guide::worked_examples`) with operators: several questions of one recording,
/// and a gradient of a gradient.
#[test]
fn seed3_with_expressions() -> Result<(), ReverseError> {
    let t = Tape::new();
    let x = t.input(dmatrix![5.0]);
    assert_eq!(x.square().gradient(&[&x])?[0], dmatrix![10.0]);

    let t = Tape::new();
    let x = t.input(dmatrix![3.0]);
    let y = x.hadamard(&x);
    let [dy] = y.gradient_expr(&[&x])?.try_into().unwrap();
    assert_eq!(dy.value()?, dmatrix![6.0]);
    assert_eq!(dy.gradient(&[&x])?[0], dmatrix![2.0]);
    let z = y.hadamard(&y);
    assert_eq!(z.gradient(&[&x])?[0], dmatrix![108.0]);
    assert_eq!(y.gradient(&[&x])?[0], dmatrix![6.0]);
    Ok(())
}

/// Worked example 7 (`dualgrad::guide::worked_examples`) with operators: tanh(X·W + 1·b), mean of squares,
/// against the method form.
#[test]
fn seed7_with_expressions() -> Result<(), ReverseError> {
    let xm = dmatrix![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
    let wm = DMatrix::from_fn(7, 2, |i, j| 0.05 * (i as f64) - 0.1 * (j as f64));
    let t = Tape::new();
    let (x, w, b) = (
        t.input(xm.clone()),
        t.input(wm.clone()),
        t.input(DMatrix::zeros(1, 2)),
    );
    let l = (&x * &w).add_row(&b).tanh().square().mean();
    let g = l.gradient(&[&w, &b])?;
    let ym = (&xm * &wm).map(f64::tanh);
    let dh = ym.map(|y| y * (1.0 - y * y));
    assert!((&g[0] - xm.transpose() * &dh).amax() < 1e-14);
    assert!((&g[1] - &dh).amax() < 1e-14);
    Ok(())
}
