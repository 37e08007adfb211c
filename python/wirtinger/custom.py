"""User-defined derivative rules: custom_jvp, custom_vjp (as in JAX) and defwirtinger.

Rules are written in wirtinger's "adjoint" convention (SPEC §2); the
"transpose" convention, forward mode for custom_vjp and reverse mode for
custom_jvp are derived, never written twice. Rules written with
wirtinger.numpy are themselves differentiable (higher order works).
"""
from __future__ import annotations

import functools

from . import numpy as wnp
from ._array import Array
from ._custom import primitive, recording


def _name(fun):
    return getattr(fun, "__name__", type(fun).__name__)


def _split(args, nondiff_argnums, name):
    diff, positions = [], []
    for i, a in enumerate(args):
        if i in nondiff_argnums:
            continue
        try:
            diff.append(a if isinstance(a, Array) else wnp.asarray(a))
        except TypeError as e:
            raise TypeError(f"{name}: argument {i} ({type(a).__name__}) is not an array or number; pass it through "
                            f"nondiff_argnums") from e
        positions.append(i)
    return diff, positions


def _merge(args, positions, values):
    merged = list(args)
    for i, v in zip(positions, values):
        merged[i] = v
    return merged


def _single_output(out, name):
    if isinstance(out, (tuple, list, dict)):
        raise TypeError(f"{name}: a custom rule's function must return a single array here, got "
                        f"{type(out).__name__}; split it into one custom function per output")
    return out if isinstance(out, Array) else wnp.asarray(out)


class custom_jvp:
    """A function with a user-supplied JVP rule, as ``jax.custom_jvp``.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> @w.custom_jvp
    ... def f(x):
    ...     return wnp.sin(x)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), wnp.cos(x) * t
    >>> float(w.grad(f)(0.0))
    1.0

    The rule ``jvp(*nondiff_args, primals, tangents) -> (out, tangent_out)``
    must be linear in the tangents; reverse mode uses its adjoint, computed by
    reverse mode over the rule.
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun, self.nondiff_argnums, self.jvp_rule = fun, tuple(nondiff_argnums), None

    def defjvp(self, jvp):
        self.jvp_rule = jvp
        return jvp

    def __call__(self, *args):
        name = f"custom_jvp {_name(self.fun)}"
        if self.jvp_rule is None:
            raise TypeError(f"{name}: no JVP rule was defined; add one with @{_name(self.fun)}.defjvp")
        diff, positions = _split(args, self.nondiff_argnums, name)
        with recording(False):
            value = _single_output(self.fun(*args), name)

        fixed = [args[i] for i in self.nondiff_argnums]

        def tangent_out(ins, ts):
            res = self.jvp_rule(*fixed, tuple(ins),
                                tuple(wnp.zeros_like(x) if t is None else t for x, t in zip(ins, ts)))
            if not (isinstance(res, (tuple, list)) and len(res) == 2):
                raise TypeError(f"{name}: the JVP rule must return a pair (out, tangent_out), got {type(res).__name__}")
            return res[1]

        def jvp(ins, out, ts):
            return tangent_out(ins, ts)

        def vjp(ins, out, ct, needed):
            from .transforms import vjp as reverse
            _, back = reverse(lambda *ts: tangent_out(ins, ts), *[wnp.zeros_like(x) for x in ins])
            return back(ct)

        return primitive(name, diff, value, jvp, vjp)


class custom_vjp:
    """A function with a user-supplied VJP rule, as ``jax.custom_vjp``.

    ``fwd(*args) -> (out, residuals)`` and
    ``bwd(*nondiff_args, residuals, ct) -> cotangents`` (a tuple, one per
    differentiated argument), in the "adjoint" convention: for a complex
    ``f(z) = c·z``, ``bwd`` returns ``conj(c)·ct``. Forward mode uses the adjoint
    of ``bwd``, computed by reverse mode over it.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> @w.custom_vjp
    ... def f(z):
    ...     return 2j * z
    >>> f.defvjp(lambda z: (f(z), None), lambda res, ct: (-2j * ct,))
    >>> complex(w.grad(lambda z: wnp.real(f(z)))(1 + 1j))
    -2j
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun, self.nondiff_argnums, self.fwd, self.bwd = fun, tuple(nondiff_argnums), None, None
        self._in_fwd = False

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        name = f"custom_vjp {_name(self.fun)}"
        if self.fwd is None:
            raise TypeError(f"{name}: no VJP rule was defined; add one with {_name(self.fun)}.defvjp(fwd, bwd)")
        if self._in_fwd:  # fwd may call the function itself, as in JAX: that is the plain function
            return self.fun(*args)
        diff, positions = _split(args, self.nondiff_argnums, name)
        # fwd runs recorded, so that inside enclosing transforms its residuals
        # carry their own derivatives (bwd is then differentiable too).
        self._in_fwd = True
        try:
            res_pair = self.fwd(*_merge(args, positions, diff))
        finally:
            self._in_fwd = False
        if not (isinstance(res_pair, (tuple, list)) and len(res_pair) == 2):
            raise TypeError(f"{name}: fwd must return a pair (out, residuals), got {type(res_pair).__name__}")
        value, residuals = _single_output(res_pair[0], name), res_pair[1]

        fixed = [args[i] for i in self.nondiff_argnums]

        def cotangents(ins, ct):
            cts = self.bwd(*fixed, residuals, ct)
            if not isinstance(cts, (tuple, list)) or len(cts) != len(ins):
                raise TypeError(f"{name}: bwd must return a tuple with one cotangent per differentiated argument "
                                f"({len(ins)}), got {cts!r:.80}")
            return tuple(wnp.zeros_like(x) if c is None else c for x, c in zip(ins, cts))

        def vjp(ins, out, ct, needed):
            return cotangents(ins, ct)

        def jvp(ins, out, ts):
            from .transforms import vjp as reverse
            _, back = reverse(lambda c: cotangents(ins, c), wnp.zeros_like(out))
            return back(tuple(wnp.zeros_like(x) if t is None else t for x, t in zip(ins, ts)))[0]

        return primitive(name, diff, value, jvp, vjp)


