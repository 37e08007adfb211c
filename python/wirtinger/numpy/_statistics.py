"""Order statistics, extremes, moments and their NaN-skipping forms.

Extremes (``max``, ``min``, ``ptp``) are real only and split a tie equally
among the tied elements, as ``maximum`` splits it between its two operands:
the derivative of ``max(x)`` is the average of the tangents at the positions
that attain the maximum. Sorting is a permutation read from the values, so its
derivative moves tangents (and cotangents back) by the same permutation;
medians and quantiles are fixed interpolations of the sorted values. Index
results (``argmax``, ``argsort``, ``count_nonzero``) are NumPy integer arrays,
read from the values (no derivative; under ``jit`` reading a traced value is a
ConcretizationError)."""
import builtins
import math
import operator

import numpy as _np

from .. import _engine
from .._array import _CMP, Array, Mask, concrete as _concrete, traced as _traced, value_of as _value_of
from .._engine import Batched
from .._primitive import nondifferentiable, primitive
from ._functions import (_array, _axes, _no_out, _public, _real_of, _real_only, abs2, asarray, clip, concatenate, conj, cumprod, cumsum, expand_dims,
                         full, imag, matmul, maximum, mean, minimum, moveaxis, prod, ravel, real, reshape, sqrt, sum,
                         transpose, where)


def stop_gradient(x):
    """x's value, with zero derivative (``jax.lax.stop_gradient``); under ``jit``
    the value is still recomputed on each call."""
    if not isinstance(x, Array):
        return x
    return nondifferentiable("stop_gradient", lambda v: v, x)


# ---------------------------------------------------------------- extremes
def _extreme(x, axis, keepdims, initial, where_, name, pick):
    x = _real_only(x, name)
    if where_ is not None:
        raise TypeError(f"{name}: where= is not supported; mask with wnp.where(cond, x, -inf or inf) instead")
    axes = _axes(axis, x.ndim, name)
    if initial is None and builtins.any(x.shape[a] == 0 for a in axes):
        raise ValueError(f"{name}: zero-size array to reduction operation which has no identity "
                         f"(shape {x.shape}, axis {axis}); pass initial=")
    neg = tuple(a - x.ndim for a in axes)
    extra = {} if initial is None else {"initial": initial}
    m = nondifferentiable(name, lambda v: pick(v, axis=neg, keepdims=True, **extra), x)
    # Ties share the derivative equally (maximum's rule, over any number of ties).
    hit = where(x == m, 1.0, 0.0).astype(x.dtype)
    weights = hit / sum(hit, axis=axes, keepdims=True)
    s = sum(weights * x, axis=axes, keepdims=True)
    out = m + (s - stop_gradient(s))
    if initial is not None:
        bound = _np.asarray(initial, dtype=x.dtype)
        out = (maximum if pick is _np.max else minimum)(out, bound)
    return out if keepdims else reshape(out, tuple(n for i, n in enumerate(x.shape) if i not in axes))


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    """``numpy.max`` for real arrays; tied maxima share the derivative equally."""
    _no_out(out, "max")
    return _extreme(a, axis, keepdims, initial, where, "max", _np.max)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    """``numpy.min`` for real arrays; tied minima share the derivative equally."""
    _no_out(out, "min")
    return _extreme(a, axis, keepdims, initial, where, "min", _np.min)


amax, amin = max, min


def ptp(a, axis=None, out=None, keepdims=False):
    _no_out(out, "ptp")
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


def _index_function(np_fn):
    """np_fn of the values (an index array, no derivative), with NumPy's signature."""
    def f(a, axis=None, out=None, *, keepdims=False):
        _no_out(out, np_fn.__name__)
        v = _concrete(a) if isinstance(a, (Array, Mask)) else _np.asarray(a)
        return np_fn(v, axis=axis, keepdims=keepdims)

    f.__name__ = f.__qualname__ = np_fn.__name__
    f.__doc__ = f"``numpy.{np_fn.__name__}`` of the values (NumPy integers; a traced value cannot be read)."
    return f


argmax, argmin, nanargmax, nanargmin = (_index_function(f) for f in (_np.argmax, _np.argmin, _np.nanargmax,
                                                                     _np.nanargmin))


