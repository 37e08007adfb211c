"""Checking derivatives against finite differences."""
from __future__ import annotations

import numpy as np

from . import _engine
from ._array import Array, to_var
from ._tree import flatten, unflatten
from .transforms import check_callable, input_var, jvp, vjp


def _leaves_as_numpy(tree):
    leaves, _ = flatten(tree)
    return [np.asarray(x._v.numpy() if isinstance(x, Array) else x) for x in leaves]


def _inner(a, b):
    return float(sum(np.vdot(np.asarray(x, complex), np.asarray(y, complex)).real for x, y in zip(a, b)))


def _wide(x):
    x = np.asarray(x)
    return x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)


def _fd_jvp(f, args, tangents, eps):
    """Central differences of f along the tangents, in double precision."""
    def shifted(sign):
        moved = []
        for a, t in zip(args, tangents):
            a_leaves, tree = flatten(a)
            t_leaves, _ = flatten(t)
            moved.append(unflatten(tree, [_wide(x) + sign * eps * _wide(tx) for x, tx in zip(a_leaves, t_leaves)]))
        return _leaves_as_numpy(f(*moved))

    plus, minus = shifted(+1), shifted(-1)
    return [(_wide(p) - _wide(m)) / (2 * eps) for p, m in zip(plus, minus)]


def _random_like(rng, x, imaginary):
    x = np.asarray(x)
    t = rng.standard_normal(x.shape)
    if imaginary:
        return (1j * t).astype(x.dtype) if x.dtype.kind == "c" else np.zeros(x.shape, x.dtype)
    return t.astype(x.dtype)


def _report(what, ad, fd, atol, rtol):
    for k, (a, b) in enumerate(zip(ad, fd)):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
            err = np.abs(a - b) if a.shape == b.shape else None
            where = "" if err is None or err.ndim == 0 else f" (worst at index {np.unravel_index(np.argmax(err), err.shape)})"
            raise AssertionError(
                f"check_grads: {what} disagrees with finite differences for output {k}{where}:\n"
                f"  AD: {np.array2string(a, precision=8)}\n  FD: {np.array2string(b, precision=8)}\n"
                f"  max |AD - FD| = {np.max(err) if err is not None else 'shape mismatch'}, atol={atol}, rtol={rtol}")


def _close(a, b, atol, rtol):
    return all(np.allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol, equal_nan=True) for x, y in zip(a, b))


def _diagnosis(f, args, mode, eps, atol, rtol):
    """What a failing rule seems to do instead, and whether f is holomorphic here."""
    rng = np.random.default_rng(99)
    leaves = [flatten(a) for a in args]

    def direction(scale):
        return tuple(unflatten(tree, [scale * (_random_like(rng, x, False) + _random_like(rng, x, True))
                                      if np.iscomplexobj(x) else np.zeros(np.shape(x), np.asarray(x).dtype)
                                      for x in ls]) for ls, tree in leaves)

    u = direction(1.0)
    if not any(np.iscomplexobj(x) for ls, _ in leaves for x in ls):
        return ""
    conj_u = tuple(unflatten(tree, [np.conj(x) for x in flatten(a)[0]]) for a, (_, tree) in zip(u, leaves))
    i_u = tuple(unflatten(tree, [1j * np.asarray(x) for x in flatten(a)[0]]) for a, (_, tree) in zip(u, leaves))
    fd_u, fd_iu = _fd_jvp(f, args, u, eps), _fd_jvp(f, args, i_u, eps)
    dzbar = [0.5 * (a + 1j * b) for a, b in zip(fd_u, fd_iu)]
    scale = max([1.0] + [float(np.max(np.abs(a))) for a in fd_u if np.size(a)])
    holomorphic = all(np.allclose(d, 0, atol=1e3 * atol * scale) for d in dzbar)
    notes = [f"f is {'holomorphic' if holomorphic else 'not holomorphic'} here "
             f"(finite differences give ∂f/∂z̄ {'≈ 0' if holomorphic else '≠ 0'})."]
    if mode == "fwd":
        ad_conj = _leaves_as_numpy(jvp(f, args, conj_u)[1])
        if _close(ad_conj, fd_u, atol, rtol):
            notes.append("The JVP matches Df with ∂f/∂z and ∂f/∂z̄ swapped.")
        elif _close([np.conj(x) for x in ad_conj], fd_u, atol, rtol):
            notes.append("The JVP matches Df with both partials complex-conjugated: a rule is off by a conjugate.")
    else:
        out, back_t = vjp(f, *args, convention="transpose")
        outs = _leaves_as_numpy(out)
        w = [_random_like(rng, o, False) + (_random_like(rng, o, True) if o.dtype.kind == "c" else 0) for o in outs]
        cts = back_t(unflatten(flatten(out)[1], w))
        lhs, rhs = _inner(w, fd_u), _inner(_leaves_as_numpy(cts), _leaves_as_numpy(u))
        if abs(lhs - rhs) <= (atol + rtol) * max(1.0, abs(lhs), abs(rhs)):
            notes.append("The VJP rule seems to follow the 'transpose' (JAX) convention, w ↦ Aᵀw + Bᴴconj(w); "
                         "wirtinger's rules are written in the 'adjoint' convention, w ↦ Aᴴw + Bᵀconj(w): "
                         "conjugate the partials it uses (for a holomorphic f, return conj(f'(z))·ct).")
    return "\n  " + " ".join(notes)


