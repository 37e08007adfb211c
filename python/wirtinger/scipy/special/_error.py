"""The error function and the normal distribution: erf, erfc, erfcx (scaled),
their inverses, and the normal distribution function and its logarithm.

erf, erfc, erfcx, erfinv and ndtri are rules of the table, for real arguments
(their derivatives 2/√π·e^(−x²), its negative, 2x·erfcx(x) − 2/√π, √π/2·e^(y²)
and √(2π)·e^(p²/2) are computed without the cancellation or overflow of the
formulas as written); ndtr and log_ndtr are compositions. So are Dawson's
integral, the Fresnel integrals and Owen's T function, as Gauss rules over
intervals chosen per argument (_quadrature.py), with their asymptotic forms
where the argument is large, and the Faddeeva function wofz, as Weideman's
rational approximation."""
import functools
import math

import numpy as np

from ... import numpy as wnp
from ...numpy._statistics import stop_gradient
from ..._array import result_dtype
from ._common import reals, rule
from ._quadrature import against_exp, at_nodes, on_unit_interval

_SQRT1_2 = math.sqrt(0.5)


def erf(x):
    """The error function 2/√π ∫₀ˣ e^(−t²) dt, as ``scipy.special.erf``, real x."""
    return rule("erf", x)


def erfc(x):
    """1 − erf(x), accurate where erf(x) is near 1, as ``scipy.special.erfc``, real x."""
    return rule("erfc", x)


def erfcx(x):
    """The scaled complementary error function e^(x²)·erfc(x), as
    ``scipy.special.erfcx``: finite (about 1/(x√π)) where erfc underflows."""
    return rule("erfcx", x)


def erfinv(y):
    """The inverse of erf on [−1, 1] (±inf at ±1, nan outside), as ``scipy.special.erfinv``."""
    return rule("erfinv", y)


def ndtri(p):
    """The inverse of the normal distribution function on [0, 1] (±inf at the
    ends, nan outside), as ``scipy.special.ndtri``; accurate down to the smallest p."""
    return rule("ndtri", p)


def ndtr(x):
    """The standard normal distribution function Φ(x) = erfc(−x/√2)/2, as
    ``scipy.special.ndtr``, real x; its derivative is the normal density."""
    return 0.5 * erfc(-_SQRT1_2 * wnp.asarray(x))


def log_ndtr(x):
    """log Φ(x), as ``scipy.special.log_ndtr``: finite far into the left tail
    (log Φ(x) = log(erfcx(−x/√2)/2) − x²/2 for x < −1) and accurate in the right
    one (log1p(−Φ(−x))), where log(ndtr(x)) underflows or rounds to 0."""
    x = wnp.asarray(x)
    left = x < -1
    xl = wnp.where(left, x, -2.0)
    xr = wnp.where(left, 0.0, x)
    tail = wnp.log(0.5 * erfcx(-_SQRT1_2 * xl)) - 0.5 * (xl * xl)
    return wnp.where(left, tail, wnp.log1p(-ndtr(-xr)))


def dawsn(x):
    """Dawson's integral D(x) = e^(−x²) ∫₀ˣ e^(t²) dt, as ``scipy.special.dawsn``,
    real x; D' = 1 − 2x·D.

    As x∫₀^V e^(−x²v(2−v)) dv (t = x(1 − v)), V cut where the integrand falls
    below e^(−40) of its peak, so that the nodes resolve it for every x; beyond
    |x| = 10⁴ the expansion 1/(2x)·(1 + 1/(2x²) + 3/(4x⁴))."""
    (x,) = reals("dawsn", x)
    s, w = on_unit_interval(40, x.dtype)
    large = wnp.abs(x) > 1e4
    xs = wnp.where(large, 1.0, x)
    x2 = xs * xs
    cut = x2 > 40
    r = 40 / wnp.where(cut, x2, 80.0)
    span = stop_gradient(wnp.where(cut, r / (1 + wnp.sqrt(1 - r)), 1.0))  # 1 − √(1 − 40/x²)
    v = at_nodes(span) * s
    inner = xs * span * (wnp.exp(-at_nodes(x2) * v * (2 - v)) @ w)
    xl = wnp.where(large, x, 2e4)
    y = 1 / (xl * xl)
    outer = (1 + y * (0.5 + 0.75 * y)) / (2 * xl)
    return wnp.where(large, outer, inner)


def fresnel(x):
    """The Fresnel integrals (S(x), C(x)) = ∫₀ˣ (sin, cos)(πt²/2) dt, as
    ``scipy.special.fresnel``, real x; S' = sin(πx²/2), C' = cos(πx²/2).

    For |x| ≤ 4 the integrals over [0, x] directly; beyond, C + iS = (1 + i)/2 −
    e^(iπx²/2)·(i/π)∫₀^∞ e^(−u)(x² + 2iu/π)^(−½) du (the tail's path turned into
    the complex plane, where it decays), which loses what the rounding of x² costs
    the phase: about |x|²·10⁻¹⁶ absolute in πx²/2, times the tail's 1/(π|x|)."""
    (x,) = reals("fresnel", x)
    s, w = on_unit_interval(40, x.dtype)
    ax = wnp.abs(x)
    near = ax <= 4
    huge = ax > 1e15  # the tail is below half an ulp of ½
    xn = wnp.where(near, x, 0.0)
    phase = at_nodes(xn) * s
    phase = (np.pi / 2) * (phase * phase)
    s_near = xn * (wnp.sin(phase) @ w)
    c_near = xn * (wnp.cos(phase) @ w)
    u, wu = against_exp(60, x.dtype)
    xf = wnp.where(near | huge, 5.0, ax)
    x2 = xf * xf
    cdtype = np.result_type(x.dtype, np.complex64)
    root = wnp.sqrt(at_nodes(x2) + ((2j / np.pi) * u).astype(cdtype))
    tail = (1 / root) @ wu
    re, im = wnp.real(tail), wnp.imag(tail)
    theta = (np.pi / 2) * x2
    c, sn = wnp.cos(theta), wnp.sin(theta)
    sign = wnp.sign(x)
    c_far = sign * wnp.where(huge, 0.5, 0.5 + (im * c + re * sn) / np.pi)
    s_far = sign * wnp.where(huge, 0.5, 0.5 - (re * c - im * sn) / np.pi)
    return wnp.where(near, s_near, s_far), wnp.where(near, c_near, c_far)


