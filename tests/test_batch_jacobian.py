"""The per-sample fast path of vmap(jacfwd/jacrev/wirtinger) (cpp/src/batch_plan.cpp,
python/wirtinger/_batch_jacobian.py), against per-sample Jacobians computed one
sample at a time by the ordinary transforms, and against the generic vmap path."""
import os

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from wirtinger import _batch_jacobian, transforms
from wirtinger.errors import NonHolomorphicError

rng = np.random.default_rng(7)
n = 8
W1 = (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))) / 3
W2 = (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))) / 3
c1 = rng.standard_normal(n) + 1j * rng.standard_normal(n)
c2 = rng.standard_normal(n) + 1j * rng.standard_normal(n)


def g(z):  # the W4 network: holomorphic
    return wnp.tanh(W2 @ wnp.tanh(W1 @ z + c1) + c2)


def h(z):  # not holomorphic; real parts, a sum, a slice, a broadcast, a comparison
    u = g(z)
    r = wnp.abs(wnp.sum(u * wnp.conj(z))) + wnp.real(z[::2]) ** 2
    return wnp.where(wnp.real(z[1::2]) > 0, r, wnp.sin(r)) + wnp.exp(1j * wnp.imag(z[:4])) * wnp.abs2(z[0])


def two(x, z):  # a real and a complex input, a matrix output
    return wnp.outer(wnp.sinh(x), wnp.log(z + 3.0)) + wnp.reshape(wnp.concatenate([x, x[::-1]]), (2, 2))[:, 1:] * z[:3]


def batch(b, shape, dtype=np.complex128):
    out = rng.standard_normal((b,) + shape) + (1j * rng.standard_normal((b,) + shape) if np.dtype(dtype).kind == "c" else 0)
    return out.astype(dtype)


def per_sample(jac, *args, axes=None):
    axes = axes or (0,) * len(args)
    b = np.shape(args[0])[axes[0]]
    outs = [jac(*[np.take(a, k, axis=ax) for a, ax in zip(args, axes)]) for k in range(b)]
    return outs


def stack(outs, axis=0):
    first = outs[0]
    if isinstance(first, w.Wirtinger):
        return w.Wirtinger(np.stack([o.dz for o in outs], axis), np.stack([o.dzbar for o in outs], axis))
    if isinstance(first, tuple):
        return tuple(stack([o[i] for o in outs], axis) for i in range(len(first)))
    return np.stack(outs, axis)


def assert_close(got, want, rtol):
    if isinstance(want, tuple):
        assert type(got) is type(want) and len(got) == len(want)
        for a, b in zip(got, want):
            assert_close(a, b, rtol)
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape, got.dtype, want.dtype)
    scale = max(1.0, float(np.max(np.abs(want))))
    assert np.max(np.abs(got - want)) <= rtol * scale, np.max(np.abs(got - want))


def used_fast_path(jac):
    if os.environ.get("WIRTINGER_TEST_JIT"):  # the suite's jit mode wraps jac: vmap then batches op by op
        return True
    spec = _batch_jacobian.spec_of(jac)
    return spec is not None and any(p is not None for p in spec.plans.values())


@pytest.mark.parametrize("wrap", [lambda f: f, w.jit], ids=["eager", "jit"])
@pytest.mark.parametrize("make", [lambda f: w.jacfwd(f, holomorphic=True), lambda f: w.jacrev(f, holomorphic=True),
                                  w.jacfwd, w.wirtinger], ids=["jacfwd-hol", "jacrev-hol", "jacfwd", "wirtinger"])
def test_network_jacobians_match_per_sample(make, wrap):
    jac = make(g)
    zs = batch(40, (n,))
    got = wrap(w.vmap(jac))(zs)
    assert used_fast_path(jac)
    assert_close(got, stack(per_sample(jac, zs)), 1e-12)


