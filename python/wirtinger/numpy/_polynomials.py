"""Polynomials, convolution, integration and differences of samples, vector
products of the array API, and the conditional constructors (select,
piecewise, choose, compress) with the functional forms of NumPy's in-place
updates. All are compositions, differentiable in their array operands."""
import numpy as _np

from .._array import Array, Mask, concrete as _concrete, result_dtype as _result_dtype
from ._functions import (_array, _axes, _no_out, _public, broadcast_to, concatenate, conj, expand_dims, matmul, moveaxis, ravel, reshape,
                         stack, sum, take, transpose, where, zeros)


def _no_inplace(inplace, name):
    if inplace:
        raise ValueError(f"{name}: wirtinger arrays are immutable; pass inplace=False to get the updated array")


def _index_values(x):
    return _np.asarray(_concrete(x) if isinstance(x, (Array, Mask)) else x)


# ---------------------------------------------------------------- convolution
def _full_convolution(a, v):
    """The full discrete convolution of 1-d a and v, as a product with the
    (len(a), len(a)+len(v)-1) matrix of shifted copies of v."""
    n, m = a.shape[0], v.shape[0]
    k = _np.arange(n + m - 1)[None, :] - _np.arange(n)[:, None]
    idx = _np.where((k >= 0) & (k < m), k, m)
    padded = concatenate([v, zeros((1,), dtype=v.dtype)])
    return matmul(a, padded[idx])


def _mode_slice(full, n, m, mode, name, late=False):
    if mode == "full":
        return full
    if mode == "same":
        # NumPy centres the window; an odd surplus falls before it, or (late) after it.
        surplus = min(n, m) - 1
        start = surplus - surplus // 2 if late else surplus // 2
        return full[start:start + max(n, m)]
    if mode == "valid":
        return full[min(n, m) - 1:max(n, m)]
    raise ValueError(f"{name}: mode must be one of 'full', 'same' or 'valid', got {mode!r}")


def _vectors(a, v, name):
    a, v = _array(a), _array(v)
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(f"{name}: both inputs must be 1-d, got shapes {a.shape} and {v.shape}")
    if a.shape[0] == 0 or v.shape[0] == 0:
        raise ValueError(f"{name}: inputs cannot be empty")
    dt = _result_dtype(a, v)
    return a.astype(dt), v.astype(dt)


def convolve(a, v, mode="full"):
    """``numpy.convolve``; differentiable in both operands."""
    a, v = _vectors(a, v, "convolve")
    return _mode_slice(_full_convolution(a, v), a.shape[0], v.shape[0], mode, "convolve")


def correlate(a, v, mode="valid"):
    """``numpy.correlate``: ``c[k] = sum_n a[n+k] conj(v[n])``."""
    a, v = _vectors(a, v, "correlate")
    n, m = a.shape[0], v.shape[0]
    # With the longer operand second NumPy correlates the swapped pair and reverses
    # the result, which moves the window of "same".
    return _mode_slice(_full_convolution(a, conj(v)[::-1]), n, m, mode, "correlate", late=m > n)


# ---------------------------------------------------------------- polynomials
def polyval(p, x):
    """``numpy.polyval`` by Horner's rule; differentiable in p and x."""
    p, x = _array(p), _array(x)
    if p.ndim != 1:
        raise ValueError(f"polyval: p must be 1-d, got shape {p.shape}")
    if p.shape[0] == 0:
        return x * 0
    y = p[0] + x * 0
    for i in range(1, p.shape[0]):
        y = y * x + p[i]
    return y


def _poly1d(p, name):
    p = ravel(_array(p)) if _np.ndim(p) == 0 or isinstance(p, Array) else _array(_np.atleast_1d(p))
    if p.ndim != 1:
        raise ValueError(f"{name}: polynomial coefficients must be 1-d")
    return p


def _padded(a, n):
    return a if a.shape[0] == n else concatenate([zeros((n - a.shape[0],), dtype=a.dtype), a])


def polyadd(a1, a2):
    a1, a2 = _poly1d(a1, "polyadd"), _poly1d(a2, "polyadd")
    n = max(a1.shape[0], a2.shape[0])
    return _padded(a1, n) + _padded(a2, n)


