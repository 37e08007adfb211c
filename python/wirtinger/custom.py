"""User-defined derivative rules: custom_jvp, custom_vjp (as in JAX) and defwirtinger.

Rules are written in wirtinger's "adjoint" convention (README, User-defined rules); the
"transpose" convention, forward mode for custom_vjp and reverse mode for
custom_jvp are derived, never written twice. Rules written with
wirtinger.numpy are themselves differentiable (higher order works).
Under vmap the function and its rules run on batched arrays, which is why they
are written with wirtinger.numpy: each is called once for all samples
(``batched_rules=True``, see _primitive.py).
"""
from __future__ import annotations

import functools

import numpy as np

from . import numpy as wnp
from ._array import Array, result_dtype
from ._primitive import check_shape, primitive, recording
from ._tree import flatten, unflatten
from .transforms import vjp as reverse


def rule_name(fun):
    return getattr(fun, "__name__", type(fun).__name__)


def _single_output(out, name):
    if isinstance(out, (tuple, list, dict)):
        raise TypeError(f"{name}: an element-wise primitive returns a single array, got {type(out).__name__}")
    return out if isinstance(out, Array) else wnp.asarray(out)


class Args:
    """The differentiated arguments (pytrees) as one flat list of arrays, and back."""

    def __init__(self, args, nondiff_argnums, name):
        self.args, self.positions, self.trees, self.leaves = list(args), [], [], []
        for i, a in enumerate(args):
            if i in nondiff_argnums:
                continue
            leaves, tree = flatten(a)
            try:
                self.leaves += [x if isinstance(x, Array) else wnp.asarray(x) for x in leaves]
            except TypeError as e:
                raise TypeError(f"{name}: argument {i} holds something that is not an array or number; pass such "
                                f"arguments through nondiff_argnums") from e
            self.positions.append(i)
            self.trees.append((tree, len(leaves)))

    def rebuild(self, flat):
        """The differentiated arguments, in order, with their leaves taken from flat."""
        out, k = [], 0
        for tree, n in self.trees:
            out.append(unflatten(tree, list(flat[k:k + n])))
            k += n
        return tuple(out)

    def all_args(self, flat):
        merged = list(self.args)
        for i, v in zip(self.positions, self.rebuild(flat)):
            merged[i] = v
        return merged

    def zeros(self, flat):
        return [wnp.zeros_like(x) for x in flat]


class Packing:
    """A pytree output as the single array of an engine node: leaves raveled and
    concatenated in a common dtype, and unpacked by slicing (differentiable)."""

    def __init__(self, out, name):
        leaves, self.tree = flatten(out)
        if not leaves:
            raise TypeError(f"{name}: the function returned no arrays")
        leaves = [x if isinstance(x, Array) else wnp.asarray(x) for x in leaves]
        self.shapes = [x.shape for x in leaves]
        self.dtypes = [x.dtype for x in leaves]
        self.single = self.tree.kind == "leaf"
        self.dtype = result_dtype(*leaves)

    def pack(self, out):
        leaves, tree = flatten(out)
        if tree != self.tree:
            raise TypeError(f"a custom rule returned the structure {tree}, but the function returns {self.tree}")
        leaves = [x if isinstance(x, Array) else wnp.asarray(x) for x in leaves]
        if self.single:
            return leaves[0]
        return wnp.concatenate([wnp.ravel(x.astype(self.dtype)) for x in leaves])

    def unpack(self, packed):
        if self.single:
            return packed
        parts, k = [], 0
        for shape, dtype in zip(self.shapes, self.dtypes):
            n = int(np.prod(shape, dtype=np.int64))
            part = wnp.reshape(packed[k:k + n], shape)
            if dtype.kind == "f" and self.dtype.kind == "c":
                part = wnp.real(part)
            parts.append(part.astype(dtype))
            k += n
        return unflatten(self.tree, parts)


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
    reverse mode over the rule. Arguments and outputs may be pytrees.
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun, self.nondiff_argnums, self.jvp_rule = fun, tuple(nondiff_argnums), None

    def defjvp(self, jvp):
        self.jvp_rule = jvp
        return jvp

    def __call__(self, *args):
        name = f"custom_jvp {rule_name(self.fun)}"
        if self.jvp_rule is None:
            raise TypeError(f"{name}: no JVP rule was defined; add one with @{rule_name(self.fun)}.defjvp")
        split = Args(args, self.nondiff_argnums, name)
        with recording(False):
            out = self.fun(*split.all_args(split.leaves))
            packing = Packing(out, name)
            value = packing.pack(out)
        fixed = [args[i] for i in self.nondiff_argnums]

        def tangent_out(ins, ts):
            res = self.jvp_rule(*fixed, split.rebuild(ins),
                                split.rebuild([wnp.zeros_like(x) if t is None else t for x, t in zip(ins, ts)]))
            if not (isinstance(res, (tuple, list)) and len(res) == 2):
                raise TypeError(f"{name}: the JVP rule must return a pair (out, tangent_out), got {type(res).__name__}")
            return packing.pack(res[1])

        def jvp(ins, out, ts):
            return tangent_out(ins, ts)

        def vjp(ins, out, ct, needed):
            _, back = reverse(lambda *ts: tangent_out(ins, ts), *split.zeros(ins))
            return back(ct)

        def rebuild(*leaves):
            return packing.pack(self(*split.all_args(leaves)))

        return packing.unpack(primitive(name, split.leaves, value, jvp, vjp, rebuild, batched_rules=True))