def _owens_t_core(h, a):
    # (a/2π)∫₀^τ e^(−h²(1+a²t²)/2)/(1+a²t²) dt for |a| ≤ 1 (even in h); the
    # integrand is below e^(−40) of its peak beyond τ = 9/(h|a|).
    s, w = on_unit_interval(40, h.dtype)
    ha = wnp.abs(h * a)
    tau = stop_gradient(wnp.where(ha > 9, 9 / wnp.where(ha > 9, ha, 1.0), 1.0))
    t = at_nodes(a * tau) * s
    at2 = t * t
    q = at_nodes(0.5 * (h * h))
    return a * tau / (2 * np.pi) * ((wnp.exp(-q * (1 + at2)) / (1 + at2)) @ w)


def owens_t(h, a):
    """Owen's T function T(h, a) = (1/2π)∫₀ᵃ e^(−h²(1+x²)/2)/(1+x²) dx, as
    ``scipy.special.owens_t``, real h and a; differentiable in both
    (∂T/∂a is the integrand at a, ∂T/∂h = −φ(h)·erf(ah/√2)/2).

    For |a| ≤ 1 the integral itself; for |a| > 1 the identity
    T(h, a) = (Q(h) + Q(ah))/2 − Q(h)Q(ah) − T(ah, 1/a) (h ≥ 0, Q = 1 − Φ), written
    with the tail probabilities, which keeps the relative accuracy for large h."""
    h, a = wnp.broadcast_arrays(*reals("owens_t", h, a))
    wide = wnp.abs(a) > 1
    narrow = _owens_t_core(h, wnp.where(wide, 0.5, a))  # even in h through h² (smooth at 0, unlike |h|)
    h = wnp.abs(h)
    aw = wnp.where(wide, wnp.abs(a), 2.0)
    ah = wnp.where(h == 0, 0.0, aw * h)
    qh, qa = ndtr(-h), ndtr(-ah)
    far = wnp.sign(a) * (0.5 * (qh + qa) - qh * qa - _owens_t_core(ah, 1 / aw))
    return wnp.where(wide, far, narrow)


_WOFZ_TERMS = 40
_INV_SQRT_PI = 1 / math.sqrt(math.pi)  # a Python float, which keeps complex64 arguments complex64


@functools.lru_cache(maxsize=None)
def _weideman_coefficients(n):
    # Weideman (SIAM J. Numer. Anal. 31, 1994): on the upper half-plane
    # w(z) ≈ 2·p(Z)/(L − iz)² + 1/(√π(L − iz)), Z = (L + iz)/(L − iz), L = √(n/√2),
    # where p's coefficients are those of the Fourier series of e^(−t²)(L² + t²)
    # in θ, t = L·tan(θ/2), computed here by the FFT of its samples.
    m = 2 * n
    length = np.sqrt(n / np.sqrt(2))
    theta = np.arange(-m + 1, m) * np.pi / m
    t = length * np.tan(theta / 2)
    samples = np.concatenate([[0.0], np.exp(-t * t) * (length * length + t * t)])
    a = np.real(np.fft.fft(np.fft.fftshift(samples))) / (2 * m)
    return [float(c) for c in a[1:n + 1][::-1]], float(length)  # Python floats: the argument's precision


def _wofz_upper(z):
    # Im z ≥ 0. Beyond |z| = 10⁴ the expansion i/(√π z)·(1 + 1/(2z²) + 3/(4z⁴)), whose
    # next term is 15/(8z⁶) relative; the rational form's Z would be inf/inf there.
    a, length = _weideman_coefficients(_WOFZ_TERMS)
    far = wnp.abs(z) > 1e4
    zn = wnp.where(far, 0.0, z)
    den = length - 1j * zn
    big_z = (length + 1j * zn) / den
    p = a[0] + 0 * big_z
    for c in a[1:]:
        p = p * big_z + c
    near = 2 * p / (den * den) + _INV_SQRT_PI / den
    zf = wnp.where(far, z, 1e5)
    y = 1 / (zf * zf)
    asymptotic = 1j * _INV_SQRT_PI / zf * (1 + y * (0.5 + 0.75 * y))
    return wnp.where(far, asymptotic, near)


def wofz(z):
    """The Faddeeva function w(z) = e^(−z²)·erfc(−iz), as ``scipy.special.wofz``, for
    complex or real z (complex result); holomorphic, w'(z) = −2z·w(z) + 2i/√π.

    On the upper half-plane Weideman's rational approximation in 40 terms (relative
    error about 10⁻¹⁴), whose derivative is taken as its own, without the
    cancellation of the formula for w' at large |z|; below the real axis the
    reflection w(z) = 2e^(−z²) − w(−z), which overflows where e^(−z²) does, as SciPy's."""
    dtype = np.result_type(result_dtype(z), np.complex64)
    z = wnp.asarray(z, dtype)
    lower = wnp.imag(z) < 0
    upper = _wofz_upper(wnp.where(lower, -z, z))
    zl = wnp.where(lower, z, 0.0)
    return wnp.where(lower, 2 * wnp.exp(-zl * zl) - upper, upper)
