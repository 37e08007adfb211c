"""The package's one gateway to the C++ engine (``_core``): vmap's batched
values, the batching rule of every primitive, and the engine's other entry
points (transforms' frames, sweeps, jit's programs, batch plans, devices).

The rest of the package reaches the engine only through this module, whose
functions have the names and arguments of ``_core``'s. On engine values
(Vars) they are the C++ calls. Under vmap a value may be ``Batched``: the
values of n samples at once, stacked along axis 0 of a physical value, at a
level (one per vmap call; a vmap that starts later has a higher level). A
primitive with batched operands is handled by the highest level among them:
its rule calls the primitive again on the physical values, with the batch
axis an ordinary leading axis and the other operands arranged to broadcast
against it, and wraps the result. A physical value may itself be batched at
a lower level (vmap of vmap), so the rules recurse down to Vars: the work is
one C++ call over all samples, never a loop over them.

Batched values report their logical shape (one sample's), so wirtinger.numpy's
shape and axis logic runs unchanged under vmap. The rules of the primitives
written in Python (fft, linalg, custom rules) live beside those rules: see
``_primitive.over_leading_axes`` and ``_primitive.primitive(batched_rules=True)``.

A *structure* is the list of ``(level, n)`` of a value's batch axes, in the
order of its physical axes (lowest level first).
"""
from __future__ import annotations

import contextlib
import itertools
import math
import os
import threading

import numpy as np

from . import _core
from .errors import UnexpectedTracerError, concretization_error


class Batched:
    """The values of ``n`` samples: ``val`` holds them along its axis 0."""

    __slots__ = ("val", "n", "level")

    def __init__(self, val, n, level):
        self.val, self.n, self.level = val, n, level

    @property
    def shape(self):
        return self.val.shape[1:]

    @property
    def dtype(self):
        return self.val.dtype

    @property
    def ndim(self):
        return self.val.ndim - 1

    @property
    def size(self):
        return math.prod(self.shape)

    def numpy(self):
        raise concretization_error("reading the value", batched=True)

    def __repr__(self):
        return f"Batched(level={self.level}, n={self.n}, shape={self.shape}, dtype={self.dtype})"


# ---------------------------------------------------------------- levels
_next_level = itertools.count(1)
_state = threading.local()


def new_level():
    return next(_next_level)


def active():
    """The ``(level, n)`` of the batches in force here: enclosing vmaps, or the
    levels a rule of a Python primitive was recorded under while it runs."""
    return getattr(_state, "active", ())


@contextlib.contextmanager
def running(levels):
    previous = active()
    _state.active = tuple(sorted(set(previous) | set(levels)))
    try:
        yield
    finally:
        _state.active = previous


def is_batched(v):
    return type(v) is Batched


def _escaped():
    return UnexpectedTracerError(
        "a value batched by vmap was used after vmap returned: it escaped the mapped function (through a global, "
        "a list, a closure or an attribute), and it stands for every sample of a batch that no longer exists. "
        "Return it from the function instead, or compute it outside vmap")


def check_live(v):
    """Raise UnexpectedTracerError unless every vmap that batched v is still running."""
    levels = None
    while type(v) is Batched:
        if levels is None:
            levels = {lv for lv, _ in active()}
        if v.level not in levels:
            raise _escaped()
        v = v.val


def _val(x):
    """The physical value of x, batched at a running vmap's level."""
    if not any(lv == x.level for lv, _ in active()):
        raise _escaped()
    return x.val


def structure(v):
    s = []
    while type(v) is Batched:
        s.append((v.level, v.n))
        v = v.val
    return s[::-1]


def physical(v):
    """(the Var holding every sample, v's structure)."""
    s = structure(v)
    for _ in s:
        v = v.val
    return v, s


def wrap(var, struct):
    for level, n in struct:
        var = Batched(var, n, level)
    return var


def union(*structs):
    return sorted(set().union(*map(set, structs)))


def to_structure(v, struct, reduce=False):
    """The Var of v laid out with the batch axes of ``struct`` (a superset of v's
    levels, or with reduce=True any structure: levels v has and struct lacks are
    summed, as the cotangent of a value shared by the samples is)."""
    var, s = physical(v)
    if s == list(struct):
        return var
    levels = {lv for lv, _ in struct}
    extra = [i for i, (lv, _) in enumerate(s) if lv not in levels]
    if extra:
        if not reduce:
            raise ValueError(f"a value batched at vmap levels {s} cannot take the layout {list(struct)}")
        var = _core.sum(var, extra)
        s = [x for x in s if x[0] in levels]
    logical = list(var.shape[len(s):])
    have = {lv for lv, _ in s}
    var = _core.reshape(var, [n if lv in have else 1 for lv, n in struct] + logical)
    full = [n for _, n in struct] + logical
    return var if list(var.shape) == full else _core.broadcast_to(var, full)