class custom_vjp:
    """A function with a user-supplied VJP rule, as ``jax.custom_vjp``.

    ``fwd(*args) -> (out, residuals)`` and
    ``bwd(*nondiff_args, residuals, ct) -> cotangents`` (a tuple, one per
    differentiated argument, each shaped like it), in the "adjoint" convention:
    for a complex ``f(z) = c·z``, ``bwd`` returns ``conj(c)·ct``. Forward mode
    uses the adjoint of ``bwd``, computed by reverse mode over it. Arguments and
    outputs may be pytrees.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> @w.custom_vjp
    ... def f(z):
    ...     return 2j * z
    >>> f.defvjp(lambda z: (f(z), None), lambda res, ct: (-2j * ct,))
    >>> complex(w.grad(lambda z: wnp.real(f(z)))(1 + 1j)) == -2j
    True
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun, self.nondiff_argnums, self.fwd, self.bwd = fun, tuple(nondiff_argnums), None, None
        self._in_fwd = False

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        name = f"custom_vjp {rule_name(self.fun)}"
        if self.fwd is None:
            raise TypeError(f"{name}: no VJP rule was defined; add one with {rule_name(self.fun)}.defvjp(fwd, bwd)")
        if self._in_fwd:  # fwd may call the function itself, as in JAX: that is the plain function
            return self.fun(*args)
        split = Args(args, self.nondiff_argnums, name)
        # fwd runs recorded, so that inside enclosing transforms its residuals
        # carry their own derivatives (bwd is then differentiable too).
        self._in_fwd = True
        try:
            res_pair = self.fwd(*split.all_args(split.leaves))
        finally:
            self._in_fwd = False
        if not (isinstance(res_pair, (tuple, list)) and len(res_pair) == 2):
            raise TypeError(f"{name}: fwd must return a pair (out, residuals), got {type(res_pair).__name__}")
        residuals = res_pair[1]
        with recording(False):
            packing = Packing(res_pair[0], name)
            value = packing.pack(res_pair[0])
        fixed = [args[i] for i in self.nondiff_argnums]

        def cotangents(ins, ct):
            cts = self.bwd(*fixed, residuals, packing.unpack(ct))
            if not isinstance(cts, (tuple, list)) or len(cts) != len(split.trees):
                raise TypeError(f"{name}: bwd must return a tuple with one cotangent per differentiated argument "
                                f"({len(split.trees)}), got {cts!r:.80}")
            flat = []
            for i, (c, (tree, n), zeros) in enumerate(zip(cts, split.trees, _chunks(split.zeros(ins), split.trees))):
                leaves = zeros if c is None else flatten(c)[0]
                if len(leaves) != n:
                    raise TypeError(f"{name}: a cotangent returned by bwd does not match its argument's structure")
                for k, (x, z) in enumerate(zip(leaves, zeros)):
                    if x is None:
                        flat.append(z)
                        continue
                    what = f"the cotangent of argument {split.positions[i]}" + (f" (leaf {k})" if n > 1 else "")
                    check_shape(x, z, f"{name}: bwd", what, "that argument")
                    flat.append(wnp.broadcast_to(x, z.shape))
            return tuple(flat)

        def vjp(ins, out, ct, needed):
            return cotangents(ins, ct)

        def jvp(ins, out, ts):
            _, back = reverse(lambda c: cotangents(ins, c), wnp.zeros_like(out))
            return back(tuple(wnp.zeros_like(x) if t is None else t for x, t in zip(ins, ts)))[0]

        def rebuild(*leaves):
            return packing.pack(self(*split.all_args(leaves)))

        return packing.unpack(primitive(name, split.leaves, value, jvp, vjp, rebuild, batched_rules=True))


def _chunks(flat, trees):
    k = 0
    for _, n in trees:
        yield flat[k:k + n]
        k += n


def _sum_to(x, shape):
    """x (over the output's shape) summed over the axes that broadcasting added to
    an argument of ``shape``: the adjoint of that broadcast."""
    x = wnp.broadcast_to(x, wnp.broadcast_shapes(x.shape, shape))
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
    return wnp.reshape(wnp.sum(x, axis=axes), shape) if axes else x


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
    label = name or rule_name(fn)

    def partials(ins, out):
        a = dz(*ins)
        b = dzbar(*ins) if dzbar is not None else None
        if len(ins) == 1:
            a, b = (a,), (b,)
        elif not (isinstance(a, (tuple, list)) and len(a) == len(ins)) or \
                (b is not None and not (isinstance(b, (tuple, list)) and len(b) == len(ins))):
            raise TypeError(f"defwirtinger {label}: with {len(ins)} arguments, dz and dzbar must return a tuple "
                            f"of {len(ins)} partials")
        else:
            a, b = tuple(a), (tuple(b) if b is not None else (None,) * len(ins))
        # Partials of an element-wise function are element-wise: the output's shape.
        for what, ps in (("dz", a), ("dzbar", b)):
            for i, p in enumerate(ps):
                if p is None:
                    continue
                if not isinstance(p, Array) and np.asarray(p).dtype.kind not in "biufc":
                    raise ValueError(f"defwirtinger {label}: {what} returned {p!r:.60} for argument {i}; a partial "
                                     "must be an array or a number")
                check_shape(p, out, f"defwirtinger {label}: {what}", f"the partial of argument {i}", "the output")
        return a, b

    @functools.wraps(fn)
    def prim(*args):
        ins = [a if isinstance(a, Array) else wnp.asarray(a) for a in args]
        with recording(False):
            value = _single_output(fn(*ins), f"defwirtinger {label}")

        def jvp(ins, out, ts):
            a, b = partials(ins, out)
            total = None
            for ai, bi, t in zip(a, b, ts):
                if t is None:
                    continue
                term = ai * t if bi is None else ai * t + bi * wnp.conj(t)
                total = term if total is None else total + term
            return total

        def vjp(ins, out, ct, needed):
            a, b = partials(ins, out)
            return tuple(_sum_to(wnp.conj(ai) * ct if bi is None else wnp.conj(ai) * ct + bi * wnp.conj(ct), x.shape)
                         if need else None for ai, bi, x, need in zip(a, b, ins, needed))

        return primitive(f"defwirtinger {label}", ins, value, jvp, vjp, prim, batched_rules=True)

    return prim


__all__ = ["custom_jvp", "custom_vjp", "defwirtinger"]
