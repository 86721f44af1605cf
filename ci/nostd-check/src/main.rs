//! A bare-metal program that uses dualgrad's drivers. It has no `std` and
//! defines its own panic handler, so it fails to build if anything links std.
#![no_std]
#![no_main]

use core::panic::PanicInfo;
use dualgrad::{derivative, gradient, hessian, second_derivative, Scalar};

fn model<S: Scalar>(x: S, y: S) -> S {
    x * x + (y * y).tanh() + x.sigmoid() * y.exp().ln_1p()
}

/// The entry point a startup routine would call.
#[no_mangle]
pub extern "C" fn dualgrad_entry(a: f64, b: f64) -> f64 {
    let (_, d) = derivative(|x| model(x, x), a);
    let (_, _, d2) = second_derivative(|x| model(x, x), b);
    let (_, g) = gradient(|[x, y]| model(x, y), [a, b]);
    let (_, _, h) = hessian(|[x, y]| model(x, y), [a, b]);
    d + d2 + g[0] + g[1] + h[0][1]
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}
