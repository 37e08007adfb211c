"""The functions of wirtinger.numpy, except those of its linalg and fft
submodules (which are built on these)."""
import builtins
import math
import operator
import warnings

import numpy as _np

from .. import _engine, _shapes
from ._indexing import take_blocks
from .._array import (Array, Mask as _Mask, UNARY, binary as _binary, concrete as _concrete, result_dtype as _result_dtype,
                      to_var as _to_var, unary as _unary)

pi = _np.pi
e = _np.e
inf = _np.inf
nan = _np.nan
newaxis = None
float32, float64, complex64, complex128 = _np.float32, _np.float64, _np.complex64, _np.complex128


def _array(x):
    return x if isinstance(x, Array) else Array(_to_var(x))


def asarray(x, dtype=None):
    """An Array from x (an Array, a NumPy array, a Python number or a nested list)."""
    if isinstance(x, Array):
        return x if dtype is None else x.astype(dtype)
    if dtype is not None:
        dtype = _np.dtype(dtype)
        if dtype.kind not in "fc":
            raise TypeError(f"asarray: wirtinger arrays are float or complex, got dtype {dtype}")
    return Array(_to_var(x, dtype))


array = asarray


# ---------------------------------------------------------------- element-wise (the rule table)
def _make_unary(name):
    real_only = _engine.unary_real_only(UNARY[name])

    def f(x):
        if real_only:
            x = _real_only(x, name)
        return _unary(name, x)

    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = f"Element-wise ``{name}``, as NumPy's, differentiable (rule table: rules.hpp)."
    return f


# Rules of the table that NumPy lacks live elsewhere (wirtinger.scipy.special).
_NOT_NUMPY = {"expit", "erf", "erfc", "erfcx", "erfinv", "ndtri", "gammaln", "gamma", "loggamma", "digamma", "i1",
              "i0e", "i1e", "exp1", "expi"}
for _name in UNARY:
    if _name not in _NOT_NUMPY:
        globals()[_name] = _make_unary(_name)
del _name

conjugate = conj  # noqa: F821
absolute = abs  # noqa: F821  (the module-level name, not the builtin)


def positive(x):
    return _array(x)


def _make_binary(name, real_only=False):
    def f(a, b):
        if real_only:
            for x in (a, b):
                dt = x.dtype if isinstance(x, Array) else _np.asarray(x).dtype
                if dt.kind == "c":
                    raise TypeError(f"{name}: defined for real arrays only, got {dt}; "
                                    f"compare real parts or magnitudes (wnp.real, wnp.abs) instead")
        return _binary(name, a, b)

    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = f"Element-wise ``{name}`` with broadcasting, as NumPy's, differentiable."
    return f


add = _make_binary("add")
subtract = _make_binary("subtract")
multiply = _make_binary("multiply")
divide = _make_binary("divide")
true_divide = divide
power = _make_binary("power")
maximum = _make_binary("maximum", real_only=True)
minimum = _make_binary("minimum", real_only=True)
hypot = _make_binary("hypot", real_only=True)
arctan2 = _make_binary("arctan2", real_only=True)
logaddexp = _make_binary("logaddexp", real_only=True)


# ---------------------------------------------------------------- shapes
def _axes(axis, ndim, name):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in axes:
        a = int(a)
        if a < -ndim or a >= ndim:
            raise ValueError(f"{name}: axis {a} is out of bounds for an array of dimension {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: repeated axis in {axis}")
    return tuple(sorted(out))


def _along(x, axis, name):
    """(x, its axis) for a function of one axis; axis=None flattens x first, as NumPy does."""
    if axis is None:
        return ravel(x), 0
    return x, _axes(axis, x.ndim, name)[0]


def _no_out(out, name):
    if out is not None:
        raise TypeError(f"{name}: out= is not supported (wirtinger arrays are immutable)")


def _real_only(x, name):
    x = _array(x)
    if x.dtype.kind == "c":
        raise TypeError(f"{name}: defined for real arrays only, got {x.dtype}; use real parts or magnitudes "
                        f"(wnp.real, wnp.abs) instead")
    return x


def _public(namespace, *extra):
    """The __all__ of a module of this namespace: the functions of wirtinger.numpy
    it defines or names (not what it imports from elsewhere), and ``extra``."""
    return [n for n, v in namespace.items() if not n.startswith("_") and callable(v) and not isinstance(v, type)
            and getattr(v, "__module__", "").startswith("wirtinger.numpy")] + list(extra)


def reshape(x, shape):
    x = _array(x)
    shape = _shapes.reshape_target(_shapes.as_shape(shape, "reshape"), x.size, x.dtype, "reshape")
    return Array(_engine.reshape(x._v, list(shape)))


def transpose(x, axes=None):
    x = _array(x)
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    axes = tuple(int(a) % builtins.max(x.ndim, 1) for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} don't match an array of dimension {x.ndim}")
    return Array(_engine.transpose(x._v, list(axes)))


