"""What the special functions share: calling a rule of the table, an order
or parameter that is not differentiated, and functions of parameters whose
values come from the extension and whose derivative is declared in x alone."""
import numpy as np

from ... import _engine
from ... import numpy as wnp
from ..._array import UNARY, Array, result_dtype, unary
from ..._engine import Batched
from ..._primitive import nondifferentiable, primitive


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


def _refusal(name, what):
    return (f"{name}: the derivative with respect to {what} is not implemented; pass as {what} a value that is "
            f"not differentiated (a number, a NumPy array, or an argument the transform does not differentiate)")


def no_derivative(x, name, what):
    """x itself, as a value whose derivative ``name`` does not have: differentiating
    through it raises, where a silent zero would be wrong."""
    if not isinstance(x, Array) or not _recorded(x):
        return x  # a constant (also under vmap): nothing can differentiate it
    message = _refusal(name, what)

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


def of_parameters(name, params, x, d_dx):
    """f(*params, x) for the extension's values of ``name``, broadcast, in float64
    (rounded to the arguments' dtype), differentiable in x with ∂f/∂x =
    ``d_dx(*params, x, f)`` (written with wirtinger.numpy, so that higher
    derivatives follow); differentiating in a parameter raises. ``params`` maps
    each parameter's name to its value."""
    names = list(params)
    *ps, x = reals(name, *params.values(), x)
    dtype = x.dtype
    *ps, x = wnp.broadcast_arrays(*ps, x)
    values = _engine.parametric_values[name]

    def evaluate(*vs):
        return values(*np.broadcast_arrays(*vs)).astype(dtype)

    return _with_x_derivative(name, names, evaluate, ps, x, d_dx)


def _with_x_derivative(name, names, evaluate, params, x, d_dx):
    value = nondifferentiable(name, evaluate, *params, x)
    k = len(params)

    def refuse(differentiated):
        for what, d in zip(names, differentiated):
            if d:
                raise NotImplementedError(_refusal(name, what))

    def jvp(ins, out, tangents):
        refuse([t is not None for t in tangents[:k]])
        return None if tangents[k] is None else tangents[k] * d_dx(*ins, out)

    def vjp(ins, out, ct, needed):
        refuse(needed[:k])
        # A real function: its 1×1 Jacobian is its own adjoint.
        return (None,) * k + (ct * d_dx(*ins, out) if needed[k] else None,)

    return primitive(name, [*params, x], value, jvp, vjp,
                     lambda *new: _with_x_derivative(name, names, evaluate, new[:k], new[k], d_dx),
                     batched_rules=True)
