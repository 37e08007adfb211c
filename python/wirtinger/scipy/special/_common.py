"""What the special functions share: calling a rule of the table, and an order
or parameter that is not differentiated."""
from ... import _engine
from ... import numpy as wnp
from ..._array import UNARY, Array, result_dtype, unary
from ..._engine import Batched
from ..._primitive import primitive


def rule(name, x):
    """The element-wise rule ``name`` at x; a rule defined for real numbers only
    refuses complex input, as SciPy's function does."""
    x = x if isinstance(x, Array) else wnp.asarray(x)
    if x.dtype.kind == "c" and _engine.unary_real_only(UNARY[name]):
        raise TypeError(f"{name}: defined for real arrays only, got {x.dtype}; apply it to the real part or the "
                        f"magnitude (wnp.real, wnp.abs)")
    return unary(name, x)


def reals(name, *xs):
    """The arguments as arrays of their common real dtype (NumPy's promotion:
    Python numbers are weak, integers become float64)."""
    dtype = result_dtype(*xs)
    if dtype.kind == "c":
        raise TypeError(f"{name}: defined for real arrays only, got {dtype}; apply it to the real part or the "
                        f"magnitude (wnp.real, wnp.abs)")
    return [wnp.asarray(x, dtype) for x in xs]


def _recorded(x):
    v = x._v
    while type(v) is Batched:
        v = v.val
    return v.tape_id != 0


def no_derivative(x, name, what):
    """x itself, as a value whose derivative ``name`` does not have: differentiating
    through it raises, where a silent zero would be wrong."""
    if not isinstance(x, Array) or not _recorded(x):
        return x  # a constant (also under vmap): nothing can differentiate it
    message = (f"{name}: the derivative with respect to {what} is not implemented; pass a {what} that is not "
               f"differentiated (a number, a NumPy array, or an argument the transform does not differentiate)")

    def jvp(ins, out, tangents):
        if tangents[0] is not None:
            raise NotImplementedError(message)
        return None

    def vjp(ins, out, ct, needed):
        if needed[0]:
            raise NotImplementedError(message)
        return (None,)

    return primitive(f"{name} ({what})", [x], x, jvp, vjp, lambda new: no_derivative(new, name, what),
                     batched_rules=True)
