"""vmap: a function mapped over an axis of its arguments, as ``jax.vmap``.

The function runs once, on batched values (``_engine``): every operation
handles all samples in one C++ call, and the transforms inside it (grad,
jacfwd, jit, ...) sweep the batched tape once, which gives every sample's
derivative because the samples are independent.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from . import _engine
from . import device as _device
from ._array import Array, Mask, result_dtype
from ._engine import Batched
from ._tree import flatten, unflatten
from .transforms import check_callable, jacobian_spec


class _Strategies:
    """Faster ways to map a Jacobian transform (transforms.JacobianSpec) than
    batching it op by op, registered by the layer that implements them (the
    per-sample plans of _batch_jacobian):

    jacobians(f, spec, args, in_axes, n, level, numpy_out) -> (result, done) or
        None, where vmap then batches op by op;
    on_gpu(f, spec, args, in_axes, out_axes, kwargs, device) -> the result of a
        vmap with GPU arrays or device="cuda", which only this way can run.
    """

    jacobians = None
    on_gpu = None


_strategies = _Strategies()


def register_jacobian_strategies(jacobians, on_gpu):
    _strategies.jacobians, _strategies.on_gpu = jacobians, on_gpu


def vmap(f, in_axes=0, out_axes=0, *, device=None):
    """``f`` mapped over an axis of its arguments, as ``jax.vmap``: the result holds
    ``f`` of each sample, stacked along ``out_axes``.

    * ``in_axes``: an int (the axis of every positional argument to map), None (not
      mapped: the same value for every sample), or a tuple with one entry per
      positional argument, each an int, None or a pytree prefix of the argument
      (a dict, list or tuple of ints and Nones). Negative axes count from the end.
      Keyword arguments are mapped along their axis 0, as in JAX.
    * ``out_axes``: where the batch axis goes in each output (an int, or a pytree
      prefix of the output); None for an output that is the same for every sample.
    * ``device``: None (the inputs decide: GPU arrays, such as CuPy arrays, PyTorch
      CUDA tensors or ``DeviceArray``s, select the GPU), "cpu", "cuda" or "cuda:N". On
      a GPU, vmap runs batched Jacobians, ``vmap(jacfwd(f))``, ``vmap(jacrev(f))`` and
      ``vmap(wirtinger(f))``, as one CUDA kernel; inputs come in through DLPack without
      a copy and the results are ``DeviceArray``s on that GPU. Without a GPU it raises
      ``CudaError``.
    * Mapped arguments are float or complex arrays with equal sizes along their
      mapped axes; anything else passes through unmapped with ``in_axes=None``.
    * It composes with every transform, either way round: ``vmap(grad(f))`` gives
      per-sample gradients, ``jacfwd(vmap(f))``, ``jit(vmap(jacfwd(f)))``,
      ``vmap(vmap(f))``. The work is vectorised over the samples, never a Python loop.
    * Inside ``f``, values differ from sample to sample, so they cannot decide Python
      control flow (``if x > 0``, ``float(x)``): that raises ``ConcretizationError``
      naming the line. Use ``wnp.where``.

    >>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
    >>> xs = np.array([0.0, 0.5, 1.0])
    >>> w.vmap(w.grad(lambda x: wnp.sin(x) ** 2))(xs)  # 2 sin(x) cos(x) per sample
    array([0.        , 0.84147098, 0.90929743])
    >>> w.vmap(lambda a, b: a @ b, in_axes=(None, 1))(np.eye(2), np.arange(6.0).reshape(2, 3))
    array([[0., 3.],
           [1., 4.],
           [2., 5.]])
    """
    check_callable(f, "vmap")
    if isinstance(in_axes, list):  # the spec of the positional arguments, as a tuple (JAX does the same)
        in_axes = tuple(in_axes)
    _check_spec(in_axes, "in_axes")
    _check_spec(out_axes, "out_axes")
    device = _device.check_device(device, "vmap")
    names = []  # the positional parameters' names, for messages

    @functools.wraps(f)
    def mapped(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(f"vmap: in_axes must be an int, None, or a tuple with one entry per positional "
                             f"argument of the function, but got len(in_axes)={len(in_axes)} for {len(args)} "
                             f"positional argument(s)")
        if len(names) < len(args):
            names[:] = _argument_names(f, len(args))
        mapped_leaves = []  # (where, leaf, axis), in the order of flatten
        new_args = []
        for i, a in enumerate(args):
            spec = in_axes[i] if isinstance(in_axes, tuple) else in_axes
            new_args.append(_map_tree(a, spec, f"argument {i}{names[i]}", "in_axes", mapped_leaves))
        new_kwargs = {k: _map_tree(v, 0, f"keyword argument {k!r}", None, mapped_leaves)
                      for k, v in kwargs.items()}
        if not mapped_leaves:
            raise ValueError("vmap must have at least one non-None value in in_axes "
                             "(and no keyword arguments to map): there is nothing to map over")
        gpu_leaves = [where for where, x, _ in mapped_leaves if _device.is_gpu_array(x)]
        if device == "cpu" and gpu_leaves:
            raise TypeError(f"vmap(device='cpu'): {gpu_leaves[0]} is a GPU array; copy it to the host first "
                            "(numpy.asarray, .cpu()) or use device='cuda'")
        if (device is not None and device != "cpu") or gpu_leaves:
            return _strategies.on_gpu(f, jacobian_spec(f), args, in_axes, out_axes, kwargs, device)
        n = _batch_size(mapped_leaves)
        level = _engine.new_level()
        nested = _engine.depth() > 0 or bool(_engine.active())
        spec = jacobian_spec(f)
        if spec is not None and not kwargs and _strategies.jacobians is not None:
            plain = not nested and isinstance(out_axes, int) and out_axes == 0
            fast = _strategies.jacobians(f, spec, args, in_axes, n, level, numpy_out=plain)
            if fast is not None:
                out, done = fast
                return out if done else _unbatch(out, out_axes, level, n, nested)
        batched = [_batch(leaf, axis, n, level) for _, leaf, axis in mapped_leaves]
        it = iter(batched)
        new_args = [_fill(a, it) for a in new_args]
        new_kwargs = {k: _fill(v, it) for k, v in new_kwargs.items()}
        with _engine.running([(level, n)]):
            out = f(*new_args, **new_kwargs)
        return _unbatch(out, out_axes, level, n, nested)

    mapped._wirtinger_device = device  # jit passes GPU calls through to the plan vmap caches
    return mapped


# ---------------------------------------------------------------- axis specifications
def _check_spec(spec, what):
    leaves, _ = flatten(spec)
    for x in leaves:
        if not (x is None or (isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)))):
            raise TypeError(f"vmap: {what} must be an int, None, or a (nested) tuple, list or dict of them, "
                            f"got {spec!r}")


def _argument_names(f, count):
    try:
        params = [p for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [f" ({params[i].name})" if i < len(params) else "" for i in range(count)]


class _Slot:
    """A mapped leaf's place in its argument, filled with the batched value."""

    __slots__ = ()


