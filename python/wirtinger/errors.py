"""Exceptions raised by wirtinger."""
import linecache
import os
import sys


class NonHolomorphicError(ValueError):
    """``holomorphic=True`` was claimed for a function whose ∂f/∂z̄ is not zero.

    wirtinger checks the claim (JAX does not): the message names the offending
    output and input and the size of ∂f/∂z̄ relative to ∂f/∂z. Pass
    ``check_holomorphic=False`` to skip the check and get JAX's number,
    ∂f/∂z + conj(∂f/∂z̄).
    """


class ConcretizationError(TypeError):
    """A value being traced by ``jit``, or batched by ``vmap``, was used where a
    concrete Python value is needed (``if x > 0:``, ``float(x)``, ``np.asarray(x)``,
    boolean indexing).

    The traced program would bake in the value of this one call, so jit refuses;
    under vmap the value differs from sample to sample. The message names the
    line. Use ``wnp.where`` for value-dependent choices, mark the argument static
    (``static_argnums``) or unmapped (``in_axes=None``), or leave that part
    outside jit or vmap.
    """


class UnexpectedTracerError(TypeError):
    """A value created inside a transform (``grad``, ``jvp``, ``vjp``, ``jit``,
    ``vmap``, a Jacobian) escaped it, through a global, a list, a closure or an
    attribute, and was used after the transform returned.

    Such a value stood for something that exists only while the transform runs
    (a point being differentiated, a traced value, a batch of samples), so
    wirtinger refuses to reinterpret it, as JAX does. The message names the
    transform. Return the value from the function instead (``has_aux=True`` for
    values besides the result), or compute it outside the transform.
    """


class CudaError(RuntimeError):
    """The GPU path was asked for where it cannot run (a build without CUDA, no
    device), or the CUDA runtime reported an error; the message says which."""


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def user_line():
    """'file:line' of the innermost frame outside wirtinger (the user's code)."""
    f = sys._getframe(1)
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PACKAGE_DIR):
        f = f.f_back
    if f is None:
        return "an unknown line"
    code = linecache.getline(f.f_code.co_filename, f.f_lineno).strip()
    return f"{f.f_code.co_filename}:{f.f_lineno}" + (f" ({code})" if code else "")


def concretization_error(what, batched=False, static_hint=False):
    """The ConcretizationError for reading a traced (jit) or batched (vmap) value;
    static_hint: an int argument of jit, which static_argnums keeps concrete."""
    if batched:
        return ConcretizationError(
            f"vmap: {what} of a batched value at {user_line()}: under vmap the function runs on every sample at "
            "once, so this value differs from sample to sample and cannot decide Python control flow or be read "
            "as one array. Use wnp.where(cond, a, b) for value-dependent choices, pass arguments that are the "
            "same for every sample with in_axes=None, or loop over the samples without vmap.")
    if static_hint:
        return ConcretizationError(
            f"jit: {what} at {user_line()}: jit traces int arguments (as JAX does), so their values differ from "
            "call to call and cannot fix a shape, an index or a loop count. Name the argument in "
            "jit(f, static_argnums=...) or static_argnames=... (each new value then traces again), or call f "
            "without jit.")
    return ConcretizationError(
        f"jit: {what} of a traced value at {user_line()}: under jit the value differs from call to call, "
        "and a traced program cannot depend on it. Use wnp.where(cond, a, b) for value-dependent choices, "
        "mark the argument static with jit(f, static_argnums=...), or call f without jit.")
