"""Rematerialisation: trade compute for memory in reverse mode."""
from __future__ import annotations

import functools

from ._primitive import primitive, recording
from .custom import Args, Packing, rule_name
from .transforms import jvp as forward, vjp as reverse


def checkpoint(f, static_argnums=()):
    """``f``, whose intermediate values are recomputed when a derivative needs them
    instead of being kept on the tape (as ``jax.checkpoint``).

    The enclosing tape holds one node for the whole call, with only its inputs
    and output; the backward pass runs ``f`` again under ``vjp``. A long chain
    split into checkpointed segments keeps one segment's intermediates alive at
    a time.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> block = w.checkpoint(lambda z: wnp.sin(wnp.exp(z)) * wnp.conj(z))
    >>> complex(w.grad(lambda z: wnp.abs2(block(z)))(0.5 + 0.25j)) == complex(
    ...     w.grad(lambda z: wnp.abs2(wnp.sin(wnp.exp(z)) * wnp.conj(z)))(0.5 + 0.25j))
    True
    """
    static_argnums = tuple(static_argnums) if isinstance(static_argnums, (tuple, list)) else (static_argnums,)

    @functools.wraps(f)
    def wrapped(*args):
        name = f"checkpoint {rule_name(f)}"
        split = Args(args, static_argnums, name)
        with recording(False):
            out = f(*args)
            packing = Packing(out, name)
            value = packing.pack(out)

        def replay(*leaves):
            return packing.pack(f(*split.all_args(leaves)))

        def jvp(ins, out, ts):
            return forward(replay, tuple(ins), tuple(0 * x if t is None else t for x, t in zip(ins, ts)))[1]

        def vjp(ins, out, ct, needed):
            return reverse(replay, *ins)[1](ct)

        def rebuild(*leaves):
            return packing.pack(wrapped(*split.all_args(leaves)))

        return packing.unpack(primitive(name, split.leaves, value, jvp, vjp, rebuild, batched_rules=True))

    return wrapped
