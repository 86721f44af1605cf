//! The footprint firmware: calls every computation of `src/work.rs` once,
//! in f32 (or f64 with feature `f64`), and nothing else: no printing, no
//! reference values, no measurement. With feature `plain` it calls the same
//! models on plain floats instead, without any driver. The difference of
//! the two builds' sizes is the code the derivatives add.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "../work.rs"]
#[allow(dead_code)]
mod work;

use core::hint::black_box;
use core::panic::PanicInfo;

use cortex_m_rt::entry;

#[cfg(not(feature = "f64"))]
type T = f32;
#[cfg(feature = "f64")]
type T = f64;

#[entry]
fn main() -> ! {
    loop {
        work::for_each_case::<T>(|case| {
            #[cfg(not(feature = "plain"))]
            black_box((case.run)());
            #[cfg(feature = "plain")]
            black_box((case.plain)());
        });
    }
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    cortex_m::asm::udf()
}