def count_nonzero(a, axis=None, *, keepdims=False):
    v = _concrete(a) if isinstance(a, (Array, Mask)) else _np.asarray(a)
    return _np.count_nonzero(v, axis=axis, keepdims=keepdims)


# ---------------------------------------------------------------- truth of any / all
def _truth(a, axis, keepdims, name, want_all):
    if not isinstance(a, (Array, Mask)):
        return (_np.all if want_all else _np.any)(a, axis=axis, keepdims=keepdims)
    if not _traced(a):
        return (_np.all if want_all else _np.any)(_concrete(a), axis=axis, keepdims=keepdims)
    nz = a._v if isinstance(a, Mask) else (a != 0)._v
    axes = list(_axes(axis, len(nz.shape), name))
    count = _engine.sum(nz, axes)
    total = math.prod(nz.shape[i] for i in axes)
    ref = _engine.from_numpy(_np.asarray(float(total) if want_all else 0.0, dtype=_np.dtype(nz.dtype)))
    out = Mask(_engine.compare(count, ref, _CMP[operator.eq] if want_all else _CMP[operator.gt]))
    if keepdims:
        out = Mask(_engine.reshape(out._v, [1 if i in axes else n for i, n in enumerate(nz.shape)]))
    return out


def any(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """``numpy.any``: a NumPy bool, or under ``jit`` a traced mask."""
    _no_out(out, "any")
    return _truth(a, axis, keepdims, "any", False)


def all(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """``numpy.all``: a NumPy bool, or under ``jit`` a traced mask."""
    _no_out(out, "all")
    return _truth(a, axis, keepdims, "all", True)


# ---------------------------------------------------------------- moments
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """``numpy.var``: mean of ``|x - mean(x)|²`` over ``n - ddof`` (real for complex input)."""
    _no_out(out, "var")
    x = _array(a)
    if dtype is not None:
        x = x.astype(dtype)
    if correction is not None:
        ddof = correction
    axes = _axes(axis, x.ndim, "var")
    n = math.prod(x.shape[i] for i in axes)
    d = x - mean(x, axis=axes, keepdims=True)
    return sum(abs2(d), axis=axes, keepdims=keepdims) / float(builtins.max(n - ddof, 0))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    """``numpy.std``: ``sqrt(var)``; its derivative is infinite where the variance is 0."""
    _no_out(out, "std")
    return sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, correction=correction))


def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    x = _array(a)
    if weights is None:
        avg = mean(x, axis=axis, keepdims=keepdims)
        axes = _axes(axis, x.ndim, "average")
        scl = asarray(_np.asarray(float(math.prod(x.shape[i] for i in axes)), dtype=_real_of(x.dtype)))
        return (avg, scl) if returned else avg
    w = _array(weights)
    if w.shape != x.shape:
        if axis is None or w.ndim != 1 or isinstance(axis, (tuple, list)):
            raise TypeError("average: 1D weights expected when shapes of a and weights differ (with an int axis)")
        ax = _axes(axis, x.ndim, "average")[0]
        if w.shape[0] != x.shape[ax]:
            raise ValueError("average: length of weights not compatible with specified axis")
        w = reshape(w, tuple(w.shape[0] if i == ax else 1 for i in range(x.ndim)))
    scl = sum(w + x * 0, axis=axis, keepdims=keepdims) if w.shape != x.shape else sum(w, axis=axis,
                                                                                      keepdims=keepdims)
    avg = sum(x * w, axis=axis, keepdims=keepdims) / scl
    return (avg, scl) if returned else avg


