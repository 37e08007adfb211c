"""Every element-wise rule against exact values, where floating point is hardest.

The values and Wirtinger partials of each rule of the table are compared with
exact ones computed by mpmath (at whatever precision makes them stable; its own
complex functions cancel at tiny arguments), at points near the limits of each
dtype: tiny and huge magnitudes (where |z|², 2|z| or z² would under- or
overflow), saturated regions (tanh at 20+1.4i, where 1 − tanh² cancels), and
next to branch points and poles (where 1 − z² cancels). A partial is judged only
where its exact value is a normal number of the dtype, and must then be within a
small multiple of the dtype's eps (norm-wise for complex numbers); values are
judged in the same way, since a derivative is only asked to be as accurate as
the value it belongs to.

Each rule is checked through every path that evaluates it: a scalar, an array
long enough for the vectorised loops, vmap(jacfwd) (the batch kernel), and a
derivative taken inside an enclosing transform and under jit (the rules
instantiated with the engine's differentiable values). A rule without an entry
in REFERENCE fails test_every_rule_has_a_reference.
"""
import functools
from dataclasses import dataclass
from typing import Callable, Optional

import mpmath
import numpy as np
import pytest

import jit_mode
import wirtinger as w
import wirtinger.numpy as wnp
import wirtinger.scipy.special as wss
from wirtinger import _batch_jacobian, _core
from wirtinger._array import binary

mp = mpmath.MPContext()

C64, C128, F32, F64 = np.dtype(np.complex64), np.dtype(np.complex128), np.dtype(np.float32), np.dtype(np.float64)
DTYPES = [C128, C64, F64, F32]
ULPS = 16  # the tolerance, in units of the dtype's eps


def real_of(dtype):
    return np.dtype(np.float32) if dtype in (C64, F32) else np.dtype(np.float64)


# ---------------------------------------------------------------- exact references
# value(z), d_dz(z), d_dzconj(z) (None: holomorphic); binary rules value(a, b),
# d_da(a, b), d_db(a, b), holomorphic in each argument.
HALF = mp.mpf(1) / 2
I = mp.mpc(0, 1)


def _abs_pair(z):
    r = abs(z)
    return mp.conj(z) / (2 * r), z / (2 * r)


@dataclass(frozen=True)
class Unary:
    value: Callable
    d_dz: Callable
    d_dzconj: Optional[Callable] = None
    special: tuple = ()  # extra points (complex numbers or, for real dtypes, the real ones among them)
    real_only: bool = False
    # The special functions: the points where their accuracy is claimed (dtype ->
    # points; None: the whole exponent range) and the tolerance there, in ulps.
    points: Optional[Callable] = None
    ulps: int = 16


@dataclass(frozen=True)
class Binary:
    value: Callable
    d_da: Callable
    d_db: Callable
    pairs: Callable  # dtype -> list of (a, b)
    real_only: bool = False
    # Dtype kinds whose values are NumPy's formula, not accurate to a few ulps
    # at extreme arguments (complex power: exp(b log a)). There the value itself
    # is not judged, and a partial only where the value came out accurate.
    numpy_value: str = ""
    constant_first: bool = False  # differentiated in b alone (zeta's order a raises)
    ulps: int = 16


def _near_one(sign=1):
    """1 − 2^−k (and its negative): where 1 − z² cancels."""
    return tuple(sign * (1 - 2.0**-k) for k in (12, 30, 45, 52)) + tuple(sign * (1 - 2.0**-k) + 2.0**-60 * 1j
                                                                       for k in (20, 40))


_SATURATED = (9 + 1.4j, 20 + 1.4j, -20 + 0.3j, 40 - 2j, 300 + 1j, -350 + 0.5j, 700 + 0.1j, 9.0, 20.0, -20.0, 40.0,
              300.0, -700.0)

def _tiny_series(fn, series):
    """fn, but by its Maclaurin series where |z| < 1e-30: mpmath before 1.4 (which
    sympy, and so PyTorch, pins) loses the imaginary part of asin and asinh, and all
    of acosh's dependence on z, at complex arguments near 1e-308."""
    def ref(z):
        return series(mp.mpc(z)) if z != 0 and abs(z) < 1e-30 else fn(z)
    return ref


def _acosh_tiny(z):
    # acosh(z) = ±i·acos(z), + where Im z ≥ 0 (the branch cut is along the real axis below 1).
    acos = mp.pi / 2 - (z + z ** 3 / 6 + 3 * z ** 5 / 40)
    return (1 if mp.im(z) >= 0 else -1) * mp.mpc(0, 1) * acos


