"""The differential operators: jvp, vjp, grad, Jacobians, Hessians, Wirtinger pairs.

Each call records the function on the C++ tape (eagerly, so any Python control
flow works) and then sweeps the tape in C++: forward for JVPs, backward for
VJPs. Inside another transform, results stay wirtinger arrays and the sweeps
record themselves, so every operator composes with every other.

Conventions (README, The mathematics in brief): the core computes the "adjoint" VJP, w ↦ Aᴴw + Bᵀconj(w);
"transpose" is conj(adjoint(conj(w))). Holomorphic derivatives and Wirtinger
pairs are convention-free.
"""
from __future__ import annotations

import collections
import functools

import threading

import numpy as np

from . import _engine
from . import numpy as wnp
from ._array import Array, SUPPORTED_DTYPES, UNARY, WeakInt, complex_of, native, real_of, result_dtype, to_var
from ._conventions import TRANSPOSE, resolve
from ._tree import LEAF, flatten, unflatten
from .errors import NonHolomorphicError, UnexpectedTracerError

Wirtinger = collections.namedtuple("Wirtinger", ["dz", "dzbar"])
Wirtinger.__doc__ = """The Wirtinger pair of a derivative: dz = ∂f/∂z, dzbar = ∂f/∂z̄.

Both are ordinary arrays of shape ``out.shape + in.shape``; the derivative maps
a tangent t to ``dz·t + dzbar·conj(t)``."""

_CONJ = UNARY["conj"]


# ---------------------------------------------------------------- plumbing
class Frame:
    """One transform's use of the thread's tape (created by the outermost one).
    A frame that does not sweep (jit's trace) needs the program's structure but
    not its values: while only such frames run, the tape keeps no buffers."""

    def __init__(self, name, sweeps=True, deferred=False):
        self.name, self.sweeps, self.deferred = name, sweeps, deferred

    def __enter__(self):
        self.tape, depth = _engine.enter(self.name, self.sweeps, self.deferred)
        self.nested = depth > 1
        # A transform may run inside a sweep (a Python rule differentiating
        # something), where recording is off: its own function must record.
        self._recording = _engine.set_recording(True)
        return self

    def __exit__(self, *exc):
        _engine.set_recording(self._recording)
        _engine.exit()
        return False

    def finish_recording(self):
        """The function has run: from here on this frame only sweeps, and what its
        sweeps record is read by enclosing transforms' sweeps alone."""
        _engine.finish_recording()

    def export(self, v):
        """A result: an Array inside an enclosing transform or batched by vmap, a NumPy array otherwise."""
        if self.nested or _engine.is_batched(v):
            return Array(v)
        return v.numpy_copy()


def check_callable(f, name):
    if not callable(f):
        raise TypeError(f"{name}: expected a function to differentiate as its first argument, "
                        f"got {type(f).__name__} {f!r}")


def _argnums_tuple(argnums, name):
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        return (int(argnums),), False
    if isinstance(argnums, (tuple, list)) and all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                                                  for a in argnums):
        return tuple(int(a) for a in argnums), True
    raise TypeError(f"{name}: argnums must be an int or a tuple of ints, got {argnums!r}")


def _dtype_of(x):
    if isinstance(x, WeakInt):  # an int argument that jit traces: still an int
        return np.dtype(np.int64)
    if isinstance(x, Array):
        return x.dtype
    if isinstance(x, (bool, np.bool_)):
        return np.dtype(bool)
    if isinstance(x, int):
        return np.dtype(np.int64)
    if isinstance(x, float):
        return np.dtype(np.float64)
    if isinstance(x, complex):
        return np.dtype(np.complex128)
    try:
        return native(np.asarray(x).dtype)
    except Exception:  # noqa: BLE001 - reported below as a TypeError
        return None


