"""Joining, splitting and rearranging arrays, and the constructors built on
them: compositions of concatenation, slicing, reshaping and transposition, so
differentiable wherever their operands are."""
import builtins
import math

import numpy as _np

from .._array import Array, concrete as _concrete, result_dtype as _result_dtype
from ._functions import (_along, _array, _array_dtype, _axes, _public, _shape_of, _float_dtype, broadcast_to, concatenate, exp, expand_dims, full,
                         linspace, log, moveaxis, power, ravel, reshape, stack, swapaxes, transpose, zeros)


def _arrays(arrays, name):
    if not isinstance(arrays, (list, tuple)) and not hasattr(arrays, "__iter__") or isinstance(arrays, Array):
        raise TypeError(f"{name}: expects a sequence of arrays, got {type(arrays).__name__}")
    return [_array(a) for a in arrays]


def atleast_1d(*arys):
    out = [reshape(a, (1,)) if _array(a).ndim == 0 else _array(a) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    def one(a):
        a = _array(a)
        return reshape(a, (1,) * (2 - a.ndim) + a.shape) if a.ndim < 2 else a

    out = [one(a) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    def one(a):
        a = _array(a)
        if a.ndim == 0:
            return reshape(a, (1, 1, 1))
        if a.ndim == 1:
            return reshape(a, (1, a.shape[0], 1))
        if a.ndim == 2:
            return reshape(a, a.shape + (1,))
        return a

    out = [one(a) for a in arys]
    return out[0] if len(out) == 1 else out


def hstack(tup, dtype=None):
    arrs = [atleast_1d(a) for a in _arrays(tup, "hstack")]
    out = concatenate(arrs, axis=0 if arrs and arrs[0].ndim == 1 else 1)
    return out if dtype is None else out.astype(dtype)


def vstack(tup, dtype=None):
    out = concatenate([atleast_2d(a) for a in _arrays(tup, "vstack")], axis=0)
    return out if dtype is None else out.astype(dtype)


def dstack(tup, dtype=None):
    out = concatenate([atleast_3d(a) for a in _arrays(tup, "dstack")], axis=2)
    return out if dtype is None else out.astype(dtype)


def column_stack(tup):
    arrs = [reshape(a, (a.size, 1)) if a.ndim < 2 else a for a in _arrays(tup, "column_stack")]
    return concatenate(arrs, axis=1)


def concat(arrays, /, *, axis=0):
    """The array API's name for ``concatenate``."""
    return concatenate(arrays, axis=axis)


def unstack(x, /, *, axis=0):
    x = _array(x)
    if x.ndim == 0:
        raise ValueError("unstack: input must be at least 1-d")
    ax = _axes(axis, x.ndim, "unstack")[0]
    return tuple(_take_index(x, i, ax) for i in range(x.shape[ax]))


def _take_index(x, i, ax):
    return x[(slice(None),) * ax + (i,)]


def _slice_along(x, start, stop, ax):
    return x[(slice(None),) * ax + (slice(start, stop),)]


def block(arrays):
    """``numpy.block``: nested lists joined along the last axes, innermost list last."""
    def depth(a):
        return 1 + depth(a[0]) if isinstance(a, list) and a else (1 if isinstance(a, list) else 0)

    list_depth = depth(arrays)
    if isinstance(arrays, tuple):
        raise TypeError("block: arrays is a tuple; only lists can be used to arrange blocks")

    def leaves(a):
        return [x for item in a for x in leaves(item)] if isinstance(a, list) else [_array(a)]

    ndim = builtins.max([list_depth] + [x.ndim for x in leaves(arrays)])

    def join(a, d):
        if not isinstance(a, list):
            a = _array(a)
            return reshape(a, (1,) * (ndim - a.ndim) + a.shape)
        if not a:
            raise ValueError("block: lists cannot be empty")
        return concatenate([join(x, d + 1) for x in a], axis=-(list_depth - d))

    return join(arrays, 0)


def _split_points(n, indices_or_sections, name, even):
    if isinstance(indices_or_sections, (int, _np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError(f"{name}: number sections must be larger than 0")
        if even and n % k:
            raise ValueError(f"{name}: array split does not result in an equal division ({n} into {k})")
        each, extra = divmod(n, k)
        sizes = [each + 1] * extra + [each] * (k - extra)
        return list(_np.cumsum([0] + sizes))
    points = [int(i) for i in indices_or_sections]
    return [0] + points + [n]


def array_split(ary, indices_or_sections, axis=0):
    return _split(ary, indices_or_sections, axis, "array_split", even=False)


def split(ary, indices_or_sections, axis=0):
    return _split(ary, indices_or_sections, axis, "split", even=True)


def _split(ary, indices_or_sections, axis, name, even):
    x = _array(ary)
    ax = _axes(axis, x.ndim, name)[0]
    points = _split_points(x.shape[ax], indices_or_sections, name, even)
    return [_slice_along(x, a, b, ax) for a, b in zip(points[:-1], points[1:])]


def hsplit(ary, indices_or_sections):
    x = _array(ary)
    if x.ndim == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(x, indices_or_sections, axis=1 if x.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    x = _array(ary)
    if x.ndim < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(x, indices_or_sections, axis=0)


def dsplit(ary, indices_or_sections):
    x = _array(ary)
    if x.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(x, indices_or_sections, axis=2)


def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(_array(arr)), ravel(_array(values))], axis=0)
    return concatenate([_array(arr), _array(values)], axis=axis)


def broadcast_arrays(*args):
    arrs = [_array(a) for a in args]
    shape = _np.broadcast_shapes(*[a.shape for a in arrs])
    return tuple(broadcast_to(a, shape) for a in arrs)


def permute_dims(a, /, axes):
    return transpose(a, axes)


def matrix_transpose(x, /):
    x = _array(x)
    if x.ndim < 2:
        raise ValueError(f"matrix_transpose: input must be at least 2-d, got shape {x.shape}")
    return swapaxes(x, -1, -2)


def rollaxis(a, axis, start=0):
    a = _array(a)
    n = a.ndim
    ax = _axes(axis, n, "rollaxis")[0]
    if not -n <= start <= n:
        raise ValueError(f"rollaxis: start {start} is out of bounds for an array of dimension {n}")
    start = start % (n + 1) if start < 0 else start
    if ax < start:
        start -= 1
    return moveaxis(a, ax, start) if ax != start else a


def rot90(m, k=1, axes=(0, 1)):
    m = _array(m)
    if len(axes) != 2:
        raise ValueError("rot90: len(axes) must be 2")
    a0, a1 = _axes(axes[0], m.ndim, "rot90")[0], _axes(axes[1], m.ndim, "rot90")[0]
    if a0 == a1:
        raise ValueError("rot90: axes must be different")
    k %= 4
    flip = lambda x, ax: x[(slice(None),) * ax + (slice(None, None, -1),)]  # noqa: E731
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    if k == 1:
        return swapaxes(flip(m, a1), a0, a1)
    return flip(swapaxes(m, a0, a1), a1)


def _positions(obj, n, name):
    idx = _np.asarray(_concrete(obj) if isinstance(obj, Array) else obj)
    if isinstance(obj, slice):
        idx = _np.arange(n)[obj]
    if idx.dtype == bool:
        if idx.shape != (n,):
            raise ValueError(f"{name}: boolean array argument obj must be one dimensional and match the axis length "
                             f"of {n}")
        idx = _np.flatnonzero(idx)
    if idx.dtype.kind not in "iu" and idx.size:
        raise IndexError(f"{name}: indices must be integers, got dtype {idx.dtype}")
    return idx.astype(_np.intp)


def delete(arr, obj, axis=None):
    x, ax = _along(_array(arr), axis, "delete")
    n = x.shape[ax]
    idx = _positions(obj, n, "delete")
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"delete: index out of bounds for axis {ax} with size {n}")
    keep = _np.ones(n, bool)
    keep[idx % n if n else idx] = False
    return x[(slice(None),) * ax + (_np.flatnonzero(keep),)]


def insert(arr, obj, values, axis=None):
    """``numpy.insert`` (indices are constants); differentiable in ``arr`` and ``values``."""
    x, ax = _along(_array(arr), axis, "insert")
    n = x.shape[ax]
    scalar = isinstance(obj, (int, _np.integer))
    idx = _np.atleast_1d(_positions(obj, n + 1, "insert"))
    if idx.size and (idx.min() < -n or idx.max() > n):
        raise IndexError(f"insert: index out of bounds for axis {ax} with size {n}")
    idx = _np.where(idx < 0, idx + n, idx)
    v = _array(values)
    dtype = x.dtype
    if scalar:
        # A scalar index inserts values as one (or several) slices along the axis.
        v = moveaxis(v if v.ndim == x.ndim else expand_dims(v, 0) if v.ndim < x.ndim else v, 0, ax) \
            if v.ndim else v
        vshape = list(x.shape)
        vshape[ax] = v.shape[ax] if v.ndim == x.ndim else 1
        v = broadcast_to(v, tuple(vshape))
        m = vshape[ax]
        idx = _np.full(m, idx[0])
    else:
        vshape = list(x.shape)
        vshape[ax] = idx.size
        if v.ndim == 1 and v.shape[0] == idx.size and x.ndim > 1:
            v = moveaxis(reshape(v, (idx.size,) + (1,) * (x.ndim - 1)), 0, ax)
        v = broadcast_to(v, tuple(vshape))
    v = v.astype(dtype) if v.dtype != dtype else v
    # Positions in the result: old element j moves right by the insertions before it.
    order = _np.argsort(idx, kind="stable")
    new_pos = idx[order] + _np.arange(idx.size)
    total = n + idx.size
    is_new = _np.zeros(total, bool)
    is_new[new_pos] = True
    old_pos = _np.flatnonzero(~is_new)
    joined = concatenate([x, _take_along(v, order, ax)], axis=ax)
    source = _np.empty(total, _np.intp)
    source[old_pos] = _np.arange(n)
    source[new_pos] = n + _np.arange(idx.size)
    return joined[(slice(None),) * ax + (source,)]


def _take_along(v, order, ax):
    return v[(slice(None),) * ax + (order,)]


def diag(v, k=0):
    """``numpy.diag``: the k-th diagonal of a matrix, or a matrix with v on it."""
    v = _array(v)
    if v.ndim == 1:
        n = v.shape[0] + builtins.abs(k)
        rows = _np.arange(v.shape[0]) + builtins.max(-k, 0)
        cols = _np.arange(v.shape[0]) + builtins.max(k, 0)
        flat = rows * n + cols
        out = zeros((n * n,), dtype=v.dtype)
        return reshape(out.at[flat].set(v), (n, n))
    if v.ndim == 2:
        r, c = v.shape
        rows = _np.arange(builtins.max(-k, 0), r)
        cols = rows + k
        ok = (cols >= 0) & (cols < c)
        return v[rows[ok], cols[ok]]
    raise ValueError("diag: input must be 1-d or 2-d")


def diagflat(v, k=0):
    return diag(ravel(_array(v)), k)


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    return _array(_np.tri(N, M, k, dtype=_float_dtype(dtype)))


def vander(x, N=None, increasing=False):
    x = _array(x)
    if x.ndim != 1:
        raise ValueError("vander: x must be a one-dimensional array")
    x = x.astype(_np.promote_types(x.dtype, _np.int64))  # NumPy's result dtype
    N = x.shape[0] if N is None else int(N)
    powers = _np.arange(N) if increasing else _np.arange(N)[::-1]
    cols = [x ** int(p) if p else x * 0 + 1 for p in powers]
    return stack(cols, axis=1) if cols else zeros((x.shape[0], 0), dtype=x.dtype)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError("meshgrid: valid values for `indexing` are 'xy' and 'ij'")
    xs = [ravel(_array(x)) for x in xi]
    n = len(xs)
    shapes = [[1] * n for _ in xs]
    for i, x in enumerate(xs):
        shapes[i][i] = x.shape[0]
    if indexing == "xy" and n > 1:
        for s in shapes:
            s[0], s[1] = s[1], s[0]
    out = [reshape(x, tuple(s)) for x, s in zip(xs, shapes)]
    if not sparse:
        full = _np.broadcast_shapes(*[o.shape for o in out])
        out = [broadcast_to(o, full) for o in out]
    return list(out)


def resize(a, new_shape):
    a = ravel(_array(a))
    new_shape = (new_shape,) if isinstance(new_shape, (int, _np.integer)) else tuple(new_shape)
    total = math.prod(new_shape)
    if a.size == 0 or total == 0:
        return zeros(new_shape, dtype=a.dtype)
    reps = -(-total // a.size)
    return reshape(concatenate([a] * reps, axis=0)[:total], new_shape)


def trim_zeros(filt, trim="fb"):
    """``numpy.trim_zeros``: where to cut is read from the values (not traced by jit)."""
    x = _array(filt)
    nz = _np.flatnonzero(_concrete(x) != 0)
    if nz.size == 0:
        return x[:0]
    start = nz[0] if "f" in trim.lower() else 0
    stop = nz[-1] + 1 if "b" in trim.lower() else x.shape[0]
    return x[int(start):int(stop)]


def ediff1d(ary, to_end=None, to_begin=None):
    x = ravel(_array(ary))
    parts = []
    if to_begin is not None:
        parts.append(ravel(_array(to_begin)))
    parts.append(x[1:] - x[:-1])
    if to_end is not None:
        parts.append(ravel(_array(to_end)))
    dtype = _result_dtype(*parts)
    return concatenate([p.astype(dtype) for p in parts], axis=0) if len(parts) > 1 else parts[0]


def full_like(a, fill_value, dtype=None, shape=None):
    dt = _np.dtype(dtype) if dtype is not None else _array_dtype(a)
    return full(_shape_of(a) if shape is None else shape, fill_value, dtype=dt)


def empty(shape, dtype=float):
    """Zeros: wirtinger arrays are never uninitialised."""
    return zeros(shape, dtype=dtype)


def empty_like(prototype, dtype=None, shape=None):
    dt = _np.dtype(dtype) if dtype is not None else _array_dtype(prototype)
    return zeros(_shape_of(prototype) if shape is None else shape, dtype=dt)


def copy(a, order=None):
    """A copy: wirtinger arrays are immutable, so the array itself serves."""
    return _array(a)


def astype(x, dtype, /, *, copy=True):
    return _array(x).astype(dtype)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    y = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    out = power(base, y)
    return out if dtype is None else out.astype(_float_dtype(dtype))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    s, t = _array(start), _array(stop)
    if _np.any(_concrete(s) == 0) or _np.any(_concrete(t) == 0):
        raise ValueError("geomspace: geometric sequence cannot include zero")
    y = exp(linspace(log(s), log(t), num=num, endpoint=endpoint, axis=axis))
    return y if dtype is None else y.astype(_float_dtype(dtype))


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    """JAX's form: ``inplace=False`` returns a new array with the diagonal set."""
    if inplace:
        raise ValueError("fill_diagonal: wirtinger arrays are immutable; pass inplace=False for a new array")
    a = _array(a)
    if a.ndim < 2:
        raise ValueError("fill_diagonal: array must be at least 2-d")
    if a.ndim > 2 and len(set(a.shape)) != 1:
        raise ValueError("fill_diagonal: all dimensions of input must be of equal length")
    flat = ravel(a)
    step = 1 + int(_np.sum(_np.cumprod(a.shape[:-1])))
    end = a.size if wrap or a.ndim > 2 else builtins.min(a.shape[1], a.shape[0]) * a.shape[1]
    idx = _np.arange(0, end, step)
    v = ravel(_array(val))
    if v.size != idx.size:
        v = resize(v, (idx.size,)) if v.size else v
    return reshape(flat.at[idx].set(v), a.shape)


__all__ = _public(globals())