_SLOT = _Slot()


def _map_tree(tree, spec, where, what, found):
    """tree with each leaf that spec maps replaced by _SLOT (recorded in found)."""
    if spec is None:
        return tree
    if isinstance(spec, (int, np.integer)):
        leaves, treedef = flatten(tree)
        out = []
        for k, x in enumerate(leaves):
            label = where if treedef.kind == "leaf" else f"{where} leaf {k}"
            found.append((label, x, int(spec)))
            out.append(_SLOT)
        return unflatten(treedef, out)
    if isinstance(spec, (tuple, list)) and isinstance(tree, (tuple, list)) and len(spec) == len(tree):
        parts = [_map_tree(t, s, f"{where}[{k}]", what, found) for k, (t, s) in enumerate(zip(tree, spec))]
        return type(tree)(*parts) if hasattr(tree, "_fields") else type(tree)(parts)
    if isinstance(spec, dict) and isinstance(tree, dict) and set(spec) == set(tree):
        return {k: _map_tree(tree[k], spec[k], f"{where}[{k!r}]", what, found) for k in sorted(tree)}
    raise ValueError(f"vmap: {what} specification must be a tree prefix of the corresponding value: got "
                     f"{spec!r} for {where}, a {type(tree).__name__}"
                     + (f" of length {len(tree)}" if isinstance(tree, (tuple, list, dict)) else ""))


def _fill(tree, it):
    leaves, treedef = flatten(tree)
    return unflatten(treedef, [next(it) if x is _SLOT else x for x in leaves])


def _rank_of(x, where):
    if isinstance(x, Array):
        return x.ndim
    if isinstance(x, Mask):
        raise TypeError(f"vmap: {where} is a comparison mask; map the arrays it compares instead")
    if isinstance(x, (bool, int, float, complex, np.generic, np.ndarray)):
        dtype = np.asarray(x).dtype
        if dtype.kind not in "fc":
            raise TypeError(f"vmap: {where} has dtype {dtype}; vmap maps float and complex arrays (integer and "
                            "boolean arrays serve as indices, which are the same for every sample). Pass "
                            "in_axes=None for it, or convert it with .astype(float)")
        return np.ndim(x)
    raise TypeError(f"vmap: {where} is a {type(x).__name__}, which cannot be mapped over; pass in_axes=None "
                    "for it (keyword arguments are always mapped: pass it positionally)")