def input_var(x, name, what, holomorphic=False):
    dtype = _dtype_of(x)
    if dtype is None or dtype.kind not in "biufc":
        raise TypeError(f"{name}: {what} is a {type(x).__name__}, which cannot be differentiated; "
                        "pass float or complex numbers or NumPy arrays")
    if dtype.kind in "biu":
        raise TypeError(f"{name}: {what} has integer dtype {dtype}; only float and complex inputs can be "
                        "differentiated. Pass a float (3.0 instead of 3) or convert with x.astype(float)")
    if dtype not in SUPPORTED_DTYPES:
        raise TypeError(f"{name}: {what} has dtype {dtype}; wirtinger differentiates float32, float64, "
                        "complex64 and complex128")
    if holomorphic and dtype.kind != "c":
        raise TypeError(f"{name}(holomorphic=True): {what} has real dtype {dtype}, but holomorphic derivatives "
                        "need complex inputs. Pass x.astype(complex), or drop holomorphic=True for a real derivative")
    return to_var(x, dtype)


def _seed_var(x, like, name, what):
    """A tangent or cotangent for a value like `like`: same shape; real if like is real."""
    dtype = _dtype_of(x)
    if dtype is None or dtype.kind not in "biufc":
        raise TypeError(f"{name}: {what} is a {type(x).__name__}; expected a number or an array")
    shape = tuple(x.shape) if isinstance(x, Array) else np.shape(x)
    if shape != tuple(like.shape):
        raise ValueError(f"{name}: {what} has shape {shape}, but the value it pairs with has shape "
                         f"{tuple(like.shape)}; they must be equal")
    if dtype.kind == "c" and like.dtype.kind != "c":
        raise TypeError(f"{name}: {what} is complex ({dtype}) but pairs with a real value ({like.dtype}); "
                        "real values have real tangents and cotangents. Pass its real part, or make the value "
                        "complex")
    return to_var(x, like.dtype)


def _watch_args(args, argnums, name, holomorphic):
    """Replaces the differentiated arguments by fresh tape inputs."""
    new_args, groups = list(args), []
    for i in argnums:
        if not -len(args) <= i < len(args):
            raise ValueError(f"{name}: argnums contains {i}, but the function was called with "
                             f"{len(args)} positional argument(s)")
        leaves, treedef = flatten(args[i])
        vs = [_engine.watch_input(input_var(x, name, f"argument {i}", holomorphic)) for x in leaves]
        new_args[i] = unflatten(treedef, [Array(v) for v in vs])
        groups.append((vs, treedef))
    return new_args, groups


def _split_aux(out, has_aux, name):
    if not has_aux:
        return out, None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(f"{name}(has_aux=True): the function must return a pair (output, auxiliary data), "
                        f"got {type(out).__name__}")
    return out[0], out[1]


def _output_vars(out, name):
    leaves, treedef = flatten(out)
    vs = []
    for x in leaves:
        if isinstance(x, Array):
            vs.append(x._v)
            continue
        dtype = _dtype_of(x)
        if dtype is None or dtype.kind not in "biufc":
            raise TypeError(f"{name}: the function returned a {type(x).__name__}; it must return numbers, arrays "
                            "or tuples/lists/dicts of them")
        vs.append(to_var(x, result_dtype(x)))
    return vs, treedef


def _export_aux(frame, aux):
    leaves, treedef = flatten(aux)
    return unflatten(treedef, [frame.export(x._v) if isinstance(x, Array) else x for x in leaves])


def _conj(v):
    return _engine.unary(v, _CONJ) if v.dtype.kind == "c" else v


def _scalar(v, value):
    return _engine.scalar(value, v.dtype)


def _tol(dtypes, rtol, atol):
    eps = max(np.finfo(real_of(d)).eps for d in dtypes)
    return (np.sqrt(eps) if rtol is None else rtol), (np.sqrt(eps) if atol is None else atol)


def _check_holomorphic(name, a, b, dtypes, what, rtol, atol):
    """Raise unless ∂f/∂z̄ is negligible beside ∂f/∂z, judged on the entries where
    both are finite: an inf or nan there is IEEE arithmetic (a pole, a branch
    point, a nan input), not evidence against holomorphy."""
    batch = _engine.extent([a, b])  # under vmap the claim is checked for every sample
    va = np.asarray(_engine.to_structure(a, batch).numpy())
    vb = np.asarray(_engine.to_structure(b, batch).numpy())
    finite = np.isfinite(va) & np.isfinite(vb)
    axes = tuple(range(len(batch), va.ndim))
    ma, mb = np.where(finite, np.abs(va), 0), np.where(finite, np.abs(vb), 0)
    # Scaled by the largest entry, so that squares neither overflow nor underflow.
    scale = np.maximum(np.max(ma, axis=axes, initial=0), np.max(mb, axis=axes, initial=0))
    s = np.expand_dims(np.where(scale > 0, scale, 1), axes)
    na = scale * np.sqrt(np.sum((ma / s) ** 2, axis=axes))
    nb = scale * np.sqrt(np.sum((mb / s) ** 2, axis=axes))
    check_norms(name, na, nb, dtypes, what, rtol, atol)