@pytest.mark.parametrize("dtype,rtol", [(np.complex128, 1e-12), (np.complex64, 2e-5)])
@pytest.mark.parametrize("make", [w.jacfwd, w.jacrev, w.wirtinger], ids=["jacfwd", "jacrev", "wirtinger"])
def test_non_holomorphic_jacobians_match_per_sample(make, dtype, rtol):
    jac = make(h)
    zs = batch(33, (n,), dtype)
    got = w.vmap(jac)(zs)
    assert used_fast_path(jac)
    assert_close(got, stack(per_sample(jac, zs)), rtol)


@pytest.mark.parametrize("make", [w.jacfwd, w.wirtinger], ids=["jacfwd", "wirtinger"])
def test_real_and_complex_inputs_axes_and_out_axes(make):
    jac = make(two, argnums=(0, 1))
    xs = batch(5, (2,), np.float64)
    zs = batch(5, (3,))
    got = w.vmap(jac, in_axes=(0, 1), out_axes=2)(xs, zs.T.copy())
    assert used_fast_path(jac)
    want = stack(per_sample(jac, xs, zs), axis=2)
    assert_close(got, want, 1e-12)


def test_unmapped_argument_is_part_of_the_signature():
    def f(z, scale):
        return wnp.sin(z * scale)

    jac = w.jacfwd(f, holomorphic=True)
    zs = batch(6, (3,))
    for scale in (2.0, 3.0):  # a new value of the unmapped argument must not reuse the old program
        got = w.vmap(jac, in_axes=(0, None))(zs, scale)
        assert_close(got, stack([jac(z, scale) for z in zs]), 1e-13)
    assert used_fast_path(jac)


def test_holomorphic_claim_is_checked_per_sample():
    jac = w.jacfwd(lambda z: z * wnp.conj(z) ** 0 + wnp.where(wnp.real(z) > 0, wnp.conj(z), z), holomorphic=True)
    zs = batch(4, (2,))
    zs.real = -1.0
    zs[2, 1] = 1.0 + 0.5j
    with pytest.raises(NonHolomorphicError, match="sample 2"):
        w.vmap(jac)(zs)


def test_programs_it_cannot_express_take_the_generic_path():
    jac = w.jacfwd(lambda a: wnp.linalg.det(wnp.reshape(a, (2, 2))) * a)  # det is a Python-rule primitive
    xs = batch(7, (4,))
    got = w.vmap(jac)(xs)
    spec = _batch_jacobian.spec_of(jac)
    assert spec is None or all(p is None for p in spec.plans.values())
    assert_close(got, stack(per_sample(jac, xs)), 1e-12)


def test_derivatives_of_the_batched_jacobians_use_the_generic_rules():
    jac = w.jacfwd(g, holomorphic=True)
    zs = batch(5, (n,))

    def loss(zs):
        return wnp.sum(wnp.abs2(w.vmap(jac)(zs)))

    got = w.grad(loss)(zs)
    with _batch_jacobian.generic_only():
        want = w.grad(loss)(zs)
    assert_close(got, want, 1e-11)
    assert_close(w.jit(w.grad(loss))(zs), want, 1e-11)


def test_special_values_agree_with_the_generic_path():
    jac = w.wirtinger(lambda z: wnp.tanh(z) * wnp.exp(z) / z)
    zs = np.array([[0.0 + 0.0j, 1.0 + 2.0j], [np.inf + 0.0j, 800.0 - 3.0j], [np.nan + 1j, -30.0 + 1e-300j]])
    with np.errstate(all="ignore"):
        got = w.vmap(jac)(zs)
        with _batch_jacobian.generic_only():
            want = w.vmap(jac)(zs)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        fin = np.isfinite(b)
        np.testing.assert_allclose(a[fin], b[fin], rtol=1e-12)


def test_wrappers_of_a_jacobian_do_not_take_its_fast_path():
    # functools.wraps copies the marker onto grad's wrapper; the wrapper must not be mistaken for it
    jac = w.jacfwd(lambda x: wnp.sin(x) ** 2)
    gj = w.grad(lambda x: wnp.sum(jac(x)))
    xs = batch(4, (3,), np.float64)
    assert_close(w.vmap(gj)(xs), stack([gj(x) for x in xs]), 1e-13)