def polysub(a1, a2):
    a1, a2 = _poly1d(a1, "polysub"), _poly1d(a2, "polysub")
    n = max(a1.shape[0], a2.shape[0])
    return _padded(a1, n) - _padded(a2, n)


def polymul(a1, a2):
    return convolve(_poly1d(a1, "polymul"), _poly1d(a2, "polymul"))


def polyder(p, m=1):
    if m < 0:
        raise ValueError("polyder: order of derivative must be positive")
    p = _poly1d(p, "polyder")
    for _ in range(m):
        n = p.shape[0] - 1
        if n <= 0:
            return zeros((1,), dtype=p.dtype)
        p = p[:-1] * _np.arange(n, 0, -1)  # integers: promoted as NumPy promotes them
    return p


def polyint(p, m=1, k=None):
    if m < 0:
        raise ValueError("polyint: order of integral must be positive")
    p = _poly1d(p, "polyint")
    ks = _np.zeros(m) if k is None else _np.atleast_1d(_np.asarray(k, dtype=float))
    if ks.size == 1 and m > 1:
        ks = _np.full(m, ks[0])
    if ks.size < m:
        raise ValueError("polyint: k must be a scalar or a rank-1 array of length 1 or m")
    for i in range(m):
        n = p.shape[0]
        scaled = p / _np.arange(n, 0, -1)
        p = concatenate([scaled, _array(_np.asarray([ks[i]])).astype(scaled.dtype)])
    return p


def poly(seq_of_zeros):
    """``numpy.poly`` of a sequence of roots: the coefficients of prod (x - r),
    differentiable in the roots."""
    r = _array(seq_of_zeros)
    if r.ndim == 2 and r.shape[0] == r.shape[1] and r.shape[0] > 0:
        raise TypeError("poly: the characteristic polynomial of a matrix is not supported; pass its eigenvalues "
                        "(wnp.linalg.eigvalsh for a Hermitian matrix)")
    if r.ndim != 1:
        raise ValueError("poly: input must be 1-d or a non-empty square 2-d array")
    c = _array(_np.ones(1, dtype=r.dtype))
    for i in range(r.shape[0]):
        c = convolve(c, concatenate([_array(_np.ones(1, dtype=r.dtype)), -r[i:i + 1]]))
    return c


# ---------------------------------------------------------------- integration and differences
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """``numpy.trapezoid``; differentiable in y and in x."""
    y = _array(y)
    ax = _axes(axis, y.ndim, "trapezoid")[0]
    n = y.shape[ax]
    lo = [slice(None)] * y.ndim
    hi = [slice(None)] * y.ndim
    lo[ax], hi[ax] = slice(None, n - 1), slice(1, None)
    avg = (y[tuple(lo)] + y[tuple(hi)]) / 2.0
    if x is None:
        return sum(avg, axis=ax) * dx
    x = _array(x)
    if x.ndim == 1:
        d = x[1:] - x[:-1]
        d = reshape(d, tuple(d.shape[0] if i == ax else 1 for i in range(y.ndim)))
    else:
        d = x[tuple(hi)] - x[tuple(lo)]
    return sum(avg * d, axis=ax)