def check_grads(f, args, order=1, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Checks f's derivatives against central finite differences.

    Complex inputs are perturbed along 1 and along i. ``"fwd"`` compares
    ``jvp`` with the difference quotient; ``"rev"`` checks the adjoint identity
    ⟨w, Df[t]⟩ = ⟨vjp(w), t⟩ with Df[t] from finite differences, and that the
    "transpose" convention is conj(adjoint(conj w)). ``order=2`` repeats the
    checks on the derivative functions. Raises AssertionError with a readable
    diff when AD disagrees.

    >>> import wirtinger as w, wirtinger.numpy as wnp
    >>> w.check_grads(lambda z: wnp.sin(z) * wnp.conj(z), (1.0 + 2.0j,), order=2)
    """
    check_callable(f, "check_grads")
    if not isinstance(args, (tuple, list)):
        raise TypeError(f"check_grads: args must be a tuple of arguments, got {type(args).__name__}")
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    unknown = set(modes) - {"fwd", "rev"}
    if unknown or not modes:
        raise ValueError(f"check_grads: modes must be a non-empty subset of ('fwd', 'rev'), got {modes}")
    if order not in (1, 2):
        raise ValueError(f"check_grads: order must be 1 or 2, got {order}")
    args = tuple(args)
    single = True
    for i, a in enumerate(args):
        for x in flatten(a)[0]:
            v = input_var(x, "check_grads", f"argument {i}")
            single = single and v.dtype in (np.float32, np.complex64)
    if eps is None:
        eps = 1e-3 if single else 1e-6
    if atol is None:
        atol = 2e-3 if single else 1e-5
    if rtol is None:
        rtol = 2e-3 if single else 1e-5
    any_complex = any(np.iscomplexobj(x) for a in args for x in flatten(a)[0])
    rng = np.random.default_rng(1234)

    for direction in (("1", "i") if any_complex else ("1",)):
        tangents = tuple(unflatten(flatten(a)[1], [_random_like(rng, x, direction == "i") for x in flatten(a)[0]])
                         for a in args)
        fd = _fd_jvp(f, args, tangents, eps)
        if "fwd" in modes:
            _, t_out = jvp(f, args, tangents)
            try:
                _report(f"forward mode (jvp) along {direction}", _leaves_as_numpy(t_out), fd, atol, rtol)
            except AssertionError as e:
                raise AssertionError(str(e) + _diagnosis(f, args, "fwd", eps, atol, rtol)) from None
        if "rev" in modes:
            out, vjp_fn = vjp(f, *args)
            outs = _leaves_as_numpy(out)
            w = [_random_like(rng, o, False) + (_random_like(rng, o, True) if o.dtype.kind == "c" else 0)
                 for o in outs]
            w_tree = unflatten(flatten(out)[1], w)
            cts = vjp_fn(w_tree)
            lhs = _inner(w, fd)
            rhs = _inner(_leaves_as_numpy(cts), _leaves_as_numpy(tangents))
            scale = max(1.0, abs(lhs), abs(rhs))
            if not abs(lhs - rhs) <= atol * scale + rtol * scale:
                raise AssertionError(
                    f"check_grads: reverse mode (vjp, 'adjoint') fails the adjoint identity along {direction}: "
                    f"<w, Df[t]> = {lhs!r} (finite differences) but <vjp(w), t> = {rhs!r}"
                    + _diagnosis(f, args, "rev", eps, atol, rtol))
            ct_t = vjp(f, *args, convention="transpose")[1](unflatten(flatten(out)[1], [np.conj(x) for x in w]))
            _report("reverse mode ('transpose' vs conj of 'adjoint')",
                    [np.conj(x) for x in _leaves_as_numpy(ct_t)], _leaves_as_numpy(cts), atol, rtol)
        if order == 2:
            if "fwd" in modes:
                check_grads(lambda *a: jvp(f, a, tangents)[1], args, 1, modes, atol * 10, rtol * 10, eps)
            if "rev" in modes:
                out = vjp(f, *args)[0]
                w_tree = unflatten(flatten(out)[1], [_random_like(rng, o, False) for o in _leaves_as_numpy(out)])
                check_grads(lambda *a: vjp(f, *a)[1](w_tree), args, 1, modes, atol * 10, rtol * 10, eps)


def tape_nbytes(f, *args):
    """Bytes of the buffers the tape keeps alive (residuals and results) after
    recording ``f(*args)`` with respect to every argument: the memory reverse
    mode holds between the forward and the backward pass.

    >>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
    >>> w.testing.tape_nbytes(lambda x: wnp.sin(wnp.sin(x)), np.zeros(1000)) >= 2 * 8000
    True
    """
    tape, _ = _engine.enter("tape_nbytes", True, True)
    try:
        f(*[Array(_engine.watch(to_var(a))) for a in args])
        return tape.nbytes()
    finally:
        _engine.exit()


def peak_nbytes(f, *args, **kwargs):
    """``(f(*args, **kwargs), peak)``: the most bytes of wirtinger's arrays alive
    at once during the call, beyond those alive before it. It counts the
    engine's buffers (not NumPy's, nor what the allocator keeps for reuse), so
    it measures the memory a transform holds, as an eager call compares with jit.

    >>> import numpy as np, wirtinger as w, wirtinger.numpy as wnp
    >>> _, peak = w.testing.peak_nbytes(lambda x: wnp.sum(wnp.sin(x) * 2.0), np.zeros(1000))
    >>> 8000 <= peak <= 4 * 8000
    True
    """
    before = _engine.buffer_bytes()[0]
    _engine.reset_buffer_peak()
    out = f(*args, **kwargs)
    return out, _engine.buffer_bytes()[1] - before