# ---------------------------------------------------------------- sorting
def _permuted(key, v, axis, inverse):
    """v reordered along ``axis`` (negative) by the stable sort order of key (read
    from its values: no derivative through key); inverse=True undoes that
    reordering, which is its adjoint."""
    kv, vv = key._v, v._v
    if type(kv) is Batched or type(vv) is Batched:
        physical, n, level = _engine.elementwise([kv, vv])
        out = _permuted(Array(physical[0]), Array(physical[1]), axis, inverse)
        return Array(Batched(out._v, n, level))
    k, val = _np.broadcast_arrays(_value_of(key), _value_of(v))
    order = _np.argsort(k, axis=axis, kind="stable")
    if inverse:
        order = _np.argsort(order, axis=axis, kind="stable")
    value = _np.take_along_axis(val, order, axis=axis)

    def jvp(ins, out, ts):
        return None if ts[1] is None else _permuted(ins[0], ts[1], axis, inverse)

    def vjp(ins, out, ct, needed):
        return (None, _permuted(ins[0], ct, axis, not inverse) if needed[1] else None)

    return primitive("sort", [key, v], value, jvp, vjp, lambda k2, v2: _permuted(k2, v2, axis, inverse))


def sort(a, axis=-1, *, kind=None, order=None, stable=None, descending=False):
    """``numpy.sort`` (complex values lexicographically, as NumPy); the derivative
    follows each element to its sorted position."""
    x = _array(a)
    if order is not None:
        raise TypeError("sort: order= applies to structured arrays, which wirtinger does not have")
    if axis is None:
        x, axis = ravel(x), -1
    ax = _axes(axis, x.ndim, "sort")[0] - x.ndim if x.ndim else -1
    if x.ndim == 0:
        return x
    out = _permuted(x, x, ax, False)
    if descending:
        out = out[(slice(None),) * (x.ndim + ax) + (slice(None, None, -1),)]
    return out


def argsort(a, axis=-1, *, kind=None, order=None, stable=None, descending=False):
    v = _concrete(a) if isinstance(a, Array) else _np.asarray(a)
    # Descending and stable: equal elements keep their order.
    return _np.argsort(-v if descending else v, axis=axis, kind="stable")


def partition(a, kth, axis=-1):
    """``numpy.partition``: the fully sorted array, which is one valid partition
    (elements other than the k-th are in sorted order, as JAX gives them)."""
    return sort(a, axis=axis)


def argpartition(a, kth, axis=-1):
    return argsort(a, axis=axis)


def sort_complex(a):
    x = _array(a)
    return sort(x.astype(_np.complex64 if x.dtype in (_np.float32, _np.complex64) else _np.complex128), axis=-1)


def lexsort(keys, axis=-1):
    return _np.lexsort([_concrete(k) if isinstance(k, Array) else _np.asarray(k) for k in keys], axis=axis)


# ---------------------------------------------------------------- quantiles
_METHODS = ("linear", "lower", "higher", "nearest", "midpoint", "inverted_cdf", "averaged_inverted_cdf",
            "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased",
            "normal_unbiased")


def _quantile_weights(n_valid, n, q, method):
    """(len(q), n) weights over n sorted values of which the first n_valid count:
    NumPy's quantile as a combination of two neighbouring sorted values."""
    q = _np.asarray(q, dtype=_np.float64).reshape(-1)
    w = _np.zeros((q.size, n))
    if n_valid == 0:
        w[:] = _np.nan
        return w
    # On 0, 1, ..., n_valid - 1 NumPy's quantile is the virtual index itself, for
    # every method: its integer part and fraction are the interpolation.
    r = _np.quantile(_np.arange(n_valid, dtype=_np.float64), q, method=method)
    j = _np.clip(_np.floor(r).astype(_np.intp), 0, n_valid - 1)
    g = r - j
    rows = _np.arange(q.size)
    _np.add.at(w, (rows, j), 1 - g)
    _np.add.at(w, (rows, _np.minimum(j + 1, n_valid - 1)), g)
    return w


