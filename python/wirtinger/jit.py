"""jit: trace a function once per input signature and replay it in C++.

The first call with a signature (shapes, dtypes, weak scalars, pytree
structure, static arguments, the convention in force) runs the function
eagerly while recording it, exactly as a transform records; the slice of the
tape it wrote becomes a Program. Later calls replay the Program: one C++ loop
over its steps, with the GIL released, that keeps only the values later steps
read. Derivatives taken inside the function (``jit(grad(f))``) were recorded
as operations too, so they are replayed like the rest; a replay inside a
transform (``grad(jit(f))``) is recorded by that transform like eager code.
"""
from __future__ import annotations

import collections
import functools
import threading

import numpy as np

from . import _compiled, _engine
from . import device as _device
from ._array import Array, SUPPORTED_DTYPES, WeakArray, WeakInt, trace_state, native, result_dtype, to_var
from . import _conventions
from ._conventions import get_convention
from ._tree import flatten, unflatten
from .transforms import Frame, check_callable

STATIC, ARRAY = 0, 1
_lock = threading.Lock()


def _static_key(x, where):
    if isinstance(x, np.ndarray):  # integer index arrays and the like: keyed by value
        return ("ndarray", x.dtype.str, x.shape, x.tobytes())
    try:
        hash(x)
    except TypeError:
        raise TypeError(f"jit: {where} is a {type(x).__name__}, which is neither an array nor hashable, so jit "
                        "cannot key its cache on it; pass arrays, numbers or hashable values, or make it static "
                        "with static_argnums and a hashable value") from None
    return (type(x), x)


_F64 = np.dtype(np.float64)
_EXACT_INT = (-(1 << 53), 1 << 53)  # the ints float64 holds exactly: traced; the rest static


def leaf_spec(x, where, ints=True):
    """(kind, key, dtype, wrapper) of an argument leaf: float and complex values are
    traced, Python ints too (weakly, as float64) unless ``ints`` is false, the rest
    static. ``wrapper`` is the class a traced leaf is seen as (WeakArray for a weak
    scalar, WeakInt for an int), or None for a plain Array."""
    if type(x) is int and ints and _EXACT_INT[0] <= x <= _EXACT_INT[1]:
        return ARRAY, ((), "int", True), _F64, WeakInt
    if isinstance(x, Array):
        wrapper = type(x) if isinstance(x, WeakArray) else None
        return ARRAY, (tuple(x.shape), x.dtype.str, wrapper is not None), x.dtype, wrapper
    if isinstance(x, (float, complex)) and not isinstance(x, np.generic):
        dtype = result_dtype(x)
        return ARRAY, ((), dtype.str, True), dtype, WeakArray
    if isinstance(x, (np.ndarray, np.generic)) and native(x.dtype) in SUPPORTED_DTYPES:
        dtype = native(x.dtype)
        return ARRAY, (tuple(x.shape), dtype.str, False), dtype, None
    return STATIC, _static_key(x, where), None, None


class _Entry:
    __slots__ = ("program", "out_tree", "out_static", "assemble", "mode")

    def __init__(self, program, out_tree, out_static):
        self.program, self.out_tree, self.out_static = program, out_tree, out_static
        self.assemble = _assembler(out_tree, out_static)
        # For the C++ latency path: 0 one array, 1 a flat tuple, 2 through assemble.
        self.mode = {_LEAF_ASSEMBLE: 0, tuple: 1}.get(self.assemble, 2)


def _assembler(out_tree, out_static):
    """The function that puts a replay's NumPy outputs into the traced result's
    structure: the common shapes (one array, a flat tuple of arrays) directly."""
    if all(s is None for s in out_static):
        if out_tree == _LEAF:
            return _LEAF_ASSEMBLE
        if out_tree == _tuple_of(len(out_static)):
            return tuple
    def assemble(outs):
        it = iter(outs)
        return unflatten(out_tree, [next(it) if s is None else s for s in out_static])
    return assemble


_LEAF = flatten(0.0)[1]


def _LEAF_ASSEMBLE(outs):
    return outs[0]


def _tuple_of(n):
    return flatten((0.0,) * n)[1]