REFERENCE = {
    "negative": Unary(lambda z: -z, lambda z: mp.mpf(-1)),
    "exp": Unary(mp.exp, mp.exp, special=(700 + 1j, -700 + 2j, 88 + 0.5j, -87 - 0.5j, 700.0, -700.0, 88.0)),
    "expm1": Unary(mp.expm1, mp.exp, special=(-40.0, -40 + 1j, -700.0, -700 + 0.5j, -87.0, -80 + 3j, 1e-10, -1e-10j)),
    "log": Unary(mp.log, lambda z: 1 / z),
    "log1p": Unary(lambda z: mp.log1p(z), lambda z: 1 / (1 + z),
                   special=(-1 + 2.0**-40, -1 + 2.0**-20 + 1e-10j, 1e-10 + 1e-10j, -0.5 + 0.8660254j)),
    "sqrt": Unary(mp.sqrt, lambda z: 1 / (2 * mp.sqrt(z))),
    "square": Unary(lambda z: z * z, lambda z: 2 * z, special=(6e307 + 6e307j, 8e307, 1.5e38 + 1e38j, 1.5e38)),
    "reciprocal": Unary(lambda z: 1 / z, lambda z: -1 / (z * z)),
    "sin": Unary(mp.sin, mp.cos, special=(1.4 + 700j, 0.3 - 85j)),
    "cos": Unary(mp.cos, lambda z: -mp.sin(z), special=(1.4 + 700j, 0.3 - 85j)),
    "tan": Unary(mp.tan, lambda z: 1 / mp.cos(z) ** 2,
                 special=tuple(1j * z if isinstance(z, complex) else z for z in _SATURATED) + (1.5707963267948966,)),
    "sinh": Unary(mp.sinh, mp.cosh, special=(700 + 1.4j, -85 + 0.3j)),
    "cosh": Unary(mp.cosh, mp.sinh, special=(700 + 1.4j, -85 + 0.3j)),
    "tanh": Unary(mp.tanh, lambda z: 1 / mp.cosh(z) ** 2, special=_SATURATED),
    "arcsin": Unary(_tiny_series(mp.asin, lambda z: z + z ** 3 / 6 + 3 * z ** 5 / 40), lambda z: 1 / mp.sqrt(1 - z * z), special=_near_one() + _near_one(-1)),
    "arccos": Unary(mp.acos, lambda z: -1 / mp.sqrt(1 - z * z), special=_near_one() + _near_one(-1)),
    "arctan": Unary(mp.atan, lambda z: 1 / (1 + z * z),
                    special=tuple(1j * z for z in _near_one()) + (2.0**-40 + 1j, -(2.0**-30) - 1j)),
    "arcsinh": Unary(_tiny_series(mp.asinh, lambda z: z - z ** 3 / 6 + 3 * z ** 5 / 40), lambda z: 1 / mp.sqrt(1 + z * z),
                     special=tuple(1j * z for z in _near_one()) + (2.0**-40 + 1j, -(2.0**-30) - 1j)),
    "arccosh": Unary(_tiny_series(mp.acosh, _acosh_tiny), lambda z: 1 / (mp.sqrt(z - 1) * mp.sqrt(z + 1)),
                     special=(1 + 2.0**-40, 1 + 2.0**-20 + 1e-20j, -1 - 2.0**-30 + 1e-20j)),
    "arctanh": Unary(mp.atanh, lambda z: 1 / (1 - z * z), special=_near_one() + _near_one(-1)),
    "conj": Unary(mp.conj, lambda z: mp.mpf(0), lambda z: mp.mpf(1)),
    "real": Unary(mp.re, lambda z: HALF, lambda z: HALF),
    "imag": Unary(mp.im, lambda z: -I / 2, lambda z: I / 2),
    "abs": Unary(abs, lambda z: _abs_pair(z)[0], lambda z: _abs_pair(z)[1]),
    "abs2": Unary(lambda z: abs(z) ** 2, mp.conj, lambda z: z),
    "angle": Unary(mp.arg, lambda z: -I / (2 * z), lambda z: I / (2 * mp.conj(z))),
    "exp2": Unary(lambda z: mp.power(2, z), lambda z: mp.power(2, z) * mp.ln2,
                  special=(1000.5, -1000.5, 1000.5 + 0.5j, -1020 - 0.5j, 127.5, -125.5, 127.5 + 0.5j)),
    "log2": Unary(lambda z: mp.log(z) / mp.ln2, lambda z: 1 / (z * mp.ln2)),
    "log10": Unary(lambda z: mp.log(z) / mp.ln10, lambda z: 1 / (z * mp.ln10)),
    "sign": Unary(lambda z: z / abs(z), lambda z: 1 / (2 * abs(z)), lambda z: -z / (2 * mp.conj(z) * abs(z))),
    "expit": Unary(lambda z: 1 / (1 + mp.exp(-z)), lambda z: mp.exp(-z) / (1 + mp.exp(-z)) ** 2,
                   special=(40 + 1j, -40 + 1j, 700 + 0.5j, -700 + 0.5j, 1400 + 0.5j, 40.0, -40.0, 700.0, -700.0,
                            87.0, -87.0)),
}