def _quantile(a, q, axis, method, keepdims, name, skip_nan):
    x = _real_only(a, name)
    if method not in _METHODS:
        raise ValueError(f"{name}: unknown method {method!r}")
    qv = _np.asarray(q, dtype=_np.float64)
    if _np.any((qv < 0) | (qv > 1)):
        raise ValueError(f"{name}: quantiles must be in the range [0, 1]")
    if axis is None:
        axes = tuple(range(x.ndim))
        y = reshape(x, (-1,))
    else:
        axes = _axes(axis, x.ndim, name)
        rest = [i for i in range(x.ndim) if i not in axes]
        y = reshape(transpose(x, rest + list(axes)), tuple(x.shape[i] for i in rest) + (-1,))
    n = y.shape[-1]
    s = sort(y, axis=-1)
    if skip_nan:
        def weights(v):
            valid = _np.sum(~_np.isnan(v), axis=-1)
            out = _np.empty(v.shape[:-1] + (qv.size, n))
            for idx in _np.ndindex(v.shape[:-1]):
                out[idx] = _quantile_weights(int(valid[idx]), n, qv, method)
            return out

        w = nondifferentiable(name, weights, y).astype(x.dtype)
        s = where(s != s, 0.0, s)
        # Slices of NaNs only have NaN weights: their quantile is NaN, as NumPy's.
    else:
        w = asarray(_quantile_weights(n, n, qv, method).astype(x.dtype))
    # NaN (unsorted to the end) in a slice without skip_nan: NumPy's quantile is NaN.
    out = sum(w * expand_dims(s, -2), axis=-1)  # (..., len(q))
    out = moveaxis(out, -1, 0) if out.ndim > 1 else out
    out = reshape(out, qv.shape + out.shape[1:] if out.ndim > 1 else qv.shape)
    if not skip_nan and n:
        has_nan = nondifferentiable(name, lambda v: _np.where(_np.isnan(v).any(axis=-1), _np.nan, 0.0), y)
        out = out + has_nan.astype(x.dtype)
    if keepdims:
        shape = tuple(1 if (axis is None or i in axes) else d for i, d in enumerate(x.shape))
        out = reshape(out, qv.shape + shape)
    return out


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None,
             interpolation=None):
    _no_out(out, "quantile")
    if weights is not None:
        raise TypeError("quantile: weights= is not supported")
    return _quantile(a, q, axis, interpolation or method, keepdims, "quantile", False)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *, weights=None,
               interpolation=None):
    _no_out(out, "percentile")
    if weights is not None:
        raise TypeError("percentile: weights= is not supported")
    return _quantile(a, _np.asarray(q, dtype=_np.float64) / 100, axis, interpolation or method, keepdims,
                     "percentile", False)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    _no_out(out, "median")
    return _quantile(a, 0.5, axis, "linear", keepdims, "median", False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                weights=None, interpolation=None):
    _no_out(out, "nanquantile")
    return _quantile(a, q, axis, interpolation or method, keepdims, "nanquantile", True)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
                  weights=None, interpolation=None):
    _no_out(out, "nanpercentile")
    return _quantile(a, _np.asarray(q, dtype=_np.float64) / 100, axis, interpolation or method, keepdims,
                     "nanpercentile", True)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    _no_out(out, "nanmedian")
    return _quantile(a, 0.5, axis, "linear", keepdims, "nanmedian", True)


# ---------------------------------------------------------------- NaN-skipping reductions
def _nan_mask(x):
    return x != x


def _zero_nans(x, fill=0.0):
    """x with its NaNs replaced by fill."""
    x = _array(x)
    return where(_nan_mask(x), fill, x).astype(x.dtype)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False):
    _no_out(out, "nansum")
    x = _zero_nans(a)
    return sum(x if dtype is None else x.astype(dtype), axis=axis, keepdims=keepdims)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False):
    _no_out(out, "nanprod")
    x = _zero_nans(a, 1.0)
    return prod(x if dtype is None else x.astype(dtype), axis=axis, keepdims=keepdims)


def _nan_count(x, axis, keepdims):
    ok = where(_nan_mask(x), 0.0, 1.0).astype(_real_of(x.dtype))
    return sum(ok, axis=axis, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False):
    _no_out(out, "nanmean")
    x = _array(a) if dtype is None else _array(a).astype(dtype)
    return nansum(x, axis=axis, keepdims=keepdims) / _nan_count(x, axis, keepdims)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    _no_out(out, "nanvar")
    x = _array(a) if dtype is None else _array(a).astype(dtype)
    if correction is not None:
        ddof = correction
    m = nanmean(x, axis=axis, keepdims=True)
    d = _zero_nans(x - m)
    return sum(abs2(d), axis=axis, keepdims=keepdims) / (_nan_count(x, axis, keepdims) - float(ddof))


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, correction=None):
    _no_out(out, "nanstd")
    return sqrt(nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, correction=correction))


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """``numpy.nanmax``: NaNs skipped; a slice of NaNs only gives NaN."""
    _no_out(out, "nanmax")
    x = _real_only(a, "nanmax")
    return _extreme(_zero_nans(x, -_np.inf), axis, keepdims, initial, where, "nanmax", _np.max) + \
        _all_nan(x, axis, keepdims)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    _no_out(out, "nanmin")
    x = _real_only(a, "nanmin")
    return _extreme(_zero_nans(x, _np.inf), axis, keepdims, initial, where, "nanmin", _np.min) + \
        _all_nan(x, axis, keepdims)


