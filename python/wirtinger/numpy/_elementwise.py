"""Element-wise functions composed from the rule table: NumPy 2's array-API
aliases, rounding and other piecewise-constant functions (zero derivative,
recomputed on every jit call), predicates (NumPy booleans, or traced masks
under jit), and compositions such as ``sinc``, ``cbrt`` and ``float_power``."""
import builtins
import operator

import numpy as _np

from .._array import Array, Mask, concrete as _concrete, result_dtype as _result_dtype, traced as _traced, \
    to_var as _to_var
from .._primitive import nondifferentiable
from ._functions import (_array, _no_out, _public, _real_of, _real_only, abs, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                         concatenate, imag, logaddexp, maximum, minimum, power, real, reshape, sign, sin, sum as _sum,
                         where)

# NumPy 2 names (the array API's).
acos, acosh, asin, asinh, atan, atanh, atan2, pow = (arccos, arccosh, arcsin, arcsinh, arctan, arctanh, arctan2,
                                                     power)


def _piecewise_constant(name, fn, *xs):
    """fn of the values, with zero derivative (a step function of real inputs)."""
    arrays = [_real_only(x, name) for x in xs]
    dtype = _result_dtype(*arrays)
    return nondifferentiable(name, lambda *v: _np.asarray(fn(*v)).astype(dtype), *arrays)


def floor(x, /):
    return _piecewise_constant("floor", _np.floor, x)


def ceil(x, /):
    return _piecewise_constant("ceil", _np.ceil, x)


def trunc(x, /):
    return _piecewise_constant("trunc", _np.trunc, x)


fix = trunc


def rint(x, /):
    x = _array(x)
    if x.dtype.kind == "c":
        return nondifferentiable("rint", _np.rint, x)
    return _piecewise_constant("rint", _np.rint, x)


def round(a, decimals=0, out=None):  # noqa: A001
    """``numpy.round`` (half to even; complex parts rounded separately): zero derivative."""
    _no_out(out, "round")
    return nondifferentiable("round", lambda v: _np.round(v, decimals), _array(a))


around = round


def signbit(x, /):
    return _predicate("signbit", _real_only(x, "signbit"), _np.signbit)


def heaviside(x1, x2, /):
    """``numpy.heaviside``: 0 below zero, x2 at zero, 1 above; its derivative is x2's at zero, else 0."""
    x1 = _real_only(x1, "heaviside")
    x2 = _real_only(x2, "heaviside")
    step = _piecewise_constant("heaviside", lambda v: (v > 0).astype(float), x1)
    at_zero = _piecewise_constant("heaviside", lambda v: (v == 0).astype(float), x1)
    return step + at_zero * x2


def copysign(x1, x2, /):
    """|x1| with the sign of x2: differentiable in x1 (the sign is constant almost everywhere)."""
    x1, x2 = _real_only(x1, "copysign"), _real_only(x2, "copysign")
    s = _piecewise_constant("copysign", lambda a, b: _np.copysign(1.0, a) * _np.copysign(1.0, b), x1, x2)
    return x1 * s


def fabs(x, /):
    return abs(_real_only(x, "fabs"))


def fmod(x1, x2, /):
    """``numpy.fmod``: x1 - trunc(x1/x2)·x2, differentiable in both away from the jumps."""
    x1, x2 = _real_only(x1, "fmod"), _real_only(x2, "fmod")
    q = _piecewise_constant("fmod", lambda a, b: _np.trunc(_np.divide(a, b)), x1, x2)
    return x1 - q * x2


def remainder(x1, x2, /):
    """``numpy.remainder`` (Python's %): x1 - floor(x1/x2)·x2."""
    x1, x2 = _real_only(x1, "remainder"), _real_only(x2, "remainder")
    q = _piecewise_constant("remainder", _np.floor_divide, x1, x2)
    return x1 - q * x2


mod = remainder


def floor_divide(x1, x2, /):
    return _piecewise_constant("floor_divide", _np.floor_divide, x1, x2)


def divmod(x1, x2, /):  # noqa: A001
    return floor_divide(x1, x2), remainder(x1, x2)


def modf(x, /):
    x = _real_only(x, "modf")
    whole = trunc(x)
    return x - whole, whole


def frexp(x, /):
    """(mantissa, exponent): the exponent an integer NumPy array (read from the values)."""
    x = _real_only(x, "frexp")
    e = _np.frexp(_concrete(x))[1]
    return x * _np.ldexp(1.0, -e).astype(x.dtype), e


def ldexp(x1, x2, /):
    x1 = _array(x1)
    e = _np.asarray(_concrete(x2) if isinstance(x2, Array) else x2)
    if e.dtype.kind not in "iu":
        raise TypeError(f"ldexp: the exponent must be an integer array, got {e.dtype}")
    return x1 * _np.ldexp(_np.ones((), _real_of(x1.dtype)), e)