def gradient(f, *varargs, axis=None, edge_order=1):
    """``numpy.gradient``: second-order central differences inside, first- or
    second-order one-sided ones at the edges; spacings as scalars or coordinates."""
    f = _array(f)
    axes = _axes(axis, f.ndim, "gradient") if axis is not None else tuple(range(f.ndim))
    if isinstance(axis, int):
        axes = (_axes(axis, f.ndim, "gradient")[0],)
    if edge_order not in (1, 2):
        raise ValueError("gradient: edge_order must be 1 or 2")
    if len(varargs) == 0:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1 and _np.ndim(varargs[0]) == 0:
        spacing = [varargs[0]] * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise TypeError("gradient: invalid number of arguments")
    out = []
    for ax, h in zip(axes, spacing):
        n = f.shape[ax]
        if n < edge_order + 1:
            raise ValueError("gradient: shape of the array too small to calculate a numerical gradient; at least "
                             "(edge_order + 1) elements are required")
        coords = _np.asarray(_concrete(h) if isinstance(h, Array) else h, dtype=_np.float64)
        dxs = [float(d) for d in (_np.full(n - 1, float(coords)) if coords.ndim == 0 else _np.diff(coords))]
        dxs = _np.asarray(dxs)
        g = moveaxis(f, ax, 0)
        shape = (-1,) + (1,) * (g.ndim - 1)
        dx1, dx2 = dxs[:-1], dxs[1:]
        a = reshape(_array(-dx2 / (dx1 * (dx1 + dx2))), shape).astype(_real(g))
        b = reshape(_array((dx2 - dx1) / (dx1 * dx2)), shape).astype(_real(g))
        c = reshape(_array(dx1 / (dx2 * (dx1 + dx2))), shape).astype(_real(g))
        inner = a * g[:-2] + b * g[1:-1] + c * g[2:] if n > 2 else g[:0]
        if edge_order == 1:
            first = (g[1:2] - g[:1]) / float(dxs[0])
            last = (g[-1:] - g[-2:-1]) / float(dxs[-1])
        else:
            d1, d2 = float(dxs[0]), float(dxs[1])
            first = (-(2 * d1 + d2) / (d1 * (d1 + d2))) * g[:1] + ((d1 + d2) / (d1 * d2)) * g[1:2] + \
                (-d1 / (d2 * (d1 + d2))) * g[2:3]
            d1, d2 = float(dxs[-2]), float(dxs[-1])
            last = (d2 / (d1 * (d1 + d2))) * g[-3:-2] + (-(d2 + d1) / (d1 * d2)) * g[-2:-1] + \
                ((2 * d2 + d1) / (d2 * (d1 + d2))) * g[-1:]
        out.append(moveaxis(concatenate([first, inner, last]), 0, ax))
    return out[0] if len(out) == 1 else out


def _real(x):
    return _np.float32 if x.dtype in (_np.float32, _np.complex64) else _np.float64


# ---------------------------------------------------------------- array API products
def vecdot(x1, x2, /, *, axis=-1):
    """``numpy.vecdot``: ``sum(conj(x1) * x2)`` along axis."""
    x1, x2 = _array(x1), _array(x2)
    return sum(conj(x1) * x2, axis=axis)


def matvec(x1, x2, /):
    x1, x2 = _array(x1), _array(x2)
    return matmul(x1, expand_dims(x2, -1))[..., 0]


def vecmat(x1, x2, /):
    x1, x2 = _array(x1), _array(x2)
    return matmul(expand_dims(conj(x1), -2), x2)[..., 0, :]


# ---------------------------------------------------------------- conditional constructors
def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError("select: list of cases must be same length as list of conditions")
    if not condlist:
        raise ValueError("select: select with an empty condition list is not possible")
    out = default  # a Python scalar stays weak in the promotion, as NumPy's
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = where(cond, choice, out)
    return out


def piecewise(x, condlist, funclist, *args, **kw):
    x = _array(x)
    if isinstance(condlist, (Mask, _np.ndarray)) and _np.ndim(condlist) == x.ndim or isinstance(condlist, bool):
        condlist = [condlist]
    n = len(condlist)
    if len(funclist) not in (n, n + 1):
        raise ValueError(f"piecewise: with {n} condition(s), either {n} or {n + 1} functions are expected")
    out = zeros(x.shape, dtype=x.dtype)
    if len(funclist) == n + 1:
        otherwise = ~_np.any([_index_values(c) for c in condlist], axis=0) if not any(
            isinstance(c, Mask) for c in condlist) else None
        if otherwise is None:
            rest = condlist[0]
            for c in condlist[1:]:
                rest = rest | c
            otherwise = ~rest
        condlist = list(condlist) + [otherwise]
    for cond, fn in zip(condlist, funclist):
        val = fn(x, *args, **kw) if callable(fn) else fn
        out = where(cond, val, out)
    return out.astype(x.dtype) if out.dtype != x.dtype and out.dtype.kind == x.dtype.kind else out