def check_norms(name, na, nb, dtypes, what, rtol, atol):
    """Raise unless ‖∂f/∂z̄‖ ≤ rtol·‖∂f/∂z‖ + atol (per vmap sample where the norms are arrays)."""
    rtol, atol = _tol(dtypes, rtol, atol)
    bad = ~(nb <= rtol * na + atol)
    if np.any(bad):
        k = tuple(np.argwhere(bad)[0]) if bad.ndim else ()
        sample = f" (vmap sample {k[0] if len(k) == 1 else k})" if k else ""
        raise NonHolomorphicError(
            f"{name}(holomorphic=True): {what} is not holomorphic at this point{sample}: "
            f"‖∂f/∂z̄‖ = {nb[k]:.6g} while ‖∂f/∂z‖ = {na[k]:.6g} (allowed: rtol·‖∂f/∂z‖ + atol with rtol={rtol:.3g}, atol={atol:.3g}). "
            "For a non-holomorphic function use holomorphic=False (its Jacobian is a Wirtinger pair), "
            "wirtinger(f) or vjp; check_holomorphic=False returns JAX's number ∂f/∂z + conj(∂f/∂z̄).")


# ---------------------------------------------------------------- forward and reverse
def jvp(f, primals, tangents, has_aux=False):
    """Forward mode: ``(f(*primals), Df(primals)[tangents])``.

    For complex inputs the tangent map is R-linear: ``Df[t] = A t + B conj(t)``.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> out, t = w.jvp(wnp.conj, (1 + 2j,), (1j,))
    >>> complex(t)
    -1j
    """
    check_callable(f, "jvp")
    for what, seq in (("primals", primals), ("tangents", tangents)):
        if not isinstance(seq, (tuple, list)):
            raise TypeError(f"jvp: {what} must be a tuple or list with one entry per argument of f, "
                            f"got {type(seq).__name__}")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: got {len(primals)} primal(s) but {len(tangents)} tangent(s); "
                         "pass one tangent per primal")
    with Frame("jvp") as frame:
        args, inputs, seeds = [], [], []
        for i, (p, t) in enumerate(zip(primals, tangents)):
            p_leaves, p_tree = flatten(p)
            t_leaves, t_tree = flatten(t)
            if p_tree != t_tree:
                raise ValueError(f"jvp: primal {i} has structure {p_tree} but its tangent has {t_tree}")
            watched = []
            for x, tx in zip(p_leaves, t_leaves):
                v = input_var(x, "jvp", f"primal {i}")
                seeds.append(_seed_var(tx, v, "jvp", f"the tangent of primal {i}"))
                watched.append(_engine.watch_input(v, _engine.structure(seeds[-1])))
            inputs.extend(watched)
            args.append(unflatten(p_tree, [Array(v) for v in watched]))
        out, aux = _split_aux(f(*args), has_aux, "jvp")
        outs, out_tree = _output_vars(out, "jvp")
        frame.finish_recording()
        touts = _engine.jvp_sweep(frame.tape, inputs, seeds, outs, frame.nested)
        result = (unflatten(out_tree, [frame.export(v) for v in outs]),
                  unflatten(out_tree, [frame.export(v) for v in touts]))
        return result + (_export_aux(frame, aux),) if has_aux else result