def jit(fun, static_argnums=(), static_argnames=(), *, cache_size=64):
    """``fun`` compiled to a replayable C++ program per input signature, as ``jax.jit``.

    * Float and complex arrays and Python numbers are traced, Python ints too
      (weakly typed, as float64 scalars, as JAX traces them: a step counter
      does not trace again for each value); using a traced int as a shape, an
      index or a count raises ``ConcretizationError`` pointing to
      ``static_argnums``. Other arguments (strings, None, bools, integer index
      arrays, ints beyond 2**53) and those named by
      ``static_argnums``/``static_argnames`` are part of the signature, by value.
    * A new signature traces again; at most ``cache_size`` programs are kept
      (least recently used first out).
    * Inside the function, values are concrete during the trace but must not
      decide anything: ``if x > 0``, ``float(x)`` or ``np.asarray(x)`` raise
      ``ConcretizationError`` naming the line. Use ``wnp.where``.
    * It composes with every transform in either order: ``jit(grad(f))``,
      ``grad(jit(f))``, ``jit(hessian(f))``, ``jacfwd(jit(f))``.
    * Checks made while tracing (``holomorphic=True``, eigenvector phases) are
      not repeated on replay.
    * ``jit(vmap(f))`` traces the batched program; inside vmap (``vmap(jit(f))``)
      a call with batched values runs ``fun`` directly.
    * Runs of element-wise steps over 8192 elements or more are also compiled
      to one C++ loop each, in a background thread with the machine's C++
      compiler, and used once ready (same values; cached on disk).
      ``WIRTINGER_JIT_COMPILE=sync`` waits for them, ``off`` never compiles.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> f = w.jit(w.value_and_grad(lambda z: wnp.real(z * wnp.exp(1.5j))))
    >>> value, g = f(2.3 + 4.5j)
    >>> complex(g) == complex(w.grad(lambda z: wnp.real(z * wnp.exp(1.5j)))(2.3 + 4.5j))
    True
    """
    check_callable(fun, "jit")
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    if isinstance(static_argnames, str):
        static_argnames = (static_argnames,)
    static_argnums, static_argnames = tuple(static_argnums), tuple(static_argnames)
    if not (isinstance(cache_size, int) and cache_size >= 1):
        raise ValueError(f"jit: cache_size must be a positive int, got {cache_size!r}")
    cache = collections.OrderedDict()
    # Calls whose arguments are all plain arrays or numbers skip pytree flattening:
    # keyed by (type, shape, dtype) per argument, this is the latency path.
    fast = {}
    simple = not static_argnums and not static_argnames
    # The same for plain arguments at top level, looked up and run in C++.
    dispatch = _engine.JitDispatch(_conventions, list(_NUMPY_SCALARS), _EXACT_INT)
    miss = dispatch.miss

    @functools.wraps(fun)
    def jitted(*args, **kwargs):
        if simple and not kwargs:
            # (Also where the C++ call raised: through the binding, its exception
            # becomes the Python exception registered for it.)
            out = dispatch(args)
            if out is not miss:
                return out
            key = _fast_key(args)
            if key is not None:
                hit = fast.get((key, get_convention()))
                if hit is not None:
                    entry, dtypes, plain = hit
                    if plain and _engine.depth() == 0:
                        return entry.assemble(entry.program.run_numpy(args, dtypes))
                    return _replay_vars(entry, [_engine.from_numpy(np.asarray(x, dtype, order="C")) if type(x) is not Array
                                                else x._v for x, dtype in zip(args, dtypes)])
        n = len(args)
        static_pos = set()
        for i in static_argnums:
            if not -n <= i < n:
                raise ValueError(f"jit: static_argnums contains {i}, but {getattr(fun, '__name__', 'the function')} "
                                 f"was called with {n} positional argument(s)")
            static_pos.add(i % n)
        statics = tuple((i, _static_key(args[i], f"static argument {i}")) for i in sorted(static_pos))
        statics += tuple((k, _static_key(kwargs[k], f"static argument {k!r}")) for k in static_argnames if k in kwargs)
        dyn_args = [a for i, a in enumerate(args) if i not in static_pos]
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in static_argnames}
        leaves, treedef = flatten((dyn_args, dyn_kwargs))
        if any(isinstance(x, Array) and type(x._v) is _engine.Batched for x in leaves):
            return fun(*args, **kwargs)  # under vmap: f runs on the batched values, each operation batched
        if getattr(fun, "_wirtinger_device", None) not in (None, "cpu") or any(map(_device.is_gpu_array, leaves)):
            return fun(*args, **kwargs)  # the GPU path: vmap runs its cached per-sample plan as one kernel
        specs = [leaf_spec(x, "an argument") for x in leaves]
        key = (treedef, statics, tuple((k, s) for k, s, _, _ in specs), get_convention())
        with _lock:
            entry = cache.get(key)
            if entry is not None:
                cache.move_to_end(key)
        traced = entry is None
        if traced:
            entry, result = _trace_call(fun, args, kwargs, static_pos, static_argnames, leaves, treedef, specs)
            if entry is not None:
                with _lock:
                    cache[key] = entry
                    while len(cache) > cache_size:
                        cache.popitem(last=False)
                        fast.clear()
                        dispatch.clear()
        if simple and not kwargs and all(s[0] == ARRAY for s in specs):
            fkey = _fast_key(args)
            if fkey is not None and entry is not None:
                plain = all(type(a) is not Array for a in args)
                dtypes = [s[2] for s in specs]
                fast[(fkey, get_convention())] = (entry, dtypes, plain)
                if plain:
                    with _lock:
                        dispatch.add(args, entry.program, dtypes, entry.mode, entry.assemble)
        return result if traced else _replay(entry, leaves, specs)

    def clear_cache():
        with _lock:
            cache.clear()
            fast.clear()
            dispatch.clear()

    def cache_info():
        """The number of traced programs kept and their lengths (for tests and tuning)."""
        with _lock:
            return [len(e.program) for e in cache.values()]

    def programs():
        with _lock:
            return [e.program for e in cache.values()]

    # The function users call: a C++ callable that serves calls of a known
    # signature with plain arguments itself and passes the rest to `jitted`.
    compiled = functools.update_wrapper(_engine.JitFunction(dispatch, jitted), fun)
    compiled.cache_info = cache_info
    compiled.clear_cache = clear_cache
    compiled._programs = programs
    return compiled