def choose(a, choices, out=None, mode="raise"):
    _no_out(out, "choose")
    idx = _index_values(a).astype(_np.intp)
    n = len(choices)
    if mode == "raise":
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ValueError("choose: invalid entry in choice array")
    elif mode == "wrap":
        idx = idx % n
    elif mode == "clip":
        idx = _np.clip(idx, 0, n - 1)
    else:
        raise ValueError(f"choose: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    result = None
    for j, c in enumerate(choices):
        result = where(idx == j, c, 0.0 if result is None else result)
    return result


def compress(condition, a, axis=None, out=None):
    _no_out(out, "compress")
    keep = _np.flatnonzero(_index_values(condition))
    return take(a, keep, axis=axis)


def extract(condition, arr):
    return ravel(_array(arr))[_np.flatnonzero(_index_values(condition).reshape(-1))]


def place(arr, mask, vals, *, inplace=True):
    _no_inplace(inplace, "place")
    arr = _array(arr)
    where_ = _np.flatnonzero(_index_values(mask).reshape(-1))
    vals = ravel(_array(vals))
    if where_.size == 0:
        return arr
    reps = -(-where_.size // vals.shape[0])
    filled = concatenate([vals] * reps)[:where_.size]
    return reshape(ravel(arr).at[where_].set(filled), arr.shape)


def put(a, ind, v, mode=None, *, inplace=True):
    _no_inplace(inplace, "put")
    a = _array(a)
    idx = _index_values(ind).reshape(-1).astype(_np.intp)
    n = a.size
    if mode in (None, "raise"):
        if idx.size and (idx.min() < -n or idx.max() >= n):
            raise IndexError(f"put: index out of bounds for size {n}")
    elif mode == "wrap":
        idx = idx % n
    elif mode == "clip":
        idx = _np.clip(idx, 0, n - 1)
    v = ravel(_array(v))
    reps = -(-idx.size // max(v.shape[0], 1))
    v = concatenate([v] * reps)[:idx.size] if idx.size else v[:0]
    return reshape(ravel(a).at[idx].set(v), a.shape)


def put_along_axis(arr, indices, values, axis, *, inplace=True, mode=None):
    _no_inplace(inplace, "put_along_axis")
    arr = _array(arr)
    idx = _index_values(indices).astype(_np.intp)
    if axis is None:
        return put(arr, idx, values, inplace=False)
    ax = _axes(axis, arr.ndim, "put_along_axis")[0]
    idx = _np.where(idx < 0, idx + arr.shape[ax], idx)
    # The flat positions NumPy's put_along_axis writes.
    grids = _np.indices(idx.shape, sparse=True)
    full_idx = list(_np.broadcast_arrays(*grids))
    full_idx[ax] = idx
    flat = _np.ravel_multi_index(tuple(full_idx), arr.shape).reshape(-1)
    v = ravel(broadcast_to(_array(values), idx.shape))
    return reshape(ravel(arr).at[flat].set(v), arr.shape)


# ---------------------------------------------------------------- applying functions
def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """``numpy.apply_along_axis``: func1d called once per 1-d slice (slices, not elements)."""
    arr = _array(arr)
    ax = _axes(axis, arr.ndim, "apply_along_axis")[0]
    moved = moveaxis(arr, ax, -1)
    outer = moved.shape[:-1]
    results = [_array(func1d(moved[idx], *args, **kwargs)) for idx in _np.ndindex(*outer)] if outer else \
        [_array(func1d(moved, *args, **kwargs))]
    out = stack(results) if outer else results[0]
    out = reshape(out, outer + results[0].shape)
    if results[0].ndim == 0:
        return out
    # The function's axes take the place of the axis it consumed.
    k = results[0].ndim
    perm = list(range(ax)) + list(range(len(outer), len(outer) + k)) + list(range(ax, len(outer)))
    return transpose(out, perm)


def apply_over_axes(func, a, axes):
    val = _array(a)
    for ax in _np.atleast_1d(axes):
        res = _array(func(val, int(ax)))
        if res.ndim == val.ndim:
            val = res
        elif res.ndim == val.ndim - 1:
            val = expand_dims(res, int(ax))
        else:
            raise ValueError("apply_over_axes: function is not returning an array of the correct shape")
    return val


def fromfunction(function, shape, *, dtype=float, **kwargs):
    """``numpy.fromfunction``: function called once on the index arrays (as
    wirtinger arrays of dtype), as NumPy calls it."""
    grids = _np.indices(shape, dtype=_np.dtype(dtype) if _np.dtype(dtype).kind in "fc" else _np.float64)
    return function(*[Array(_array(g)._v) for g in grids], **kwargs)


__all__ = _public(globals())