def vjp(f, *primals, has_aux=False, convention=None):
    """Reverse mode: ``(f(*primals), vjp_fn)``; ``vjp_fn(w)`` returns one cotangent per primal.

    ``convention="adjoint"`` (default; PyTorch, TensorFlow, Zygote) gives
    ``Aᴴw + Bᵀconj(w)``, the true adjoint of the JVP; ``"transpose"`` (JAX)
    gives ``Aᵀw + Bᴴconj(w)``.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> out, vjp_fn = w.vjp(lambda z: 2j * z, 1.0 + 0j)
    >>> complex(vjp_fn(1.0 + 0j)[0]), complex(w.vjp(lambda z: 2j * z, 1.0 + 0j, convention="jax")[1](1.0)[0])
    (-2j, 2j)
    """
    check_callable(f, "vjp")
    return _vjp(f, primals, has_aux, resolve(convention), ())


def _vjp(f, primals, has_aux, conv, batch):
    """vjp, with the primals laid out along the vmap levels of ``batch`` too."""
    with Frame("vjp", deferred=True) as frame:
        args, inputs, trees = [], [], []
        for i, p in enumerate(primals):
            leaves, tree = flatten(p)
            watched = [_engine.watch_input(input_var(x, "vjp", f"primal {i}"), batch) for x in leaves]
            inputs.extend(watched)
            trees.append((tree, len(watched)))
            args.append(unflatten(tree, [Array(v) for v in watched]))
        out, aux = _split_aux(f(*args), has_aux, "vjp")
        outs, out_tree = _output_vars(out, "vjp")
        out_value = unflatten(out_tree, [frame.export(v) for v in outs])
        aux_value = _export_aux(frame, aux) if has_aux else None
        enclosing = _engine.frame_names()[-2] if frame.nested else None
    tape, nested = frame.tape, frame.nested

    def vjp_fn(ct):
        if nested and not tape.recording:
            raise UnexpectedTracerError(
                f"vjp: this vjp function was made inside {enclosing}, which has returned: it escaped {enclosing} "
                f"(through a global, a list, a closure or an attribute), and the values it differentiates at "
                f"existed only inside it. Call it inside {enclosing}, or make it outside")
        ct_leaves, ct_tree = flatten(ct)
        if ct_tree != out_tree:
            raise ValueError(f"vjp_fn: the cotangent has structure {ct_tree} but the function's output has "
                             f"{out_tree}; pass one cotangent per output, shaped like it")
        cts = [_seed_var(c, o, "vjp_fn", "the cotangent") for c, o in zip(ct_leaves, outs)]
        primal = _engine.union(batch, *[_engine.structure(x) for x in inputs])
        wider = _engine.union(primal, *[_engine.structure(c) for c in cts])
        if wider != primal:
            # Cotangents batched by a vmap the primals were not (vjp_fn made outside it, as in
            # vmap(vjp_fn)(basis)): f is recorded again with the primals along those batches.
            return _vjp(f, primals, has_aux, conv, wider)[1](ct)
        if conv == TRANSPOSE:
            cts = [_conj(c) for c in cts]
        res = _engine.vjp_sweep(tape, outs, cts, inputs, nested)
        if conv == TRANSPOSE:
            res = [_conj(r) for r in res]
        exported = [Array(r) if nested or _engine.is_batched(r) else np.array(r.numpy()) for r in res]
        grouped, k = [], 0
        for tree, n in trees:
            grouped.append(unflatten(tree, exported[k:k + n]))
            k += n
        return tuple(grouped)

    return (out_value, vjp_fn, aux_value) if has_aux else (out_value, vjp_fn)


# ---------------------------------------------------------------- gradients
def _group_results(groups, flat, tuple_argnums):
    grouped, k = [], 0
    for vs, tree in groups:
        grouped.append(unflatten(tree, flat[k:k + len(vs)]))
        k += len(vs)
    return tuple(grouped) if tuple_argnums else grouped[0]


