"""Functions whose results are integers, booleans, index arrays, dtypes or
shapes, and NumPy's utilities around them. As in JAX they act on values and
carry no derivative: a wirtinger array passed in is read (a ConcretizationError
under jit, where its value is not known), and the result is NumPy's."""
import functools

import numpy as _np

from .._array import Array, Mask, concrete as _concrete, to_var as _to_var
from ._functions import _public


def _value(x):
    if isinstance(x, (Array, Mask)):
        return _concrete(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_value(v) for v in x)
    return x


def _wrapped(np_fn, convert, reads):
    """np_fn with every wirtinger array among its arguments replaced by convert(it)."""

    @functools.wraps(np_fn)
    def f(*args, **kwargs):
        return np_fn(*[convert(a) for a in args], **{k: convert(v) for k, v in kwargs.items()})

    f.__doc__ = f"``numpy.{np_fn.__name__}`` on the arguments' {reads}."
    f.__module__ = __name__
    return f


_VALUE_FUNCTIONS = """
nonzero flatnonzero argwhere searchsorted digitize bincount histogram histogram2d histogramdd histogram_bin_edges
unique unique_all unique_counts unique_inverse unique_values intersect1d union1d setdiff1d setxor1d isin
bitwise_and bitwise_or bitwise_xor bitwise_not bitwise_invert bitwise_left_shift bitwise_right_shift bitwise_count
invert left_shift right_shift gcd lcm packbits unpackbits
indices diag_indices diag_indices_from tril_indices tril_indices_from triu_indices triu_indices_from mask_indices
ravel_multi_index unravel_index ix_
get_printoptions set_printoptions printoptions array_repr array_str
""".split()
# These read only dtypes and shapes, which traced values have too.
_METADATA_FUNCTIONS = "iscomplexobj isrealobj isscalar ndim shape size result_type can_cast iterable".split()


def _metadata(x):
    if isinstance(x, (Array, Mask)):
        return _np.broadcast_to(_np.zeros((), x.dtype), x.shape)
    return x


for _name in _VALUE_FUNCTIONS:
    if hasattr(_np, _name):  # the newest of them are not in every supported NumPy
        globals()[_name] = _wrapped(getattr(_np, _name), _value, "values (no derivative)")
for _name in _METADATA_FUNCTIONS:
    globals()[_name] = _wrapped(getattr(_np, _name), _metadata,
                                "dtypes and shapes (any array, traced or not)")
promote_types, issubdtype = _np.promote_types, _np.issubdtype
if hasattr(_np, "isdtype"):
    isdtype = _np.isdtype
del _name


def frombuffer(buffer, dtype=float, count=-1, offset=0):
    return Array(_to_var(_np.array(_np.frombuffer(buffer, dtype=dtype, count=count, offset=offset))))


def fromstring(string, dtype=float, count=-1, *, sep):
    return Array(_to_var(_np.fromstring(string, dtype=dtype, count=count, sep=sep)))


def fromiter(iterable, dtype, count=-1):
    return Array(_to_var(_np.fromiter(iterable, dtype=dtype, count=count)))


def fromfile(file, dtype=float, count=-1, sep="", offset=0):
    return Array(_to_var(_np.fromfile(file, dtype=dtype, count=count, sep=sep, offset=offset)))


def load(file, *args, **kwargs):
    """``numpy.load``: arrays come back as NumPy arrays (use wnp.asarray to differentiate them)."""
    return _np.load(file, *args, **kwargs)


def save(file, arr, allow_pickle=True):
    _np.save(file, _value(arr), allow_pickle=allow_pickle)


def savez(file, *args, **kwds):
    _np.savez(file, *[_value(a) for a in args], **{k: _value(v) for k, v in kwds.items()})


def _window(np_fn):
    def f(M, *args):
        return Array(_to_var(_np.asarray(np_fn(M, *args), dtype=_np.float64)))

    f.__name__ = f.__qualname__ = np_fn.__name__
    f.__doc__ = f"``numpy.{np_fn.__name__}``: a constant window (float64)."
    return f


bartlett, blackman, hamming, hanning, kaiser = (_window(f) for f in (_np.bartlett, _np.blackman, _np.hamming,
                                                                     _np.hanning, _np.kaiser))


def from_dlpack(x, /, *, device=None, copy=None):
    """An array from another library's DLPack capsule or array (copied, as a constant)."""
    return Array(_to_var(_np.array(_np.from_dlpack(x))))


def einsum_path(subscripts, *operands, optimize="greedy", einsum_call=False):
    """``numpy.einsum_path`` on the operands' shapes (wirtinger's einsum contracts left to right)."""
    shaped = [_np.broadcast_to(_np.zeros((), _np.float64), _np.shape(_value(o)) if not isinstance(o, Array)
                               else o.shape) for o in operands]
    return _np.einsum_path(subscripts, *shaped, optimize=optimize)


__all__ = _public(globals(), "promote_types", "issubdtype", *(["isdtype"] if hasattr(_np, "isdtype") else []))
