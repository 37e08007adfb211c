"""Indexing with NumPy's semantics, differentiable.

* Basic indexing (integers, slices, None, Ellipsis) is one strided slice plus a
  reshape (the Slice primitive; its adjoint is SliceScatter).
* Advanced indexing (integer arrays, boolean masks, and either mixed with basic
  entries) is a gather: NumPy computes, from the key alone, the flat index of
  every selected block of x, and the C++ Gather primitive copies the blocks. Its
  adjoint is ScatterAdd, so repeated indices accumulate in the backward pass.
  A "block" is the run of trailing axes the key takes whole (``x[idx]`` on an
  (n, d) array moves rows of d elements), so the index array has one entry per
  block, not per element.
* ``x.at[key]`` gives JAX's functional updates: ``.get()``, ``.set(v)``,
  ``.add(v)``, ``.multiply(v)``, ``.divide(v)``, each returning a new array.
"""
import math

import numpy as np

from .. import _engine
from .._array import Array, Mask, WeakInt, to_var
from ..errors import concretization_error

_INTP = np.intp


# ---------------------------------------------------------------- keys
def _entry(k):
    """One entry of a key, with sequences turned into index arrays."""
    if isinstance(k, WeakInt):
        return k.__index__()  # a traced int argument of jit: ConcretizationError naming static_argnums
    if isinstance(k, Array):
        raise IndexError("getitem: a wirtinger array cannot be used as an index (its values are float or complex); "
                         "index with a NumPy integer or boolean array instead")
    if isinstance(k, Mask):
        raise concretization_error("boolean indexing with a comparison (the result's shape depends on the values)",
                              _engine.is_batched(k._v))
    if isinstance(k, (list, tuple)):
        arr = np.asarray(k)
        if arr.size == 0:
            arr = arr.astype(_INTP)
        k = arr
    if isinstance(k, np.ndarray):
        if k.dtype.kind not in "biu":
            raise IndexError(f"getitem: arrays used as indices must be of integer or boolean type, got {k.dtype}")
        return k
    if isinstance(k, (bool, np.bool_)):
        return np.asarray(k)
    if k is None or k is Ellipsis or isinstance(k, slice) or isinstance(k, (int, np.integer)):
        return k
    raise IndexError(f"getitem: unsupported index {k!r} of type {type(k).__name__}; use integers, slices, None, "
                     "Ellipsis, or integer/boolean arrays")


def _dims_used(k):
    if k is None or k is Ellipsis:
        return 0
    if isinstance(k, np.ndarray) and k.dtype == np.bool_:
        return k.ndim
    return 1


def _expand(key, ndim):
    """The key as a list of entries in which every axis of x is named once
    (Ellipsis replaced by full slices), and whether it has advanced entries."""
    key = key if isinstance(key, tuple) else (key,)
    entries = [_entry(k) for k in key]
    if sum(k is Ellipsis for k in entries) > 1:
        raise IndexError("getitem: an index can only have a single ellipsis ('...')")
    used = sum(_dims_used(k) for k in entries)
    if used > ndim:
        raise IndexError(f"getitem: too many indices for an array of dimension {ndim}: {used} were given")
    fill = [slice(None)] * (ndim - used)
    if any(k is Ellipsis for k in entries):
        i = next(i for i, k in enumerate(entries) if k is Ellipsis)
        entries = entries[:i] + fill + entries[i + 1:]
    else:
        entries = entries + fill
    advanced = any(isinstance(k, np.ndarray) for k in entries)
    return entries, advanced


def _split_blocks(entries, shape):
    """(lead entries, lead shape, trailing shape): the trailing axes the key
    takes whole become the block, moved as a unit."""
    d, j = len(shape), len(entries)
    while j > 0 and d > 0 and isinstance(entries[j - 1], slice) and entries[j - 1].indices(shape[d - 1]) == (
            0, shape[d - 1], 1):
        j -= 1
        d -= 1
    return entries[:j], tuple(shape[:d]), tuple(shape[d:])


def _check_bounds(k, n, axis):
    bad = (k < -n) | (k >= n)
    if np.any(bad):
        raise IndexError(f"index {int(np.asarray(k)[bad].flat[0])} is out of bounds for axis {axis} with size {n}")
    return np.where(k < 0, k + n, k)