def value_and_grad(f, argnums=0, has_aux=False, holomorphic=False, check_holomorphic=True, convention=None,
                   *, rtol=None, atol=None, _name="value_and_grad"):
    """``(f(*args), grad)``; see :func:`grad`."""
    check_callable(f, _name)
    argnums_t, tuple_argnums = _argnums_tuple(argnums, _name)
    resolve(convention)  # an unknown name fails here, not at the first call

    # The common call (one differentiated argument, a plain number or array,
    # outside vmap, a real scalar result, no aux) skips the general
    # bookkeeping; it computes the same thing.
    lean = not has_aux and not holomorphic and not tuple_argnums

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        conv = resolve(convention)  # None: the default in force at this call
        with Frame(_name) as frame:
            watched = _watch_leaf(args, argnums_t[0]) if lean and -len(args) <= argnums_t[0] < len(args) else None
            args, groups = watched or _watch_args(args, argnums_t, _name, holomorphic)
            out, aux = _split_aux(f(*args, **kwargs), has_aux, _name)
            if watched and type(out) is Array and type(out._v) is not _engine.Batched and out._v.ndim == 0 \
                    and out._v.dtype.kind != "c":
                # The non-holomorphic sweep below, without its lists and groups (a
                # microsecond of a scalar call's ten).
                y, (xv,) = out._v, groups[0][0]
                frame.finish_recording()
                (g,) = _engine.vjp_sweep(frame.tape, [y], [_scalar(y, 1.0)], [xv], frame.nested)
                return frame.export(y), frame.export(_conj(g) if conv == TRANSPOSE else g)
            outs, out_tree = _output_vars(out, _name)
            if len(outs) != 1 or out_tree.kind != "leaf" or tuple(outs[0].shape) != ():
                shape = tuple(outs[0].shape) if len(outs) == 1 else f"a {out_tree} of {len(outs)} arrays"
                raise TypeError(f"{_name}: the function must return a scalar (shape ()), got {shape}. "
                                "grad applies to scalar-output functions; for other outputs use jacobian, "
                                "jacfwd/jacrev or vjp")
            y = outs[0]
            inputs = [v for vs, _ in groups for v in vs]
            if not holomorphic:
                if y.dtype.kind == "c":
                    raise TypeError(
                        f"{_name}: the function returns a complex value ({y.dtype}), and the gradient is defined for "
                        "real-valued functions. For a holomorphic f use holomorphic=True (gives f'(z)); for any "
                        "complex f use wirtinger(f) for the pair (∂f/∂z, ∂f/∂z̄), or vjp for a chosen cotangent")
                frame.finish_recording()
                grads = _engine.vjp_sweep(frame.tape, [y], [_scalar(y, 1.0)], inputs, frame.nested)
                if conv == TRANSPOSE:
                    grads = [_conj(g) for g in grads]
            else:
                yc = _engine.cast(y, complex_of(y.dtype))
                frame.finish_recording()
                v1 = _engine.vjp_sweep(frame.tape, [yc], [_scalar(yc, 1.0)], inputs, frame.nested)
                if not check_holomorphic:
                    grads = [_conj(v) for v in v1]  # A + conj(B), JAX's number
                else:
                    v2 = _engine.vjp_sweep(frame.tape, [yc], [_scalar(yc, 1j)], inputs, frame.nested)
                    grads = []
                    for k, (a1, a2) in enumerate(zip(v1, v2)):
                        a, b = _pair_from_rows(a1, a2)
                        _check_holomorphic(_name, a._v, b._v, (y.dtype, a1.dtype),
                                           _describe_input(groups, argnums_t, k), rtol, atol)
                        grads.append(a._v)
            value = frame.export(y)
            g = _group_results(groups, [frame.export(v) for v in grads], tuple_argnums)
            if has_aux:
                return (value, _export_aux(frame, aux)), g
            return value, g

    return wrapped


_PLAIN_LEAVES = frozenset({float, complex, np.float64, np.complex128, np.float32, np.complex64, np.ndarray, Array})
_NUMBERS = frozenset({float, complex, np.float64, np.complex128})  # float64 and complex128 values


def _watch_leaf(args, i):
    """_watch_args for one differentiated argument that is a plain number or array
    outside vmap, or None where that is not the case."""
    x = args[i]
    if type(x) not in _PLAIN_LEAVES or _engine.active():
        return None
    if type(x) in _NUMBERS:  # one C++ call: its Array and the watched value
        array, xv = _engine.watch_number(x)
    else:
        if type(x) is Array:
            v = x._v
            if type(v) is _engine.Batched:
                return None
        else:
            dtype = _dtype_of(x)
            if dtype not in SUPPORTED_DTYPES:
                return None
            v = to_var(x, dtype)
        xv = _engine.watch_input(v)
        array = Array(xv)
    new_args = list(args)
    new_args[i] = array
    return new_args, [([xv], LEAF)]


