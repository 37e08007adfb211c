"""jit's compiled tier computes what the block kernels compute: every function
of the element-wise table, its derivatives and a second-order product, compiled
to one loop per fused group and compared element by element with the same
program replayed on the kernels alone, on ordinary points (the compiled loop
runs) and on special ones (blocks handed back to the kernels)."""
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from wirtinger import _compiled

from test_jit_equals_eager import NAMES, REAL_ONLY, assert_same, function, points

pytestmark = pytest.mark.skipif(_compiled.toolchain() is None, reason="no C++ compiler to compile with")


@pytest.fixture
def compiled(monkeypatch):
    """Groups of any size are compiled before the first replay."""
    monkeypatch.setenv("WIRTINGER_JIT_COMPILE", "sync")
    monkeypatch.setattr(_compiled, "MIN_ELEMENTS", 2)
    monkeypatch.setattr(_compiled, "REQUIRE_VECTORISED", False)  # every loop, vectorised or not
    failed = len(_compiled.failures)
    yield
    assert _compiled.failures[failed:] == [], _compiled.failures[failed:][0][1]


def programs_of(jitted):
    programs = jitted._programs()
    assert programs, "no traced program found"
    return programs


def both(g, args, monkeypatch, finite=True):
    """g's replay with its groups compiled, and without. With finite, every
    block ran compiled; else some were handed back to the kernels."""
    jc = w.jit(g)
    jc(*args)
    kernels = [k for p in programs_of(jc) for k in p.group_kernels()]
    assert kernels and all(kernels), "no group was compiled"
    before = sum(n for p in programs_of(jc) for n in p.group_handed_back())
    compiled = jc(*args)
    handed_back = sum(n for p in programs_of(jc) for n in p.group_handed_back()) - before
    assert (handed_back == 0) == finite, f"{handed_back} blocks handed back to the kernels"
    with monkeypatch.context() as m:
        m.setenv("WIRTINGER_JIT_COMPILE", "off")
        jk = w.jit(g)
        jk(*args)
        assert not any(k for p in programs_of(jk) for k in p.group_kernels())
        plain = jk(*args)
    return compiled, plain


def assert_close(got, want, what):
    """Norm-wise, for derivatives of composite functions: a part that cancels to
    near 0 keeps the absolute rounding error of the terms it came from (builds
    with other flags, the sanitizers', round the kernels' steps differently)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, what
    tol = 1e-5 if want.dtype in (np.complex64, np.float32) else 1e-13
    parts = [(got.real, want.real), (got.imag, want.imag)] if want.dtype.kind == "c" else [(got, want)]
    scale = max((np.abs(w[np.isfinite(w)]).max(initial=0) for _, w in parts), default=0)
    for g, w in parts:
        finite = np.isfinite(w)
        np.testing.assert_allclose(g[finite], w[finite], rtol=0, atol=tol * scale, err_msg=what)
        np.testing.assert_array_equal(g[np.isinf(w)], w[np.isinf(w)], err_msg=what)
        assert not np.isfinite(g[np.isnan(w)]).any(), f"{what}: finite where the reference gives nan"


def table_function(dtype):
    names = [n for n in NAMES if not (n in REAL_ONLY and np.dtype(dtype).kind == "c")]
    fs = [function(n) for n in names]

    def every(x):
        return [f(x) for f in fs]

    def loss(x):
        return wnp.sum(wnp.real(sum(f(x) * wnp.conj(f(x)) for f in fs[:8])))
    return names, every, loss


@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.complex64])
def test_every_rule_compiled_equals_kernels(dtype, compiled, monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.uniform(0.1, 0.9, 4096).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = (x + 1j * rng.uniform(-0.9, 0.9, 4096)).astype(dtype)
    t = np.full_like(x, 0.75)
    names, every, loss = table_function(dtype)
    with np.errstate(all="ignore"):
        got, want = both(every, (x,), monkeypatch)
        for name, a, b in zip(names, got, want):
            assert_same(a, b, f"{name} value")
        hvp = lambda x, t: w.jvp(w.grad(loss), (x,), (t,))[1]  # noqa: E731
        got, want = both(hvp, (x, t), monkeypatch)
        assert_close(got, want, "hvp of the first rules")


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_special_values_fall_back_to_kernels(dtype, compiled, monkeypatch):
    x = np.tile(points("exp", dtype), 8)
    t = np.full_like(x, 0.75 + (0.5j if np.dtype(dtype).kind == "c" else 0))
    f = lambda z: wnp.sum(wnp.abs(wnp.exp(z) * z + wnp.conj(z) / (z + 1)) ** 3)  # noqa: E731
    with np.errstate(all="ignore"):
        # Real steps need no second pass (the kernels compute them as the loop does).
        got, want = both(lambda x, t: w.hvp(f, (x,), (t,)), (x, t), monkeypatch, finite=np.dtype(dtype).kind == "f")
        assert_same(got, want, "hvp at special points")
        eager = w.hvp(f, (x,), (t,))
    assert_same(got, eager, "hvp at special points, eager")


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_value_and_grad_with_sums(dtype, compiled, monkeypatch):
    """Whole-array sums inside a compiled group are added up as the kernels add them."""
    rng = np.random.default_rng(2)
    z = (rng.standard_normal(5000) + 1j * rng.standard_normal(5000)).astype(dtype)
    f = lambda z: wnp.sum(wnp.abs(wnp.sin(z) * z - 0.5) ** 2)  # noqa: E731
    (value, grad), (value_k, grad_k) = both(w.value_and_grad(f), (z,), monkeypatch)
    assert_close(value, value_k, "value")
    assert_close(grad, grad_k, "gradient")


def test_compiled_groups_are_cached_on_disk(tmp_path, monkeypatch, compiled):
    monkeypatch.setenv("WIRTINGER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_compiled, "_loaded", {})
    z = np.linspace(-1, 1, 300) + 0.5j
    f = w.jit(lambda z: wnp.exp(z) * z + 1)
    f(z)
    libraries = list((tmp_path / "kernels").glob("*.so"))
    assert len(libraries) == 1
    mtime = libraries[0].stat().st_mtime_ns
    monkeypatch.setattr(_compiled, "_loaded", {})
    g = w.jit(lambda z: wnp.exp(z) * z + 1)
    np.testing.assert_allclose(g(z), np.exp(z) * z + 1, rtol=1e-14)
    assert libraries[0].stat().st_mtime_ns == mtime  # loaded, not compiled again


def test_background_compilation_swaps_in(monkeypatch):
    """By default the first replays run on the kernels while the group compiles;
    later replays run it compiled, with the kernels' values."""
    z = np.linspace(-2, 2, _compiled.MIN_ELEMENTS) * (1 + 0.5j)
    g = w.value_and_grad(lambda z: wnp.sum(wnp.abs(wnp.tanh(z) * z + 2.5) ** 2))
    monkeypatch.setenv("WIRTINGER_JIT_COMPILE", "off")
    plain = w.jit(g)
    plain(z)
    value, grad = plain(z)
    monkeypatch.setenv("WIRTINGER_JIT_COMPILE", "background")
    monkeypatch.setattr(_compiled, "REQUIRE_VECTORISED", False)
    f = w.jit(g)
    f(z)
    _compiled.wait()
    assert all(programs_of(f)[0].group_kernels())
    later = f(z)
    assert_close(later[0], value, "value")  # libm's vector and scalar forms differ in the last bit
    assert_close(later[1], grad, "gradient")