_NUMPY_SCALARS = frozenset(np.dtype(d).type for d in SUPPORTED_DTYPES)


def _fast_key(args):
    key = []
    for a in args:
        t = type(a)
        if t is float or t is complex or t in _NUMPY_SCALARS:
            key.append(t)
        elif t is int and _EXACT_INT[0] <= a <= _EXACT_INT[1]:  # traced as leaf_spec traces it
            key.append(t)
        elif t is np.ndarray or (t is Array and type(a._v) is not _engine.Batched):
            key.append((t, a.shape, a.dtype))
        else:
            return None
    return tuple(key)


def _input_vars(leaves, specs):
    return [to_var(x, dtype) for x, (kind, _, dtype, _) in zip(leaves, specs) if kind == ARRAY]


def _trace_call(fun, args, kwargs, static_pos, static_argnames, leaves, treedef, specs):
    with Frame("jit", sweeps=False) as frame:
        watched = [_engine.watch(v) for v in _input_vars(leaves, specs)]
        it = iter(watched)
        traced = [(wrapper or Array)(next(it)) if kind == ARRAY else x
                  for x, (kind, _, _, wrapper) in zip(leaves, specs)]
        dyn_args, dyn_kwargs = unflatten(treedef, traced)
        dyn_iter = iter(dyn_args)
        call_args = [args[i] if i in static_pos else next(dyn_iter) for i in range(len(args))]
        call_kwargs = dict(dyn_kwargs, **{k: kwargs[k] for k in static_argnames if k in kwargs})
        trace_state.depth = getattr(trace_state, "depth", 0) + 1
        try:
            out = fun(*call_args, **call_kwargs)
        finally:
            trace_state.depth -= 1
        out_leaves, out_tree = flatten(out)
        out_vars, out_static = [], []
        for x in out_leaves:
            if isinstance(x, Array) or (isinstance(x, (float, complex, np.ndarray, np.generic))
                                        and native(np.asarray(x).dtype) in SUPPORTED_DTYPES):
                out_vars.append(to_var(x, x.dtype if isinstance(x, Array) else result_dtype(x)))
                out_static.append(None)
            else:
                out_static.append(x)  # ints, strings, None: returned as they were
        # A result batched by an enclosing vmap through a closure holds this call's samples.
        batched = any(_engine.is_batched(v) for v in out_vars)
        program = None if batched else _engine.make_program(frame.tape, watched, out_vars)
        it = iter(out_vars)
        result = unflatten(out_tree, [frame.export(next(it)) if s is None else s for s in out_static])
    # A program that reads a value of an enclosing transform through a closure is
    # valid for this call only: the next call's closure holds another value.
    entry = None if program is None or program.captures else _Entry(program, out_tree, out_static)
    if entry is not None:
        _compiled.compile_program(program)
    return entry, result


def _replay(entry, leaves, specs):
    return _replay_vars(entry, _input_vars(leaves, specs))


def _replay_vars(entry, inputs):
    outs = entry.program(inputs)
    nested = _engine.depth() > 0
    it = iter(outs)
    leaves = []
    for s in entry.out_static:
        if s is None:
            v = next(it)
            leaves.append(Array(v) if nested else np.array(v.numpy()))
        else:
            leaves.append(s)
    return unflatten(entry.out_tree, leaves)


__all__ = ["jit"]