def defwirtinger(fn, dz, dzbar, name=None):
    """A new element-wise primitive given by its value and its Wirtinger pair.

    ``fn(*args)`` computes the value; ``dz(*args)`` and ``dzbar(*args)`` give
    ∂f/∂z and ∂f/∂z̄ (a tuple, one per argument, when there are several;
    ``dzbar=None`` declares f holomorphic). Forward mode and both VJP
    conventions are derived: JVP t ↦ dz·t + dzbar·conj(t), adjoint VJP
    ct ↦ conj(dz)·ct + dzbar·conj(ct).

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> my_abs2 = w.defwirtinger(lambda z: wnp.real(z * wnp.conj(z)), lambda z: wnp.conj(z), lambda z: z)
    >>> w.wirtinger(my_abs2)(1 + 2j)
    Wirtinger(dz=array(1.-2.j), dzbar=array(1.+2.j))
    """
    label = name or _name(fn)

    def partials(ins):
        a = dz(*ins)
        b = dzbar(*ins) if dzbar is not None else None
        if len(ins) == 1:
            return (a,), (b,)
        if not (isinstance(a, (tuple, list)) and len(a) == len(ins)) or \
                (b is not None and not (isinstance(b, (tuple, list)) and len(b) == len(ins))):
            raise TypeError(f"defwirtinger {label}: with {len(ins)} arguments, dz and dzbar must return a tuple "
                            f"of {len(ins)} partials")
        return tuple(a), (tuple(b) if b is not None else (None,) * len(ins))

    @functools.wraps(fn)
    def prim(*args):
        ins = [a if isinstance(a, Array) else wnp.asarray(a) for a in args]
        with recording(False):
            value = _single_output(fn(*ins), f"defwirtinger {label}")

        def jvp(ins, out, ts):
            a, b = partials(ins)
            total = None
            for ai, bi, t in zip(a, b, ts):
                if t is None:
                    continue
                term = ai * t if bi is None else ai * t + bi * wnp.conj(t)
                total = term if total is None else total + term
            return total

        def vjp(ins, out, ct, needed):
            a, b = partials(ins)
            return tuple((wnp.conj(ai) * ct if bi is None else wnp.conj(ai) * ct + bi * wnp.conj(ct)) if need else None
                         for ai, bi, need in zip(a, b, needed))

        return primitive(f"defwirtinger {label}", ins, value, jvp, vjp)

    return prim


__all__ = ["custom_jvp", "custom_vjp", "defwirtinger"]
