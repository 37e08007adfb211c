"""Primitives whose rules are written in Python, over wirtinger arrays.

The engine records such a primitive as one node and calls its rules during
its sweeps; the rules use wirtinger.numpy operations, so inside an enclosing
transform they are recorded and differentiated like any built-in rule.

Each such primitive declares its batching rule (vmap) beside its rules:

* ``over_leading_axes`` (fft, linalg): the function maps over leading axes, as
  NumPy's does, so under vmap it is called once on the physical values, the
  batch being one more leading axis; the primitive it records is an ordinary one.
* ``primitive(..., batched_rules=True)`` (custom_jvp, custom_vjp, defwirtinger,
  checkpoint): the value and the rules are written per sample over wirtinger
  arrays, which work on batched arrays too; the node is recorded once over the
  physical values, and the engine's calls of its rules get batched arrays again.
* ``nondifferentiable``: its function maps over leading axes (negative axes).
"""
from __future__ import annotations

import contextlib
import functools

import numpy as np

from . import _engine
from ._array import Array, to_var
from ._engine import Batched
from ._tree import flatten, unflatten


@contextlib.contextmanager
def recording(enabled):
    """Turns the recording of operations on or off for the block."""
    previous = _engine.set_recording(enabled)
    try:
        yield
    finally:
        _engine.set_recording(previous)


class _Rules:
    """What the engine calls: Vars in and out, None for a zero.

    A primitive recorded under vmap (``batched_rules``) keeps the structure of
    each input and of the output (the batch levels of its physical values): the
    rules see batched arrays again, at those levels, and their results are laid
    out back on the physical values."""

    def __init__(self, name, jvp, vjp, rebuild, in_structs=None, out_struct=(), key=None):
        self.name, self._jvp, self._vjp, self._rebuild = name, jvp, vjp, rebuild
        self._in, self._out = in_structs, list(out_struct)
        # jit computes two steps with equal keys on the same inputs once.
        self.key = None if key is None else repr(key)

    def _inputs(self, vs):
        if self._in is None:
            return [Array(v) for v in vs]
        return [Array(_engine.wrap(v, s)) for v, s in zip(vs, self._in)]

    def replay(self, inputs):
        # The primitive made afresh from new inputs: its value and rules may close
        # over values computed from the inputs (residuals), so both are rebuilt.
        if self._rebuild is None:
            raise TypeError(f"{self.name}: this primitive cannot be replayed by jit (it was made without rebuild=)")
        with _engine.running(self._out):
            out = self._rebuild(*self._inputs(inputs))
            return _engine.to_structure(to_var(out), self._out)

    def jvp(self, inputs, out, tangents):
        structs = self._in or [()] * len(inputs)
        with _engine.running(self._out):
            out = _engine.wrap(out, self._out)
            t = self._jvp(self._inputs(inputs), Array(out),
                          [None if t is None else Array(_engine.wrap(t, s)) for t, s in zip(tangents, structs)])
            if t is None:
                return None
            return _engine.to_structure(_fit(t, out, f"{self.name}: the JVP rule", "the output"), self._out)

    def vjp(self, inputs, out, ct, needed):
        structs = self._in or [()] * len(inputs)
        with _engine.running(self._out):
            ins = self._inputs(inputs)
            cts = self._vjp(ins, Array(_engine.wrap(out, self._out)), Array(_engine.wrap(ct, self._out)),
                            list(needed))
            if not isinstance(cts, (tuple, list)) or len(cts) != len(inputs):
                raise TypeError(f"{self.name}: the VJP rule must return a tuple with one cotangent per input "
                                f"({len(inputs)}), got {type(cts).__name__}")
            return [None if c is None or not need else
                    _engine.to_structure(to_var(c, _ct_dtype(c, v)), s, reduce=True)
                    for c, v, s, need in zip(cts, inputs, structs, needed)]


def _ct_dtype(c, v):
    # A complex cotangent for a real input is projected (its real part) by the engine.
    dt = c.dtype if isinstance(c, Array) else np.asarray(c).dtype
    return dt if dt.kind == "c" and v.dtype.kind == "f" else v.dtype


def check_shape(x, like, who, what, of):
    """Raise ValueError unless x, returned by a user's rule as ``what``, has the
    shape of ``of`` (``like``), or one that broadcasts to it unchanged (a scalar):
    anything else would be broadcast or summed into a silently wrong derivative."""
    shape = tuple(x.shape) if hasattr(x, "shape") else np.shape(x)
    want = tuple(like.shape)
    try:
        fits = np.broadcast_shapes(shape, want) == want
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{who} returned {what} of shape {shape}, but {of} has shape {want}: it must have that "
                         "shape, or be a scalar")


def _fit(t, like, who, what):
    check_shape(t, like, who, "a tangent", what)
    dt = t.dtype if isinstance(t, Array) else np.asarray(t).dtype
    v = to_var(t, dt if dt.kind in "fc" else np.float64)
    if dt.kind == "c" and like.dtype.kind == "f":
        # A real output has real tangents. A Wirtinger-pair formula gives them as
        # complex numbers with rounding-level imaginary parts; anything more is a
        # wrong rule, not something to drop silently.
        values = np.asarray(_engine.physical(v)[0].numpy())
        bound = np.sqrt(np.finfo(values.real.dtype).eps) * max(1.0, float(np.max(np.abs(values), initial=0.0)))
        if np.max(np.abs(values.imag), initial=0.0) > bound:
            raise TypeError(f"{who} returned a complex tangent (largest imaginary part "
                            f"{np.max(np.abs(values.imag)):.3g}) for {what}, which is real; a real output has "
                            "real tangents: check the rule")
    return _engine.broadcast_to(v, list(like.shape))