def swapaxes(x, axis1, axis2):
    x = _array(x)
    perm = list(range(x.ndim))
    a, b = _axes(axis1, x.ndim, "swapaxes")[0], _axes(axis2, x.ndim, "swapaxes")[0]
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


def moveaxis(x, source, destination):
    x = _array(x)
    src = _axes(source, x.ndim, "moveaxis")[0]
    dst = int(destination) % builtins.max(x.ndim, 1)
    perm = [a for a in range(x.ndim) if a != src]
    perm.insert(dst, src)
    return transpose(x, perm)


def squeeze(x, axis=None):
    x = _array(x)
    if axis is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        axes = _axes(axis, x.ndim, "squeeze")
        for a in axes:
            if x.shape[a] != 1:
                raise ValueError(f"squeeze: cannot select axis {a} of size {x.shape[a]}: it is not 1")
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if i not in axes))


def expand_dims(x, axis):
    x = _array(x)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    nd = x.ndim + len(axes)
    pos = _axes(axes, nd, "expand_dims")
    it = iter(x.shape)
    return reshape(x, tuple(1 if i in pos else next(it) for i in range(nd)))


def broadcast_to(x, shape):
    x = _array(x)
    shape = _shapes.as_shape(shape, "broadcast_to")
    if any(s < 0 for s in shape):
        raise ValueError(f"broadcast_to: all elements of the broadcast shape must be non-negative, got {shape}")
    _shapes.check(shape, x.dtype, "broadcast_to")
    return Array(_engine.broadcast_to(x._v, list(shape)))


def broadcast_shapes(*shapes):
    return _np.broadcast_shapes(*shapes)


def ravel(x):
    return reshape(x, (-1,))


def concatenate(arrays, axis=0):
    arrays = [_array(a) for a in arrays]
    if not arrays:
        raise ValueError("concatenate: need at least one array to concatenate")
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    nd = arrays[0].ndim
    if nd == 0:
        raise ValueError("concatenate: zero-dimensional arrays cannot be concatenated")
    ax = _axes(axis, nd, "concatenate")[0]
    for a in arrays:
        if a.ndim != nd or any(a.shape[i] != arrays[0].shape[i] for i in range(nd) if i != ax):
            raise ValueError(f"concatenate: all input array dimensions except the concatenation axis must match; "
                             f"got shapes {[x.shape for x in arrays]} along axis {ax}")
    dtype = _result_dtype(*arrays)
    return Array(_engine.concat([_to_var(a, dtype) for a in arrays], ax))


def stack(arrays, axis=0):
    arrays = [_array(a) for a in arrays]
    if not arrays:
        raise ValueError("stack: need at least one array to stack")
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"stack: all input arrays must have the same shape, got {sorted(shapes)}")
    ax = _axes(axis, arrays[0].ndim + 1, "stack")[0]
    return concatenate([expand_dims(a, ax) for a in arrays], axis=ax)


def _shape_of(x):
    return tuple(x.shape) if isinstance(x, Array) else _np.shape(x)


def zeros_like(x, dtype=None):
    dt = _np.dtype(dtype) if dtype is not None else _array_dtype(x)
    return Array(_to_var(_np.zeros(_shape_of(x), dtype=dt)))


def ones_like(x, dtype=None):
    dt = _np.dtype(dtype) if dtype is not None else _array_dtype(x)
    return Array(_to_var(_np.ones(_shape_of(x), dtype=dt)))


def _array_dtype(x):
    return _result_dtype(x if isinstance(x, Array) else _np.asarray(x))


# ---------------------------------------------------------------- reductions
def _reduce(core_fn, x, axis, keepdims, name):
    x = _array(x)
    axes = _axes(axis, x.ndim, name)
    out = Array(core_fn(x._v, list(axes)))
    if keepdims:
        out = reshape(out, tuple(1 if i in axes else s for i, s in enumerate(x.shape)))
    return out


def sum(x, axis=None, keepdims=False):  # noqa: A001
    """Sum over axis (all by default), as ``numpy.sum``."""
    return _reduce(_engine.sum, x, axis, keepdims, "sum")


def prod(x, axis=None, keepdims=False):
    """Product over axis, as ``numpy.prod``; its derivative is exact at zeros."""
    return _reduce(_engine.prod, x, axis, keepdims, "prod")


def mean(x, axis=None, keepdims=False):
    x = _array(x)
    axes = _axes(axis, x.ndim, "mean")
    n = math.prod(x.shape[a] for a in axes)
    return sum(x, axis=axes, keepdims=keepdims) / float(n)


# ---------------------------------------------------------------- products
def matmul(a, b):
    """Matrix product with NumPy's rules (1-d operands promoted, batch axes broadcast), through BLAS."""
    a, b = _array(a), _array(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: input operands must not be scalars (0-d); use * to scale")
    a2 = reshape(a, (1, a.shape[0])) if a.ndim == 1 else a
    b2 = reshape(b, (b.shape[0], 1)) if b.ndim == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: "
                         f"{a2.shape[-1]} (last axis of the first) != {b2.shape[-2]} (second-to-last of the second)")
    out = Array(_engine.matmul(a2._v, b2._v))
    if a.ndim == 1:
        out = squeeze(out, -2)
    if b.ndim == 1:
        out = squeeze(out, -1)
    return out


