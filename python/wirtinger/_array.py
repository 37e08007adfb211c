"""The array type seen inside differentiated functions, and conversions to and
from the C++ engine's values."""
from __future__ import annotations

import operator
import threading

import numpy as np

from . import _engine
from ._engine import Batched
from .errors import ConcretizationError, concretization_error

_VAR = _engine._core.Var

UNARY = {name: i for i, name in enumerate(_engine.unary_names())}
BINARY = {name: i for i, name in enumerate(_engine.binary_names())}

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
COMPLEX_DTYPES = (np.dtype(np.complex64), np.dtype(np.complex128))
SUPPORTED_DTYPES = FLOAT_DTYPES + COMPLEX_DTYPES


def native(dtype):
    """dtype in this machine's byte order: arrays of any byte order are accepted,
    and their values read in native order."""
    dtype = np.dtype(dtype)
    return dtype if dtype.isnative else dtype.newbyteorder("=")


def complex_of(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return dtype
    return np.dtype(np.complex64) if dtype == np.float32 else np.dtype(np.complex128)


def real_of(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return dtype
    return np.dtype(np.float32) if dtype == np.complex64 else np.dtype(np.float64)


def _is_python_scalar(x):
    return isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic)


# ---------------------------------------------------------------- jit tracing state
trace_state = threading.local()


def tracing():
    """Whether a jit trace is running in this thread."""
    return getattr(trace_state, "depth", 0) > 0


def traced(x):
    """Whether x's value is not one concrete array: traced by jit, or batched by vmap
    (a value per sample). Such values cannot decide Python control flow."""
    if not isinstance(x, (Array, Mask)):
        return False
    return type(x._v) is Batched or (tracing() and _engine.is_tracked(x._v))




_PROMOTED = {}  # (type or dtype per operand) -> result: promotion is the same for every call alike


def result_dtype(*operands):
    """NumPy 2 promotion: Python scalars are weak, integers and bools become float64."""
    key = tuple([x.dtype if type(x) is Array else type(x) for x in operands])  # (a list: no generator frame)
    hit = _PROMOTED.get(key)
    if hit is not None:
        return hit
    dtype = _promote(operands)
    if all(isinstance(k, np.dtype) or k in (float, complex, int, bool) for k in key):
        _PROMOTED[key] = dtype
    return dtype


def _promote(operands):
    strong, weak_complex, weak_float = [], False, False
    for x in operands:
        if _is_python_scalar(x):
            weak_complex |= isinstance(x, complex)
            weak_float |= isinstance(x, float)
        elif isinstance(x, WeakArray):
            weak_complex |= x.dtype.kind == "c"
        else:
            strong.append(x.dtype if isinstance(x, Array) else np.asarray(x).dtype)
    if strong:
        dtype = np.result_type(*strong)
    else:
        dtype = np.dtype(np.float64)
    if dtype.kind in "biu":
        dtype = np.dtype(np.float64)
    elif dtype.kind not in "fc":
        raise TypeError(f"wirtinger supports float and complex arrays, got dtype {dtype}")
    if dtype == np.float16:
        dtype = np.dtype(np.float32)
    if weak_complex:
        dtype = complex_of(dtype)
    return dtype


def to_var(x, dtype=None):
    """An engine value for x (an Array keeps its identity; anything else is a constant)."""
    if isinstance(x, Array):
        v = x._v
        if dtype is not None and dtype is not v.dtype and np.dtype(dtype) != v.dtype:
            v = _engine.cast(v, np.dtype(dtype))
        return v
    t = type(x)
    if dtype is not None:
        dtype = native(dtype)
    if t is float or t is complex or t is np.float64 or t is np.complex128:  # (NumPy's are subclasses)
        dtype = np.dtype(np.complex128 if t is complex or t is np.complex128 else np.float64) if dtype is None else dtype
        if (t is complex or t is np.complex128) and dtype.kind == "f":
            raise TypeError(f"cannot use a complex value where a real ({dtype}) one is required")
        if dtype in SUPPORTED_DTYPES:
            return _engine.scalar(x, dtype)
    if t is np.ndarray and dtype is None and x.dtype in SUPPORTED_DTYPES and x.flags.c_contiguous:
        return _engine.from_numpy(x)
    if dtype is None:
        dtype = result_dtype(x)
    arr = np.asarray(x)
    if arr.dtype.kind == "c" and np.dtype(dtype).kind == "f":
        raise TypeError(f"cannot use a complex value where a real ({dtype}) one is required")
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"wirtinger cannot use a value of type {type(x).__name__} (dtype {arr.dtype}) as an array")
    return _engine.from_numpy(np.asarray(arr, dtype=dtype, order="C"))


def alive(v):
    """v, after checking that it has not escaped the transform that made it
    (UnexpectedTracerError)."""
    if type(v) is Batched:
        _engine.check_live(v)
    else:
        _engine.check_escaped(v)
    return v