def _grid(dtype):
    """Magnitudes from near the smallest normal number to near the largest, among
    them those whose squares (and doubles) under- or overflow."""
    fi = np.finfo(real_of(dtype))
    emin, emax = int(fi.minexp), int(fi.maxexp)
    exps = sorted({emin + 1, emin + 3, (3 * emin) // 4, emin // 2 - 20, emin // 2 + 2, emin // 4, -30, -1, 0, 1, 30,
                   emax // 4, emax // 2 - 2, emax // 2 + 20, (3 * emax) // 4, emax - 3, emax - 1})
    return [np.ldexp(1.2345678901234567, e) for e in exps]


_DIRECTIONS = [(1.0, 1.0), (-0.6, 0.8), (0.3, -1.1), (-1.0, -0.7), (1.0, 1e-3)]


def unary_points(name, dtype):
    """The points of a rule in a dtype: exact numbers of that dtype."""
    ref = REFERENCE[name]
    cplx = dtype.kind == "c"
    custom = ref.points(dtype) if ref.points is not None else None
    if custom is not None:
        with np.errstate(over="ignore"):
            arr = np.array(custom, dtype=dtype)
        return arr[np.isfinite(arr)]
    pts = []
    for m in _grid(dtype):
        if cplx:
            pts += [complex(m * c, m * s) for c, s in _DIRECTIONS]
        else:
            pts += [m, -m]
    for p in ref.special:
        if cplx:
            pts.append(complex(p) + (0j if isinstance(p, complex) else 0.25j))  # off the real axis and its cuts
        elif not isinstance(p, complex):
            pts.append(p)
    with np.errstate(over="ignore"):
        arr = np.array(pts, dtype=dtype)
    return arr[np.isfinite(arr)]


def _pairs_general(dtype, directions=_DIRECTIONS[:2]):
    cplx = dtype.kind == "c"
    grid = _grid(dtype)[::2]
    vals = [complex(m * c, m * s) for m in grid for c, s in directions] if cplx else [v for m in grid for v in (m, -m)]
    return [(a, b) for a in vals for b in vals]


def _pairs_power(dtype):
    cplx = dtype.kind == "c"
    bases = [m * (complex(0.6, 0.8) if cplx else 1.0) for m in _grid(dtype)] + [0.75, 1.5, 2.0]
    exps = [2.0, 3.0, -1.0, 0.5, -2.5, 1 / 3, 0.1, -0.1, 1e-3, 7.25, 100.0, -1e-9, 1.0 + 2.0**-40]
    if cplx:
        exps += [0.5 + 0.25j, -1.5 - 1j]
    return [(a, b) for a in bases for b in exps]


def _pairs_logaddexp(dtype):
    big = float(np.finfo(real_of(dtype)).max) / 4
    xs = [0.3, 10.0, 87.0, 700.0, 1e10, big, -big, -745.0, -103.0]
    out = []
    for x in xs:
        out += [(x, x), (x, x - 1.0), (x, -x), (x, 0.5 * x), (x, x * (1 + 2.0**-20))]
    return out


def _pairs_ties(dtype):
    return _pairs_general(dtype) + [(x, x) for x in (0.0, 1.5, -2.0, 1e300, -1e-300)]


REFERENCE.update({
    "add": Binary(lambda a, b: a + b, lambda a, b: mp.mpf(1), lambda a, b: mp.mpf(1), _pairs_general),
    "subtract": Binary(lambda a, b: a - b, lambda a, b: mp.mpf(1), lambda a, b: mp.mpf(-1), _pairs_general),
    "multiply": Binary(lambda a, b: a * b, lambda a, b: b, lambda a, b: a, _pairs_general),
    "divide": Binary(lambda a, b: a / b, lambda a, b: 1 / b, lambda a, b: -a / (b * b), _pairs_general),
    "power": Binary(mp.power, lambda a, b: b * mp.power(a, b - 1), lambda a, b: mp.power(a, b) * mp.log(a),
                    _pairs_power, numpy_value="c"),
    "maximum": Binary(max, lambda a, b: mp.mpf(1 if a > b else (0.5 if a == b else 0)),
                      lambda a, b: mp.mpf(1 if b > a else (0.5 if a == b else 0)), _pairs_ties, real_only=True),
    "minimum": Binary(min, lambda a, b: mp.mpf(1 if a < b else (0.5 if a == b else 0)),
                      lambda a, b: mp.mpf(1 if b < a else (0.5 if a == b else 0)), _pairs_ties, real_only=True),
    "hypot": Binary(mp.hypot, lambda a, b: a / mp.hypot(a, b), lambda a, b: b / mp.hypot(a, b),
                    lambda d: _pairs_general(d) + [(0.0, 1e-300), (1e300, 0.0)], real_only=True),
    "arctan2": Binary(mp.atan2, lambda a, b: b / (a * a + b * b), lambda a, b: -a / (a * a + b * b),
                      lambda d: _pairs_general(d) + [(1.0, 1e-300), (1e-300, -1.0)], real_only=True),
    "logaddexp": Binary(lambda a, b: mp.log(mp.exp(a) + mp.exp(b)), lambda a, b: 1 / (1 + mp.exp(b - a)),
                        lambda a, b: 1 / (1 + mp.exp(a - b)), _pairs_logaddexp, real_only=True),
})


# ---------------------------------------------------------------- the special functions
# Each over the points where its accuracy is claimed (the README's "Special
# functions"): moderate arguments plus the grid's extremes where the function
# has a number to give there.
_MODERATE = (0.1, 0.35, 0.8, 1.7, 3.3, 5.9, 7.7, 12.5, 19.2, 26.5, 33.3, 100.3)
_MODERATE = _MODERATE + tuple(-x for x in _MODERATE)


def _within(lo, hi, extra=_MODERATE):
    """The grid's magnitudes in [lo, hi] (both signs; complex along the grid's
    directions) and the extra real points."""
    def points(dtype):
        mags = [m for m in _grid(dtype) if lo <= m <= hi]
        extra_in = [e for e in extra if abs(e) <= hi]
        if dtype.kind == "c":
            return [complex(m * c, m * t) for m in mags + [abs(e) for e in extra_in] for c, t in _DIRECTIONS]
        return [v for m in mags for v in (m, -m)] + extra_in
    return points


def _sqrt_pi_half():
    return mp.sqrt(mp.pi) / 2


def _i_scaled(nu):
    return lambda x: mp.besseli(nu, x) * mp.exp(-abs(x))


def _i1_prime(x):
    return mp.besseli(0, x) - mp.besseli(1, x) / x


_EDGE = (0.5, 0.7, 0.9, 0.99, 1 - 2.0**-20, 1 - 2.0**-40, -0.3, -0.999)

REFERENCE.update({
    "erf": Unary(mp.erf, lambda z: 2 / mp.sqrt(mp.pi) * mp.exp(-z * z), real_only=True, special=_MODERATE),
    "erfc": Unary(mp.erfc, lambda z: -2 / mp.sqrt(mp.pi) * mp.exp(-z * z), real_only=True, special=_MODERATE),
    "erfcx": Unary(lambda z: mp.exp(z * z) * mp.erfc(z),
                   lambda z: 2 * z * mp.exp(z * z) * mp.erfc(z) - 2 / mp.sqrt(mp.pi), real_only=True,
                   points=_within(0, 1e30)),
    "erfinv": Unary(mp.erfinv, lambda y: _sqrt_pi_half() * mp.exp(mp.erfinv(y) ** 2), real_only=True,
                    special=_EDGE),
    "ndtri": Unary(lambda p: mp.sqrt(2) * mp.erfinv(2 * p - 1),
                   lambda p: mp.sqrt(2 * mp.pi) * mp.exp(mp.erfinv(2 * p - 1) ** 2), real_only=True,
                   special=_EDGE + (1e-300, 2.0**-1060, 0.01)),
    "gammaln": Unary(lambda x: mp.log(abs(mp.gamma(x))), mp.digamma, real_only=True, special=_MODERATE, ulps=64),
    "gamma": Unary(mp.gamma, lambda z: mp.gamma(z) * mp.digamma(z),
                   points=lambda d: _within(0, 3.0)(d) if d.kind == "c" else _within(0, 200.0)(d), ulps=64),
    "loggamma": Unary(mp.loggamma, mp.digamma, points=_within(1e-30, 1e3), ulps=256),
    "digamma": Unary(mp.digamma, lambda z: mp.psi(1, z), points=_within(1e-30, 1e3), ulps=64),
    "i0": Unary(lambda x: mp.besseli(0, x), lambda x: mp.besseli(1, x), real_only=True, points=_within(0, 1e4)),
    "i1": Unary(lambda x: mp.besseli(1, x), _i1_prime, real_only=True, points=_within(0, 1e4)),
    "i0e": Unary(_i_scaled(0), lambda x: (mp.besseli(1, x) - mp.sign(x) * mp.besseli(0, x)) * mp.exp(-abs(x)),
                 real_only=True, points=_within(0, 8.0, tuple(v for v in _MODERATE if abs(v) <= 8)), ulps=64),
    "i1e": Unary(_i_scaled(1),
                 lambda x: (_i1_prime(x) - mp.sign(x) * mp.besseli(1, x)) * mp.exp(-abs(x)),
                 real_only=True, points=_within(0, 8.0, tuple(v for v in _MODERATE if abs(v) <= 8)), ulps=64),
    "zeta": Binary(lambda s, q: mp.zeta(s, q), lambda s, q: mp.zeta(s, q, 1), lambda s, q: -s * mp.zeta(s + 1, q),
                   lambda d: [(a, b) for a in (1.5, 2.0, 3.5, 7.0, 20.0) for b in (1e-3, 0.3, 1.0, 2.47, 10.0, 1e3, 1e10)]
                   + [(2.0, -1.5), (3.0, -2.3)],
                   real_only=True, constant_first=True),
    "exp1": Unary(mp.e1, lambda x: -mp.exp(-x) / x, real_only=True, points=_within(0, 1e300)),
    "expi": Unary(mp.ei, lambda x: mp.exp(x) / x, real_only=True,
                  points=_within(0, 1e300, tuple(v for v in _MODERATE if abs(v) > 0.5))),
    "expn": Binary(lambda n, x: mp.expint(n, x), lambda n, x: mp.mpf(0), lambda n, x: -mp.expint(n - 1, x),
                   lambda d: [(n, x) for n in (0.0, 2.0, 3.0, 10.0) for x in (1e-3, 0.3, 1.0, 2.47, 10.0, 300.0)],
                   real_only=True, constant_first=True),
    "gammainc": Binary(lambda a, x: mp.gammainc(a, 0, x, regularized=True), lambda a, x: mp.mpf(0),
                       lambda a, x: x ** (a - 1) * mp.exp(-x) / mp.gamma(a),
                       lambda d: [(a, x) for a in (0.5, 1.0, 2.5, 10.0, 50.0) for x in (1e-3, 0.3, 1.0, 2.47, 10.0,
                                                                                      55.0)],
                       real_only=True, constant_first=True, ulps=512),
    "gammaincc": Binary(lambda a, x: mp.gammainc(a, x, mp.inf, regularized=True), lambda a, x: mp.mpf(0),
                        lambda a, x: -x ** (a - 1) * mp.exp(-x) / mp.gamma(a),
                        lambda d: [(a, x) for a in (0.5, 1.0, 2.5, 10.0, 50.0) for x in (1e-3, 0.3, 1.0, 2.47, 10.0,
                                                                                       55.0)],
                        real_only=True, constant_first=True, ulps=512),
})


def _function(name):
    ref = REFERENCE[name]
    if isinstance(ref, Binary) and ref.constant_first:
        # The rule itself: SciPy's function around it (nan outside its domain, an
        # order that refuses differentiation) is tested in test_special.py.
        return lambda a, b: binary(name, a, b)
    return getattr(wnp, name, None) or getattr(wss, name)


def _mp(x):
    x = complex(x)
    return mp.mpc(x.real, x.imag) if x.imag else mp.mpf(x.real)


def _finite_in(x, dtype):
    """Where |x| (complex128) does not exceed the dtype's largest number."""
    with np.errstate(invalid="ignore"):
        return np.abs(x) <= float(np.finfo(real_of(dtype)).max)


def _c(x):
    """An mpmath number as a Python complex (inf where it overflows double)."""
    x = mp.mpc(x)
    return complex(float(x.real), float(x.imag))


def _normal(x, dtype):
    """Whether |x| (an exact number) is a normal number of dtype, or exactly 0."""
    fi = np.finfo(real_of(dtype))
    a = abs(mp.mpc(x))
    return a == 0 or (a >= fi.tiny and a <= fi.max)


@dataclass
class Exact:
    """Exact values at the points of one rule in one dtype, as complex128 arrays,
    and where they are normal numbers of the dtype."""
    points: tuple  # one array per argument, in the dtype
    value: np.ndarray
    partials: tuple  # (d_dz, d_dzconj) or (d_da, d_db); for a real dtype, the real derivative(s)
    ok: np.ndarray  # where the partials are normal numbers (or 0), not all 0
    partial_ok: tuple  # per partial: where it is a nonzero normal number
    partial_zero: tuple  # per partial: where it is exactly 0
    value_ok: np.ndarray  # where the value is a nonzero normal number


def _stable(fn, *args):
    """fn(*args) evaluated at increasing precision until two precisions agree to
    80 bits: mpmath's complex atan, atanh, ... cancel internally at tiny
    arguments, and no fixed precision is enough over the whole exponent range."""
    prev = None
    for prec in (192, 384, 768, 1536, 3072, 6144):
        with mp.workprec(prec):
            val = mp.mpc(fn(*[mp.mpc(a) if isinstance(a, mp.mpc) else mp.mpf(a) for a in args]))
        if prev is not None and (val == prev or abs(val - prev) <= abs(val) * mp.mpf(2) ** -80):
            return val
        prev = val
    raise AssertionError(f"no stable reference value for {fn} at {args}")


@functools.lru_cache(maxsize=None)
def exact(name, dtype):
    ref = REFERENCE[name]
    dtype = np.dtype(dtype)
    cplx = dtype.kind == "c"
    if isinstance(ref, Unary):
        args = (unary_points(name, dtype),)
    else:
        with np.errstate(over="ignore"):
            pairs = np.array(ref.pairs(dtype), dtype=dtype if cplx else np.float64).astype(dtype)
        pairs = pairs[np.isfinite(pairs).all(axis=1)]
        args = (pairs[:, 0].copy(), pairs[:, 1].copy())
    n = len(args[0])
    value = np.zeros(n, complex)
    partials = (np.zeros(n, complex), np.zeros(n, complex))
    ok = np.ones(n, bool)
    value_ok = np.zeros(n, bool)
    partial_ok = (np.zeros(n, bool), np.zeros(n, bool))
    partial_zero = (np.zeros(n, bool), np.zeros(n, bool))
    for k in range(n):
        xs = [_mp(a[k]) for a in args]
        try:
            v = _stable(ref.value, *xs)
            if isinstance(ref, Unary):
                p = [_stable(ref.d_dz, xs[0]), _stable(ref.d_dzconj, xs[0]) if ref.d_dzconj else mp.mpf(0)]
                if not cplx:
                    p = [p[0] + p[1], mp.mpf(0)]
            else:
                p = [_stable(ref.d_da, *xs), _stable(ref.d_db, *xs)]
        except (ZeroDivisionError, ValueError, OverflowError):  # no reference there (mpmath at 1e300)
            ok[k] = False
            continue
        if not cplx and any(mp.im(mp.mpc(q)) != 0 for q in [v] + p):  # outside the real domain (NumPy gives nan)
            ok[k] = False
            continue
        ok[k] = all(_normal(q, dtype) for q in p) and any(q != 0 for q in p)
        value_ok[k] = _normal(v, dtype) and v != 0
        for i in (0, 1):
            partial_ok[i][k] = _normal(p[i], dtype) and p[i] != 0
            partial_zero[i][k] = p[i] == 0
        value[k] = _c(v)
        partials[0][k], partials[1][k] = _c(p[0]), _c(p[1])
    return Exact(args, value, partials, ok, partial_ok, partial_zero, value_ok)


def _tol(dtype):
    return ULPS * float(np.finfo(real_of(dtype)).eps)


def assert_accurate(what, got, want, scale, ok, points, dtype):
    """|got − want| ≤ ULPS·eps·scale where ok and the exact result (and its
    scale) is a number of the dtype, elementwise, norm-wise for complex (the
    rule's own tolerance where it states one: `what` starts with its name)."""
    ulps = getattr(REFERENCE.get(what.split()[0]), "ulps", ULPS)
    got = np.asarray(got).astype(complex)
    ok = ok & _finite_in(want, dtype) & _finite_in(scale, dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got - want)
        bad = ok & ~(err <= _tol(dtype) * ulps / ULPS * scale)
    if bad.any():
        idx = np.flatnonzero(bad)[:6]
        rows = "\n".join(f"  at {tuple(p[i] for p in points)}: got {got[i]!r}, exact {want[i]!r}" for i in idx)
        pytest.fail(f"{what}: {bad.sum()} of {ok.sum()} points off by more than {ulps} eps:\n{rows}")


def _check_value(name, ex, got, dtype):
    assert_accurate(f"{name} value", got, ex.value, np.abs(ex.value), ex.value_ok, ex.points, dtype)


def _cases(kind):
    out = []
    for name, ref in REFERENCE.items():
        for dtype in DTYPES:
            if kind == "binary" and isinstance(ref, Binary) and not (ref.real_only and dtype.kind == "c"):
                out.append(pytest.param(name, dtype, id=f"{name}-{dtype.name}"))
            if kind == "unary" and isinstance(ref, Unary) and not (ref.real_only and dtype.kind == "c"):
                out.append(pytest.param(name, dtype, id=f"{name}-{dtype.name}"))
    return out


def test_every_rule_has_a_reference():
    names = set(_core.unary_names()) | set(_core.binary_names())
    assert names == set(REFERENCE), f"rules without a reference: {sorted(names - set(REFERENCE))}"
    assert set(w.primitive_names()) >= names


def _tangent(dtype, n, which):
    """1 or i (complex dtypes) along every point."""
    return (np.full(n, 1j if which else 1.0, dtype)) if dtype.kind == "c" else np.ones(n, dtype)


def _jvp_exact(ex, which):
    """The exact JVP along 1 (which = 0) or i (1) and its scale |A| + |B|."""
    a, b = ex.partials
    t = 1j if which else 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        return a * t + b * np.conj(t), np.abs(a) + np.abs(b)


def _scale(ex):
    """|A| + |B|, the size of the real-linear map t ↦ A t + B conj(t)."""
    with np.errstate(over="ignore"):
        return np.abs(ex.partials[0]) + np.abs(ex.partials[1])


def _assert_batch_kernel_ran(jac):
    if jit_mode.ENABLED:
        return  # jacfwd is wrapped by jit, which takes the generic path
    plans = _batch_jacobian.spec_of(jac).plans.values()
    assert any(p is not None for p in plans), "vmap(jacfwd) did not run the batch kernel"


# ---------------------------------------------------------------- unary rules
@pytest.mark.parametrize("name,dtype", _cases("unary"))
def test_unary_scalar(name, dtype):
    """One point at a time: the scalar path (w.wirtinger for complex, jvp for real)."""
    ex = exact(name, dtype)
    f = _function(name)
    (z,) = ex.points
    n = len(z)
    value = np.zeros(n, complex)
    got = (np.zeros(n, complex), np.zeros(n, complex))
    todo = ex.ok | ex.value_ok
    one = dtype.type(1)
    with np.errstate(all="ignore"):
        for k in np.flatnonzero(todo):
            value[k], t = w.jvp(f, (z[k],), (one,))
            if dtype.kind == "c":
                pair = w.wirtinger(f)(z[k])
                got[0][k], got[1][k] = pair.dz, pair.dzbar
            else:
                got[0][k] = t
    _check_value(name, ex, value, dtype)
    a, b = ex.partials
    scale = _scale(ex)
    assert_accurate(f"{name} d/dz (scalar)", got[0], a, scale, ex.ok, ex.points, dtype)
    if dtype.kind == "c":
        assert_accurate(f"{name} d/dzbar (scalar)", got[1], b, scale, ex.ok, ex.points, dtype)


# The paths a JVP of a whole array takes, each run(f, x, t) -> (f(x), JVP along t):
def _array_jvp(f, x, t):
    """The vectorised kernels."""
    return w.jvp(f, (x,), (t,))


def _nested_jvp(f, x, t):
    """A JVP inside an enclosing jvp records its partials: the rules
    instantiated with the engine's differentiable values."""
    (value, t_out), _ = w.jvp(lambda x: w.jvp(f, (x,), (t,)), (x,), (np.ones_like(x),))
    return value, t_out


def _jit_jvp(f, x, t):
    """jit of a JVP: the replay of the traced program, which recorded the partials."""
    g = w.jit(lambda x, t: w.jvp(f, (x,), (t,)))
    g(x, t)
    return g(x, t)


JVP_PATHS = {"array": _array_jvp, "nested": _nested_jvp, "jit": _jit_jvp}


def _unary_arrays(name, dtype, run):
    """run(f, z, t) -> (value, jvp) over the whole array of points, checked along 1 and i."""
    ex = exact(name, dtype)
    f = _function(name)
    (z,) = ex.points
    for which in (0, 1) if dtype.kind == "c" else (0,):
        with np.errstate(all="ignore"):
            value, t_out = run(f, z, _tangent(dtype, len(z), which))
        _check_value(name, ex, value, dtype)
        want, scale = _jvp_exact(ex, which)
        assert_accurate(f"{name} JVP along {'i' if which else '1'}", t_out, want, scale, ex.ok, ex.points, dtype)


@pytest.mark.parametrize("name,dtype", _cases("unary"))
def test_unary_array_vjp(name, dtype):
    """The "adjoint" VJP of a cotangent 1: conj(d/dz) + d/dzbar."""
    ex = exact(name, dtype)
    f = _function(name)
    (z,) = ex.points
    with np.errstate(all="ignore"):
        out, vjp_fn = w.vjp(f, z)
        (ct,) = vjp_fn(np.ones(len(z), np.asarray(out).dtype))
    _check_value(name, ex, out, dtype)
    a, b = ex.partials
    with np.errstate(over="ignore"):
        want = np.conj(a) + b
    assert_accurate(f"{name} VJP", ct, want, _scale(ex), ex.ok, ex.points, dtype)


@pytest.mark.parametrize("name,dtype", _cases("unary"))
def test_unary_batch_kernel(name, dtype):
    """vmap(jacfwd(f)): the per-sample plan of the batch kernel."""
    ex = exact(name, dtype)
    f = _function(name)
    (z,) = ex.points
    jac = w.jacfwd(f)
    with np.errstate(all="ignore"):
        got = w.vmap(jac)(z[:, None])  # samples of shape (1,), Jacobians (1, 1): the plan rejects 0-d samples
    _assert_batch_kernel_ran(jac)
    got = w.Wirtinger(got.dz[:, 0, 0], got.dzbar[:, 0, 0]) if dtype.kind == "c" else got[:, 0, 0]
    a, b = ex.partials
    if dtype.kind == "c":
        assert_accurate(f"{name} d/dz (batch)", got.dz, a, _scale(ex), ex.ok, ex.points, dtype)
        assert_accurate(f"{name} d/dzbar (batch)", got.dzbar, b, _scale(ex), ex.ok, ex.points, dtype)
    else:
        assert_accurate(f"{name} derivative (batch)", got, a, np.abs(a), ex.ok, ex.points, dtype)


# ---------------------------------------------------------------- binary rules
def _binary_check(name, dtype, got_value, got_da, got_db, where=(None, None)):
    """where: per partial, a further mask of the points to judge."""
    ex = exact(name, dtype)
    judged = np.ones(len(ex.value), bool)
    if dtype.kind in REFERENCE[name].numpy_value:  # where the value is accurate to a quarter of the tolerance
        with np.errstate(invalid="ignore", over="ignore"):
            judged = np.abs(np.asarray(got_value).astype(complex) - ex.value) <= _tol(dtype) / 4 * np.abs(ex.value)
    else:
        _check_value(name, ex, got_value, dtype)
    for i, label, got in ((0, "d/da", got_da), (1, "d/db", got_db)):
        if i == 0 and REFERENCE[name].constant_first:
            continue
        want = ex.partials[i]
        ok = ex.partial_ok[i] & judged & (True if where[i] is None else where[i])
        assert_accurate(f"{name} {label}", got, want, np.abs(want), ok, ex.points, dtype)


def _binary_arrays(name, dtype, run):
    """run(g, x, t) -> (value, jvp) for g a function of one argument, the other
    held constant (a zero tangent would turn an infinite other partial into nan)."""
    ex = exact(name, dtype)
    f = _function(name)
    a, b = ex.points
    one = np.ones_like(a)
    with np.errstate(all="ignore"):
        value, db = run(lambda y: f(a, y), b, one)
        da = None if REFERENCE[name].constant_first else run(lambda x: f(x, b), a, one)[1]
    _binary_check(name, dtype, value, da, db)


@pytest.mark.parametrize("name,dtype", _cases("binary"))
def test_binary_scalar(name, dtype):
    ex = exact(name, dtype)
    f = _function(name)
    a, b = ex.points
    n = len(a)
    value, da, db = np.zeros(n, complex), np.zeros(n, complex), np.zeros(n, complex)
    one = dtype.type(1)
    with np.errstate(all="ignore"):
        for k in np.flatnonzero(ex.partial_ok[0] | ex.partial_ok[1] | ex.value_ok):
            value[k], db[k] = w.jvp(lambda y: f(a[k], y), (b[k],), (one,))
            if not REFERENCE[name].constant_first:
                _, da[k] = w.jvp(lambda x: f(x, b[k]), (a[k],), (one,))
    _binary_check(name, dtype, value, da, db)


@pytest.mark.parametrize("path", JVP_PATHS)
@pytest.mark.parametrize("name,dtype", _cases("unary") + _cases("binary"))
def test_jvp_of_arrays(name, dtype, path):
    check = _unary_arrays if isinstance(REFERENCE[name], Unary) else _binary_arrays
    check(name, dtype, JVP_PATHS[path])


@pytest.mark.parametrize("name,dtype", _cases("binary"))
def test_binary_array_vjp(name, dtype):
    ex = exact(name, dtype)
    f = _function(name)
    a, b = ex.points
    with np.errstate(all="ignore"):
        if REFERENCE[name].constant_first:
            out, vjp_fn = w.vjp(lambda y: f(a, y), b)
            cta, (ctb,) = None, vjp_fn(np.ones(len(a), np.asarray(out).dtype))
        else:
            out, vjp_fn = w.vjp(f, a, b)
            cta, ctb = vjp_fn(np.ones(len(a), np.asarray(out).dtype))
    _binary_check(name, dtype, out, None if cta is None else np.conj(cta), np.conj(ctb))


@pytest.mark.parametrize("name,dtype", _cases("binary"))
def test_binary_batch_kernel(name, dtype):
    ex = exact(name, dtype)
    f = _function(name)
    a, b = ex.points
    first = not REFERENCE[name].constant_first
    jac = w.jacfwd(f, argnums=(0, 1) if first else 1)
    with np.errstate(all="ignore"):
        got = w.vmap(jac)(a[:, None], b[:, None])  # samples of shape (1,), as above
        value = np.asarray(f(a, b))
    _assert_batch_kernel_ran(jac)
    if not first:
        got = (np.zeros_like(got), got)
    # The plan carries both directions in every row, so a partial that is not
    # finite makes the other argument's column nan (inf·0); judge each partial
    # where the other one is a normal number (or 0).
    other_finite = [ex.partial_ok[1 - i] | ex.partial_zero[1 - i] for i in (0, 1)]
    if dtype.kind == "c":
        for i, g in enumerate(got):
            judged = ex.partial_ok[i] & other_finite[i]
            assert np.all(g.dzbar[judged, 0, 0] == 0), "a holomorphic rule has a nonzero d/dzbar"
        got = [g.dz for g in got]
    got = [g[:, 0, 0] for g in got]
    _binary_check(name, dtype, value, got[0], got[1], where=other_finite)


# ---------------------------------------------------------------- special values, every path alike
_SPECIAL_PARTS = [np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -2.5, 1e300, 1e-300]


def _special_values(dtype, imag_parts=_SPECIAL_PARTS):
    cplx = dtype.kind == "c"
    vals = [complex(a, b) for a in _SPECIAL_PARTS for b in imag_parts] if cplx else _SPECIAL_PARTS
    with np.errstate(over="ignore", under="ignore"):
        return np.array(vals).astype(dtype) if cplx else np.array(vals, dtype)


# Points where a derivative inside a transform may take the other side of a
# branch cut: the engine multiplies by i as complex numbers do, (0 + i)(x + iy),
# which cannot keep the sign of a zero x, and arcsinh's rule needs iz.
_SIDE_OF_CUT_LOST = {"arcsinh": lambda z: (z.real == 0) & (np.abs(z.imag) > 1)}


def _agree(got, want, dtype, what, skip=None):
    """The same nan and inf in each part, and the same finite numbers to rounding."""
    got, want = np.asarray(got).astype(complex), np.asarray(want).astype(complex)
    if skip is not None:
        got, want = got[~skip], want[~skip]
    fi = np.finfo(real_of(dtype))
    for part in (np.real, np.imag):
        g, r = part(got), part(want)
        for test in (np.isnan, np.isinf):
            bad = np.flatnonzero(test(g) != test(r))
            assert not len(bad), f"{what}: {test.__name__} differs at {bad[:4]}: {g[bad[:4]]} vs {r[bad[:4]]}"
    fin = np.isfinite(want.real) & np.isfinite(want.imag)
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.abs(got - want)[fin] <= ULPS * fi.eps * np.abs(want)[fin] + fi.tiny
    assert close.all(), f"{what}: finite values differ at {np.flatnonzero(fin)[~close][:4]}"


@pytest.mark.parametrize("name,dtype", _cases("unary") + _cases("binary"))
def test_special_values_agree_on_every_path(name, dtype):
    """At inf, nan, signed zeros and extreme operands every path gives the same
    JVP: the vectorised kernels, one element at a time, a nested JVP and jit."""
    f = _function(name)
    skip = None
    if isinstance(REFERENCE[name], Unary):
        x = _special_values(dtype)
        cases = [(f, x)]
        if name in _SIDE_OF_CUT_LOST and dtype.kind == "c":
            skip = _SIDE_OF_CUT_LOST[name](x)
    else:
        v = _special_values(dtype, _SPECIAL_PARTS[:6])
        a, b = np.repeat(v, len(v)), np.tile(v, len(v))
        cases = [(lambda x: f(x, b), a), (lambda y: f(a, y), b)][1 if REFERENCE[name].constant_first else 0:]
    for g, x in cases:
        t = np.ones_like(x)
        with np.errstate(all="ignore"):
            _, want = _array_jvp(g, x, t)
            for path in ("nested", "jit"):
                _agree(JVP_PATHS[path](g, x, t)[1], want, dtype, f"{name} {path}", skip)
            if isinstance(REFERENCE[name], Unary):
                one = [w.jvp(g, (x[k],), (t[k],))[1] for k in range(len(x))]
                _agree(one, want, dtype, f"{name} one element at a time")


# ---------------------------------------------------------------- the oracle itself
_ORACLE_POINTS = [mp.mpc(0.3, 0.4), mp.mpc(-0.7, 0.2), mp.mpc(1.5, -0.5)]


@pytest.mark.parametrize("name", [n for n, r in REFERENCE.items() if isinstance(r, Unary)])
def test_reference_partials_match_numerical_differentiation(name):
    """The hand-written exact partials against mpmath's own numerical derivatives
    along x and y, so that the reference is not only a formula."""
    ref = REFERENCE[name]
    if ref.real_only:  # the real derivative along the real line
        for x in (mp.mpf(0.3), mp.mpf(0.55), mp.mpf(0.8)):
            with mp.workprec(256):
                assert abs(mp.diff(ref.value, x) - ref.d_dz(x)) < mp.mpf(10) ** -40, (name, x)
        return
    for z in _ORACLE_POINTS:
        with mp.workprec(256):
            fx = mp.diff(lambda t: mp.mpc(ref.value(z + t)), 0)
            fy = mp.diff(lambda t: mp.mpc(ref.value(z + I * t)), 0)
            a, b = (fx - I * fy) / 2, (fx + I * fy) / 2
            want_b = ref.d_dzconj(z) if ref.d_dzconj else 0
            assert abs(a - ref.d_dz(z)) < mp.mpf(10) ** -40 and abs(b - want_b) < mp.mpf(10) ** -40, (name, z)


@pytest.mark.parametrize("name", [n for n, r in REFERENCE.items() if isinstance(r, Binary)])
def test_reference_binary_partials_match_numerical_differentiation(name):
    ref = REFERENCE[name]
    pts = [(mp.mpf(0.3), mp.mpf(-0.7)), (mp.mpf(1.5), mp.mpf(0.4))]
    if ref.constant_first:  # zeta(s, q): s > 1, q > 0
        pts = [(mp.mpf(2.5), mp.mpf(0.4)), (mp.mpf(3.0), mp.mpf(1.7))]
    elif not ref.real_only:
        pts += [(mp.mpc(0.3, 0.4), mp.mpc(-0.7, 0.2))]
    for a, b in pts:
        with mp.workprec(256):
            da = 0 if ref.constant_first else mp.diff(lambda t: ref.value(a + t, b), 0) - ref.d_da(a, b)
            db = mp.diff(lambda t: ref.value(a, b + t), 0)
            assert abs(da) < mp.mpf(10) ** -40 and abs(db - ref.d_db(a, b)) < mp.mpf(10) ** -40, (a, b)


# ---------------------------------------------------------------- the examples people report
def test_the_reported_examples():
    with np.errstate(all="ignore"):
        assert np.isnan(np.asarray(wnp.reciprocal(complex(np.inf, np.inf)))).all()  # NumPy's value
    z = 1e-170 + 1e-170j  # |z|² underflows
    np.testing.assert_allclose(w.grad(wnp.angle)(z), -5e169 + 5e169j, rtol=1e-15)
    z = np.complex64(1e-21 + 1e-21j)
    np.testing.assert_allclose(w.grad(wnp.angle)(z), -5e20 + 5e20j, rtol=1e-6)
    z = 1e308 + 1e308j  # 2|z| overflows
    np.testing.assert_allclose(w.grad(wnp.abs)(z), 0.7071067811865476 + 0.7071067811865476j, rtol=1e-15)
    _, t = w.jvp(wnp.tanh, (20 + 1.4j,), (1.0 + 0j,))  # 1 − tanh² cancels
    np.testing.assert_allclose(t, -1.601157716164198e-17 - 5.692593332748389e-18j, rtol=1e-14)
    _, t = w.jvp(wnp.tanh, (np.complex64(9 + 1.4j),), (np.complex64(1),))
    np.testing.assert_allclose(t, -5.74001091196485e-08 - 2.040745487481326e-08j, rtol=1e-5)