def grad(f, argnums=0, has_aux=False, holomorphic=False, check_holomorphic=True, convention=None, *,
         rtol=None, atol=None):
    """The gradient of a real scalar function, ``vjp(f, *args)[1](1.0)``.

    "adjoint" (default): ∂f/∂x + i∂f/∂y = 2∂f/∂z̄, the direction of steepest
    ascent. "transpose" (JAX): ∂f/∂x − i∂f/∂y = 2∂f/∂z. With
    ``holomorphic=True``, f'(z) = ∂f/∂z in either convention, after checking
    that ∂f/∂z̄ vanishes (NonHolomorphicError otherwise).

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> f = lambda z: wnp.real(z * wnp.exp(1.5j))
    >>> complex(w.grad(f)(2.3 + 4.5j))
    (0.0707372016677029-0.9974949866040544j)
    >>> complex(w.grad(f, convention="jax")(2.3 + 4.5j))
    (0.0707372016677029+0.9974949866040544j)
    """
    vg = value_and_grad(f, argnums, has_aux, holomorphic, check_holomorphic, convention, rtol=rtol, atol=atol,
                        _name="grad")

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        if has_aux:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        return vg(*args, **kwargs)[1]

    return wrapped


def _describe_input(groups, argnums, k):
    for (vs, _), i in zip(groups, argnums):
        if k < len(vs):
            return f"argument {i}" + (f" (leaf {k})" if len(vs) > 1 else "")
        k -= len(vs)
    return "an input"


def _pair_from_rows(r1, r2):
    """(A, B) from the adjoint VJPs with cotangents 1 and i."""
    a, b = _engine.pair_from_vjps(r1, r2)
    return Array(a), Array(b)


# ---------------------------------------------------------------- Jacobians
def _layout_columns(cols, out_shape, in_shape):
    """(n, *out) stacked JVP columns → out + in."""
    n = int(np.prod(in_shape, dtype=np.int64))
    m = int(np.prod(out_shape, dtype=np.int64))
    v = _engine.reshape(cols, [n, m])
    v = _engine.transpose(v, [1, 0])
    return _engine.reshape(v, list(out_shape) + list(in_shape))


def _derivative_table(frame, inputs, outs, mode):
    """table[k][j] = ("real", J) for a real input j, or ("pair", A, B), for output k."""
    table = [[None] * len(inputs) for _ in outs]
    tape, nested = frame.tape, frame.nested
    if mode == "fwd":
        for j, x in enumerate(inputs):
            c1 = _engine.jac_columns(tape, inputs, j, outs, nested, False, True)
            c2 = _engine.jac_columns(tape, inputs, j, outs, nested, True, True) if x.dtype.kind == "c" else None
            for k, y in enumerate(outs):
                j1 = Array(_layout_columns(c1[k], y.shape, x.shape))
                if c2 is None:
                    table[k][j] = ("real", j1)
                else:
                    a, b = _engine.pair_from_jvps(j1._v, _layout_columns(c2[k], y.shape, x.shape))
                    table[k][j] = ("pair", Array(a), Array(b))
    else:
        for k, y in enumerate(outs):
            r1 = _engine.jac_columns(tape, outs, k, inputs, nested, False, False)
            r2 = _engine.jac_columns(tape, outs, k, inputs, nested, True, False) if y.dtype.kind == "c" else None
            for j, x in enumerate(inputs):
                shape = list(y.shape) + list(x.shape)
                a1 = Array(_engine.reshape(r1[j], shape))
                a2 = Array(_engine.reshape(r2[j], shape)) if r2 is not None else None
                if x.dtype.kind != "c":
                    table[k][j] = ("real", a1 if a2 is None else Array(_engine.d_dx_from_vjps(a1._v, a2._v)))
                elif a2 is None:  # a real output
                    a, b = _engine.pair_of_real_output(a1._v)
                    table[k][j] = ("pair", Array(a), Array(b))
                else:
                    a, b = _pair_from_rows(a1._v, a2._v)
                    table[k][j] = ("pair", a, b)
    return table