def _all_nan(x, axis, keepdims):
    neg = tuple(a - x.ndim for a in _axes(axis, x.ndim, "nanmax"))
    return nondifferentiable("nanmax", lambda v: _np.where(_np.isnan(v).all(axis=neg, keepdims=keepdims), _np.nan,
                                                           0.0).astype(v.dtype), x)


def nancumsum(a, axis=None, dtype=None, out=None):
    _no_out(out, "nancumsum")
    return cumsum(_zero_nans(a), axis=axis, dtype=dtype)


def nancumprod(a, axis=None, dtype=None, out=None):
    _no_out(out, "nancumprod")
    return cumprod(_zero_nans(a, 1.0), axis=axis, dtype=dtype)


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    _no_out(out, "cumulative_sum")
    return _cumulative(x, axis, dtype, include_initial, cumsum, 0.0, "cumulative_sum")


def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    _no_out(out, "cumulative_prod")
    return _cumulative(x, axis, dtype, include_initial, cumprod, 1.0, "cumulative_prod")


def _cumulative(x, axis, dtype, include_initial, scan, initial, name):
    x = _array(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"{name}: axis must be given for arrays of more than one dimension")
        axis = 0
    out = scan(x, axis=axis, dtype=dtype)
    if include_initial:
        ax = _axes(axis, x.ndim, name)[0]
        shape = tuple(1 if i == ax else n for i, n in enumerate(out.shape))
        out = concatenate([full(shape, initial, dtype=out.dtype), out], axis=ax)
    return out


# ---------------------------------------------------------------- covariance
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *, dtype=None):
    """``numpy.cov``, with its weights, ddof and bias conventions."""
    x = _array(m)
    if x.ndim > 2:
        raise ValueError("cov: m has more than 2 dimensions")
    if x.ndim < 2:
        x = reshape(x, (1, -1))
    if not rowvar and x.shape[0] != 1:
        x = x.T
    if y is not None:
        yy = _array(y)
        yy = reshape(yy, (1, -1)) if yy.ndim < 2 else yy
        if not rowvar and yy.shape[0] != 1:
            yy = yy.T
        dt = _np.result_type(x.dtype, yy.dtype)
        x = concatenate([x.astype(dt), yy.astype(dt)], axis=0)
    x = x.astype(_np.result_type(x.dtype, _np.float64) if dtype is None else dtype)
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        w = _np.asarray(fweights, dtype=float)
    if aweights is not None:
        aw = _np.asarray(aweights, dtype=float)
        w = aw if w is None else w * aw
    if w is None:
        fact = float(x.shape[1] - ddof)
        xm = x - mean(x, axis=1, keepdims=True)
        c = matmul(xm, conj(xm).T) / fact
    else:
        w_sum = w.sum()
        avg = sum(x * w, axis=1, keepdims=True) / w_sum
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * (w * _np.asarray(aweights, dtype=float)).sum() / w_sum
        xm = x - avg
        c = matmul(xm * w, conj(xm).T) / float(fact)
    return reshape(c, ()) if c.shape == (1, 1) else c


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return c / c
    k = _np.arange(c.shape[0])
    d = real(c[k, k])
    s = sqrt(d)
    c = c / reshape(s, (-1, 1)) / reshape(s, (1, -1))
    if c.dtype.kind == "c":
        return clip(real(c), -1, 1) + 1j * clip(imag(c), -1, 1)
    return clip(c, -1, 1)


__all__ = _public(globals())