def _block_index(lead, lead_shape):
    """The flat (row-major) index into lead_shape of every position x[lead]
    selects, with the shape NumPy gives x[lead]."""
    strides = [math.prod(lead_shape[i + 1:]) for i in range(len(lead_shape))]
    if all(isinstance(k, (int, np.integer)) or (isinstance(k, np.ndarray) and k.dtype.kind in "iu") for k in lead):
        # Integers and integer arrays only: NumPy's broadcast, without any
        # array of x's size.
        ks = [_check_bounds(np.asarray(k, dtype=_INTP), n, a) for a, (k, n) in enumerate(zip(lead, lead_shape))]
        ks = np.broadcast_arrays(*ks) if ks else [np.zeros((), _INTP)]
        flat = np.zeros(ks[0].shape, _INTP)
        for k, s in zip(ks, strides):
            flat += k * s
        return flat
    total = math.prod(lead_shape)
    if total <= 1 << 16 or len(lead_shape) <= 1:
        return np.asarray(np.arange(total, dtype=_INTP).reshape(lead_shape)[tuple(lead)])
    # Indexing is linear, so the index of a sum of per-axis ramps (broadcast
    # views, no memory) is the sum of their indices: O(ndim · result).
    flat = 0
    for a, (n, s) in enumerate(zip(lead_shape, strides)):
        ramp = (np.arange(n, dtype=_INTP) * s).reshape((n,) + (1,) * (len(lead_shape) - a - 1))
        flat = flat + np.asarray(np.broadcast_to(ramp, lead_shape)[tuple(lead)])
    return np.asarray(flat, dtype=_INTP)


class _Plan:
    """Where x[key] reads from: blocks `index` (flat, int64) of `inner`
    elements; the selection has shape `shape`."""

    __slots__ = ("index", "inner", "shape", "blocks")

    def __init__(self, x_shape, entries):
        lead, lead_shape, trail = _split_blocks(entries, x_shape)
        idx = _block_index(lead, lead_shape)
        self.index = np.ascontiguousarray(idx, dtype=np.int64).reshape(-1)
        self.inner = math.prod(trail)
        self.shape = tuple(idx.shape) + trail
        self.blocks = math.prod(lead_shape)


def _gather(x, plan):
    if plan.inner == 0 or plan.index.size == 0:
        return Array(to_var(np.zeros(plan.shape, x.dtype)))
    return Array(_engine.gather(x._v, plan.index, plan.inner, list(plan.shape)))


def _basic(x, entries):
    shape = x.shape
    starts, steps, counts, final = [], [], [], []
    d = 0
    for k in entries:
        if k is None:
            final.append(1)
            continue
        n = shape[d]
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            count = len(range(start, stop, step))
            starts.append(start if count else 0)
            steps.append(step)
            counts.append(count)
            final.append(count)
        else:
            i = int(k)
            if i < -n or i >= n:
                raise IndexError(f"getitem: index {i} is out of bounds for axis {d} with size {n}")
            starts.append(i % n)
            steps.append(1)
            counts.append(1)
        d += 1
    v = x._v
    if not (all(s == 0 for s in starts) and all(s == 1 for s in steps) and tuple(counts) == tuple(shape)):
        v = _engine.slice(v, starts, steps, counts)
    return Array(_engine.reshape(v, final))


def getitem(x, key):
    """x[key] with NumPy's semantics (basic and advanced indexing)."""
    x = x if isinstance(x, Array) else Array(to_var(x))
    entries, advanced = _expand(key, x.ndim)
    if not advanced:
        return _basic(x, entries)
    return _gather(x, _Plan(x.shape, entries))


def take_blocks(x, index, inner, shape):
    """Blocks `index` (NumPy ints, already in range) of x; for take and friends."""
    index = np.ascontiguousarray(index, dtype=np.int64).reshape(-1)
    if inner == 0 or index.size == 0:
        return Array(to_var(np.zeros(shape, x.dtype)))
    return Array(_engine.gather(x._v, index, inner, list(shape)))


# ---------------------------------------------------------------- x.at[key]
class IndexUpdateHelper:
    """``x.at``: index it to get an :class:`IndexUpdateRef`."""

    __slots__ = ("_x",)

    def __init__(self, x):
        self._x = x

    def __getitem__(self, key):
        return IndexUpdateRef(self._x, key)

    def __repr__(self):
        return f"_IndexUpdateHelper({self._x!r})"


