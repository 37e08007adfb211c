"""The fast path of ``vmap(jacfwd(f))``, ``vmap(jacrev(f))``, ``vmap(wirtinger(f))``.

Instead of batching f operation by operation and sweeping once per input
direction, f is traced once for one sample (as jit traces) and the program is
compiled into a per-sample plan (cpp/src/batch_plan.cpp) that carries every
direction's Wirtinger rows at once; the plan then runs sample by sample on the
thread pool, each sample in a cache-resident workspace. Results equal the
generic path's (forward-mode rows; jacrev's numbers are the same matrix).

Programs the plan cannot express (custom primitives, running products, value-
dependent control flow, closures over traced values, mapped non-differentiated
arguments) take the generic path. Under jit or an enclosing transform the
batch of Jacobians is one recorded primitive whose derivative rules and replay
use the generic path and this one respectively.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np

from . import _engine
from . import numpy as wnp
from ._array import (Array, SUPPORTED_DTYPES, WeakArray, trace_state, complex_of, native, real_of, result_dtype, to_var,
                     value_of)
from ._engine import Batched
from ._tree import flatten, unflatten
from ._primitive import primitive
from .custom import Packing
from .device import device_put, is_gpu_array, require_cuda
from .errors import ConcretizationError
from .jit import ARRAY, leaf_spec as jit_leaf_spec
from .transforms import Frame, Wirtinger, check_norms, jvp as forward, vjp as reverse
from .transforms import jacobian_spec as spec_of  # noqa: F401  (the plans of a Jacobian function, for tests)
from .vmap import register_jacobian_strategies, vmap

_state = threading.local()


@contextlib.contextmanager
def generic_only():
    """vmap batches op by op inside this block (the fast path's own rules use it)."""
    _state.off = getattr(_state, "off", 0) + 1
    try:
        yield
    finally:
        _state.off -= 1


def enabled():
    return not getattr(_state, "off", 0)


class _Plan:
    __slots__ = ("plan", "out_tree", "out_shapes", "out_dtypes", "in_shapes", "in_dtypes")


def _plain(x):
    return isinstance(x, (float, complex, np.ndarray, np.generic)) and not isinstance(x, bool) or (
        isinstance(x, Array) and type(x._v) is not Batched)


class _Layout:
    """A call's arguments as the plan's inputs, in the plan's order: the
    differentiated arguments (in argnums order) and the other mapped ones, each
    with its batch axis first; then the leaves the samples share (the float and
    complex arrays and numbers of the arguments vmap does not map, such as a
    network's weights), which are inputs of the plan, not constants baked into
    it, so that new values need no new plan. Other leaves (ints, strings,
    integer index arrays) are static: part of the plan's key, by value, as jit
    keys them."""

    __slots__ = ("args", "diff", "mapped", "unmapped", "key")

    @classmethod
    def of(cls, spec, args, in_axes):
        """The layout, or None where the generic path must run."""
        if not args:
            return None
        argnums = [i % len(args) for i in spec.argnums]
        if len(set(argnums)) != len(argnums) or any(not -len(args) <= i < len(args) for i in spec.argnums):
            return None
        self = cls()
        self.args, self.diff, self.mapped, self.unmapped = list(args), [], [], []
        keys = []
        for i in argnums:
            x = _batch_first(args[i], _axis(in_axes, i))
            if x is None:
                return None
            self.diff.append((i, x))
        for i, a in enumerate(args):
            axis = _axis(in_axes, i)
            if i in argnums:
                continue
            if axis is not None:
                x = _batch_first(a, axis)
                if x is None:
                    return None
                self.mapped.append((i, x))
                continue
            leaves, tree = flatten(a)
            specs = []
            for x in leaves:
                if isinstance(x, Array) and type(x._v) is Batched:
                    return None
                s = _leaf_spec(x, f"argument {i}")
                if s is None:
                    return None
                specs.append(s)
            self.unmapped.append((i, tree, leaves, specs))
            keys.append((i, tree, tuple(s[1] for s in specs)))
        keys.insert(0, tuple((tuple(x.shape[1:]), np.dtype(x.dtype).str) for _, x in self.diff + self.mapped))
        self.key = tuple(keys)
        return self

    def kinds(self):
        return (["differentiated"] * len(self.diff) + ["mapped"] * len(self.mapped)
                + ["shared"] * sum(s[0] == _SHARED for _, _, _, specs in self.unmapped for s in specs))

    def batched(self):
        """The values with a batch axis, in the plan's order."""
        return [x for _, x in self.diff + self.mapped]

    def shared(self):
        """The values the samples share, in the plan's order."""
        return [x for _, _, leaves, specs in self.unmapped for x, s in zip(leaves, specs) if s[0] == _SHARED]

    def shared_dtypes(self):
        return [s[2] for _, _, _, specs in self.unmapped for s in specs if s[0] == _SHARED]

    def call(self, inputs, weak=False):
        """The arguments with the plan's inputs replaced by ``inputs`` (in the plan's
        order); with weak, shared Python numbers become weakly typed arrays, as jit's
        traced arguments are."""
        args = list(self.args)
        it = iter(inputs)
        for i, _ in self.diff + self.mapped:
            args[i] = next(it)
        for i, tree, leaves, specs in self.unmapped:
            new = []
            for x, s in zip(leaves, specs):
                if s[0] != _SHARED:
                    new.append(x)
                    continue
                v = next(it)
                new.append(WeakArray(v._v) if weak and s[3] and isinstance(v, Array) else v)
            args[i] = unflatten(tree, new)
        return args


_SHARED, _STATIC = "shared", "static"


def _axis(in_axes, i):
    return in_axes[i] if isinstance(in_axes, tuple) else in_axes


def _batch_first(a, axis):
    """A mapped float or complex array with its batch axis first, or None."""
    if not isinstance(axis, (int, np.integer)) or not _plain(a):
        return None
    if isinstance(a, Array):
        if a.dtype not in SUPPORTED_DTYPES:
            return None
        return wnp.moveaxis(a, axis, 0) if axis % a.ndim else a
    arr = np.asarray(a)
    if arr.dtype.kind not in "fc" or result_dtype(arr) not in SUPPORTED_DTYPES:
        return None
    return np.ascontiguousarray(np.moveaxis(arr, axis, 0), dtype=result_dtype(arr))


def _leaf_spec(x, where):
    """(kind, key, dtype, weak) of a leaf of an unmapped argument, as jit keys its
    arguments; None for a leaf that has no key (unhashable)."""
    try:
        kind, key, dtype, wrapper = jit_leaf_spec(x, where, ints=False)
    except TypeError:
        return None
    return (_SHARED if kind == ARRAY else _STATIC), key, dtype, wrapper is not None


def try_jacobians(jac_fn, spec, args, in_axes, n, level, numpy_out=False):
    """(the batch of Jacobians, done), or None where the generic path must run.
    The Jacobians have the batch axis first, as batched Arrays of `level`, or,
    done, as the NumPy arrays vmap returns (numpy_out with plain inputs: the
    buffers the plan wrote, without a copy)."""
    if spec.has_aux or spec.form not in ("auto", "pair") or not enabled():
        return None
    layout = _Layout.of(spec, args, in_axes)
    if layout is None:
        return None
    batched, shared = layout.batched(), layout.shared()
    compiled = spec.plan(layout.key, lambda: _compile(spec, layout, [_sample(x, n) for x in batched]))
    if compiled is None:
        return None
    if any(isinstance(x, Array) for x in batched + shared):
        flat = _recorded(jac_fn, spec, compiled, layout, level)
    elif numpy_out:
        return unflatten(_result_tree(spec, compiled), _run(spec, compiled, layout, batched, shared, level,
                                                            numpy=True)), True
    else:
        flat = _run(spec, compiled, layout, batched, shared, level)
    return unflatten(_result_tree(spec, compiled), [Array(Batched(x._v if isinstance(x, Array) else x, n, level))
                                                     for x in flat]), False


def _sample(x, n):
    """One sample of a batch (a host array), to trace at: the plan depends on
    shapes and dtypes only, so an empty batch traces at zeros."""
    if n == 0:
        return np.zeros(tuple(x.shape[1:]), np.dtype(x.dtype))
    return np.array(np.asarray(value_of(x))[0], order="C")


def _compile(spec, layout, samples):
    """The per-sample plan of spec.f traced at one sample of each batched input
    (host arrays) and the call's shared values, or None."""
    with Frame("jit", sweeps=False) as frame:
        shared = [to_var(x, dtype) for x, dtype in zip(layout.shared(), layout.shared_dtypes())]
        watched = [_engine.watch(to_var(s)) for s in samples] + [_engine.watch(v) for v in shared]
        trace_state.depth = getattr(trace_state, "depth", 0) + 1
        try:
            out = spec.f(*layout.call([Array(v) for v in watched], weak=True))
        except ConcretizationError:
            return None  # value-dependent Python control flow: not one program for every sample
        finally:
            trace_state.depth -= 1
        leaves, out_tree = flatten(out)
        if not leaves or not all(isinstance(x, Array) or (isinstance(x, (float, complex, np.ndarray, np.generic))
                                                          and native(np.asarray(x).dtype) in SUPPORTED_DTYPES)
                                 for x in leaves):
            return None
        out_vars = [to_var(x, x.dtype if isinstance(x, Array) else result_dtype(x)) for x in leaves]
        program = _engine.make_program(frame.tape, watched, out_vars)
    if program.captures:
        return None
    try:
        plan = _engine.batch_plan(program, layout.kinds())
    except _engine.BatchUnsupported:
        return None
    c = _Plan()
    c.plan, c.out_tree = plan, out_tree
    c.out_shapes = [tuple(v.shape) for v in out_vars]
    c.out_dtypes = [np.dtype(v.dtype) for v in out_vars]
    c.in_shapes = [tuple(s.shape) for s in samples[:len(layout.diff)]]
    c.in_dtypes = [np.dtype(s.dtype) for s in samples[:len(layout.diff)]]
    return c


def _result_tree(spec, c):
    """The structure of the flat leaves _run returns."""
    per_input = []
    for dt in c.in_dtypes:
        pair = spec.form == "pair" or (dt.kind == "c" and not spec.holomorphic)
        per_input.append(("p", "p") if pair else "j")
    template = []
    for _ in c.out_shapes:
        entries = [Wirtinger(0.0, 0.0) if e != "j" else 0.0 for e in per_input]
        template.append(tuple(entries) if spec.tuple_argnums else entries[0])
    return flatten(unflatten(c.out_tree, template))[1]


def _requests(spec, c, check):
    """What the plan writes, as (output, input, form, dtype) with the generic path's
    dtypes, and how the flat result leaves are read from them: (index,) for one
    array, (index, index) for a pair, with "check" entries for the holomorphy claim."""
    reqs, layout = [], []

    def add(k, j, form, dtype):
        reqs.append((k, j, form, np.dtype(dtype)))
        return len(reqs) - 1

    for k, out_dtype in enumerate(c.out_dtypes):
        for j, in_dtype in enumerate(c.in_dtypes):
            # Forward mode's dtypes follow the output, reverse mode's the input.
            if spec.name in ("jacrev", "jacobian"):
                want = in_dtype if in_dtype.kind == "c" or out_dtype.kind == "f" else complex_of(in_dtype)
            else:
                want = complex_of(out_dtype) if in_dtype.kind == "c" else out_dtype
            want = complex_of(want)
            if in_dtype.kind == "f":
                # A = B = ½ ∂f/∂x (README, The mathematics in brief); a real Jacobian of a real map takes the real part
                dtype = real_of(want) if out_dtype.kind == "f" else want
                if spec.form == "pair":
                    i = add(k, j, "halfsum", dtype)
                    layout.append((i, i))
                else:
                    layout.append((add(k, j, "sum", dtype),))
            elif spec.holomorphic and spec.form != "pair":
                layout.append((add(k, j, "dz", want),))
                if check:
                    what = f"output {k}, argument {spec.argnums[j] if j < len(spec.argnums) else j}"
                    layout.append(("check", add(k, j, "norms", np.float64), (out_dtype, in_dtype), what))
            else:
                layout.append((add(k, j, "dz", want), add(k, j, "dzbar", want)))
    return reqs, layout


def _leaves(spec, arrays, layout):
    """The flat result leaves from the plan's arrays, after the holomorphy checks."""
    flat = []
    for entry in layout:
        if entry[0] == "check":
            norms = np.asarray(arrays[entry[1]])
            check_norms(spec.name, norms[:, 0], norms[:, 1], entry[2], entry[3], spec.rtol, spec.atol)
        else:
            flat += [arrays[i] for i in entry]
    return flat


def _run(spec, c, layout, batched, shared, level, numpy=False):
    """The flat result leaves (engine values, or NumPy arrays; batch axis first),
    written by the plan in their final layout and dtype."""
    reqs, places = _requests(spec, c, level is not None)
    inputs = [to_var(x) for x in batched] + [to_var(x, d) for x, d in zip(shared, layout.shared_dtypes())]
    arrays = c.plan(inputs, reqs, numpy)
    checked = {e[1] for e in places if e[0] == "check"}
    return _leaves(spec, [np.asarray(a if numpy else a.numpy()) if i in checked else a
                          for i, a in enumerate(arrays)], places)


def _recorded(jac_fn, spec, c, layout, level):
    """As _run, for inputs on a tape (jit's trace, an enclosing transform): one
    primitive over the plan's inputs, whose rules differentiate the generic
    path, and whose replay runs this one again."""

    nb = len(layout.diff) + len(layout.mapped)

    def values(xs, level):
        host = [np.asarray(value_of(x)) for x in xs]
        return [Array(v) for v in _run(spec, c, layout, host[:nb], host[nb:], level)]

    inputs = layout.batched() + layout.shared()
    first = values(inputs, level)
    name = f"vmap({spec.name})"

    def tree(leaves):  # one leaf packs without a copy
        return leaves[0] if len(leaves) == 1 else tuple(leaves)

    packing = Packing(tree(first), name)
    mapped = {i for i, _ in layout.diff + layout.mapped}
    axes = tuple(0 if i in mapped else None for i in range(len(layout.args)))

    def generic(*xs):
        with generic_only():
            out = vmap(jac_fn, in_axes=axes)(*layout.call(xs))
        return packing.pack(tree(flatten(out)[0]))

    def jvp(ins, out, ts):
        return forward(generic, tuple(ins), tuple(0 * x if t is None else t for x, t in zip(ins, ts)))[1]

    def vjp(ins, out, ct, needed):
        return reverse(generic, *ins)[1](ct)

    def record(*xs, first=None):
        # A replay does not repeat the holomorphy check (as jit's other checks).
        fresh = first if first is not None else values(xs, None)
        return primitive(name, list(xs), packing.pack(tree(fresh)), jvp, vjp, record)

    return list(flatten(packing.unpack(record(*inputs, first=first)))[0])


# ---------------------------------------------------------------- on a GPU
_GPU_FORMS = "vmap(jacfwd(f)), vmap(jacrev(f)) or vmap(wirtinger(f)) (jitted or not)"


def on_cuda(jac_fn, spec, args, in_axes, out_axes, kwargs, device):
    """vmap(jac_fn) on a GPU: the per-sample plan run by the CUDA kernels; the
    leaves of the result are DeviceArrays on the inputs' GPU."""
    name = getattr(jac_fn, "__name__", "the function")
    require_cuda(f"vmap({spec.name}({name}))" if spec is not None else f"vmap({name})")
    if spec is None:
        raise ValueError(f"vmap({name}) on a GPU: the GPU runs batched Jacobians, {_GPU_FORMS}; {name} is not "
                         "a Jacobian transform. Pass NumPy arrays (and device=None) to run it on the CPU.")
    if kwargs or out_axes != 0 or spec.has_aux or spec.form not in ("auto", "pair"):
        raise ValueError(f"vmap({spec.name}) on a GPU takes positional arguments, out_axes=0, and no has_aux; "
                         f"got {'keyword arguments, ' if kwargs else ''}out_axes={out_axes!r}, "
                         f"has_aux={spec.has_aux}")
    argnums = [i % len(args) for i in spec.argnums] if args else []
    for i, a in enumerate(args):
        axis = _axis(in_axes, i)
        if isinstance(a, Array):
            raise ValueError(f"vmap({spec.name}) on a GPU takes concrete arrays, but argument {i} is a traced "
                             "value: the GPU path runs outside grad/jacfwd/vmap tracing (jit passes it through)")
        if i not in argnums:
            if axis is not None or any(map(is_gpu_array, flatten(a)[0])):
                raise ValueError(f"vmap({spec.name}) on a GPU maps only the differentiated arguments {argnums}; "
                                 f"argument {i} must be a host value with in_axes None")
            continue
        if not isinstance(axis, (int, np.integer)):
            raise ValueError(f"vmap({spec.name}) on a GPU: argument {i} must be mapped along an int axis, got {axis!r}")
        if (is_gpu_array(a) or type(a).__name__ == "DeviceArray") and int(axis) % max(len(a.shape), 1) != 0:
            raise ValueError(f"vmap({spec.name}) on a GPU: argument {i}, a GPU array of shape {tuple(a.shape)}, "
                             f"must be mapped along axis 0 (got {axis}); move the batch axis first")
    # The layout depends on shapes and dtypes only: GPU arrays stand in as empty host batches.
    stand_in = [np.zeros((0,) + tuple(a.shape[1:]), np.dtype(a.dtype))
                if is_gpu_array(a) or type(a).__name__ == "DeviceArray" else a for a in args]
    layout = _Layout.of(spec, stand_in, in_axes)
    if layout is None:
        raise ValueError(f"vmap({spec.name}) on a GPU: the differentiated arguments must be float or complex arrays, "
                         "and the others host values (numbers, arrays, or hashable constants)")
    inputs, gpu_ids = [], set()
    for i, x in layout.diff:
        a = args[i]
        x = a if is_gpu_array(a) or type(a).__name__ == "DeviceArray" else x
        x = device_put(x, device or _device_of(a))
        gpu_ids.add(x.device)
        inputs.append(x)
    if len(gpu_ids) > 1:
        raise ValueError(f"vmap({spec.name}) on a GPU: the inputs are on {sorted(gpu_ids)}; put them on one GPU")
    key = ("cuda",) + layout.key
    c = spec.plan(key, lambda: _compile(spec, layout, [np.zeros(x.shape[1:], x.dtype) for x in inputs]))
    if c is None:
        raise ValueError(f"vmap({spec.name}) on a GPU: {getattr(spec.f, '__name__', 'f')} is not one per-sample "
                         "program of the batch kernel's primitives (a custom primitive, a running product, "
                         "value-dependent control flow, or a closure over traced values); run it on the CPU")
    reqs, places = _requests(spec, c, True)
    shared = [to_var(x, d) for x, d in zip(layout.shared(), layout.shared_dtypes())]
    arrays = _engine.batch_run_cuda(c.plan, inputs, shared, reqs)
    checked = {e[1] for e in places if e[0] == "check"}
    leaves = _leaves(spec, [a.numpy() if i in checked else a for i, a in enumerate(arrays)], places)
    return unflatten(_result_tree(spec, c), leaves)


def _device_of(x):
    if hasattr(x, "__dlpack_device__") and not isinstance(x, np.ndarray):
        kind, index = x.__dlpack_device__()
        if int(kind) == 2:
            return f"cuda:{int(index)}"
    return "cuda"


register_jacobian_strategies(try_jacobians, on_cuda)
