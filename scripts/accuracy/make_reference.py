#!/usr/bin/env python3
"""Reference values of f, f', f'', f''' for every elementary function of the
rule table, at 110+ points per function, from mpmath at 100 digits.

Run by hand (not by CI), with mpmath installed (e.g. in a venv):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install mpmath
    /tmp/venv/bin/python scripts/accuracy/make_reference.py > tests/data/reference.csv

Each derivative is written in closed form below (never by numerical
differentiation), in a form without catastrophic cancellation at 100 digits
(sech, e^-|x|, log1p), and printed with 25 significant digits; the Rust test
(tests/accuracy.rs) parses them with `str::parse::<f64>`, which rounds
correctly, also into the subnormal range and to +-inf on overflow. Points are
f64 values, printed with Python's shortest round-trip repr. Outside a
function's domain every part is NaN.
"""
import random
import sys

from mpmath import mp, mpf

mp.dps = 100

INF = float("inf")
SUBNORMALS = [5e-324, 1e-320, 1e-310, 2.2250738585072014e-308 / 2]
TINY = [2.2250738585072014e-308, 1e-300, 1e-200, 1e-154, 1e-100, 1e-50, 1e-20, 1e-10, 1e-5, 1e-3]
HUGE = [1e3, 1e5, 1e10, 1e20, 1e50, 1e100, 1e154, 1e200, 1e300, 1.7976931348623157e308]
TYPICAL = [0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0, 20.0, 40.0]


def near(x, ks=(1, 2, 5, 10, 20, 30, 40, 52)):
    """x and neighbours x(1 +- 2^-k)."""
    out = [x]
    for k in ks:
        out += [x * (1 + 2.0 ** -k), x * (1 - 2.0 ** -k)]
    return out


def sym(xs):
    return [s * x for x in xs for s in (1.0, -1.0)]


def base_points(seed):
    rng = random.Random(seed)
    pts = [0.0, -0.0, INF, -INF]
    pts += sym(SUBNORMALS + TINY + HUGE + TYPICAL)
    pts += [rng.uniform(-10, 10) for _ in range(20)]
    pts += [rng.uniform(-1, 1) for _ in range(10)]
    pts += [10 ** rng.uniform(-300, 300) * rng.choice((1, -1)) for _ in range(10)]
    return pts


def sech(x):
    return 1 / mp.cosh(x)


def sig_parts(x):
    e = mp.exp(-abs(x))
    s = 1 / (1 + e) if x >= 0 else e / (1 + e)
    d1 = e / (1 + e) ** 2
    d2 = -d1 * mp.tanh(x / 2)
    d3 = d1 * (1 - 6 * d1)
    return s, d1, d2, d3


def powf_parts(p):
    p = mpf(p)

    def f(x):
        if x < 0:
            return None
        if x == 0:
            # The limits at 0+: p(p-1)...·x^(p-k) is 0 for p > k, and an
            # infinity with the coefficient's sign for p < k.
            c1, c2, c3 = p, p * (p - 1), p * (p - 1) * (p - 2)
            lim = lambda c, k: 0 if p > k else (mp.inf if c > 0 else -mp.inf)
            return (mpf(0), lim(c1, 1), lim(c2, 2), lim(c3, 3))
        return (x ** p, p * x ** (p - 1), p * (p - 1) * x ** (p - 2), p * (p - 1) * (p - 2) * x ** (p - 3))

    return f


