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
    return reshape(p, shape[:1] + [1] * (ndim - rank) + shape[1:])


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
    return broadcast_to(reshape(x, [1] + shape), [n] + shape)


# ---------------------------------------------------------------- the primitives and their rules
def from_numpy(a):
    return _core.from_numpy(a)


def unary(op, x):
    if type(x) is not Batched:
        return _core.unary(op, x)
    return Batched(unary(op, _val(x)), x.n, x.level)


def _elementwise_rule(core_fn, attributes=0):
    """The batching rule of an element-wise function of engine values (after its
    first `attributes` arguments, which pass through): with a batched operand it
    runs once on the operands' physical values, lifted to a common rank; a pair
    of results is batched member by member."""

    def rule(*args):
        attrs, operands = args[:attributes], args[attributes:]
        if all(type(x) is not Batched for x in operands):
            return core_fn(*args)
        operands, n, level = elementwise(operands)
        out = rule(*attrs, *operands)
        return tuple(Batched(v, n, level) for v in out) if isinstance(out, tuple) else Batched(out, n, level)

    rule.__name__ = rule.__qualname__ = core_fn.__name__
    return rule


binary = _elementwise_rule(_core.binary, attributes=1)
compare = _elementwise_rule(_core.compare, attributes=1)
select_var = _elementwise_rule(_core.select_var)
# The conventions' formulas: element-wise compositions, batched as such.
pair_from_jvps = _elementwise_rule(_core.pair_from_jvps)
pair_from_vjps = _elementwise_rule(_core.pair_from_vjps)
pair_of_real_output = _elementwise_rule(_core.pair_of_real_output)
pair_of_real_input = _elementwise_rule(_core.pair_of_real_input)
d_dx = _elementwise_rule(_core.d_dx)
d_dx_from_vjps = _elementwise_rule(_core.d_dx_from_vjps)
d_dy = _elementwise_rule(_core.d_dy)


def select(mask, a, b):
    """mask (a NumPy bool array, a constant) ? a : b, all of a's shape."""
    if type(a) is not Batched and type(b) is not Batched:
        return _core.select(mask, a, b)
    level, n = top((a, b))
    shape = tuple(a.shape)
    mask = np.ascontiguousarray(np.broadcast_to(np.asarray(mask, dtype=bool).reshape(shape), (n,) + shape))
    return Batched(select(mask, with_batch(a, level, n), with_batch(b, level, n)), n, level)


def cast(x, dtype):
    if type(x) is not Batched:
        return _core.cast(x, dtype)
    return Batched(cast(_val(x), dtype), x.n, x.level)


def broadcast_to(x, shape):
    if type(x) is not Batched:
        return _core.broadcast_to(x, shape)
    shape = list(shape)
    return Batched(broadcast_to(_lift(_val(x), len(shape)), [x.n] + shape), x.n, x.level)


def reshape(x, shape):
    if type(x) is not Batched:
        return _core.reshape(x, shape)
    return Batched(reshape(_val(x), [x.n] + list(shape)), x.n, x.level)


def transpose(x, perm):
    if type(x) is not Batched:
        return _core.transpose(x, perm)
    return Batched(transpose(_val(x), [0] + [p + 1 for p in perm]), x.n, x.level)


def sum(x, axes):  # noqa: A001 (the engine's name)
    if type(x) is not Batched:
        return _core.sum(x, axes)
    return Batched(sum(_val(x), [a + 1 for a in axes]), x.n, x.level)


def prod(x, axes):
    if type(x) is not Batched:
        return _core.prod(x, axes)
    return Batched(prod(_val(x), [a + 1 for a in axes]), x.n, x.level)


def cumsum(x, axis, reverse=False):
    if type(x) is not Batched:
        return _core.cumsum(x, axis, reverse)
    return Batched(cumsum(_val(x), axis + 1, reverse), x.n, x.level)


def cumprod(x, axis):
    if type(x) is not Batched:
        return _core.cumprod(x, axis)
    return Batched(cumprod(_val(x), axis + 1), x.n, x.level)


def slice(x, start, step, count):  # noqa: A001 (the engine's name)
    if type(x) is not Batched:
        return _core.slice(x, start, step, count)
    return Batched(slice(_val(x), [0] + list(start), [1] + list(step), [x.n] + list(count)), x.n, x.level)


def slice_scatter(x, shape, start, step):
    if type(x) is not Batched:
        return _core.slice_scatter(x, shape, start, step)
    return Batched(slice_scatter(_val(x), [x.n] + list(shape), [0] + list(start), [1] + list(step)), x.n, x.level)