def test_results_are_freed_by_reference_counting():
    # a batch of Jacobians can be hundreds of megabytes: nothing may keep it in a
    # reference cycle until the cyclic collector runs (it used to be: the pytree
    # rebuild held the leaves), or every call pays fresh page faults for its output
    import gc
    import sys
    W = np.arange(9.0).reshape(3, 3) * (1 - 0.5j)
    jac = w.vmap(w.jacfwd(lambda z: wnp.tanh(W @ z), holomorphic=True))
    zs = np.ones((4, 3), complex)
    jac(zs)
    gc.disable()
    try:
        y = jac(zs)
        assert sys.getrefcount(y) == 2  # y, and getrefcount's argument
        pair = w.vmap(w.wirtinger(lambda z: wnp.tanh(W @ z) * wnp.conj(z)))(zs)
        assert [sys.getrefcount(a) for a in pair] == [3, 3]  # the tuple's, a, the argument
    finally:
        gc.enable()


def test_pytree_rebuild_holds_no_cycle():
    import gc
    import weakref
    from wirtinger._tree import flatten, unflatten

    class Leaf:
        pass
    gc.disable()
    try:
        leaves, treedef = flatten({"a": [Leaf(), (Leaf(), None)], "b": Leaf()})
        refs = [weakref.ref(x) for x in leaves]
        tree = unflatten(treedef, leaves)
        assert tree["a"][0] is leaves[0]
        del leaves, tree
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


# ---------------------------------------------------------------- batches of scalars, empty batches
@pytest.mark.parametrize("make", [w.jacfwd, w.jacrev, w.wirtinger, lambda f: w.jacfwd(f, holomorphic=True)],
                         ids=["jacfwd", "jacrev", "wirtinger", "jacfwd-hol"])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.float32])
def test_a_batch_of_scalars(make, dtype):
    if np.dtype(dtype).kind == "f" and make not in (w.jacfwd, w.jacrev, w.wirtinger):
        pytest.skip("holomorphic=True needs complex inputs")
    jac = make(wnp.sin)
    xs = batch(5, (), dtype)
    got = w.vmap(jac)(xs)
    assert_close(got, stack(per_sample(jac, xs)), 1e-5 if dtype == np.float32 else 1e-13)
    assert used_fast_path(jac)


@pytest.mark.parametrize("make", [w.jacfwd, w.jacrev, w.wirtinger, lambda f: w.jacfwd(f, holomorphic=True)],
                         ids=["jacfwd", "jacrev", "wirtinger", "jacfwd-hol"])
def test_an_empty_batch_gives_empty_jacobians(make):
    jac = make(wnp.sin)
    got = w.vmap(jac)(np.zeros((0, 3), complex))
    want = jac(np.zeros(3, complex))
    leaves = got if isinstance(got, tuple) else (got,)
    wants = want if isinstance(want, tuple) else (want,)
    for a, b in zip(leaves, wants):
        assert np.asarray(a).shape == (0,) + np.asarray(b).shape and np.asarray(a).dtype == np.asarray(b).dtype


# ---------------------------------------------------------------- arguments that vmap does not map
# The plan cache belongs to the Jacobian function itself: these tests use the
# transforms unwrapped by the suite's jit mode.
jacfwd = transforms.jacfwd


def layer(z, W, c):
    return wnp.tanh(W @ z + c)


def test_unmapped_arrays_are_inputs_of_the_plan_not_constants():
    jac = jacfwd(layer, holomorphic=True)
    f = w.vmap(jac, in_axes=(0, None, None))
    Z = batch(6, (n,))
    for k in range(5):
        W, c = batch(1, (n, n))[0] / 3, batch(1, (n,))[0]
        assert_close(f(Z, W, c), stack([jac(z, W, c) for z in Z]), 1e-12)
    spec = _batch_jacobian.spec_of(jac)
    assert len(spec.plans) == 1 and all(p is not None for p in spec.plans.values())


