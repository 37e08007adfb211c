"""Primitives whose rules are written in Python, over wirtinger arrays.

The engine records such a primitive as one node and calls its rules during
its sweeps; the rules use wirtinger.numpy operations, so inside an enclosing
transform they are recorded and differentiated like any built-in rule.
"""
from __future__ import annotations

import contextlib

import numpy as np

from . import _core
from ._array import Array, to_var


@contextlib.contextmanager
def recording(enabled):
    """Turns the recording of operations on or off for the block."""
    previous = _core.set_recording(enabled)
    try:
        yield
    finally:
        _core.set_recording(previous)


class _Rules:
    """What the engine calls: Vars in and out, None for a zero."""

    def __init__(self, name, jvp, vjp, rebuild):
        self.name, self._jvp, self._vjp, self._rebuild = name, jvp, vjp, rebuild

    def replay(self, inputs):
        # The primitive made afresh from new inputs: its value and rules may close
        # over values computed from the inputs (residuals), so both are rebuilt.
        if self._rebuild is None:
            raise TypeError(f"{self.name}: this primitive cannot be replayed by jit (it was made without rebuild=)")
        out = self._rebuild(*[Array(v) for v in inputs])
        return to_var(out)

    def jvp(self, inputs, out, tangents):
        t = self._jvp([Array(v) for v in inputs], Array(out), [None if t is None else Array(t) for t in tangents])
        if t is None:
            return None
        return _fit(t, out, f"{self.name}: the JVP rule", "the output")

    def vjp(self, inputs, out, ct, needed):
        cts = self._vjp([Array(v) for v in inputs], Array(out), Array(ct), list(needed))
        if not isinstance(cts, (tuple, list)) or len(cts) != len(inputs):
            raise TypeError(f"{self.name}: the VJP rule must return a tuple with one cotangent per input "
                            f"({len(inputs)}), got {type(cts).__name__}")
        return [None if c is None or not need else to_var(c, _ct_dtype(c, v)) for c, v, need in zip(cts, inputs, needed)]


def _ct_dtype(c, v):
    # A complex cotangent for a real input is projected (its real part) by the engine.
    dt = c.dtype if isinstance(c, Array) else np.asarray(c).dtype
    return dt if dt.kind == "c" and v.dtype.kind == "f" else v.dtype


def _fit(t, like, who, what):
    shape = tuple(t.shape) if isinstance(t, Array) else np.shape(t)
    try:
        fits = np.broadcast_shapes(shape, tuple(like.shape)) == tuple(like.shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{who} returned shape {shape}, which does not broadcast to {what}'s shape "
                         f"{tuple(like.shape)}")
    dt = t.dtype if isinstance(t, Array) else np.asarray(t).dtype
    v = to_var(t, dt if dt.kind in "fc" else np.float64)
    if dt.kind == "c" and like.dtype.kind == "f":
        # A real output has real tangents. A Wirtinger-pair formula gives them as
        # complex numbers with rounding-level imaginary parts; anything more is a
        # wrong rule, not something to drop silently.
        values = np.asarray(v.numpy())
        bound = np.sqrt(np.finfo(values.real.dtype).eps) * max(1.0, float(np.max(np.abs(values), initial=0.0)))
        if np.max(np.abs(values.imag), initial=0.0) > bound:
            raise TypeError(f"{who} returned a complex tangent (largest imaginary part "
                            f"{np.max(np.abs(values.imag)):.3g}) for {what}, which is real; a real output has "
                            "real tangents: check the rule")
    return _core.broadcast_to(v, list(like.shape))


def primitive(name, inputs, value, jvp, vjp, rebuild):
    """Records ``value`` (computed by the caller from ``inputs``) as the output of a
    primitive with rules ``jvp(inputs, out, tangents) -> tangent`` and
    ``vjp(inputs, out, ct, needed) -> cotangents`` ("adjoint" convention).

    ``rebuild(*new_inputs)`` makes the same primitive for other inputs (the
    caller's own code path again); jit replays traced programs with it."""
    ins = [to_var(x) for x in inputs]
    out = value._v if isinstance(value, Array) else to_var(value)
    return Array(_core.custom(_Rules(name, jvp, vjp, rebuild), ins, out))


def nondifferentiable(name, fn, *inputs):
    """``fn`` of the inputs' NumPy values, as a primitive with zero derivative
    (a shift, a one-hot choice, a sign): under jit it is recomputed on replay,
    where a NumPy constant would be frozen at its traced value."""
    ins = [x if isinstance(x, Array) else Array(to_var(x)) for x in inputs]
    value = np.asarray(fn(*[np.asarray(x._v.numpy()) for x in ins]))

    def jvp(ins, out, ts):
        return None

    def vjp(ins, out, ct, needed):
        return (None,) * len(ins)

    return primitive(name, ins, value, jvp, vjp, lambda *new: nondifferentiable(name, fn, *new))
