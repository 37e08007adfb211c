"""jit: tracing, replay, caching, static arguments, masks, composition with transforms."""
import numpy as np
import pytest

import jit_mode
import wirtinger as w
import wirtinger.numpy as wnp
from helpers import assert_close


def _z(rng, n, dtype=np.complex128):
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)


def test_replay_matches_eager_on_new_inputs(rng):
    f = lambda z: wnp.sum(wnp.abs(wnp.sin(z) * wnp.exp(1j * z) + wnp.conj(z) * z) ** 2)
    vg = w.value_and_grad(f)
    jvg = w.jit(vg)
    for _ in range(3):
        z = _z(rng, 17)
        (v1, g1), (v2, g2) = jvg(z), vg(z)
        assert_close(v1, v2, 1e-12, 1e-12)
        assert_close(g1, g2, 1e-12, 1e-12)
    assert jvg.cache_info() and len(jvg.cache_info()) == 1  # traced once


def test_retraces_only_when_the_signature_changes(rng):
    calls = []

    def f(z):
        calls.append(1)
        return wnp.sum(wnp.abs2(z))

    jf = w.jit(f)
    jf(_z(rng, 3))
    jf(_z(rng, 3))
    assert len(calls) == 1
    jf(_z(rng, 4))  # new shape
    jf(_z(rng, 4).astype(np.complex64))  # new dtype
    jf(rng.standard_normal(4))  # real
    assert len(calls) == 4
    jf(_z(rng, 3))
    assert len(calls) == 4


def test_cache_is_bounded(rng):
    jf = w.jit(lambda z: z * 2.0, cache_size=3)
    for n in range(1, 8):
        jf(np.ones(n))
    assert len(jf.cache_info()) == 3


def test_static_argnums_key_the_cache_by_value():
    calls = []

    def f(x, p):
        calls.append(p)
        return x ** p

    jf = w.jit(f, static_argnums=1)
    assert_close(jf(2.0, 3), 8.0, 0, 0)
    assert_close(jf(3.0, 3), 27.0, 0, 0)
    assert_close(jf(2.0, 2), 4.0, 0, 0)
    assert calls == [3, 2]


def test_int_arguments_are_traced_weakly():
    # An optimiser's step counter: one trace for every value, results as eager.
    traces = []

    def step(p, g, m, t):
        traces.append(t)
        m = 0.9 * m + 0.1 * g
        return p - 0.01 * m / (1 - 0.9 ** t), m, p ** t

    jf = w.jit(step)
    p, g, m = np.array([-2.0, 0.5, 3.0]), np.array([1.0, -1.0, 2.0]), np.zeros(3)
    for t in range(1, 12):
        got, want = jf(p, g, m, t), step(p, g, m, t)
        for a, b in zip(got, want):
            assert_close(a, b, 1e-14, 0)
    assert len(traces) - 11 == 1 and len(jf.cache_info()) == 1
    # Weak: an int does not widen a float32 array.
    assert jf(p.astype(np.float32), g.astype(np.float32), m.astype(np.float32), 3)[0].dtype == np.float32
    # Differentiating through it, the int stays an int for the transforms.
    assert_close(w.jit(w.grad(lambda x, n: wnp.sum(x ** n)))(p, 3), 3 * p ** 2, 1e-14, 0)
    with pytest.raises(TypeError, match="integer"):
        w.jit(w.grad(lambda x, n: x * n, argnums=1))(2.0, 3)


@pytest.mark.parametrize("use", [
    lambda x, n: wnp.zeros(n) + x[0],
    lambda x, n: x[n],
    lambda x, n: sum(x for _ in range(n)),
    lambda x, n: wnp.reshape(x, (n, -1)),
], ids=["shape", "index", "range", "reshape"])
def test_traced_int_where_a_concrete_one_is_needed_points_to_static_argnums(use):
    x = np.arange(6.0)
    with pytest.raises(w.ConcretizationError, match="static_argnums"):
        w.jit(use)(x, 2)
    # Named static, each value is a trace of its own, as before.
    assert_close(w.jit(use, static_argnums=1)(x, 2), use(wnp.asarray(x), 2), 0, 0)