# name -> (parts(x) -> (f, f', f'', f''') or None outside the domain,
#          extra points near the function's edges)
def table():
    pi2 = 1.5707963267948966
    t = {}
    t["recip"] = (lambda x: (1 / x, -1 / x**2, 2 / x**3, -6 / x**4), [])
    t["sqrt"] = (
        lambda x: None if x < 0 else (mp.sqrt(x), 1 / (2 * mp.sqrt(x)), -1 / (4 * x * mp.sqrt(x)), 3 / (8 * x * x * mp.sqrt(x))),
        [],
    )

    def cbrt(x):
        c = mp.cbrt(abs(x)) * (1 if x >= 0 else -1)
        return (c, 1 / (3 * c**2), -2 / (9 * c**5), 10 / (27 * c**8))

    t["cbrt"] = (cbrt, [])
    t["exp"] = (lambda x: (mp.exp(x),) * 4, near(709.782712893384) + near(-745.1332191019411) + [-708.0, 700.0])
    l2 = mp.log(2)
    t["exp2"] = (lambda x: tuple(mp.power(2, x) * l2**k for k in range(4)), near(1023.9) + [-1074.0, -1022.0])
    t["exp_m1"] = (lambda x: (mp.expm1(x), mp.exp(x), mp.exp(x), mp.exp(x)), near(709.782712893384))

    def logb(b):
        lb = mp.log(b) if b else mpf(1)
        return lambda x: None if x < 0 else (mp.log(x) / lb, 1 / (x * lb), -1 / (x**2 * lb), 2 / (x**3 * lb))

    ones = near(1.0, ks=range(1, 53, 3))
    t["ln"] = (logb(0), ones)
    t["log2"] = (logb(2), ones)
    t["log10"] = (logb(10), ones)
    t["ln_1p"] = (
        lambda x: None if x < -1 else (mp.log1p(x), 1 / (1 + mpf(x)), -1 / (1 + mpf(x)) ** 2, 2 / (1 + mpf(x)) ** 3),
        [-1 + 2.0**-k for k in range(1, 53, 3)] + [-1.0],
    )
    t["sin"] = (lambda x: (mp.sin(x), mp.cos(x), -mp.sin(x), -mp.cos(x)), [pi2, 3.141592653589793, 1e6, 1e15, 1e22])
    t["cos"] = (lambda x: (mp.cos(x), -mp.sin(x), -mp.cos(x), mp.sin(x)), [pi2, 3.141592653589793, 1e6, 1e15, 1e22])

    def tan(x):
        s = mp.tan(x)
        c2 = 1 / mp.cos(x) ** 2
        return (s, c2, 2 * s * c2, c2 * (2 + 6 * s * s))

    t["tan"] = (tan, near(pi2) + [1e6, 1e15])

    def asin_like(sign, value):
        def f(x):
            if abs(x) > 1:
                return None
            x = mpf(x)
            w = 1 - x * x
            if w == 0:
                return (value(x), sign * mp.inf, sign * mp.inf * (1 if x > 0 else -1), sign * mp.inf)
            return (value(x), sign / mp.sqrt(w), sign * x / w ** mpf(1.5), sign * (1 + 2 * x * x) / w ** mpf(2.5))

        return f

    edges = sym([1.0 - 2.0**-k for k in range(1, 54, 2)] + [1.0])
    t["asin"] = (asin_like(1, mp.asin), edges)
    t["acos"] = (asin_like(-1, mp.acos), edges)
    t["atan"] = (lambda x: (mp.atan(x), 1 / (1 + mpf(x) ** 2), -2 * x / (1 + mpf(x) ** 2) ** 2, (6 * mpf(x) ** 2 - 2) / (1 + mpf(x) ** 2) ** 3), [1e-300, 9e307, 1e308])
    t["sinh"] = (lambda x: (mp.sinh(x), mp.cosh(x), mp.sinh(x), mp.cosh(x)), near(710.4758600739439))
    t["cosh"] = (lambda x: (mp.cosh(x), mp.sinh(x), mp.cosh(x), mp.sinh(x)), near(710.4758600739439))

    def tanh(x):
        s2 = sech(x) ** 2
        th = mp.tanh(x)
        return (th, s2, -2 * th * s2, s2 * (4 * th * th - 2 * s2))

    t["tanh"] = (tanh, sym([0.3, 0.4, 0.5, 0.6, 0.658, 0.7, 19.0, 20.0, 40.0, 355.0, 700.0]))
    t["asinh"] = (
        lambda x: (mp.asinh(x), 1 / mp.sqrt(1 + mpf(x) ** 2), -x / (1 + mpf(x) ** 2) ** mpf(1.5), (2 * mpf(x) ** 2 - 1) / (1 + mpf(x) ** 2) ** mpf(2.5)),
        sym([0.7, 0.7071067811865476, 0.75, 0.8]),
    )

    def acosh(x):
        if x < 1:
            return None
        x = mpf(x)
        w = (x - 1) * (x + 1)
        if w == 0:
            return (mpf(0), mp.inf, -mp.inf, mp.inf)
        return (mp.acosh(x), 1 / mp.sqrt(w), -x / w ** mpf(1.5), (2 * x * x + 1) / w ** mpf(2.5))

    t["acosh"] = (acosh, [1.0 + 2.0**-k for k in range(1, 53, 2)])

    def atanh(x):
        if abs(x) > 1:
            return None
        x = mpf(x)
        w = (1 - x) * (1 + x)
        if w == 0:
            s = 1 if x > 0 else -1
            return (s * mp.inf, mp.inf, s * mp.inf, mp.inf)
        return (mp.atanh(x), 1 / w, 2 * x / w**2, (2 + 6 * x * x) / w**3)

    t["atanh"] = (atanh, edges)

    def erf(x):
        d1 = 2 / mp.sqrt(mp.pi) * mp.exp(-mpf(x) ** 2)
        return (mp.erf(x), d1, -2 * x * d1, (4 * mpf(x) ** 2 - 2) * d1)

    t["erf"] = (erf, sym([0.5, 0.7, 1.0, 2.0, 3.0, 5.0, 6.0, 26.0, 27.0, 27.3, 1e10, 9e307]))
    t["sigmoid"] = (sig_parts, sym([0.3, 1.0, 1.3, 20.0, 36.0, 40.0, 700.0, 745.0, 746.0]))

    def softplus(x):
        s, d1, d2, _ = sig_parts(x)
        return (mp.log1p(mp.exp(x)), s, d1, d2)

    t["softplus"] = (softplus, sym([20.0, 36.0, 40.0, 700.0, 745.0, 746.0]))
    t["powi3"] = (lambda x: (mpf(x) ** 3, 3 * mpf(x) ** 2, 6 * mpf(x), mpf(6)), [])
    t["powi_m2"] = (lambda x: (mpf(x) ** -2, -2 * mpf(x) ** -3, 6 * mpf(x) ** -4, -24 * mpf(x) ** -5), [])
    t["powf_0.3"] = (powf_parts(0.3), [])
    t["powf_2.5"] = (powf_parts(2.5), [])
    # Large and extreme negative exponents (issue 11): points crowding 1,
    # where x^n moves slowly, and the edges where x^n and its derivatives
    # under- or overflow (x = 2^(k/n) for k near the exponent range).
    def powi_parts(n):
        def f(x):
            x = mpf(x)
            if x == 0:
                raise ZeroDivisionError
            return (x ** n, n * x ** (n - 1), n * (n - 1) * x ** (n - 2), n * (n - 1) * (n - 2) * x ** (n - 3))

        edges = [float(mpf(2) ** (mpf(k) / n)) for k in (-1074, -1060, -1030, -1022, -1000, 1000, 1020, 1023)]
        extra = sym(near(1.0, ks=(5, 10, 20, 30, 40, 52)) + edges + [0.99, 1.01, 1.7, 1000.0])
        return (f, extra)

    for n in (-7, -31, -100, -1000, -65537, -2147483647, -2147483648, 31, 6, 7, 8):
        name = "powi_min" if n == -2147483648 else ("powi_m%d" % -n if n < 0 else "powi%d" % n)
        t[name] = powi_parts(n)
    return t


