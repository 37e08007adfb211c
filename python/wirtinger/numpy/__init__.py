"""NumPy-compatible functions that wirtinger can differentiate.

Import as ``import wirtinger.numpy as wnp``. Names, broadcasting, dtype
promotion (NumPy 2 rules: Python scalars are weak), ``axis=`` and
``keepdims=`` follow NumPy. ``abs2(z) = |z|**2`` is an addition.

>>> import wirtinger as w, wirtinger.numpy as wnp
>>> float(w.grad(lambda x: wnp.sum(wnp.sin(x) ** 2))(0.5))  # 2 sin(x) cos(x)
0.8414709848078965
"""
import builtins
import math

import numpy as _np

from .. import _core
from .._array import (Array, UNARY, binary as _binary, concrete as _concrete, result_dtype as _result_dtype,
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
    def f(x):
        return _unary(name, x)

    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = f"Element-wise ``{name}``, as NumPy's, differentiable (rule table: rules.hpp)."
    return f


for _name in UNARY:
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


def reshape(x, shape):
    x = _array(x)
    shape = (shape,) if isinstance(shape, (int, _np.integer)) else tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise ValueError("reshape: can only specify one unknown dimension (-1)")
    if -1 in shape:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or x.size % known:
            raise ValueError(f"reshape: cannot reshape an array of size {x.size} into shape {shape}")
        shape = tuple(x.size // known if s == -1 else s for s in shape)
    return Array(_core.reshape(x._v, list(shape)))


def transpose(x, axes=None):
    x = _array(x)
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    axes = tuple(int(a) % builtins.max(x.ndim, 1) for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {axes} don't match an array of dimension {x.ndim}")
    return Array(_core.transpose(x._v, list(axes)))


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
    shape = (shape,) if isinstance(shape, (int, _np.integer)) else tuple(int(s) for s in shape)
    return Array(_core.broadcast_to(x._v, list(shape)))


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
    return Array(_core.concat([_to_var(a, dtype) for a in arrays], ax))


def stack(arrays, axis=0):
    arrays = [_array(a) for a in arrays]
    if not arrays:
        raise ValueError("stack: need at least one array to stack")
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"stack: all input arrays must have the same shape, got {sorted(shapes)}")
    ax = _axes(axis, arrays[0].ndim + 1, "stack")[0]
    return concatenate([expand_dims(a, ax) for a in arrays], axis=ax)


def zeros_like(x, dtype=None):
    dt = _np.dtype(dtype) if dtype is not None else _array_dtype(x)
    return Array(_to_var(_np.zeros(_np.shape(_concrete(x)), dtype=dt)))


def ones_like(x, dtype=None):
    dt = _np.dtype(dtype) if dtype is not None else _array_dtype(x)
    return Array(_to_var(_np.ones(_np.shape(_concrete(x)), dtype=dt)))


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
    return _reduce(_core.sum, x, axis, keepdims, "sum")


def prod(x, axis=None, keepdims=False):
    """Product over axis, as ``numpy.prod``; its derivative is exact at zeros."""
    return _reduce(_core.prod, x, axis, keepdims, "prod")


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
    out = Array(_core.matmul(a2._v, b2._v))
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


def outer(a, b):
    a, b = ravel(a), ravel(b)
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


# ---------------------------------------------------------------- selection
def where(condition, x, y):
    """``numpy.where(condition, x, y)``; the condition is a constant (no derivative flows through it)."""
    cond = _np.asarray(_concrete(condition), dtype=bool)
    dtype = _result_dtype(x, y)
    xa, ya = Array(_to_var(x, dtype)), Array(_to_var(y, dtype))
    shape = _np.broadcast_shapes(cond.shape, xa.shape, ya.shape)
    xb, yb = broadcast_to(xa, shape), broadcast_to(ya, shape)
    return Array(_core.select(_np.asarray(_np.broadcast_to(cond, shape), order="C"), xb._v, yb._v))