def test_bools_and_huge_ints_stay_static():
    traces = []

    def f(x, flag, big):
        traces.append((flag, big))
        return x * 2 if flag else x - big % 7

    jf = w.jit(f)
    assert_close(jf(1.0, True, 2 ** 60), 2.0, 0, 0)
    assert_close(jf(1.0, False, 2 ** 60), 1.0 - 2 ** 60 % 7, 0, 0)
    assert_close(jf(1.0, False, 2 ** 60 + 1), 1.0 - (2 ** 60 + 1) % 7, 0, 0)
    assert len(traces) == 3
    # After an exact int has been traced, a huge one must not take its program.
    seen = []

    def g(x, n):
        seen.append(n)
        return x + n
    jg = w.jit(g)
    assert_close(jg(1.0, 3), 4.0, 0, 0)
    jg(0.0, 2 ** 60 + 1)
    assert seen[-1] == 2 ** 60 + 1  # traced with its own value: static, not the int program

def test_python_scalars_stay_weak_under_jit():
    jf = w.jit(lambda z, s: z * s)
    out = jf(np.ones(3, np.complex64), 2.5)
    assert out.dtype == np.complex64


def test_concretization_error_names_the_line():
    def f(x):
        if x > 0:  # the offending line
            return x
        return -x

    with pytest.raises(w.ConcretizationError, match=r"test_jit.py:\d+ \(if x > 0:"):
        w.jit(f)(1.0)
    for bad in (lambda x: float(x), lambda x: np.asarray(x), lambda x: bool(x), lambda x: x.item()):
        with pytest.raises(w.ConcretizationError):
            w.jit(bad)(1.0)
    with pytest.raises(w.ConcretizationError, match="boolean indexing"):
        w.jit(lambda x: wnp.sum(x[x > 0]))(np.array([1.0, -1.0]))
    assert isinstance(w.ConcretizationError("m"), TypeError)


def test_where_with_traced_comparison_is_recomputed_on_replay():
    jf = w.jit(w.grad(lambda x: wnp.sum(wnp.where(x > 0, x * x, -x))))
    assert_close(jf(np.array([1.0, -1.0])), [2.0, -1.0], 0, 0)
    assert_close(jf(np.array([-1.0, 3.0])), [-1.0, 6.0], 0, 0)
    jm = w.jit(lambda x: wnp.where((x > 0) & ~(x > 2), x, 0.0))
    assert_close(jm(np.array([1.0, 3.0, -1.0])), [1.0, 0.0, 0.0], 0, 0)
    assert_close(jm(np.array([3.0, 1.5, 0.5])), [0.0, 1.5, 0.5], 0, 0)


def test_zero_guards_are_recomputed_on_replay():
    # abs'(0) = 0 (README, Points with no derivative): the guard's mask must follow the replayed values.
    g = w.jit(w.grad(lambda z: wnp.sum(wnp.abs(z))))
    assert_close(g(np.array([1 + 1j, 0j])), [np.sqrt(0.5) * (1 + 1j), 0], 1e-15, 1e-15)
    assert_close(g(np.array([0j, 3 + 4j])), [0, 0.6 + 0.8j], 1e-15, 1e-15)
    h = w.jit(w.hessian(lambda x: wnp.sum(wnp.maximum(x, 0.0) ** 3)))
    assert_close(h(np.array([1.0, -1.0])), np.diag([6.0, 0.0]), 1e-12, 1e-12)
    assert_close(h(np.array([-1.0, 2.0])), np.diag([0.0, 12.0]), 1e-12, 1e-12)