def extent(values):
    """The levels of any batched value among values (a structure)."""
    return union(*[structure(v) for v in values if v is not None])


# ---------------------------------------------------------------- rule helpers
def top(values):
    """(level, n) of the highest batch among values."""
    level, n = -1, None
    for v in values:
        if type(v) is Batched:
            _val(v)
            if v.level > level:
                level, n = v.level, v.n
    return level, n


def _at(x, level):
    """x as an operand at this level: (its physical value, whether it carries the batch axis)."""
    if type(x) is Batched and x.level == level:
        return x.val, True
    return x, False


def _lift(p, ndim):
    """A physical value (batch at axis 0) of logical rank below ndim, with size-1
    axes after the batch axis, so that it broadcasts as its sample would."""
    rank = p.ndim - 1
    if rank >= ndim:
        return p
    shape = list(p.shape)
    return _core.reshape(p, shape[:1] + [1] * (ndim - rank) + shape[1:])


def elementwise(values):
    """The operands of an element-wise primitive at the top level: batched ones lifted
    to the common rank, the others as they are (they broadcast from the right)."""
    level, n = top(values)
    ndim = max(v.ndim for v in values)
    out = []
    for v in values:
        p, b = _at(v, level)
        out.append(_lift(p, ndim) if b else p)
    return out, n, level


def with_batch(x, level, n):
    """x's physical value at this level, or x repeated n times along a new axis 0."""
    p, b = _at(x, level)
    if b:
        return p
    shape = list(x.shape)
    return _core.broadcast_to(_core.reshape(x, [1] + shape), [n] + shape)


# ---------------------------------------------------------------- the primitives and their rules
# Every primitive the package applies is an entry of the engine's table
# (``_core.primitives``): its name, its number of operands (-1: one list of
# them), the kind of its attributes and how it batches. Its function here is
# the C++ function, which on batched operands calls the rule of its batching
# kind (set here), which needs nothing but the kind of its attributes.
def from_numpy(a):
    return _core.from_numpy(a)


def _split(arity, args):
    """(operands, attributes) of a call."""
    if arity < 0:
        return list(args[0]), args[1:]
    return args[:arity], args[arity:]


def _elementwise_batched(fn, operands, attrs):
    # Run once on the operands' physical values, lifted to a common rank; a pair
    # of results is batched member by member.
    operands, n, level = elementwise(operands)
    out = fn(*operands, *attrs)
    return tuple(Batched(v, n, level) for v in out) if isinstance(out, tuple) else Batched(out, n, level)


def _elementwise_rule(core_fn, arity):
    """An element-wise function of engine values outside the table (its first
    `arity` arguments; the rest are attributes, which pass through)."""

    def rule(*args):
        operands, attrs = _split(arity, args)
        if not any(type(x) is Batched for x in operands):
            return core_fn(*args)
        return _elementwise_batched(rule, operands, attrs)

    rule.__name__ = rule.__qualname__ = core_fn.__name__
    return rule


def _block_index(index, n, blocks):
    """The flat block index of every sample's copy of index, for n samples of `blocks` blocks each."""
    index = np.asarray(index, dtype=np.int64).reshape(-1)
    return (np.arange(n, dtype=np.int64)[:, None] * blocks + index[None, :]).reshape(-1)


def _addressed_blocks(x, index, inner, shape):
    # One side (the gathered result, or the scattered operand) has exactly one
    # block per index; the other is the array the indices address.
    return (x.size + math.prod(shape) - np.size(index) * inner) // inner


# Per attribute kind, (the operands at the top level, the attributes) of the call
# on physical values, whose axis 0 is the batch of n samples: the attributes
# name the axes after it. `xs` are the logical operands.
_LEADING = {
    # Lifted so that a lower-rank sample broadcasts as it would alone.
    "to_shape": lambda xs, ps, n, a: ([_lift(p, len(a[0])) for p in ps], ([n] + list(a[0]),)),
    "permutation": lambda xs, ps, n, a: (ps, ([0] + [p + 1 for p in a[0]],)),
    "axes": lambda xs, ps, n, a: (ps, ([p + 1 for p in a[0]],)),
    "along": lambda xs, ps, n, a: (ps, (a[0] + 1,) + tuple(a[1:])),
    "strided": lambda xs, ps, n, a: (ps, ([0] + list(a[0]), [1] + list(a[1]), [n] + list(a[2]))),
    "fixed_mask": lambda xs, ps, n, a: (ps, (np.ascontiguousarray(np.broadcast_to(
        np.asarray(a[0], dtype=bool).reshape(tuple(xs[0].shape)), (n,) + tuple(xs[0].shape))),)),
    "blocks": lambda xs, ps, n, a: (ps, (_block_index(a[0], n, _addressed_blocks(xs[0], *a)), a[1],
                                         [n] + list(a[2]))),
}