def primitive(name, inputs, value, jvp, vjp, rebuild, *, batched_rules=False, key=None):
    """Records ``value`` (computed by the caller from ``inputs``) as the output of a
    primitive with rules ``jvp(inputs, out, tangents) -> tangent`` and
    ``vjp(inputs, out, ct, needed) -> cotangents`` ("adjoint" convention).

    ``rebuild(*new_inputs)`` makes the same primitive for other inputs (the
    caller's own code path again); jit replays traced programs with it.

    ``batched_rules=True`` is the batching rule of a primitive whose value was
    computed with wirtinger arrays and whose rules and rebuild are written per
    sample over wirtinger arrays: under vmap they run on batched arrays. A
    primitive without it must not see batched values (its caller declares
    ``over_leading_axes``).

    ``key``: for a pure function of its inputs, a value whose repr names the
    function and its parameters completely; a traced program computes steps with
    equal keys and equal inputs once (the nested derivatives of jit repeat them)."""
    ins = [to_var(x) for x in inputs]
    out = value._v if isinstance(value, Array) else to_var(value)
    batched = type(out) is Batched or any(type(v) is Batched for v in ins)
    if not batched:
        return Array(_engine.custom(_Rules(name, jvp, vjp, rebuild, key=key), ins, out))
    if not batched_rules:
        raise TypeError(f"{name}: this primitive has no batching rule, so it cannot run under vmap "
                        "(declare one: _primitive.over_leading_axes or primitive(..., batched_rules=True))")
    in_structs = [_engine.structure(v) for v in ins]
    # The output carries every level of its inputs: its tangents may vary with any of them.
    out_struct = _engine.union(_engine.structure(out), *in_structs)
    rules = _Rules(name, jvp, vjp, rebuild, in_structs, out_struct)
    node = _engine.custom(rules, [_engine.physical(v)[0] for v in ins], _engine.to_structure(out, out_struct))
    return Array(_engine.wrap(node, out_struct))


def over_leading_axes(*core_ndims):
    """The batching rule of a Python-level primitive's function that maps over
    leading axes, as NumPy's linalg and fft functions do (declared as a decorator).

    Its first ``max(1, len(core_ndims))`` positional arguments are arrays; the
    function works on the last ``core_ndims[i]`` axes of argument i and broadcasts
    the others. Under vmap it is called once on the physical values, the batch
    being a new leading axis (after which batched arguments get size-1 axes, so
    that leading axes still broadcast as one sample's would), and every array it
    returns is batched again."""
    nargs = max(1, len(core_ndims))

    def decorate(fn):
        @functools.wraps(fn)
        def batching_rule(*args, **kwargs):
            vs = [a._v if isinstance(a, Array) else None for a in args[:nargs]]
            if not any(type(v) is Batched for v in vs):
                return fn(*args, **kwargs)
            level, n = _engine.top(vs)
            loops = [a.ndim - c for a, c in zip(args, core_ndims)] if core_ndims else [0]
            width = max(loops)
            physical = []
            for a, v, loop in zip(args, vs, loops if core_ndims else [0] * nargs):
                if type(v) is Batched and v.level == level:
                    p = v.val
                    if loop < width:
                        p = _engine.reshape(p, [n] + [1] * (width - loop) + list(a.shape))
                    a = Array(p)
                physical.append(a)
            out = fn(*physical, *args[nargs:], **kwargs)
            leaves, tree = flatten(out)
            for x in leaves:
                if not (isinstance(x, Array) and x.ndim and x.shape[0] == n):
                    raise TypeError(f"{fn.__name__}: its batching rule (over_leading_axes) needs array results "
                                    f"with the batch as a leading axis, got {x!r:.80}")
            return unflatten(tree, [Array(Batched(x._v, n, level)) for x in leaves])

        return batching_rule

    return decorate


def nondifferentiable(name, fn, *inputs):
    """``fn`` of the inputs' NumPy values, as a primitive with zero derivative
    (a shift, a one-hot choice, a sign): under jit it is recomputed on replay,
    where a NumPy constant would be frozen at its traced value.

    ``fn`` must map over leading axes (name axes from the end): under vmap it is
    called once with the batch as a new leading axis."""
    ins = [x if isinstance(x, Array) else Array(to_var(x)) for x in inputs]
    vs = [x._v for x in ins]
    if any(type(v) is Batched for v in vs):
        physical, n, level = _engine.elementwise(vs)
        out = nondifferentiable(name, fn, *[Array(p) for p in physical])
        return Array(Batched(out._v, n, level))
    value = np.asarray(fn(*[np.asarray(x._v.numpy()) for x in ins]))

    def jvp(ins, out, ts):
        return None

    def vjp(ins, out, ct, needed):
        return (None,) * len(ins)

    return primitive(name, ins, value, jvp, vjp, lambda *new: nondifferentiable(name, fn, *new))