@pytest.mark.parametrize("order", ["jit_of_grad", "grad_of_jit", "jit_of_jit", "hessian_of_jit", "jit_of_hessian"])
def test_composition_in_either_order(order, rng):
    f = lambda z: wnp.sum(wnp.abs2(wnp.tanh(z) * wnp.conj(z)))
    z = _z(rng, 5)
    if order == "jit_of_grad":
        got, want = w.jit(w.grad(f)), w.grad(f)
    elif order == "grad_of_jit":
        got, want = w.grad(w.jit(f)), w.grad(f)
    elif order == "jit_of_jit":
        got, want = w.jit(w.jit(w.grad(f))), w.grad(f)
    elif order == "hessian_of_jit":
        got, want = w.hessian(w.jit(f)), w.hessian(f)
    else:
        got, want = w.jit(w.hessian(f)), w.hessian(f)
    for _ in range(2):
        z = _z(rng, 5)
        a, b = got(z), want(z)
        if isinstance(b, w.Wirtinger):
            assert_close(a.dz, b.dz, 1e-11, 1e-11)
            assert_close(a.dzbar, b.dzbar, 1e-11, 1e-11)
        else:
            assert_close(a, b, 1e-12, 1e-12)


def test_jvp_and_vjp_of_jit(rng):
    f = w.jit(lambda z: wnp.exp(z) * wnp.conj(z))
    z, t = _z(rng, 4), _z(rng, 4)
    for _ in range(2):
        out, tout = w.jvp(f, (z,), (t,))
        _, tref = w.jvp(lambda z: wnp.exp(z) * wnp.conj(z), (z,), (t,))
        assert_close(tout, tref, 1e-13, 1e-13)
        _, back = w.vjp(f, z)
        _, back_ref = w.vjp(lambda z: wnp.exp(z) * wnp.conj(z), z)
        assert_close(back(t)[0], back_ref(t)[0], 1e-13, 1e-13)


def test_closure_over_an_outer_traced_value_is_not_cached(rng):
    def outer(a):
        inner = w.jit(lambda x: x * a)
        return wnp.sum(wnp.abs2(inner(np.ones(2))))

    g = w.grad(outer)
    assert_close(g(1.5), 4 * 1.5 * 1.0, 1e-14, 1e-14)
    assert_close(g(2.0), 4 * 2.0, 1e-14, 1e-14)


def test_python_primitives_replay_fft_linalg_and_user_rules(rng):
    @w.custom_vjp
    def twice(x):
        return 2.0 * x

    twice.defvjp(lambda x: (twice(x), x), lambda res, ct: (2.0 * ct,))

    def f(z, a):
        spec = wnp.fft.fft(z)
        lam = wnp.linalg.eigh(a @ wnp.conj(a.T)).eigenvalues
        return wnp.sum(wnp.abs2(twice(spec))) + wnp.sum(lam) + wnp.real(wnp.linalg.slogdet(a).logabsdet)

    g = w.grad(f, argnums=(0, 1))
    jg = w.jit(g)
    for _ in range(2):
        z = _z(rng, 8)
        a = _z(rng, 9).reshape(3, 3) + 3 * np.eye(3)
        for got, want in zip(jg(z, a), g(z, a)):
            assert_close(got, want, 1e-10, 1e-10)


def test_checkpoint_under_jit(rng):
    block = w.checkpoint(lambda z: wnp.sin(wnp.exp(z)) * wnp.conj(z))
    f = lambda z: wnp.sum(wnp.abs2(block(block(z))))
    jg = w.jit(w.grad(f))
    for _ in range(2):
        z = 0.3 * _z(rng, 6)
        assert_close(jg(z), w.grad(lambda z: wnp.sum(wnp.abs2(
            wnp.sin(wnp.exp(wnp.sin(wnp.exp(z)) * wnp.conj(z))) * wnp.conj(wnp.sin(wnp.exp(z)) * wnp.conj(z)))))(z),
            1e-12, 1e-12)


def test_norm_zero_guard_under_jit():
    g = w.jit(w.grad(lambda x: wnp.linalg.norm(x)))
    assert_close(g(np.array([3.0, 4.0])), [0.6, 0.8], 1e-15, 1e-15)
    assert_close(g(np.zeros(2)), [0.0, 0.0], 0, 0)


def test_pytrees_kwargs_and_non_array_outputs():
    jf = w.jit(lambda d, scale=1.0: ({"y": d["a"] * scale, "n": 3}, None))
    out, none = jf({"a": np.ones(2)}, scale=2.0)
    assert none is None and out["n"] == 3
    assert_close(out["y"], [2.0, 2.0], 0, 0)
    out, _ = jf({"a": np.ones(2)}, scale=3.0)
    assert_close(out["y"], [3.0, 3.0], 0, 0)