def _leading_axis_batched(kind, arity):
    """A primitive batched by giving every operand the batch as a new axis 0 (the
    operands that lack it repeated along it) and moving its attributes past it."""
    shift = _LEADING[kind]

    def batched(fn, xs, attrs):
        level, n = top(xs)
        ps, attrs = shift(xs, [with_batch(x, level, n) for x in xs], n, attrs)
        return Batched(fn(ps, *attrs) if arity < 0 else fn(*ps, *attrs), n, level)

    return batched


def _contraction_batched(fn, operands, attrs):
    """matmul's rule; both operands at least 2-d (wnp.matmul promotes vectors before calling)."""
    a, b = operands
    level, n = top((a, b))
    pa, ba = _at(a, level)
    pb, bb = _at(b, level)
    reshape, transpose = _core.reshape, _core.transpose
    if ba and not bb and b.ndim == 2:
        # Every sample's rows times one matrix: the batch folds into the rows of one product.
        rows = list(pa.shape[:-1])
        out = fn(reshape(pa, [math.prod(rows), pa.shape[-1]]), b)
        return Batched(reshape(out, rows + [b.shape[-1]]), n, level)
    if bb and not ba and a.ndim == 2 and b.ndim == 2:
        # One matrix times every sample: (a·b_s)ᵀ = b_sᵀ·aᵀ folds the batch into rows.
        k, j = b.shape
        if j == 1:
            out = fn(reshape(pb, [n, k]), transpose(a, [1, 0]))
            return Batched(reshape(out, [n, a.shape[0], 1]), n, level)
        out = fn(reshape(transpose(pb, [0, 2, 1]), [n * j, k]), transpose(a, [1, 0]))
        return Batched(transpose(reshape(out, [n, j, a.shape[0]]), [0, 2, 1]), n, level)
    # Batch axes broadcast: lift the batched operands to a common rank.
    ndim = max(a.ndim, b.ndim)
    return Batched(fn(_lift(pa, ndim) if ba else pa, _lift(pb, ndim) if bb else pb), n, level)


def _install(name, arity, kind, batching):
    """The entry's C++ function, which calls its batching rule (of its batching
    kind) itself when an operand is batched: engine values take no Python step."""
    fn = getattr(_core, name)
    if batching == "elementwise":
        batched = _elementwise_batched
    elif batching == "leading_axis":
        batched = _leading_axis_batched(kind, arity)
    elif batching == "contraction":
        batched = _contraction_batched
    else:
        raise ImportError(f"wirtinger: the engine batches {name} as {batching!r}, which this package does not know")
    _core.set_batching_rule(name, lambda *args: batched(fn, *_split(arity, args)))
    return fn


# unary(x, op), binary(a, b, op), compare(a, b, op), cast(x, dtype), select(a, b, mask),
# select_var(a, b, condition), broadcast_to(x, shape), reshape(x, shape), transpose(x, perm),
# sum(x, axes), prod(x, axes), cumsum(x, axis, reverse=False), cumprod(x, axis),
# slice(x, start, step, count), slice_scatter(x, start, step, shape), concat(xs, axis),
# matmul(a, b), gather(x, index, inner, shape), scatter_add(x, index, inner, shape).
globals().update({entry[0]: _install(*entry) for entry in _core.primitives})

# The conventions' formulas: element-wise compositions, batched as such.
pair_from_jvps = _elementwise_rule(_core.pair_from_jvps, 2)
pair_from_vjps = _elementwise_rule(_core.pair_from_vjps, 2)
pair_of_real_output = _elementwise_rule(_core.pair_of_real_output, 1)
pair_of_real_input = _elementwise_rule(_core.pair_of_real_input, 1)
d_dx = _elementwise_rule(_core.d_dx, 2)
d_dx_from_vjps = _elementwise_rule(_core.d_dx_from_vjps, 2)
d_dy = _elementwise_rule(_core.d_dy, 2)


def is_tracked(v):
    return _core.is_tracked(physical(v)[0])


def watch(v):
    check_live(v)
    var, s = physical(v)
    return wrap(_core.watch(var), s)


def watch_input(v, extra=()):
    """A fresh input of a transform. Under vmap it carries the batch of every level
    in force (and of ``extra``, the levels of its seed), so that its derivatives are
    per sample even when the input itself is the same for all samples."""
    if type(v) is not Batched and not extra and not getattr(_state, "active", ()):
        return _core.watch(v)  # outside vmap: the value itself
    check_live(v)
    var, s = physical(v)
    struct = union(s, active(), extra)
    return wrap(_core.watch(to_structure(v, struct)), struct)


# ---------------------------------------------------------------- sweeps
# Samples are independent, so one sweep of the physical tape with seeds laid out
# along the batch gives every sample's derivative.
def _any_batched(*groups):
    for g in groups:  # (loops, not a generator: this runs on every sweep)
        for v in g:
            if type(v) is Batched:
                return True
    return False


