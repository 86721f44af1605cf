//! [`SplitMix64`]: the crate's one seeded pseudo-random generator.

/// SplitMix64, a small seeded pseudo-random generator: the one source of
/// "random" numbers in this crate — initial network weights, the test
/// vectors of [`check_vjp`](crate::check::check_vjp) — and in its tests,
/// benchmarks and examples, so that every run sees the same numbers.
///
/// Not for cryptography. No `std`, no allocation.
///
/// ```
/// use dualgrad::SplitMix64;
/// let mut a = SplitMix64::new(7);
/// let mut b = SplitMix64::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let x = a.uniform(-1.0, 1.0);
/// assert!((-1.0..1.0).contains(&x));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started from `seed`; equal seeds give equal sequences.
    ///
    /// ```
    /// let mut g = dualgrad::SplitMix64::new(1);
    /// assert_eq!(g.next_u64(), dualgrad::SplitMix64::new(1).next_u64());
    /// ```
    pub const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// let mut g = dualgrad::SplitMix64::new(0);
    /// assert_ne!(g.next_u64(), g.next_u64());
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float uniform on [0, 1), with 53 random bits.
    ///
    /// ```
    /// let u = dualgrad::SplitMix64::new(3).unit();
    /// assert!((0.0..1.0).contains(&u));
    /// ```
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A float uniform on [`lo`, `hi`) (`lo + (hi − lo)·u`; if `lo > hi`
    /// the roles swap, and NaN bounds give NaN — never a panic).
    ///
    /// ```
    /// let x = dualgrad::SplitMix64::new(3).uniform(2.0, 5.0);
    /// assert!((2.0..5.0).contains(&x));
    /// ```
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// `N` floats uniform on [`lo`, `hi`).
    ///
    /// ```
    /// let [a, b] = dualgrad::SplitMix64::new(3).array(0.0, 1.0);
    /// assert_ne!(a, b);
    /// ```
    pub fn array<const N: usize>(&mut self, lo: f64, hi: f64) -> [f64; N] {
        core::array::from_fn(|_| self.uniform(lo, hi))
    }

    /// An index uniform on `0..n` (0 when `n` is 0).
    ///
    /// ```
    /// let i = dualgrad::SplitMix64::new(3).index(10);
    /// assert!(i < 10);
    /// ```
    pub fn index(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}