def concrete(x):
    """The current NumPy value of x, without its derivative, for decisions that depend
    on it (ConcretizationError for a value traced by jit)."""
    if isinstance(x, (Array, Mask)):
        alive(x._v)
        if traced(x):
            raise concretization_error("reading the value", _is_batched(x))
        return np.asarray(x) if isinstance(x, Mask) else x._v.numpy()
    return np.asarray(x)


def value_of(x):
    """The current NumPy value of x, for computing a primitive's value (which jit
    recomputes on replay) or for checks that raise rather than decide. A batched
    value (vmap) has none: primitives that read values declare a batching rule
    (``_primitive.over_leading_axes``) that calls them on the physical values."""
    if isinstance(x, Array):
        return alive(x._v).numpy()
    return np.asarray(x)


def _is_batched(x):
    return type(x._v) is Batched


def _weak(x):
    return isinstance(x, WeakArray) or _is_python_scalar(x)


def _int_like(x):
    return isinstance(x, WeakInt) or (type(x) is int)


# What ints give ints under: the rest of the arithmetic of weak ints gives weak floats.
_INT_CLOSED = frozenset({"add", "subtract", "multiply", "maximum", "minimum", "square", "negative", "abs"})


def unary(name, x):
    if type(x) is Array or type(x) is float or type(x) is complex:  # the common case, in one C++ call
        out = _engine.array_unary(x, UNARY[name])
        if out is not None:
            return out
    out = _engine.unary(to_var(x), UNARY[name])
    if isinstance(x, WeakArray):
        return (WeakInt if isinstance(x, WeakInt) and name in _INT_CLOSED else WeakArray)(out)
    return Array(out)


def binary(name, a, b):
    # Arithmetic of weak scalars alone (a jitted function's Python-number
    # arguments) stays weak, as it is a Python number in the eager call.
    if type(a) is Array or type(b) is Array:  # the common case, in one C++ call
        out = _engine.array_binary(a, b, BINARY[name])
        if out is not None:
            return out
    dtype = result_dtype(a, b)
    out = _engine.binary(to_var(a, dtype), to_var(b, dtype), BINARY[name])
    if _weak(a) and _weak(b):
        return (WeakInt if _int_like(a) and _int_like(b) and name in _INT_CLOSED else WeakArray)(out)
    return Array(out)


class Array:
    """An array inside a function being differentiated.

    It behaves like a NumPy array (operators, ``.shape``, ``.dtype``, ``.real``,
    ``.imag``, ``.T``, ``.conj()``, basic indexing); functions of it live in
    ``wirtinger.numpy``. Its values are concrete, so Python control flow on
    them works (``if x.real > 0: ...``), except under jit and vmap (one array
    stands for every call or every sample there: ConcretizationError). Under
    vmap, ``shape`` and the like are one sample's.
    """

    __slots__ = ("_v", "__weakref__")
    __array_priority__ = 1000

    # NumPy's functions and operators dispatch to wirtinger.numpy (_dispatch.py
    # attaches __array_ufunc__ and __array_function__) rather than converting the
    # array to an ndarray and losing its derivative. The methods that are
    # wirtinger.numpy functions (x.sum(), x.T, x @ y, x[key]) are attached by
    # wirtinger.numpy (numpy/_methods.py).

    def __init__(self, v):
        # Arrays made by the library hold an engine value; one made by a user
        # from data (wirtinger.Array(ndarray)) converts it as asarray does.
        if type(v) is not _VAR and type(v) is not Batched:
            v = to_var(v)
        self._v = v

    # ------------------------------------------------------------ introspection
    @property
    def shape(self):
        return self._v.shape

    @property
    def dtype(self):
        return self._v.dtype

    @property
    def ndim(self):
        return self._v.ndim

    @property
    def size(self):
        return self._v.size

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self):
        v = self._v
        if type(v) is Batched:
            return f"wirtinger.Array(<batched by vmap>, shape={self.shape}, dtype={self.dtype})"
        origin = _engine.escaped(v)
        if origin is not None:
            return f"wirtinger.Array(<escaped from {origin}>, shape={self.shape}, dtype={self.dtype})"
        return f"wirtinger.Array({np.array2string(np.asarray(self._v.numpy()), separator=', ')}, dtype={self.dtype})"

    def __array__(self, dtype=None, copy=None):
        alive(self._v)
        if type(self._v) is Batched:
            raise concretization_error("converting to a NumPy array", batched=True)
        if _engine.is_tracked(self._v):
            raise (ConcretizationError if tracing() else TypeError)(
                "cannot convert an array that is being differentiated to a NumPy array: its derivative would be "
                "lost silently. Use wirtinger.numpy functions instead of numpy ones inside the function, or "
                "float()/complex() for an explicit constant.")
        arr = self._v.numpy()
        return np.array(arr, dtype=dtype) if dtype is not None else np.array(arr)

    def __bool__(self):
        return bool(self._concrete("bool()"))

    def __float__(self):
        return float(self._concrete("float()"))

    def __complex__(self):
        return complex(self._concrete("complex()"))

    def __int__(self):
        return int(self._concrete("int()"))

    def _concrete(self, what):
        alive(self._v)
        if traced(self):
            raise concretization_error(what, _is_batched(self))
        return self._v.numpy()

    def __index__(self):
        raise TypeError("a wirtinger array cannot be used as an index")

    __hash__ = None

    # ------------------------------------------------------------ comparisons (concrete, no derivative)
    def _compare(self, other, op):
        if traced(self) or traced(other):
            # Under jit a comparison is part of the program, so masks are recomputed on replay;
            # under vmap it is a mask per sample.
            dtype = result_dtype(self, other)
            return Mask(_engine.compare(to_var(self, dtype), to_var(other, dtype), _CMP[op]))
        return op(self._v.numpy(), concrete(other))

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    # ------------------------------------------------------------ arithmetic
    def __neg__(self):
        return unary("negative", self)

    def __pos__(self):
        return self

    def __abs__(self):
        return unary("abs", self)

    def __add__(self, other):
        return binary("add", self, other)

    def __radd__(self, other):
        return binary("add", other, self)

    def __sub__(self, other):
        return binary("subtract", self, other)

    def __rsub__(self, other):
        return binary("subtract", other, self)

    def __mul__(self, other):
        return binary("multiply", self, other)

    def __rmul__(self, other):
        return binary("multiply", other, self)

    def __truediv__(self, other):
        return binary("divide", self, other)

    def __rtruediv__(self, other):
        return binary("divide", other, self)

    def __pow__(self, other):
        return binary("power", self, other)

    def __rpow__(self, other):
        return binary("power", other, self)

    def __setitem__(self, key, value):
        raise TypeError("wirtinger arrays are immutable: use x = x.at[key].set(value) (or .add, .multiply), "
                        "as in JAX, which returns the updated array")

    # ------------------------------------------------------------ methods (NumPy names)
    @property
    def real(self):
        return unary("real", self)

    @property
    def imag(self):
        return unary("imag", self)

    def conj(self):
        return unary("conj", self)

    conjugate = conj

    def astype(self, dtype):
        dtype = native(dtype)
        if dtype not in SUPPORTED_DTYPES:
            raise TypeError(f"astype: wirtinger supports float32, float64, complex64 and complex128, got {dtype}")
        return Array(_engine.cast(self._v, dtype))

    def item(self):
        return self._concrete("item()").item()