class IndexUpdateRef:
    """Functional updates of ``x[key]``, as JAX's ``x.at[key]``.

    Each method returns a new array and leaves x unchanged (wirtinger arrays are
    immutable); all are differentiable in x and in the values.

    * ``get()``: ``x[key]``.
    * ``set(v)``: x with ``x[key] = v``; where an index repeats, the last
      occurrence wins, as NumPy's assignment does.
    * ``add(v)``: x with ``x[key] += v``, where repeated indices accumulate
      (unlike NumPy's ``x[key] += v``, like ``np.add.at`` and JAX).
    * ``multiply(v)``, ``divide(v)``: x with ``x[key] *= v`` or ``/= v``, every
      occurrence of a repeated index applied.

    ``v`` broadcasts to the shape of ``x[key]`` and is cast to x's dtype (a
    complex ``v`` for a real x is a TypeError). Out-of-bounds indices raise
    IndexError, as in NumPy (JAX would drop them).

    >>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
    >>> x = wnp.zeros(4)
    >>> np.asarray(x.at[np.array([0, 2, 0])].add(1.0))
    array([2., 0., 1., 0.])
    >>> np.asarray(x.at[1:3].set(np.array([5.0, 6.0])))
    array([0., 5., 6., 0.])
    """

    __slots__ = ("_x", "_key")

    def __init__(self, x, key):
        self._x = x
        self._key = key

    def _plan(self):
        entries, _ = _expand(self._key, self._x.ndim)
        return _Plan(self._x.shape, entries)

    def _values(self, values, plan, op):
        x = self._x
        dt = values.dtype if isinstance(values, Array) else np.asarray(values).dtype
        if dt.kind == "c" and x.dtype.kind == "f":
            raise TypeError(f"at[...].{op}: cannot write complex values into a real ({x.dtype}) array; "
                            f"make x complex first (x.astype(complex))")
        v = Array(to_var(values, x.dtype))
        while v.ndim > len(plan.shape) and v.shape[0] == 1:  # NumPy drops leading unit axes of the values
            v = Array(_engine.reshape(v._v, list(v.shape[1:])))
        try:
            ok = np.broadcast_shapes(v.shape, plan.shape) == plan.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"at[...].{op}: values of shape {v.shape} cannot be broadcast to the indexed shape "
                             f"{plan.shape}")
        if v.shape != plan.shape:
            v = Array(_engine.broadcast_to(v._v, list(plan.shape)))
        return v

    def _touched(self, plan):
        """Mask of x's elements that the key selects."""
        mask = np.zeros(plan.blocks, dtype=bool)
        mask[plan.index] = True
        return np.ascontiguousarray(np.broadcast_to(mask[:, None], (plan.blocks, plan.inner))).reshape(self._x.shape)

    def _scatter(self, v, index, plan):
        return Array(_engine.scatter_add(v._v, np.ascontiguousarray(index, dtype=np.int64), plan.inner,
                                       list(self._x.shape)))

    def get(self):
        """``x[key]``."""
        return getitem(self._x, self._key)

    def set(self, values):
        """A copy of x with ``x[key] = values`` (the last of repeated indices wins)."""
        x = self._x
        plan = self._plan()
        v = self._values(values, plan, "set")
        if plan.index.size == 0 or plan.inner == 0:
            return x
        index = plan.index
        if not _all_distinct(index, plan.blocks):
            uniq, first_from_end = np.unique(index[::-1], return_index=True)
            keep = index.size - 1 - first_from_end  # the last occurrence of each target
            v = take_blocks(v, keep, plan.inner, (keep.size * plan.inner,))
            index = index[keep]
        written = self._scatter(v, index, plan)
        return Array(_engine.select(written._v, x._v, self._touched(plan)))

    def add(self, values):
        """A copy of x with ``values`` added at ``key`` (repeated indices accumulate)."""
        x = self._x
        plan = self._plan()
        v = self._values(values, plan, "add")
        if plan.index.size == 0 or plan.inner == 0:
            return x
        return x + self._scatter(v, plan.index, plan)

    def _factor(self, values, op):
        """The product of the values landing on each element (1 elsewhere)."""
        plan = self._plan()
        v = self._values(values, plan, op)
        if plan.index.size == 0 or plan.inner == 0:
            return None
        v, targets = (v, plan.index) if _all_distinct(plan.index, plan.blocks) else \
            _segment_products(v, plan.index, plan.inner)
        ones = np.ones(self._x.shape, self._x.dtype)
        return Array(_engine.select(self._scatter(v, targets, plan)._v, to_var(ones), self._touched(plan)))

    def multiply(self, values):
        """A copy of x with ``x[key] *= values`` (every repeated index applied)."""
        f = self._factor(values, "multiply")
        return self._x if f is None else self._x * f

    def divide(self, values):
        """A copy of x with ``x[key] /= values`` (every repeated index applied)."""
        f = self._factor(values, "divide")
        return self._x if f is None else self._x / f

    def __repr__(self):
        return f"_IndexUpdateRef({self._x!r}, {self._key!r})"


def _all_distinct(index, blocks):
    if blocks <= 4 * index.size:  # a count per block is cheaper than a sort
        return np.bincount(index, minlength=blocks).max(initial=0) <= 1
    return np.unique(index).size == index.size


def _segment_products(v, index, inner):
    """(products, targets): for each distinct target, the product of the
    blocks of v sent to it, by pairwise rounds (log2 of the largest count)."""
    order = np.argsort(index, kind="stable")
    t = index[order]
    starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    if starts.size == t.size:
        return v, index
    m = t.size
    counts = np.diff(np.r_[starts, m])
    seg = np.repeat(np.arange(starts.size), counts)
    rank = np.arange(m) - starts[seg]
    vals = take_blocks(v, order, inner, (m * inner,))
    one = Array(to_var(np.ones(inner, v.dtype)))
    while counts.max() > 1:
        padded = Array(_engine.concat([vals._v, one._v], 0))
        n = rank.size
        even = np.flatnonzero(rank % 2 == 0)
        partner = np.where(rank[even] + 1 < counts[seg[even]], even + 1, n)
        vals = take_blocks(padded, even, inner, (even.size * inner,)) * \
            take_blocks(padded, partner, inner, (even.size * inner,))
        seg, rank = seg[even], rank[even] // 2
        counts = (counts + 1) // 2
    return vals, t[starts]