def test_a_python_number_that_changes_does_not_make_new_plans():
    jac = jacfwd(lambda z, s: wnp.sin(z) * s)
    f = w.vmap(jac, in_axes=(0, None))
    xs = batch(4, (3,), np.float64)
    for k in range(50):
        assert_close(f(xs, 0.5 + k), stack([jac(x, 0.5 + k) for x in xs]), 1e-13)
    assert len(_batch_jacobian.spec_of(jac).plans) == 1


def test_the_plan_cache_is_bounded():
    jac = jacfwd(wnp.sin)
    f = w.vmap(jac)
    for k in range(1, transforms._PLAN_CACHE_SIZE + 20):
        f(np.zeros((2, k)))
    assert len(_batch_jacobian.spec_of(jac).plans) == transforms._PLAN_CACHE_SIZE


def test_static_arguments_are_keyed_by_value():
    jac = jacfwd(lambda z, k: wnp.sin(z) ** k)
    f = w.vmap(jac, in_axes=(0, None))
    xs = batch(3, (2,), np.float64)
    assert_close(f(xs, 2), stack([jac(x, 2) for x in xs]), 1e-13)
    assert_close(f(xs, 3), stack([jac(x, 3) for x in xs]), 1e-13)
    assert len(_batch_jacobian.spec_of(jac).plans) == 2


def test_pytrees_of_weights_and_mapped_data():
    def net(z, p, x):
        return wnp.tanh(p["W"] @ z + p["b"]) * x

    jac = w.jacfwd(net)
    Z, X = batch(5, (3,)), batch(5, (4,), np.float64)
    for k in range(3):
        p = {"W": batch(1, (4, 3), np.float64)[0], "b": batch(1, (4,), np.float64)[0]}
        assert_close(w.vmap(jac, in_axes=(0, None, 0))(Z, p, X), stack([jac(z, p, x) for z, x in zip(Z, X)]), 1e-12)
    assert used_fast_path(jac)


def test_tuple_argnums_keep_their_order():
    jac = w.jacfwd(lambda a, b: a * wnp.sin(b), argnums=(1, 0))
    A, B = batch(4, (3,), np.float64), batch(4, (3,), np.float64)
    assert_close(w.vmap(jac)(A, B), stack([jac(a, b) for a, b in zip(A, B)]), 1e-13)
    assert used_fast_path(jac)


def test_weights_passed_under_jit_and_differentiated_through():
    jac = w.jacfwd(layer, holomorphic=True)
    f = w.jit(w.vmap(jac, in_axes=(0, None, None)))
    Z = batch(4, (n,))
    for k in range(3):
        W, c = batch(1, (n, n))[0] / 3, batch(1, (n,))[0]
        assert_close(f(Z, W, c), stack([jac(z, W, c) for z in Z]), 1e-12)

    def loss(W, generic=False):
        if generic:
            with _batch_jacobian.generic_only():
                J = w.vmap(jac, in_axes=(0, None, None))(Z, W, c1)
        else:
            J = w.vmap(jac, in_axes=(0, None, None))(Z, W, c1)
        return wnp.sum(wnp.abs2(J))

    assert_close(w.grad(loss)(W1), w.grad(lambda W: loss(W, True))(W1), 1e-10)
    assert_close(w.jit(w.grad(loss))(W1), w.grad(lambda W: loss(W, True))(W1), 1e-10)


def test_memory_stays_bounded_when_unmapped_arguments_change():
    jac = jacfwd(layer, holomorphic=True)
    f = w.vmap(jac, in_axes=(0, None, None))
    Z = batch(32, (n,))
    f(Z, W1, c1)
    live = w._core.buffer_bytes()[0]
    for k in range(200):
        f(Z, W1 * (1 + k / 100), c1 + k)
    assert w._core.buffer_bytes()[0] - live < 2**16
    assert len(_batch_jacobian.spec_of(jac).plans) == 1