def dot(a, b):
    """``numpy.dot``: a sum product over the last axis of a and the second-to-last of b."""
    a, b = _array(a), _array(b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    if b.ndim <= 2:
        return matmul(a, b)
    k = a.shape[-1]
    if b.shape[-2] != k:
        raise ValueError(f"dot: shapes {a.shape} and {b.shape} are not aligned: {k} != {b.shape[-2]}")
    bm = reshape(moveaxis(b, -2, 0), (k, -1))
    out = matmul(reshape(a, (-1, k)), bm)
    return reshape(out, a.shape[:-1] + b.shape[:-2] + b.shape[-1:])


def vdot(a, b):
    """``numpy.vdot``: conj(a) · b over the flattened arrays."""
    a, b = ravel(a), ravel(b)
    if a.shape != b.shape:
        raise ValueError(f"vdot: arrays must have the same size, got {a.shape[0]} and {b.shape[0]}")
    return sum(conj(a) * b)  # noqa: F821


def inner(a, b):
    """``numpy.inner``: a sum product over the last axes (no conjugation)."""
    a, b = _array(a), _array(b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    k = a.shape[-1]
    if b.shape[-1] != k:
        raise ValueError(f"inner: shapes {a.shape} and {b.shape} are not aligned: {k} != {b.shape[-1]}")
    out = matmul(reshape(a, (-1, k)), transpose(reshape(b, (-1, k))))
    return reshape(out, a.shape[:-1] + b.shape[:-1])


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """``numpy.cross``: the cross product of 3-vectors along ``axisa`` and
    ``axisb`` (placed along ``axisc``), broadcast over the other axes; a
    2-vector has third component 0, and two 2-vectors give the z component
    alone (deprecated by NumPy 2, as here)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _array(a), _array(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("cross: both arguments must be arrays of vectors (at least 1-d)")
    a = moveaxis(a, _axes(axisa, a.ndim, "cross")[0], -1)
    b = moveaxis(b, _axes(axisb, b.ndim, "cross")[0], -1)
    na, nb = a.shape[-1], b.shape[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(f"cross: incompatible dimensions for cross product: vectors of {na} and {nb} components "
                         "(each must have 2 or 3)")
    if na == 2 or nb == 2:
        warnings.warn("cross: vectors of 2 components are deprecated, as in NumPy 2; pass 3-component vectors "
                      "(with a third component 0)", DeprecationWarning, stacklevel=2)
    x = [a[..., i] if i < na else None for i in range(3)]
    y = [b[..., i] if i < nb else None for i in range(3)]

    def term(i, j, k):  # x_j y_k - x_k y_j, with missing components 0
        left = x[j] * y[k] if x[j] is not None and y[k] is not None else None
        right = x[k] * y[j] if x[k] is not None and y[j] is not None else None
        if right is None:
            return left
        return -right if left is None else left - right

    if na == 2 and nb == 2:
        return term(2, 0, 1)
    c = stack([term(0, 1, 2), term(1, 2, 0), term(2, 0, 1)], axis=-1)
    return moveaxis(c, -1, _axes(axisc, c.ndim, "cross")[0])


def outer(a, b):
    a, b = ravel(a), ravel(b)
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


# ---------------------------------------------------------------- selection
def where(condition, x, y):
    """``numpy.where(condition, x, y)``; the condition is a constant (no derivative flows through it)."""
    dtype = _result_dtype(x, y)
    if isinstance(condition, Array) and _engine.is_batched(condition._v):
        condition = condition != 0  # a condition per sample (vmap): a mask
    if isinstance(condition, _Mask):  # a comparison traced by jit (recomputed on replay) or batched by vmap
        return Array(_engine.select_var(_to_var(x, dtype), _to_var(y, dtype), condition._v))
    cond = _np.asarray(_concrete(condition), dtype=bool)
    xa, ya = Array(_to_var(x, dtype)), Array(_to_var(y, dtype))
    shape = _np.broadcast_shapes(cond.shape, xa.shape, ya.shape)
    xb, yb = broadcast_to(xa, shape), broadcast_to(ya, shape)
    return Array(_engine.select(xb._v, yb._v, _np.asarray(_np.broadcast_to(cond, shape), order="C")))



# ---------------------------------------------------------------- constants
def _float_dtype(dtype, default=_np.float64):
    dt = _np.dtype(default if dtype is None else dtype)
    if dt.kind not in "fc":
        raise TypeError(f"wirtinger arrays are float or complex, got dtype {dt}")
    return dt


def zeros(shape, dtype=float):
    """A constant array of zeros, as ``numpy.zeros``."""
    return Array(_to_var(_np.zeros(_shapes.as_shape(shape, "zeros"), _float_dtype(dtype))))


def ones(shape, dtype=float):
    """A constant array of ones, as ``numpy.ones``."""
    return Array(_to_var(_np.ones(_shapes.as_shape(shape, "ones"), _float_dtype(dtype))))


def full(shape, fill_value, dtype=None):
    """``numpy.full``; a wirtinger fill value is broadcast (and differentiated)."""
    shape = _shapes.as_shape(shape, "full")
    if isinstance(fill_value, Array):
        return broadcast_to(fill_value if dtype is None else fill_value.astype(dtype), shape)
    dt = _float_dtype(dtype, _result_dtype(fill_value))
    return Array(_to_var(_np.full(shape, fill_value, dt)))


def eye(N, M=None, k=0, dtype=float):
    """The constant identity-like matrix of ``numpy.eye``."""
    N, M, k = (None if v is None else operator.index(v) for v in (N, M, k))
    return Array(_to_var(_np.eye(N, M, k, dtype=_float_dtype(dtype))))


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def arange(start, stop=None, step=None, dtype=None):
    """``numpy.arange``. Integer ranges are returned as NumPy integer arrays
    (wirtinger arrays are float or complex, and integer arrays serve as
    indices); float and complex ranges are constant wirtinger arrays.

    >>> import wirtinger.numpy as wnp
    >>> wnp.arange(3), wnp.arange(0.0, 1.0, 0.5)
    (array([0, 1, 2]), wirtinger.Array([0. , 0.5], dtype=float64))
    """
    args = (start,) if stop is None and step is None else (start, stop) if step is None else (start, stop, step)
    out = _np.arange(*[_concrete(a) if isinstance(a, Array) else a for a in args], dtype=dtype)
    return out if out.dtype.kind in "biu" else Array(_to_var(out))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``numpy.linspace``, differentiable in ``start`` and ``stop``.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> float(w.grad(lambda b: wnp.sum(wnp.linspace(0.0, b, 5)))(2.0))  # 0 + 1/4 + 1/2 + 3/4 + 1
    2.5
    """
    num = int(num)
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    if not isinstance(start, Array) and not isinstance(stop, Array):
        y, step = _np.linspace(start, stop, num, endpoint=endpoint, retstep=True, dtype=dtype, axis=axis)
        out = y if y.dtype.kind in "biu" else Array(_to_var(y))
        return (out, step) if retstep else out
    dt = _float_dtype(dtype, _result_dtype(start, stop, 1.0))
    a, b = asarray(start, dt), asarray(stop, dt)
    shape = _np.broadcast_shapes(a.shape, b.shape)
    a, b = broadcast_to(a, shape), broadcast_to(b, shape)
    div = num - 1 if endpoint else num
    frac = (_np.arange(num, dtype=_np.float64) / div if div > 0 else _np.zeros(num)).astype(_real_of(dt))
    frac = frac.reshape((num,) + (1,) * len(shape))
    delta = b - a
    y = expand_dims(a, 0) + frac * expand_dims(delta, 0)
    if endpoint and num > 1:
        y = concatenate([y[:-1], expand_dims(b, 0)], axis=0)
    y = moveaxis(y, 0, axis)
    if retstep:
        return y, (delta / float(div) if div > 0 else delta * _np.nan)
    return y


def _real_of(dtype):
    return _np.float32 if _np.dtype(dtype) in (_np.dtype(_np.float32), _np.dtype(_np.complex64)) else _np.float64


# ---------------------------------------------------------------- element-wise, real
def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):  # noqa: A002
    """``numpy.clip`` for real arrays, as ``minimum(maximum(a, a_min), a_max)``:
    derivative 1 inside, 0 outside, and 1/2 on a bound (maximum's tie rule)."""
    _no_out(out, "clip")
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    for v in (a, lo, hi):
        if v is not None and _array_dtype(v).kind == "c":
            raise TypeError("clip: defined for real arrays only; clip real parts or magnitudes instead")
    r = _array(a)
    if lo is not None:
        r = maximum(r, lo)
    if hi is not None:
        r = minimum(r, hi)
    return r


# ---------------------------------------------------------------- running sums and products
def _scan_input(a, axis, dtype, name):
    a = _array(a)
    if dtype is not None:
        a = a.astype(_float_dtype(dtype))
    return _along(a, axis, name)


def cumsum(a, axis=None, dtype=None, out=None):
    """``numpy.cumsum`` (flattened when axis is None); its adjoint is a reversed running sum."""
    _no_out(out, "cumsum")
    a, ax = _scan_input(a, axis, dtype, "cumsum")
    return Array(_engine.cumsum(a._v, ax, False))


def cumprod(a, axis=None, dtype=None, out=None):
    """``numpy.cumprod``. Its derivative is exact at zeros (a recurrence with no
    division); nested derivatives of it use O(n²) memory along the axis."""
    _no_out(out, "cumprod")
    a, ax = _scan_input(a, axis, dtype, "cumprod")
    return Array(_engine.cumprod(a._v, ax))


# ---------------------------------------------------------------- gathers
def _int_indices(indices, name):
    ind = _np.asarray(_concrete(indices) if isinstance(indices, Array) else indices)
    if ind.size == 0 and ind.dtype.kind not in "iu":
        ind = ind.astype(_np.intp)
    if ind.dtype.kind not in "iu":
        raise IndexError(f"{name}: indices must be integers, got dtype {ind.dtype}")
    return ind.astype(_np.intp, copy=False)


def take(a, indices, axis=None, out=None, mode=None):
    """``numpy.take``: a gather along one axis (mode "raise", "wrap" or "clip");
    repeated indices accumulate in the backward pass."""
    _no_out(out, "take")
    a = _array(a)
    a, ax = _along(a, axis, "take")
    ind = _int_indices(indices, "take")
    n = a.shape[ax]
    if mode in (None, "raise"):
        if ind.size and (ind.min() < -n or ind.max() >= n):
            bad = ind[(ind < -n) | (ind >= n)].flat[0]
            raise IndexError(f"take: index {bad} is out of bounds for axis {ax} with size {n}")
        ind = _np.where(ind < 0, ind + n, ind)
    elif mode == "wrap":
        if n == 0 and ind.size:
            raise IndexError("take: cannot do a non-empty take from an empty axis")
        ind = ind % n if n else ind
    elif mode == "clip":
        if n == 0 and ind.size:
            raise IndexError("take: cannot do a non-empty take from an empty axis")
        ind = _np.clip(ind, 0, builtins.max(n - 1, 0))
    else:
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    outer = math.prod(a.shape[:ax])
    inner = math.prod(a.shape[ax + 1:])
    blocks = (_np.arange(outer, dtype=_np.intp)[:, None] * n + ind.reshape(1, -1)).reshape(-1)
    return take_blocks(a, blocks, inner, a.shape[:ax] + ind.shape + a.shape[ax + 1:])


def take_along_axis(arr, indices, axis=-1):
    """``numpy.take_along_axis``: picks ``indices`` along one axis, the other
    axes broadcast (as for the output of argsort)."""
    arr = _array(arr)
    ind = _int_indices(indices, "take_along_axis")
    if axis is None:
        if ind.ndim != 1:
            raise ValueError("take_along_axis: when axis=None, indices must have a single dimension")
        arr, ax = ravel(arr), 0
    else:
        ax = _axes(axis, arr.ndim, "take_along_axis")[0]
    if ind.ndim != arr.ndim:
        raise ValueError(f"take_along_axis: indices and arr must have the same number of dimensions, "
                         f"got {ind.ndim} and {arr.ndim}")
    key = []
    for d in range(arr.ndim):
        if d == ax:
            key.append(ind)
        else:
            key.append(_np.arange(arr.shape[d]).reshape((-1,) + (1,) * (arr.ndim - d - 1)))
    return arr[tuple(key)]


# ---------------------------------------------------------------- rearrangements
def flip(m, axis=None):
    """``numpy.flip``: a strided slice with negative steps."""
    m = _array(m)
    axes = _axes(axis, m.ndim, "flip")
    return m[tuple(slice(None, None, -1) if d in axes else slice(None) for d in range(m.ndim))]


def fliplr(m):
    m = _array(m)
    if m.ndim < 2:
        raise ValueError("fliplr: input must be at least 2-d")
    return flip(m, 1)


def flipud(m):
    m = _array(m)
    if m.ndim < 1:
        raise ValueError("flipud: input must be at least 1-d")
    return flip(m, 0)


def roll(a, shift, axis=None):
    """``numpy.roll``: two slices, concatenated."""
    a = _array(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    total = {}
    for s, ax in _np.broadcast(_np.asarray(shift), _np.asarray(axis)):
        ax = _axes(int(ax), a.ndim, "roll")[0]
        total[ax] = total.get(ax, 0) + int(s)
    for ax, s in total.items():
        n = a.shape[ax]
        if n == 0 or s % n == 0:
            continue
        s %= n
        head = tuple(slice(None) if d != ax else slice(n - s, None) for d in range(a.ndim))
        tail = tuple(slice(None) if d != ax else slice(None, n - s) for d in range(a.ndim))
        a = concatenate([a[head], a[tail]], axis=ax)
    return a


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """``numpy.diff``: differences of neighbours along an axis (two slices), n
    times; ``prepend`` and ``append`` are concatenated first, a scalar as one
    slice along the axis."""
    a = _array(a)
    if a.ndim == 0:
        raise ValueError("diff: the input must be at least 1-d")
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"diff: order must be non-negative but got {n}")
    ax = _axes(axis, a.ndim, "diff")[0]
    if n == 0:
        return a
    parts = []
    for extra in (prepend, a, append):
        if extra is None:
            continue
        extra = _array(extra)
        if extra.ndim == 0:
            extra = broadcast_to(extra, a.shape[:ax] + (1,) + a.shape[ax + 1:])
        parts.append(extra)
    if len(parts) > 1:
        a = concatenate(parts, axis=ax)
    later = tuple(slice(1, None) if d == ax else slice(None) for d in range(a.ndim))
    earlier = tuple(slice(None, -1) if d == ax else slice(None) for d in range(a.ndim))
    for _ in range(n):
        a = a[later] - a[earlier]
    return a


def _triangle(m, k, lower, name):
    m = _array(m)
    if m.ndim == 0:
        raise ValueError(f"{name}: the input must be at least 1-d")
    k = operator.index(k)
    rows, cols = m.shape[-2:] if m.ndim >= 2 else (m.shape[-1], m.shape[-1])
    keep = _np.tri(rows, cols, k, dtype=bool) if lower else ~_np.tri(rows, cols, k - 1, dtype=bool)
    return where(keep, m, 0)


def tril(m, k=0):
    """``numpy.tril``: the elements on and below the k-th diagonal of the last
    two axes (a 1-d input is each row of a square), zeros above."""
    return _triangle(m, k, True, "tril")


def triu(m, k=0):
    """``numpy.triu``: the elements on and above the k-th diagonal of the last
    two axes (a 1-d input is each row of a square), zeros below."""
    return _triangle(m, k, False, "triu")


def tile(A, reps):
    """``numpy.tile``: a broadcast and a reshape."""
    A = _array(A)
    reps = tuple(int(r) for r in (reps if _np.iterable(reps) else (reps,)))
    if builtins.any(r < 0 for r in reps):
        raise ValueError(f"tile: negative repetitions {reps}")
    if A.ndim < len(reps):
        A = reshape(A, (1,) * (len(reps) - A.ndim) + A.shape)
    reps = (1,) * (A.ndim - len(reps)) + reps
    if builtins.all(r == 1 for r in reps):
        return A
    split = tuple(v for s in A.shape for v in (1, s))
    wide = tuple(v for r, s in zip(reps, A.shape) for v in (r, s))
    return reshape(broadcast_to(reshape(A, split), wide), tuple(r * s for r, s in zip(reps, A.shape)))


def repeat(a, repeats, axis=None):
    """``numpy.repeat``: a broadcast for a scalar count, a gather otherwise."""
    a, ax = _along(_array(a), axis, "repeat")
    r = _np.asarray(repeats)
    if r.dtype.kind not in "iu" and not (r.dtype.kind == "b"):
        raise TypeError(f"repeat: repeats must be integers, got dtype {r.dtype}")
    if _np.any(r < 0):
        raise ValueError("repeat: negative dimensions are not allowed")
    n = a.shape[ax]
    if r.size == 1:
        k = int(r.reshape(-1)[0])
        wide = a.shape[:ax + 1] + (k,) + a.shape[ax + 1:]
        b = broadcast_to(expand_dims(a, ax + 1), wide)
        return reshape(b, a.shape[:ax] + (n * k,) + a.shape[ax + 1:])
    if r.ndim != 1 or r.size != n:
        raise ValueError(f"repeat: operands could not be broadcast: {r.size} repeats for an axis of length {n}")
    return take(a, _np.repeat(_np.arange(n), r), axis=ax)


def _pad_pairs(pad_width, ndim):
    pw = _np.asarray(pad_width)
    if pw.dtype.kind not in "iu":
        raise TypeError("pad: `pad_width` must be of integral type")
    if pw.ndim < 3 and (pw.size == 1 or (pw.size == 2 and pw.shape != (2, 1))):
        pw = pw.ravel()
    pairs = _np.broadcast_to(pw, (ndim, 2))
    if _np.any(pairs < 0):
        raise ValueError("pad: index can't contain negative values")
    return [(int(b), int(e)) for b, e in pairs]


def pad(array, pad_width, mode="constant", **kwargs):
    """``numpy.pad`` with modes "constant" (``constant_values``), "edge",
    "reflect", "symmetric", "wrap" and "empty" (zeros here), differentiable.

    The constant mode writes x into zeros (the SliceScatter primitive) and adds
    the constant border; the other modes are gathers along each axis.
    """
    x = _array(array)
    pairs = _pad_pairs(pad_width, x.ndim)
    if mode in ("constant", "empty"):
        cv = kwargs.pop("constant_values", 0) if mode == "constant" else 0
        if kwargs:
            raise TypeError(f"pad: unsupported keyword arguments {sorted(kwargs)} for mode {mode!r}")
        if isinstance(cv, Array) or (isinstance(cv, (list, tuple)) and builtins.any(
                isinstance(c, Array) for c in _np.ravel(_np.asarray(cv, dtype=object)))):
            raise TypeError("pad: constant_values must be numbers (constants), not wirtinger arrays")
        if _np.iscomplexobj(cv) and x.dtype.kind == "f":
            raise TypeError(f"pad: complex constant_values for a real ({x.dtype}) array; make the array complex")
        shape = tuple(s + b + e for s, (b, e) in zip(x.shape, pairs))
        inner = Array(_engine.slice_scatter(x._v, [b for b, _ in pairs], [1] * x.ndim, list(shape)))
        border = _np.pad(_np.zeros(x.shape, x.dtype), pairs, mode="constant", constant_values=cv)
        return inner + border if _np.any(border != 0) else inner
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        extra = {}
        if mode in ("reflect", "symmetric"):
            if kwargs.pop("reflect_type", "even") != "even":
                raise NotImplementedError("pad: reflect_type='odd' is not supported; use the default 'even'")
        if kwargs:
            raise TypeError(f"pad: unsupported keyword arguments {sorted(kwargs)} for mode {mode!r}")
        for ax, (b, e) in enumerate(pairs):
            if b or e:
                x = take(x, _np.pad(_np.arange(x.shape[ax]), (b, e), mode=mode, **extra), axis=ax)
        return x
    raise NotImplementedError(f"pad: mode {mode!r} is not supported; use 'constant', 'edge', 'reflect', "
                              "'symmetric', 'wrap' or 'empty'")


# ---------------------------------------------------------------- contractions
def tensordot(a, b, axes=2):
    """``numpy.tensordot``: transposes and reshapes around one BLAS matrix product."""
    a, b = _array(a), _array(b)
    if isinstance(axes, (int, _np.integer)):
        n = int(axes)
        if n < 0:
            raise ValueError("tensordot: axes must be non-negative")
        ax_a, ax_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, _np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, _np.integer)) else list(ax_b)
    if len(ax_a) != len(ax_b):
        raise ValueError("tensordot: the two axes lists must have the same length")
    ax_a = [int(x) % builtins.max(a.ndim, 1) for x in ax_a]
    ax_b = [int(x) % builtins.max(b.ndim, 1) for x in ax_b]
    for i, j in zip(ax_a, ax_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError(f"tensordot: shape mismatch for sum: {a.shape} axis {i} and {b.shape} axis {j}")
    free_a = [d for d in range(a.ndim) if d not in ax_a]
    free_b = [d for d in range(b.ndim) if d not in ax_b]
    k = math.prod(a.shape[d] for d in ax_a)
    a2 = reshape(transpose(a, free_a + ax_a), (-1 if k else math.prod(a.shape[d] for d in free_a), k))
    b2 = reshape(transpose(b, ax_b + free_b), (k, math.prod(b.shape[d] for d in free_b)))
    return reshape(matmul(a2, b2), tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))


