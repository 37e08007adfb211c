"""Basic indexing (integers, slices, None, Ellipsis) as one strided slice plus a reshape."""
import numpy as np

from .. import _core
from .._array import Array, to_var


def _normalize_key(key, ndim):
    if not isinstance(key, tuple):
        key = (key,)
    for k in key:
        if isinstance(k, (list, np.ndarray, Array)) or (isinstance(k, np.generic) and k.dtype == np.bool_) \
                or isinstance(k, bool):
            raise IndexError(
                f"getitem: index {k!r} is an integer-array or boolean index; wirtinger supports basic indexing "
                "(integers, slices, None, ...) here; use wirtinger.numpy.where for masks")
        if not (k is None or k is Ellipsis or isinstance(k, slice) or isinstance(k, (int, np.integer))):
            raise IndexError(f"getitem: unsupported index {k!r} of type {type(k).__name__}")
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("getitem: an index can only have a single ellipsis ('...')")
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if used > ndim:
        raise IndexError(f"getitem: too many indices for an array of dimension {ndim}: {used} were given")
    if Ellipsis in key:
        i = key.index(Ellipsis)
        key = key[:i] + (slice(None),) * (ndim - used) + key[i + 1:]
    else:
        key = key + (slice(None),) * (ndim - used)
    return key


def getitem(x, key):
    x = x if isinstance(x, Array) else Array(to_var(x))
    shape = x.shape
    key = _normalize_key(key, len(shape))
    starts, steps, counts, final = [], [], [], []
    d = 0
    for k in key:
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
        v = _core.slice(v, starts, steps, counts)
    return Array(_core.reshape(v, final))