def nextafter(x1, x2, /):
    return _piecewise_constant("nextafter", _np.nextafter, x1, x2)


def spacing(x, /):
    return _piecewise_constant("spacing", _np.spacing, x)


def fmax(x1, x2, /):
    """``numpy.fmax``: maximum that ignores a NaN operand."""
    x1, x2 = _real_only(x1, "fmax"), _real_only(x2, "fmax")
    return where(x1 != x1, x2, where(x2 != x2, x1, maximum(x1, x2)))


def fmin(x1, x2, /):
    x1, x2 = _real_only(x1, "fmin"), _real_only(x2, "fmin")
    return where(x1 != x1, x2, where(x2 != x2, x1, minimum(x1, x2)))


def cbrt(x, /):
    """The real cube root (negative for negative x), real input only, as NumPy's."""
    x = _real_only(x, "cbrt")
    return sign(x) * power(abs(x), 1.0 / 3.0)


def sinc(x, /):
    """sin(πx)/(πx), 1 at 0, holomorphic; near 0 its Taylor series, so that the
    value and its derivatives are exact there."""
    x = _array(x)
    y = x * _np.pi
    small = abs(y) < (1e-4 if _real_of(x.dtype) == _np.float64 else 3e-2)
    y2 = y * y
    series = 1 - y2 / 6 + y2 * y2 / 120
    safe = where(small, 1.0, y).astype(y.dtype)
    return where(small, series, sin(safe) / safe)


def logaddexp2(x1, x2, /):
    """log2(2**x1 + 2**x2), real only."""
    ln2 = float(_np.log(2.0))
    return logaddexp(_real_only(x1, "logaddexp2") * ln2, _real_only(x2, "logaddexp2") * ln2) / ln2


def float_power(x1, x2, /):
    """``numpy.float_power``: power in float64 or complex128."""
    x1, x2 = _array(x1), _array(x2)
    dt = _np.complex128 if "c" in (x1.dtype.kind, x2.dtype.kind) else _np.float64
    return power(x1.astype(dt), x2.astype(dt))


def deg2rad(x, /):
    return _real_only(x, "deg2rad") * (_np.pi / 180.0)


def rad2deg(x, /):
    return _real_only(x, "rad2deg") * (180.0 / _np.pi)