def _batch_size(found):
    sizes = []
    for where, x, axis in found:
        rank = _rank_of(x, where)
        if not -rank <= axis < rank:
            shape = tuple(x.shape) if isinstance(x, Array) else np.shape(x)
            raise ValueError(f"vmap was requested to map {where} along axis {axis}, which implies that its rank "
                             f"should be at least {axis + 1 if axis >= 0 else -axis}, but it is only {rank} "
                             f"(its shape is {shape})")
        shape = tuple(x.shape) if isinstance(x, Array) else np.shape(x)
        sizes.append((where, axis, shape[axis]))
    if len({s for _, _, s in sizes}) > 1:
        lines = "; ".join(f"{where} has size {s} along axis {axis}" for where, axis, s in sizes)
        raise ValueError(f"vmap got inconsistent sizes for the axes to be mapped: {lines}. Every mapped axis "
                         "holds the samples, so they must all have the same size")
    return sizes[0][2]


def _batch(x, axis, n, level):
    """x with its axis `axis` as the batch of this level."""
    if isinstance(x, Array):
        v = x._v
        axis %= x.ndim
        if axis:
            perm = [axis] + [d for d in range(x.ndim) if d != axis]
            v = _engine.transpose(v, perm)
        return Array(Batched(v, n, level))
    arr = np.asarray(x)
    arr = np.ascontiguousarray(np.moveaxis(arr, axis, 0), dtype=result_dtype(arr))
    return Array(Batched(_engine.from_numpy(arr), n, level))


# ---------------------------------------------------------------- outputs
def _out_axes(spec, tree):
    """The out axis of each leaf of tree, from spec (a pytree prefix of it)."""
    axes = []

    def go(s, t, where):
        if s is None or isinstance(s, (int, np.integer)):
            axes.extend([None if s is None else int(s)] * len(flatten(t)[0]))
        elif isinstance(s, (tuple, list)) and isinstance(t, (tuple, list)) and len(s) == len(t):
            for k, (a, b) in enumerate(zip(s, t)):
                go(a, b, f"{where}[{k}]")
        elif isinstance(s, dict) and isinstance(t, dict) and set(s) == set(t):
            for k in sorted(t):
                go(s[k], t[k], f"{where}[{k!r}]")
        else:
            raise ValueError(f"vmap: out_axes specification must be a tree prefix of the function's output: got "
                             f"{s!r} for the output{where}, a {type(t).__name__}")

    go(spec, tree, "")
    return axes


def _unbatch(out, out_axes, level, n, nested):
    leaves, treedef = flatten(out)
    axes = _out_axes(out_axes, out)
    result = []
    for k, (x, axis) in enumerate(zip(leaves, axes)):
        where = "the output" if treedef.kind == "leaf" else f"output leaf {k}"
        result.append(_unbatch_leaf(x, axis, level, n, nested, where))
    return unflatten(treedef, result)


def _unbatch_leaf(x, axis, level, n, nested, where):
    if isinstance(x, (Array, Mask)):
        v = x._v
        mapped = type(v) is Batched and v.level == level
        if axis is None:
            if mapped:
                raise ValueError(f"vmap: out_axes is None for {where}, but it differs from sample to sample "
                                 "(it depends on the mapped arguments); give it an axis in out_axes")
            return x
        shape = list(x.shape)
        p = v.val if mapped else _engine.broadcast_to(_engine.reshape(v, [1] + shape), [n] + shape)
        p = _move_first(p, axis, len(shape) + 1, where)
        if isinstance(x, Mask):
            return Mask(p) if nested or type(p) is Batched else np.asarray(p.numpy()) != 0
        return Array(p) if nested or type(p) is Batched else np.array(p.numpy())
    if isinstance(x, (bool, int, float, complex, np.generic, np.ndarray)):
        if axis is None:
            return x
        arr = np.asarray(x)
        if not -(arr.ndim + 1) <= axis <= arr.ndim:
            raise ValueError(f"vmap: out_axes {axis} is out of range for {where} of rank {arr.ndim} (with the batch "
                             f"axis, {arr.ndim + 1})")
        return np.moveaxis(np.broadcast_to(arr, (n,) + arr.shape), 0, axis).copy()
    raise TypeError(f"vmap: the function returned a {type(x).__name__} as {where}; it must return arrays or "
                    "numbers (or tuples, lists and dicts of them)")


def _move_first(p, axis, ndim, where):
    """p with its axis 0 moved to `axis` (of ndim)."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"vmap: out_axes {axis} is out of range for {where}, of rank {ndim - 1} "
                         f"({ndim} with the batch axis)")
    axis %= ndim
    if axis == 0:
        return p
    perm = list(range(1, ndim))
    perm.insert(axis, 0)
    return _engine.transpose(p, perm)


__all__ = ["vmap"]