def _real_blocks(entry, out_var):
    """∂(re, im of the output)/∂(re, im of the input) from a table entry."""

    out_complex, axis = out_var.dtype.kind == "c", len(out_var.shape)
    if entry[0] == "real":
        jac = entry[1]
        return wnp.stack([wnp.real(jac), wnp.imag(jac)], axis=axis) if out_complex else jac
    a, b = entry[1], entry[2]
    dx, dy = Array(_engine.d_dx(a._v, b._v)), Array(_engine.d_dy(a._v, b._v))
    if not out_complex:
        return wnp.stack([wnp.real(dx), wnp.real(dy)], axis=-1)
    rows = [wnp.stack([wnp.real(dx), wnp.real(dy)], axis=-1), wnp.stack([wnp.imag(dx), wnp.imag(dy)], axis=-1)]
    return wnp.stack(rows, axis=axis)


_PLAN_CACHE_SIZE = 64  # plans kept per Jacobian function, as jit keeps programs
_MISSING = object()
_plan_lock = threading.Lock()


class JacobianSpec:
    """What a Jacobian transform (jacfwd, jacrev, wirtinger) was asked for, kept
    on the function it returns: vmap consults it for a faster way to map that
    function than batching op by op (its strategies), which cache their plans
    here."""

    __slots__ = ("owner", "f", "argnums", "tuple_argnums", "has_aux", "holomorphic", "form", "name", "rtol", "atol",
                 "plans", "__weakref__")

    def __init__(self, owner, f, argnums, tuple_argnums, has_aux, holomorphic, form, name, rtol, atol):
        # functools.wraps copies attributes onto wrappers (grad(jacfwd(f))): only
        # the Jacobian function itself has the spec as its own.
        self.owner = owner
        self.f, self.argnums, self.tuple_argnums = f, argnums, tuple_argnums
        self.has_aux, self.holomorphic, self.form, self.name = has_aux, holomorphic, form, name
        self.rtol, self.atol = rtol, atol
        # signature -> _Plan, or None where the plan cannot express f; least recently used first
        self.plans = collections.OrderedDict()

    def plan(self, key, make):
        """The plan for key, made by make() on a miss; at most _PLAN_CACHE_SIZE are kept."""
        with _plan_lock:
            hit = self.plans.get(key, _MISSING)
            if hit is not _MISSING:
                self.plans.move_to_end(key)
                return hit
        made = make()  # outside the lock: it traces the user's function
        with _plan_lock:
            self.plans[key] = made
            while len(self.plans) > _PLAN_CACHE_SIZE:
                self.plans.popitem(last=False)
        return made


def jacobian_spec(fun):
    """The JacobianSpec of a function jacfwd, jacrev or wirtinger returned, else None."""
    spec = getattr(fun, "_jacobian_spec", None)
    return spec if spec is not None and spec.owner is fun else None


def _jacobian(f, argnums, has_aux, holomorphic, mode, name, form="auto", rtol=None, atol=None):
    """form: "auto" (an array for real inputs, a pair or ∂f/∂z for complex ones),
    "pair" (always a Wirtinger pair) or "real" (the real Jacobian)."""
    check_callable(f, name)
    argnums_t, tuple_argnums = _argnums_tuple(argnums, name)

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        with Frame(name) as frame:
            args, groups = _watch_args(args, argnums_t, name, holomorphic)
            out, aux = _split_aux(f(*args, **kwargs), has_aux, name)
            outs, out_tree = _output_vars(out, name)
            inputs = [v for vs, _ in groups for v in vs]
            frame.finish_recording()
            table = _derivative_table(frame, inputs, outs, mode)
            per_output = []
            for k, row in enumerate(table):
                flat = []
                for j, entry in enumerate(row):
                    if form == "real":
                        flat.append(frame.export(_real_blocks(entry, outs[k])._v))
                    elif entry[0] == "real":
                        jac = entry[1]
                        half = _engine.pair_of_real_input(jac._v)
                        flat.append(Wirtinger(frame.export(half), frame.export(half)) if form == "pair"
                                    else frame.export(jac._v))
                    elif holomorphic:
                        _check_holomorphic(name, entry[1]._v, entry[2]._v, (outs[k].dtype, inputs[j].dtype),
                                           f"output {k}, " + _describe_input(groups, argnums_t, j), rtol, atol)
                        flat.append(frame.export(entry[1]._v))
                    else:
                        flat.append(Wirtinger(frame.export(entry[1]._v), frame.export(entry[2]._v)))
                per_output.append(_group_results(groups, flat, tuple_argnums))
            result = unflatten(out_tree, per_output)
            return (result, _export_aux(frame, aux)) if has_aux else result

    wrapped._jacobian_spec = JacobianSpec(wrapped, f, argnums_t, tuple_argnums, has_aux, holomorphic, form, name, rtol,
                                          atol)
    return wrapped