def kron(a, b):
    """``numpy.kron``: an outer product with interleaved axes."""
    a, b = _array(a), _array(b)
    nd = builtins.max(a.ndim, b.ndim)
    if nd == 0:
        return multiply(a, b)
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape(b, (1,) * (nd - b.ndim) + b.shape)
    pa = reshape(a, tuple(v for s in a.shape for v in (s, 1)))
    pb = reshape(b, tuple(v for s in b.shape for v in (1, s)))
    return reshape(pa * pb, tuple(x * y for x, y in zip(a.shape, b.shape)))


_EINSUM_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_parse(subscripts, operands):
    """(input label strings, output label string), ellipses expanded to spare labels."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, rhs = subscripts.split("->")
    else:
        lhs, rhs = subscripts, None
    ins = lhs.split(",")
    if len(ins) != len(operands):
        raise ValueError(f"einsum: {len(ins)} operand subscripts for {len(operands)} operands")
    used = set(c for c in subscripts if c.isalpha())
    for c in subscripts:
        if not (c.isalpha() or c in ",.->"):
            raise ValueError(f"einsum: invalid subscript {c!r}; use letters a-z, A-Z and '...'")
    spare = [c for c in _EINSUM_LETTERS if c not in used]
    ell_rank = 0
    for s, x in zip(ins, operands):
        if "..." in s:
            ell_rank = builtins.max(ell_rank, x.ndim - len(s.replace("...", "")))
    ell = "".join(spare[:ell_rank])
    labels = []
    for s, x in zip(ins, operands):
        if "..." in s:
            k = x.ndim - len(s.replace("...", ""))
            if k < 0:
                raise ValueError(f"einsum: operand of dimension {x.ndim} has too many subscripts {s!r}")
            s = s.replace("...", ell[ell_rank - k:] if k else "")
        if "." in s:
            raise ValueError("einsum: '.' must be part of an ellipsis '...'")
        if len(s) != x.ndim:
            raise ValueError(f"einsum: operand has dimension {x.ndim} but subscripts {s!r} name {len(s)} axes")
        labels.append(s)
    if rhs is None:
        counts = {}
        for s in labels:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c in counts if counts[c] == 1 and c not in ell))
    else:
        if "." in rhs.replace("...", ""):
            raise ValueError("einsum: '.' must be part of an ellipsis '...'")
        if ell and "..." not in rhs:
            raise ValueError("einsum: output has more dimensions than subscripts given in einstein sum, but no "
                             "'...' ellipsis provided to broadcast the extra dimensions")
        rhs = rhs.replace("...", ell)
        if len(set(rhs)) != len(rhs):
            raise ValueError(f"einsum: output subscript {rhs!r} repeats a label")
        for c in rhs:
            if not builtins.any(c in s for s in labels):
                raise ValueError(f"einsum: output subscript {c!r} does not appear in the inputs")
    return labels, rhs


def _einsum_diagonal(x, s):
    """Takes the diagonal over repeated labels of one operand."""
    while len(set(s)) != len(s):
        c = next(c for c in s if s.count(c) > 1)
        i = s.index(c)
        j = s.index(c, i + 1)
        if x.shape[i] != x.shape[j]:
            raise ValueError(f"einsum: dimensions in operand for collapsing index {c!r} don't match "
                             f"({x.shape[i]} != {x.shape[j]})")
        rest = [d for d in range(x.ndim) if d not in (i, j)]
        x = transpose(x, rest + [i, j])
        ar = _np.arange(x.shape[-1])
        x = x[(Ellipsis, ar, ar)]
        s = "".join(s[d] for d in rest) + c
    return x, s


def _einsum_sum_out(x, s, keep):
    axes = tuple(d for d, c in enumerate(s) if c not in keep)
    if not axes:
        return x, s
    return sum(x, axis=axes), "".join(c for c in s if c in keep)


def _einsum_pair(a, sa, b, sb, keep):
    """Contracts two operands, keeping the labels in `keep`, with one batched matrix product."""
    a, sa = _einsum_sum_out(a, sa, keep | set(sb))
    b, sb = _einsum_sum_out(b, sb, keep | set(sa))
    shared = [c for c in sa if c in sb]
    batch = [c for c in shared if c in keep]
    contracted = [c for c in shared if c not in keep]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]
    size = {}
    for x, s in ((a, sa), (b, sb)):
        for c, n in zip(s, x.shape):
            m = size.get(c, 1)
            if m != n and m != 1 and n != 1:
                raise ValueError(f"einsum: operands could not be broadcast together: label {c!r} has sizes {m} and {n}")
            size[c] = n if m == 1 else m

    def arrange(x, s, order):
        x = transpose(x, [s.index(c) for c in order])
        target = tuple(size[c] for c in order)
        return broadcast_to(x, target) if x.shape != target else x

    at = arrange(a, sa, batch + left + contracted)
    bt = arrange(b, sb, batch + contracted + right)
    B = math.prod(size[c] for c in batch)
    L = math.prod(size[c] for c in left)
    K = math.prod(size[c] for c in contracted)
    R = math.prod(size[c] for c in right)
    out = matmul(reshape(at, (B, L, K)), reshape(bt, (B, K, R)))
    return reshape(out, tuple(size[c] for c in batch + left + right)), "".join(batch + left + right)


def einsum(subscripts, *operands, optimize=False, out=None, dtype=None, **kwargs):
    """``numpy.einsum`` (explicit and implicit modes, ``...``, repeated labels
    for diagonals, and the sublist form), differentiable. Operands are contracted
    left to right, each pair by transposes, reshapes and one batched BLAS matrix
    product; ``optimize`` is accepted and ignored.

    >>> import numpy as np, wirtinger.numpy as wnp
    >>> a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    >>> bool(np.allclose(np.asarray(wnp.einsum("ij,jk->ik", a, b)), a @ b))
    True
    """
    _no_out(out, "einsum")
    if kwargs:
        raise TypeError(f"einsum: unsupported keyword arguments {sorted(kwargs)}")
    if not isinstance(subscripts, str):  # the sublist form: op0, sub0, op1, sub1, ..., [out]
        items = (subscripts,) + operands
        ops, subs = list(items[0::2]), list(items[1::2])
        out_sub = None
        if len(ops) > len(subs):
            out_sub = ops.pop()

        def letters(sub):
            return "".join("..." if k is Ellipsis else _EINSUM_LETTERS[int(k)] for k in sub)

        subscripts = ",".join(letters(s) for s in subs) + ("" if out_sub is None else "->" + letters(out_sub))
        operands = tuple(ops)
    if not operands:
        raise ValueError("einsum: no operands given")
    xs = [_array(x) for x in operands]
    if dtype is not None:
        xs = [x.astype(_float_dtype(dtype)) for x in xs]
    labels, rhs = _einsum_parse(subscripts, xs)
    keep_out = set(rhs)
    items = []
    for i, (x, s) in enumerate(zip(xs, labels)):
        x, s = _einsum_diagonal(x, s)
        later = set("".join(labels[:i] + labels[i + 1:]))
        x, s = _einsum_sum_out(x, s, keep_out | later)
        items.append((x, s))
    x, s = items[0]
    for i in range(1, len(items)):
        later = set("".join(t for _, t in items[i + 1:]))
        x, s = _einsum_pair(x, s, items[i][0], items[i][1], keep_out | later)
    x, s = _einsum_sum_out(x, s, keep_out)
    return transpose(x, [s.index(c) for c in rhs]) if s != rhs else x