def test_bad_arguments():
    with pytest.raises(TypeError, match="jit: expected a function"):
        w.jit(3)
    with pytest.raises(ValueError, match="static_argnums contains 2"):
        w.jit(lambda x: x, static_argnums=2)(1.0)
    with pytest.raises(TypeError, match="neither an array nor hashable"):
        w.jit(lambda x, y: x, static_argnums=1)(1.0, [1, 2])
    with pytest.raises(ValueError, match="cache_size"):
        w.jit(lambda x: x, cache_size=0)


def test_replay_does_not_grow_a_tape_and_releases_values():
    z = np.ones(1 << 12, np.complex128)
    jf = w.jit(w.value_and_grad(lambda z: wnp.sum(wnp.abs2(wnp.sin(z) * z))))
    jf(z)
    jf(z)
    assert w._core.depth() == 0


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64, np.float64, np.float32])
def test_fused_replay_matches_eager_across_blocks_and_threads(dtype, rng):
    """Replay fuses element-wise runs block by block (1024 elements, split over threads
    from 2^15): an odd size crosses block and thread boundaries."""
    n = 100_003
    z = _z(rng, n).astype(dtype) if np.dtype(dtype).kind == "c" else rng.standard_normal(n).astype(dtype)

    def f(z):
        y = wnp.sin(z) * wnp.exp(0.5 * z) + wnp.conj(z) * z / (2.0 + wnp.abs(z))
        y = wnp.where(wnp.real(y) > 0, y, 0.5 * y)
        return wnp.sum(wnp.abs(wnp.maximum(wnp.real(y), -0.25)) ** 2)

    vg, jvg = w.value_and_grad(f), w.jit(w.value_and_grad(f))
    jvg(z)
    for _ in range(2):
        (v1, g1), (v2, g2) = jvg(z), vg(z)
        tol = 1e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-12
        assert_close(v1, v2, tol, tol)
        assert_close(g1, g2, tol, tol)
        z = z[::-1].copy()


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64, np.float64])
def test_a_sum_read_by_later_steps_is_complete_before_they_run(dtype, rng):
    """Whole-array sums are added up block by block inside a fused run; a step that
    reads one (a normalisation) must see the full sum, not a block's."""
    n = 100_003
    z = _z(rng, n).astype(dtype) if np.dtype(dtype).kind == "c" else rng.standard_normal(n).astype(dtype)

    def f(z):
        y = z / (1.0 + wnp.sum(wnp.abs(z) ** 2))
        return wnp.sum(wnp.abs(wnp.sin(y) + y * y) ** 2) + wnp.sum(wnp.real(y))

    vg, jvg = w.value_and_grad(f), w.jit(w.value_and_grad(f))
    jvg(z)
    (v1, g1), (v2, g2) = jvg(z), vg(z)
    tol = 1e-4 if np.dtype(dtype) == np.complex64 else 1e-12
    assert_close(v1, v2, tol, tol)
    assert_close(g1, g2, tol, tol)


def test_broadcast_constants_of_rules_are_scalars_in_the_program():
    """Rules broadcast constants (an exponent, a sum's seed of ones) to the operand's
    shape; the traced program keeps them as scalars, and a replay that an outer
    transform records (here differentiated again) still broadcasts them."""
    f = lambda x: wnp.sum(wnp.abs(x) ** 3 + wnp.where(x > 0, x, 0.0))  # noqa: E731
    x = np.linspace(-1.5, 2.0, 64)
    jg = w.jit(w.grad(f))
    jg(x)
    program = jg._programs()[0]
    full = [s for s in program.describe() if "c(64,)" in s.split("<-")[1]]
    assert not full, full
    assert_close(jg(x), w.grad(f)(x), 1e-14, 1e-14)
    assert_close(w.jacfwd(jg)(x), w.jacfwd(w.grad(f))(x), 1e-13, 1e-13)