def jacfwd(f, argnums=0, has_aux=False, holomorphic=False, *, rtol=None, atol=None):
    """The Jacobian by forward mode, shaped ``out.shape + in.shape``.

    Real inputs give ∂f/∂x; complex inputs give ``Wirtinger(dz, dzbar)``, or
    ∂f/∂z with ``holomorphic=True`` (checked).

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> w.jacfwd(lambda z: z * wnp.conj(z))(1 + 2j)
    Wirtinger(dz=array(1.-2.j), dzbar=array(1.+2.j))
    """
    return _jacobian(f, argnums, has_aux, holomorphic, "fwd", "jacfwd", rtol=rtol, atol=atol)


def jacrev(f, argnums=0, has_aux=False, holomorphic=False, *, rtol=None, atol=None):
    """The Jacobian by reverse mode; same results as :func:`jacfwd`."""
    return _jacobian(f, argnums, has_aux, holomorphic, "rev", "jacrev", rtol=rtol, atol=atol)


def jacobian(f, argnums=0, has_aux=False, holomorphic=False, *, rtol=None, atol=None):
    """The Jacobian (reverse mode, as JAX's ``jacobian``); see :func:`jacfwd`."""
    return _jacobian(f, argnums, has_aux, holomorphic, "rev", "jacobian", rtol=rtol, atol=atol)


def wirtinger(f, argnums=0, has_aux=False):
    """The Wirtinger pair ``Wirtinger(dz=∂f/∂z, dzbar=∂f/∂z̄)`` of any f, any dtypes.

    For a real input x, ``dz = dzbar = ½ ∂f/∂x``.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> w.wirtinger(wnp.abs2)(1 + 2j)
    Wirtinger(dz=array(1.-2.j), dzbar=array(1.+2.j))
    """
    return _jacobian(f, argnums, has_aux, False, "fwd", "wirtinger", form="pair")


def real_jacobian(f, argnums=0, has_aux=False):
    """The Jacobian of ``x ↦ view_as_real(f(view_as_complex(x)))``.

    Complex outputs and inputs gain an axis of size 2 (real, imaginary), as
    ``torch.view_as_real`` does: the result has shape
    ``out.shape [+ (2,)] + in.shape [+ (2,)]``.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> bool((w.real_jacobian(wnp.conj)(1 + 2j) == [[1, 0], [0, -1]]).all())
    True
    """
    return _jacobian(f, argnums, has_aux, False, "fwd", "real_jacobian", form="real")


# ---------------------------------------------------------------- second order
def hessian(f, argnums=0, has_aux=False, holomorphic=False, convention=None):
    """``jacfwd(grad(f))``; for complex inputs a Wirtinger pair describing v ↦ Hv.

    With ``holomorphic=True``, the complex second derivative f''(z).

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> complex(w.hessian(wnp.sin, holomorphic=True)(1j))  # -sin(1j)
    -1.1752011936438014j
    """
    g = grad(f, argnums, has_aux=has_aux, holomorphic=holomorphic, convention=convention)
    return jacfwd(g, argnums, has_aux=has_aux, holomorphic=holomorphic)


def hvp(f, primals, tangents, convention=None):
    """The Hessian-vector product ``jvp(grad(f), primals, tangents)[1]`` (forward over reverse)."""
    return jvp(grad(f, convention=convention), primals, tangents)[1]