def test_loops_that_do_not_vectorise_are_left_to_the_kernels(compiled, monkeypatch):
    """A group whose loop the compiler keeps scalar (a power with a varying
    exponent loops per element) runs on the kernels unless asked otherwise."""
    if "-fopt-info-vec-optimized" not in _compiled.toolchain()[1]:
        pytest.skip("only GCC reports which loops it vectorised")
    monkeypatch.setattr(_compiled, "REQUIRE_VECTORISED", True)
    x = np.linspace(0.5, 2, 3000)
    f = w.jit(lambda x, p: wnp.exp(x) ** p * x)
    f(x, x)
    assert programs_of(f)[0].group_kernels() == [False]
    g = w.jit(lambda x: wnp.exp(x) * 2.0 * x)
    g(x)
    assert programs_of(g)[0].group_kernels() == [True]


def test_long_runs_are_vectorised(compiled, monkeypatch):
    """A value_and_grad of 70 complex sines (a run of 212 steps whose backward
    pass reads every forward value) keeps its values in registers and is vectorised."""
    if "-fopt-info-vec-optimized" not in _compiled.toolchain()[1]:
        pytest.skip("only GCC reports which loops it vectorised")
    monkeypatch.setattr(_compiled, "REQUIRE_VECTORISED", True)

    def f(z):
        for _ in range(70):
            z = wnp.sin(z) * 0.5
        return wnp.sum(wnp.abs(z) ** 2)
    z = np.exp(1j * np.linspace(0, 6, 3000))
    (value, grad), (value_k, grad_k) = both(w.value_and_grad(f), (z,), monkeypatch)
    assert_close(value, value_k, "value")
    assert_close(grad, grad_k, "gradient")


def test_non_finite_intermediates_go_back_to_the_kernels(compiled, monkeypatch):
    """From finite inputs, a complex division by zero is nan in fast arithmetic and
    inf in std::complex; its real part is read by a cast, which keeps a nan a nan
    but drops an imaginary one, so the quotient itself must be tested: the block
    goes back to the kernels and the result is eager's infinity."""
    z = np.linspace(0.5, 1.5, 2000) + 0.25j
    f = lambda z: wnp.real((z + 1) / (z - z)) * 2.0  # noqa: E731
    with np.errstate(all="ignore"):
        got, want = both(f, (z,), monkeypatch, finite=False)
        eager = f(z)
    assert np.isinf(eager).all()
    assert_same(got, want, "real part of a quotient by zero")
    assert_same(got, eager, "real part of a quotient by zero, eager")