def test_the_c_latency_path_keys_types_shapes_and_the_convention():
    """Plain calls at top level are looked up and run in C++: what it keys (argument
    types, array dtypes and shapes, the convention in force) must select the
    program the Python path would, and clearing the cache must reach it."""
    traces = []

    def f(z):
        traces.append(1)
        return wnp.sum(wnp.real(z * np.exp(1.5j)))
    jg = w.jit(w.grad(f))
    z = 2.3 + 4.5j
    want = complex(w.grad(f)(z))
    assert complex(jg(z)) == want and complex(jg(z)) == want
    with w.convention("transpose"):
        assert complex(jg(z)) == np.conj(want) and complex(jg(z)) == np.conj(want)
    assert complex(jg(z)) == want
    for x in (np.complex128(z), np.array(z), np.array([z, z]), np.array([z, z], np.complex64)):
        for _ in range(2):
            got = np.asarray(jg(x))
            assert got.shape == np.shape(x) and np.allclose(got, want, rtol=1e-6)
    assert np.asarray(jg(np.array([z, z], np.complex64))).dtype == np.complex64
    if not jit_mode.ENABLED:  # there, w.grad is itself jitted and keeps its own trace
        n = len(traces)
        jg(z)
        assert len(traces) == n  # served from the cache
        jg.clear_cache()
        jg(z)
        assert len(traces) == n + 1
    jf = w.jit(lambda x, k: x * k)
    assert [float(jf(2.0, k)) for k in (3, 5, 2**60)] == [6.0, 10.0, 2.0 * 2**60]


def test_a_jitted_function_behaves_as_the_function():
    """The C++ callable keeps the function's name, docstring and signature,
    binds as a method, and passes keyword arguments and errors through."""
    import inspect

    def loss(x, scale=2.0):
        """A docstring."""
        return wnp.sum(wnp.abs(x) ** 2) * scale
    jl = w.jit(loss)
    assert jl.__name__ == "loss" and jl.__doc__ == "A docstring." and jl.__wrapped__ is loss
    assert list(inspect.signature(jl).parameters) == ["x", "scale"]
    assert "loss" in repr(jl)
    x = np.array([1.0, 2.0])
    assert float(jl(x)) == 10.0 and float(jl(x, scale=3.0)) == 15.0 and float(jl(x=x)) == 10.0

    class Model:
        w = 3.0

        @w_jit_method
        def energy(self, z):
            return wnp.real(z * wnp.conj(z)) * self.w
    m = Model()
    assert float(m.energy(2.0)) == 12.0 and float(m.energy(2.0)) == 12.0
    with pytest.raises(ValueError, match="operands could not be broadcast|shape"):
        w.jit(lambda a, b: a + b)(np.ones(2), np.ones(3))
    jf = w.jit(lambda a, b: a + b)
    jf(np.ones(2), np.ones(2))
    with pytest.raises(TypeError):
        jf(np.ones(2))  # too few arguments: the Python path reports it


def w_jit_method(f):
    return w.jit(f)


def test_scalar_programs_return_constants_of_any_size():
    """A program over single elements replayed on registers may return
    constants of several elements (a Jacobian that does not depend on z)."""
    jj = w.jit(w.real_jacobian(wnp.conj))
    for _ in range(2):
        np.testing.assert_array_equal(jj(1 + 2j), [[1, 0], [0, -1]])
    jm = w.jit(lambda z: (wnp.real(z), np.arange(6.0).reshape(2, 3), z * 2))
    for z in (1.5 + 2j, np.complex128(0.5 - 1j), np.array(3.0 + 0j)):
        for _ in range(2):
            a, b, c = jm(z)
            assert float(a) == complex(z).real and complex(c) == 2 * complex(z)
            np.testing.assert_array_equal(b, np.arange(6.0).reshape(2, 3))
    assert jm._programs()[0].scalar_replay


def test_arithmetic_of_traced_ints_stays_an_int():
    with pytest.raises(w.ConcretizationError, match="static_argnums"):
        w.jit(lambda x, n: x[n - 1])(np.arange(4.0), 2)
    jf = w.jit(lambda x, n: x * (2 * n + 1) / n)
    for n in (1, 2, 5):
        assert_close(jf(np.float32(3.0), n), np.float32(3.0) * (2 * n + 1) / n, 1e-6, 0)
    assert jf(np.float32(3.0), 4).dtype == np.float32