radians, degrees = deg2rad, rad2deg


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN and infinities replaced (by constants, so the derivative there is 0)."""
    x = _array(x)
    if x.dtype.kind == "c":
        return nan_to_num(real(x), nan=nan, posinf=posinf, neginf=neginf) + \
            1j * nan_to_num(imag(x), nan=nan, posinf=posinf, neginf=neginf)
    big = _np.finfo(x.dtype).max
    posinf = big if posinf is None else posinf
    neginf = -big if neginf is None else neginf
    x = where(x != x, nan, x).astype(x.dtype)
    x = where(x == _np.inf, posinf, x).astype(x.dtype)
    return where(x == -_np.inf, neginf, x).astype(x.dtype)


# ---------------------------------------------------------------- predicates and comparisons
def _predicate(name, x, numpy_fn):
    """numpy_fn of the value (a NumPy bool array), or under jit/vmap a traced mask
    (recomputed on every call)."""
    if isinstance(x, (Array, Mask)) and _traced(x):
        v = x if isinstance(x, Array) else Array(x._v)
        flag = nondifferentiable(name, lambda a: numpy_fn(a).astype(_real_of(a.dtype)), v)
        return Mask(flag._v)
    return numpy_fn(_concrete(x) if isinstance(x, (Array, Mask)) else _np.asarray(x))


def isnan(x, /):
    return _predicate("isnan", x, _np.isnan)


def isinf(x, /):
    return _predicate("isinf", x, _np.isinf)


def isfinite(x, /):
    return _predicate("isfinite", x, _np.isfinite)


def isposinf(x):
    return _predicate("isposinf", x, _np.isposinf)


def isneginf(x):
    return _predicate("isneginf", x, _np.isneginf)


def isreal(x):
    return _predicate("isreal", x, _np.isreal)


def iscomplex(x):
    return _predicate("iscomplex", x, _np.iscomplex)


def _comparison(op):
    def f(x1, x2, /):
        if isinstance(x1, Array):
            return op(x1, x2)
        if isinstance(x2, Array):
            return op(_array(x1), x2)
        return op(_np.asarray(x1), _np.asarray(x2))

    f.__name__ = f.__qualname__ = {operator.eq: "equal", operator.ne: "not_equal", operator.lt: "less",
                                   operator.le: "less_equal", operator.gt: "greater",
                                   operator.ge: "greater_equal"}[op]
    f.__doc__ = f"``numpy.{f.__name__}``: a NumPy bool array, or under jit a traced mask."
    return f


equal, not_equal, less, less_equal, greater, greater_equal = (
    _comparison(op) for op in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge))


def _as_truth(x):
    if isinstance(x, Mask):
        return x
    if isinstance(x, Array):
        return x != 0
    return _np.asarray(x).astype(bool)


def _logical(name, np_fn, combine):
    def f(x1, x2, /):
        a, b = _as_truth(x1), _as_truth(x2)
        if isinstance(a, Mask) or isinstance(b, Mask):
            a = a if isinstance(a, Mask) else Mask(_to_var(_np.asarray(a, dtype=float)))
            b = b if isinstance(b, Mask) else Mask(_to_var(_np.asarray(b, dtype=float)))
            return combine(a, b)
        return np_fn(a, b)

    f.__name__ = f.__qualname__ = name
    return f


logical_and = _logical("logical_and", _np.logical_and, operator.and_)
logical_or = _logical("logical_or", _np.logical_or, operator.or_)
logical_xor = _logical("logical_xor", _np.logical_xor, operator.xor)


def logical_not(x, /):
    t = _as_truth(x)
    return ~t if isinstance(t, Mask) else _np.logical_not(t)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``numpy.isclose`` (read from the values: no derivative)."""
    va = _concrete(a) if isinstance(a, Array) else a
    vb = _concrete(b) if isinstance(b, Array) else b
    return _np.isclose(va, vb, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(_np.all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def array_equal(a1, a2, equal_nan=False):
    v1 = _concrete(a1) if isinstance(a1, Array) else a1
    v2 = _concrete(a2) if isinstance(a2, Array) else a2
    return bool(_np.array_equal(v1, v2, equal_nan=equal_nan))


def array_equiv(a1, a2):
    v1 = _concrete(a1) if isinstance(a1, Array) else a1
    v2 = _concrete(a2) if isinstance(a2, Array) else a2
    return bool(_np.array_equiv(v1, v2))


# ---------------------------------------------------------------- other compositions
def unwrap(p, discont=None, axis=-1, *, period=2 * _np.pi):
    """``numpy.unwrap``: the jumps removed are constants (read from the values), so
    the derivative is the input's."""
    p = _real_only(p, "unwrap")
    ax = axis
    jumps = nondifferentiable("unwrap", lambda v: _np.unwrap(v, discont=discont, axis=ax, period=period) - v, p)
    return p + jumps.astype(p.dtype)


def interp(x, xp, fp, left=None, right=None, period=None):
    """``numpy.interp``: differentiable in x (the slope of the segment) and in fp
    (the interpolation weights); xp is read from its values."""
    x = _real_only(x, "interp")
    xpv = _np.asarray(_concrete(xp) if isinstance(xp, Array) else xp, dtype=_np.float64)
    fp = _array(fp)
    if xpv.ndim != 1 or fp.ndim != 1 or xpv.shape[0] != fp.shape[0]:
        raise ValueError("interp: xp and fp must be 1-d sequences of the same length")
    if period is not None:
        if period == 0:
            raise ValueError("interp: period must be a non-zero value")
        period = builtins.abs(float(period))
        order = _np.argsort(_np.mod(xpv, period))
        xpv = _np.mod(xpv, period)[order]
        fp = fp[order]
        xpv = _np.concatenate([xpv[-1:] - period, xpv, xpv[:1] + period])
        fp = concatenate([fp[-1:], fp, fp[:1]])
        x = x - _piecewise_constant("interp", lambda v: _np.floor(v / period) * period, x)
    n = xpv.shape[0]
    # The segment of each x (read from the values: recomputed on every jit call).
    seg = nondifferentiable("interp", lambda v: _np.clip(_np.searchsorted(xpv, v, side="right") - 1, 0,
                                                         builtins.max(n - 2, 0)).astype(v.dtype), x)
    k = _np.arange(max(n - 1, 1))
    onehot = where(reshape(seg, seg.shape + (1,)) == k, 1.0, 0.0).astype(x.dtype)
    if n == 1:
        val = fp[0] + x * 0
    else:
        x0, x1 = xpv[:-1], xpv[1:]
        slope = (fp[1:] - fp[:-1]) / (x1 - x0)
        y0 = _sum(onehot * fp[:-1], axis=-1)
        s = _sum(onehot * slope, axis=-1)
        t0 = _np.asarray(x0)
        base = _sum(onehot * t0, axis=-1)
        val = y0 + s * (x - base)
    lo = fp[0] if left is None else left
    hi = fp[-1] if right is None else right
    if period is None:
        val = where(x < xpv[0], lo, val)
        val = where(x > xpv[-1], hi, val)
    return val


__all__ = _public(globals())