def fmt(v):
    if v is None:
        return "NaN"
    if mp.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    return mp.nstr(v, 25, min_fixed=1, max_fixed=0)


def main():
    out = sys.stdout
    out.write("# name,x,f,d1,d2,d3 (from scripts/accuracy/make_reference.py; mpmath, 100 digits)\n")
    for i, (name, (parts, extra)) in enumerate(table().items()):
        seen = set()
        for x in base_points(i) + extra:
            key = repr(x)
            if key in seen or x != x:
                continue
            seen.add(key)
            if x in (INF, -INF):
                # Limits at +-inf: evaluate at the largest finite value, and
                # keep only parts that are 0 or +-inf there (the limits);
                # others are left out (written as "skip").
                big = parts(mpf(1.7976931348623157e308) * (1 if x > 0 else -1))
                if big is None and name.startswith("powf") and x < 0:
                    # IEEE pow(-inf, p) = +inf for p > 0 not an odd integer.
                    row = ["inf", "skip", "skip", "skip"]
                elif big is None:
                    row = ["NaN"] * 4
                else:
                    row = []
                    for v in big:
                        fv = float(v) if abs(v) < mpf("1e400") else (INF if v > 0 else -INF)
                        if fv == 0.0 or fv in (INF, -INF):
                            row.append(fmt(mpf(0) if fv == 0.0 else v))
                        elif abs(fv - round(fv)) == 0 and abs(fv) <= 2:
                            row.append(fmt(v))
                        else:
                            row.append("skip")
                out.write(",".join([name, repr(x)] + row) + "\n")
                continue
            try:
                p = parts(mpf(x))
            except ZeroDivisionError:
                p = "zero"
            if p == "zero":
                out.write(",".join([name, repr(x)] + ["skip"] * 4) + "\n")
                continue
            row = [fmt(v) for v in p] if p is not None else ["NaN"] * 4
            out.write(",".join([name, repr(x)] + row) + "\n")


if __name__ == "__main__":
    main()