_engine.set_array_class(Array, "_v")


class WeakArray(Array):
    """A Python scalar argument of a jitted function: it promotes like the scalar
    (weakly, as NumPy 2 promotes Python scalars), so jit gives the dtypes the eager call gives."""

    __slots__ = ()


class WeakInt(WeakArray):
    """A Python int argument of a jitted function, traced as a weakly typed float64
    scalar (as JAX traces ints weakly), so a new value does not trace again. Using it
    where Python needs an int (a shape, an index, range()) is a ConcretizationError
    that points to static_argnums."""

    __slots__ = ()

    def __index__(self):
        alive(self._v)
        if traced(self):
            raise concretization_error("using an int argument as a shape, an index or a count", False,
                                       static_hint=True)
        return int(self._v.numpy())


_CMP = {operator.lt: 0, operator.le: 1, operator.gt: 2, operator.ge: 3, operator.eq: 4, operator.ne: 5}


class Mask:
    """A comparison of traced values under jit: a boolean array that stays part
    of the traced program. ``wnp.where`` accepts it, and ``~``, ``&``, ``|``
    combine masks; reading its value (``bool``, ``np.asarray``) is a
    ConcretizationError while tracing."""

    __slots__ = ("_v",)
    __array_priority__ = 1001

    def __init__(self, v):
        self._v = v  # real, 1 where true

    shape = property(lambda self: self._v.shape)
    ndim = property(lambda self: self._v.ndim)
    size = property(lambda self: self._v.size)
    dtype = np.dtype(bool)

    def __array__(self, dtype=None, copy=None):
        alive(self._v)
        if traced(self):
            raise concretization_error("converting a comparison to a NumPy array", _is_batched(self))
        out = np.asarray(self._v.numpy()) != 0
        return out if dtype is None else out.astype(dtype)

    def __bool__(self):
        alive(self._v)
        if traced(self):
            raise concretization_error("bool() of a comparison", _is_batched(self))
        return bool(np.asarray(self._v.numpy()) != 0)

    def _other(self, other):
        return other._v if isinstance(other, Mask) else to_var(np.asarray(other, dtype=self._v.dtype))

    def __invert__(self):
        return Mask(_engine.compare(self._v, to_var(np.zeros((), self._v.dtype)), _CMP[operator.eq]))

    def __and__(self, other):
        return Mask(_engine.binary(self._v, self._other(other), BINARY["multiply"]))

    def __or__(self, other):
        return Mask(_engine.binary(self._v, self._other(other), BINARY["maximum"]))

    def __xor__(self, other):
        return Mask(_engine.compare(self._v, self._other(other), _CMP[operator.ne]))

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def any(self):
        return bool(self.__array__().any())

    def all(self):
        return bool(self.__array__().all())