def jvp_sweep(tape, inputs, tangents, outputs, record):
    if not _any_batched(inputs, tangents, outputs):
        return _core.jvp_sweep(tape, inputs, tangents, outputs, record)
    ins = [physical(x)[0] for x in inputs]
    ts = [to_structure(t, structure(x)) for t, x in zip(tangents, inputs)]
    ts = [t if list(t.shape) == list(x.shape) else _core.broadcast_to(t, list(x.shape)) for t, x in zip(ts, ins)]
    res = _core.jvp_sweep(tape, ins, ts, [physical(y)[0] for y in outputs], record)
    return [wrap(r, structure(y)) for r, y in zip(res, outputs)]


def vjp_sweep(tape, outputs, cts, inputs, record):
    if not _any_batched(outputs, cts, inputs):
        return _core.vjp_sweep(tape, outputs, cts, inputs, record)
    outs = [physical(y)[0] for y in outputs]
    # A cotangent batched where its output is not pairs with an output that does not depend on
    # the inputs (they carry every batch of the cotangents: see transforms._vjp), so it adds nothing.
    cs = [to_structure(c, structure(y), reduce=True) for c, y in zip(cts, outputs)]
    cs = [c if list(c.shape) == list(y.shape) else _core.broadcast_to(c, list(y.shape)) for c, y in zip(cs, outs)]
    res = _core.vjp_sweep(tape, outs, cs, [physical(x)[0] for x in inputs], record)
    return [wrap(r, structure(x)) for r, x in zip(res, inputs)]


def jac_columns(tape, seeded, which, results, record, imaginary, forward):
    """One sweep per element k of seeded[which], seeded with e_k (or i·e_k): forward
    (seeded are inputs) each result gets its JVP columns stacked as (n, *shape);
    reverse (seeded are outputs) each result gets its VJP rows, as ``_core.jac_columns``.
    Under vmap, e_k is one sample's basis vector, broadcast along the batch."""
    if not _any_batched(seeded, results):
        return _core.jac_columns(tape, seeded, which, results, record, imaginary, forward)
    x = seeded[which]
    shape, m = tuple(x.shape), x.size
    basis = np.zeros(m, dtype=x.dtype)
    columns = [[] for _ in results]
    for k in range(m):
        basis[k] = 1j if imaginary else 1
        seed = _core.from_numpy(basis.reshape(shape).copy())
        basis[k] = 0
        res = (jvp_sweep(tape, [x], [seed], results, record) if forward
               else vjp_sweep(tape, [x], [seed], results, record))
        for col, r in zip(columns, res):
            col.append(_core.reshape(r, [1] + list(r.shape)))
    out = []
    for col, r in zip(columns, results):
        if m == 0:
            s = extent([r])
            out.append(wrap(_core.from_numpy(np.zeros([n for _, n in s] + [0] + list(r.shape), r.dtype)), s))
        else:
            out.append(_core.concat(col, 0))
    return out


# ---------------------------------------------------------------- the engine's other entry points
# Not batched: what transforms, jit, the batch plans and devices call as is.
enter, exit, depth, frame_names = _core.enter, _core.exit, _core.depth, _core.frame_names
set_recording, finish_recording = _core.set_recording, _core.finish_recording
escaped, check_escaped = _core.escaped, _core.check_escaped
set_array_class, array_unary, array_binary, watch_number = (_core.set_array_class, _core.array_unary,
                                                           _core.array_binary, _core.watch_number)
make_program, custom, scalar, JitDispatch, JitFunction = (_core.make_program, _core.custom, _core.scalar, _core.JitDispatch,
                                                      _core.JitFunction)
unary_names, binary_names, structural_names = _core.unary_names, _core.binary_names, _core.structural_names
unary_real_only, binary_real_only = _core.unary_real_only, _core.binary_real_only
# The values of scipy.special's functions of parameters, f(a, b[, c], x) over float64 arrays of one shape.
parametric_values = {"betainc": _core.betainc_values, "hyp1f1": _core.hyp1f1_values,
                     "hyp2f1": _core.hyp2f1_values}
buffer_bytes, reset_buffer_peak = _core.buffer_bytes, _core.reset_buffer_peak
# jit's compiled tier: where the headers its generated loops include lie, and the CPU they target.
native_dir, cpu_has_avx2 = os.path.dirname(os.path.abspath(_core.__file__)), _core.cpu_has_avx2
batch_plan, batch_run_cuda, BatchUnsupported = _core.batch_plan, _core.batch_run_cuda, _core.BatchUnsupported
cuda_available, cuda_describe, device_put, DeviceArray = (_core.cuda_available, _core.cuda_describe, _core.device_put,
                                                          _core.DeviceArray)
