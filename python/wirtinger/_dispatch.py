"""NumPy's dispatch protocols on wirtinger arrays: a function written with plain
``import numpy as np`` runs on wirtinger arrays, and is differentiated, wherever
it uses operations wirtinger supports. Anything else is a TypeError naming the
NumPy function, never a silent conversion that would drop the derivative."""
import operator

import numpy as np

from . import numpy as wnp
from ._array import Array, Mask, traced, concrete
from .scipy import special

# Results that carry no derivative (comparisons, predicates): computed on the values.
_CONSTANT_UFUNCS = {
    "greater", "greater_equal", "less", "less_equal", "equal", "not_equal", "isfinite", "isinf", "isnan",
    "signbit", "logical_and", "logical_or", "logical_not", "logical_xor",
}
# Under jit, comparisons of traced values stay in the program (as masks).
_TRACED_UFUNCS = {
    "greater": operator.gt, "greater_equal": operator.ge, "less": operator.lt, "less_equal": operator.le,
    "equal": operator.eq, "not_equal": operator.ne, "logical_and": operator.and_, "logical_or": operator.or_,
    "logical_xor": operator.xor, "logical_not": operator.invert,
    # On booleans (a mask and a NumPy bool array), & | ^ ~ are the logical operations.
    "bitwise_and": operator.and_, "bitwise_or": operator.or_, "bitwise_xor": operator.xor, "invert": operator.invert,
}
_COMMUTATIVE = {"equal", "not_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
                "bitwise_xor"}
_REDUCTIONS = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min", "logical_and": "all",
               "logical_or": "any"}
_ACCUMULATIONS = {"add": "cumsum", "multiply": "cumprod"}


def _namespace(module):
    if module in ("numpy", "numpy.core.numeric", "numpy._core.numeric", "numpy.core.fromnumeric",
                  "numpy._core.fromnumeric", "numpy.lib.shape_base", "numpy.lib._shape_base_impl", "numpy._core.multiarray"):
        return wnp
    for sub in ("linalg", "fft"):
        if module.startswith("numpy." + sub) or module.startswith("numpy.lib." + sub):
            return getattr(wnp, sub, None)
    return wnp


def _unsupported(what, why=""):
    return TypeError(f"{what} is not supported on wirtinger arrays{why}; use the wirtinger.numpy equivalent, or "
                     "compute it outside the differentiated function (np.asarray on a constant)")


def array_ufunc(ufunc, method, inputs, kwargs):
    name = ufunc.__name__
    if kwargs.get("out") is not None:
        raise _unsupported(f"numpy.{name}(..., out=...)", " (wirtinger arrays are immutable)")
    kwargs = {k: v for k, v in kwargs.items() if k != "out"}
    if name in _TRACED_UFUNCS and method == "__call__" and not kwargs and any(traced(x) for x in inputs):
        if name.startswith("logical_"):
            inputs = [x if isinstance(x, Mask) else x != 0 for x in inputs]
        if len(inputs) == 2 and not isinstance(inputs[0], (Mask, Array)) and name in _COMMUTATIVE:
            inputs = inputs[::-1]  # the traced mask first, so that its operator handles the pair
        return _TRACED_UFUNCS[name](*inputs)
    if name in _CONSTANT_UFUNCS and method == "__call__":
        return getattr(np, name)(*[concrete(x) for x in inputs], **kwargs)
    if method == "outer" and len(inputs) == 2 and getattr(wnp, name, None) is not None:
        a, b = wnp.asarray(inputs[0]), wnp.asarray(inputs[1])
        return getattr(wnp, name)(wnp.reshape(a, a.shape + (1,) * b.ndim), b, **kwargs)
    if method == "accumulate" and name in _ACCUMULATIONS:
        axis = kwargs.pop("axis", 0)
        dtype = kwargs.pop("dtype", None)
        if kwargs:
            raise _unsupported(f"numpy.{name}.accumulate with {sorted(kwargs)}")
        return getattr(wnp, _ACCUMULATIONS[name])(inputs[0], axis=axis, dtype=dtype)
    if method == "reduce" and name in _REDUCTIONS and hasattr(wnp, _REDUCTIONS[name]):
        axis = kwargs.pop("axis", 0)
        keepdims = kwargs.pop("keepdims", False)
        if kwargs:
            raise _unsupported(f"numpy.{name}.reduce with {sorted(kwargs)}")
        return getattr(wnp, _REDUCTIONS[name])(inputs[0], axis=axis, keepdims=keepdims)
    target = getattr(wnp, name, None)
    if target is None:  # SciPy's special functions are ufuncs too (scipy.special.expit)
        target = getattr(special, name, None)
    if method != "__call__" or target is None:
        raise _unsupported(f"numpy.{name}" + ("" if method == "__call__" else f".{method}"))
    if kwargs:
        raise _unsupported(f"numpy.{name} with keyword arguments {sorted(kwargs)}")
    return target(*inputs)


def array_function(func, types, args, kwargs):
    name = func.__name__
    ns = _namespace(getattr(func, "__module__", "numpy") or "numpy")
    target = getattr(ns, name, None) if ns is not None else None
    if target is None or not callable(target) or target is func:
        raise _unsupported(f"numpy function {getattr(func, '__module__', 'numpy')}.{name}")
    try:
        return target(*args, **kwargs)
    except TypeError as e:
        if "argument" in str(e) and "unexpected" in str(e):
            raise _unsupported(f"numpy.{name} with these arguments ({e})") from None
        raise


__all__ = ["Array", "array_function", "array_ufunc"]


# The array types take part in NumPy's protocols from here, the layer above the
# namespaces the protocols dispatch to.
def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    return array_ufunc(ufunc, method, inputs, kwargs)


def _array_function(self, func, types, args, kwargs):
    return array_function(func, types, args, kwargs)


Array.__array_ufunc__ = _array_ufunc
Array.__array_function__ = _array_function
Mask.__array_ufunc__ = _array_ufunc
