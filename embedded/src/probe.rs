//! Measurements on the target: instruction counts from SysTick, peak stack
//! from painting the free stack with a pattern and finding the lowest word a
//! call overwrote.

use core::hint::black_box;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

/// SysTick's counter is 24 bits wide.
const SYSTICK_MASK: u32 = 0x00FF_FFFF;

/// How far below the caller's stack pointer the stack is painted. RAM is
/// 4 MiB and the firmware has no static data, so this is always inside it.
const WINDOW: usize = 512 * 1024;

/// The paint: a pattern no float result or return address is likely to be.
const PAINT: u32 = 0xA5C3_5A3C;

/// How far below its own stack pointer [`paint`] stops.
const MARGIN: usize = 64;

/// SysTick as a free-running counter of the core clock.
pub struct Probe {
    /// Owned so that nothing else reconfigures it.
    _syst: SYST,
    /// Instructions per SysTick tick, measured by [`Probe::new`].
    per_tick: u32,
}

impl Probe {
    /// Starts SysTick and calibrates it against a loop of known length.
    ///
    /// Under QEMU with `-icount shift=0` every instruction advances the
    /// virtual clock by 1 ns, and the mps2-an386's core clock (SysTick's
    /// source) is 25 MHz: one tick is 40 instructions. `asm::delay(n)` runs
    /// `n + 1` iterations of a two-instruction loop (`subs`, `bne`).
    pub fn new(mut syst: SYST) -> Self {
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(SYSTICK_MASK);
        syst.clear_current();
        syst.enable_counter();
        let mut probe = Probe {
            _syst: syst,
            per_tick: 1,
        };
        const LOOP: u32 = 2_000_000;
        let ticks = probe.ticks(&|| cortex_m::asm::delay(black_box(LOOP)), 1);
        probe.per_tick = (2 * (LOOP + 1) + ticks / 2) / ticks.max(1);
        probe
    }

    /// Instructions per SysTick tick.
    pub fn per_tick(&self) -> u32 {
        self.per_tick
    }

    /// SysTick ticks taken by `reps` calls of `f`.
    fn ticks(&self, f: &dyn Fn(), reps: u32) -> u32 {
        let f = black_box(f);
        let start = SYST::get_current();
        for _ in 0..reps {
            f();
        }
        let end = SYST::get_current();
        start.wrapping_sub(end) & SYSTICK_MASK
    }

    /// Instructions of one call of `f`, averaged over `reps` calls, less the
    /// cost of calling an empty closure the same way. Exact to within
    /// `per_tick / reps`.
    pub fn instructions(&self, f: &dyn Fn(), reps: u32) -> u32 {
        let empty = self.ticks(&|| {}, reps);
        let full = self.ticks(f, reps);
        let ticks = u64::from(full.saturating_sub(empty));
        let per_tick = u64::from(self.per_tick);
        ((ticks * per_tick + u64::from(reps) / 2) / u64::from(reps)) as u32
    }
}

/// Peak stack of `f`, in bytes: how far below this function's stack
/// pointer the deepest word that `f` wrote lies.
#[inline(never)]
pub fn stack(f: &dyn Fn()) -> usize {
    let f = black_box(f);
    let sp = cortex_m::register::msp::read() as usize;
    paint(sp - WINDOW);
    f();
    sp - lowest_written(sp - WINDOW, sp)
}

/// Writes [`PAINT`] to every word from `bottom` up to [`MARGIN`] bytes
/// below this function's own stack pointer (the compiler may push registers
/// after reading it). A call that uses less than the margin plus this
/// function's frame (about 72 bytes) is measured as using that much.
///
/// Raw memory writes need `unsafe`; they are to the free stack below the
/// live frames, which no one else uses (no interrupt is enabled).
#[inline(never)]
#[allow(unsafe_code)]
fn paint(bottom: usize) {
    let top = (cortex_m::register::msp::read() as usize & !3) - MARGIN;
    let mut addr = bottom;
    while addr < top {
        // SAFETY: `addr` is word aligned, in RAM (the stack is at the top of
        // the 4 MiB RAM, `WINDOW` is 512 KiB) and below the stack pointer, so
        // no live value is there.
        unsafe { (addr as *mut u32).write_volatile(PAINT) };
        addr += 4;
    }
}

/// The lowest address in `bottom..top` that no longer holds [`PAINT`]
/// (`top` if none).
///
/// Raw memory reads need `unsafe`; the words are in RAM and were written by
/// [`paint`] or by the call being measured.
#[inline(never)]
#[allow(unsafe_code)]
fn lowest_written(bottom: usize, top: usize) -> usize {
    let mut addr = bottom;
    // SAFETY: word aligned addresses in RAM, read as plain `u32`s.
    while addr < top && unsafe { (addr as *const u32).read_volatile() } == PAINT {
        addr += 4;
    }
    addr
}