def concat(xs, axis):
    if not any(type(x) is Batched for x in xs):
        return _core.concat(list(xs), axis)
    level, n = top(xs)
    return Batched(concat([with_batch(x, level, n) for x in xs], axis + 1), n, level)


def matmul(a, b):
    """Both operands at least 2-d (wnp.matmul promotes vectors before calling)."""
    if type(a) is not Batched and type(b) is not Batched:
        return _core.matmul(a, b)
    level, n = top((a, b))
    pa, ba = _at(a, level)
    pb, bb = _at(b, level)
    if ba and not bb and b.ndim == 2:
        # Every sample's rows times one matrix: the batch folds into the rows of one product.
        rows = list(pa.shape[:-1])
        out = matmul(reshape(pa, [math.prod(rows), pa.shape[-1]]), b)
        return Batched(reshape(out, rows + [b.shape[-1]]), n, level)
    if bb and not ba and a.ndim == 2 and b.ndim == 2:
        # One matrix times every sample: (a·b_s)ᵀ = b_sᵀ·aᵀ folds the batch into rows.
        k, j = b.shape
        if j == 1:
            out = matmul(reshape(pb, [n, k]), transpose(a, [1, 0]))
            return Batched(reshape(out, [n, a.shape[0], 1]), n, level)
        out = matmul(reshape(transpose(pb, [0, 2, 1]), [n * j, k]), transpose(a, [1, 0]))
        return Batched(transpose(reshape(out, [n, j, a.shape[0]]), [0, 2, 1]), n, level)
    # Batch axes broadcast: lift the batched operands to a common rank.
    ndim = max(a.ndim, b.ndim)
    return Batched(matmul(_lift(pa, ndim) if ba else pa, _lift(pb, ndim) if bb else pb), n, level)


def _block_index(index, n, blocks):
    """The flat block index of every sample's copy of index, for n samples of `blocks` blocks each."""
    index = np.asarray(index, dtype=np.int64).reshape(-1)
    return (np.arange(n, dtype=np.int64)[:, None] * blocks + index[None, :]).reshape(-1)


def gather(x, index, inner, shape):
    if type(x) is not Batched:
        return _core.gather(x, index, inner, shape)
    blocks = x.size // inner
    return Batched(gather(_val(x), _block_index(index, x.n, blocks), inner, [x.n] + list(shape)), x.n, x.level)


def scatter_add(x, index, inner, shape):
    if type(x) is not Batched:
        return _core.scatter_add(x, index, inner, shape)
    blocks = math.prod(shape) // inner
    return Batched(scatter_add(_val(x), _block_index(index, x.n, blocks), inner, [x.n] + list(shape)), x.n, x.level)


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
    check_live(v)
    var, s = physical(v)
    struct = union(s, active(), extra)
    return wrap(_core.watch(to_structure(v, struct)), struct)


# ---------------------------------------------------------------- sweeps
# Samples are independent, so one sweep of the physical tape with seeds laid out
# along the batch gives every sample's derivative.
def _any_batched(*groups):
    return any(type(v) is Batched for g in groups for v in g)


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
            col.append(reshape(r, [1] + list(r.shape)))
    out = []
    for col, r in zip(columns, results):
        if m == 0:
            s = extent([r])
            out.append(wrap(_core.from_numpy(np.zeros([n for _, n in s] + [0] + list(r.shape), r.dtype)), s))
        else:
            out.append(concat(col, 0))
    return out


# ---------------------------------------------------------------- the engine's other entry points
# Not batched: what transforms, jit, the batch plans and devices call as is.
enter, exit, depth, frame_names = _core.enter, _core.exit, _core.depth, _core.frame_names
set_recording, finish_recording = _core.set_recording, _core.finish_recording
escaped, check_escaped = _core.escaped, _core.check_escaped
make_program, custom, scalar = _core.make_program, _core.custom, _core.scalar
unary_names, binary_names, structural_names = _core.unary_names, _core.binary_names, _core.structural_names
buffer_bytes, reset_buffer_peak = _core.buffer_bytes, _core.reset_buffer_peak
batch_plan, batch_run_cuda, BatchUnsupported = _core.batch_plan, _core.batch_run_cuda, _core.BatchUnsupported
cuda_available, cuda_describe, device_put, DeviceArray = (_core.cuda_available, _core.cuda_describe, _core.device_put,
                                                          _core.DeviceArray)
