"""wirtinger.scipy.special's special functions: values against mpmath (and
SciPy where it is installed), SciPy's special values, derivatives against
finite differences and closed forms, and the refusals (complex input to a
real-only function, a derivative in an order)."""
import math

import mpmath
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
import wirtinger.scipy.special as wss

mp = mpmath.MPContext()
mp.dps = 40


def _ref(fn, xs):
    with mp.workdps(400):  # ndtri(1e-300) needs 2p − 1 to 300 digits
        return np.array([complex(fn(*[mp.mpf(float(v)) for v in np.atleast_1d(x)])) for x in xs])


# ---------------------------------------------------------------- values
_REAL = {
    "erf": (wss.erf, mp.erf, [-3.0, -0.5, 1e-10, 0.3, 2.0, 5.5]),
    "erfc": (wss.erfc, mp.erfc, [-3.0, -0.5, 0.3, 2.0, 10.0, 26.0]),
    "erfcx": (wss.erfcx, lambda x: mp.exp(x * x) * mp.erfc(x), [-20.0, -1.0, 0.0, 0.7, 3.0, 24.0, 30.0, 1e5, 1e100]),
    "erfinv": (wss.erfinv, mp.erfinv, [-0.999, -0.3, 1e-200, 1e-5, 0.4, 0.9, 1 - 2.0**-40, 1 - 2.0**-52]),
    "ndtri": (wss.ndtri, lambda p: mp.sqrt(2) * mp.erfinv(2 * p - 1), [1e-300, 1e-20, 0.001, 0.3, 0.5, 0.7, 0.999]),
    "ndtr": (wss.ndtr, mp.ncdf, [-30.0, -3.0, 0.0, 0.5, 3.0, 8.0]),
    "log_ndtr": (wss.log_ndtr, lambda x: mp.log(mp.ncdf(x)), [-1e3, -40.0, -5.0, -1.0, -0.5, 0.0, 3.0, 10.0, 38.0]),
    "gammaln": (wss.gammaln, lambda x: mp.log(abs(mp.gamma(x))), [-7.5, -0.3, 1e-8, 0.5, 1.0, 2.0, 3.7, 1e3, 1e200]),
    "gamma": (wss.gamma, mp.gamma, [-7.5, -0.3, 0.1, 1.5, 10.0, 100.5, 170.5]),
    "loggamma": (wss.loggamma, mp.loggamma, [1e-5, 0.5, 3.0, 50.5, 1e10]),
    "digamma": (wss.digamma, mp.digamma, [-9.7, -1.5, -0.2, 1e-9, 0.5, 1.0, 1.2, 1.4616, 1.6, 2.0, 9.9, 1e5, 1e200]),
    "i0": (wss.i0, lambda x: mp.besseli(0, x), [-30.0, -1.0, 0.0, 1e-3, 5.0, 25.0, 26.0, 300.0, 710.0]),
    "i1": (wss.i1, lambda x: mp.besseli(1, x), [-30.0, -1.0, 0.0, 1e-3, 5.0, 25.0, 26.0, 300.0, 710.0]),
    "i0e": (wss.i0e, lambda x: mp.besseli(0, x) * mp.exp(-abs(x)), [-30.0, -1.0, 0.0, 5.0, 25.0, 26.0, 1e4, 1e10]),
    "i1e": (wss.i1e, lambda x: mp.besseli(1, x) * mp.exp(-abs(x)), [-30.0, -1.0, 0.0, 5.0, 25.0, 26.0, 1e4, 1e10]),
    "exp1": (wss.exp1, mp.e1, [1e-300, 1e-5, 0.5, 1.0, 1.5, 3.0, 30.0, 700.0]),
    "expi": (wss.expi, mp.ei, [-700.0, -3.0, -0.5, 1e-300, 0.1, 1.0, 30.0, 50.5, 100.0, 705.0]),
}


# Where the accuracy is limited: ndtr(x) = erfc(−x/√2)/2 rounds x/√2 (as SciPy's does), which costs
# x² ulps in the far left tail; ψ's reflection cancels near its negative zeros (absolute accuracy).
_TOL = {"ndtr": dict(rtol=2e-13, atol=0), "log_ndtr": dict(rtol=1e-14, atol=0), "digamma": dict(rtol=4e-15, atol=2e-15)}


@pytest.mark.parametrize("name", list(_REAL))
def test_real_values_against_mpmath(name):
    fn, ref, xs = _REAL[name]
    xs = np.array(xs)
    got = np.asarray(fn(xs))
    want = _ref(ref, xs).real
    np.testing.assert_allclose(got, want, **_TOL.get(name, dict(rtol=4e-15, atol=0)))
    x32 = xs[np.abs(xs) < 3e38].astype(np.float32)
    got32 = np.asarray(fn(x32))
    assert got32.dtype == np.float32
    want = _ref(ref, x32).real
    fin = (np.abs(want) < 3e38) & ((np.abs(want) > 1.2e-38) | (want == 0))  # normal float32 numbers
    np.testing.assert_allclose(got32[fin], want[fin].astype(np.float32), rtol=4e-6)


_COMPLEX = {
    "gamma": (wss.gamma, mp.gamma),
    "loggamma": (wss.loggamma, mp.loggamma),
    "digamma": (wss.digamma, mp.digamma),
}
_ZS = np.array([1 + 1j, 0.5 - 3j, -1.5 + 0.25j, -2.3 - 0.7j, -20.5 + 3j, 0.01 + 0.01j, 5 + 100j, -300.2 + 1e-3j,
                3 - 1e4j, -3.5 + 300j, -1.5 + 0j])


@pytest.mark.parametrize("name", list(_COMPLEX))
def test_complex_values_against_mpmath(name):
    fn, ref = _COMPLEX[name]
    got = np.asarray(fn(_ZS))
    want = np.array([complex(ref(mp.mpc(z.real, z.imag))) for z in _ZS])
    if name == "gamma":
        fin = np.abs(want) < 1e300
        got, want = got[fin], want[fin]
    np.testing.assert_allclose(got, want, rtol=2e-14 if name != "gamma" else 1e-12)


def test_loggamma_on_the_cut_is_the_limit_from_above_as_scipys():
    got = complex(wss.loggamma(np.complex128(-1.5 + 0j)))
    assert abs(got - (0.8600470153764823 - 6.283185307179586j)) < 1e-14


def test_zeta_values():
    s = np.array([2.0, 3.5, 31.0, 1.0001, 2.0, 5.0, 50.0])
    q = np.array([1.0, 0.1, 2.5, 1.0, -1.5, -3.25, 1.5])
    want = np.array([float(mp.zeta(a, b)) if b > 0 else float(mp.psi(int(a) - 1, b) * (-1) ** int(a) / mp.factorial(a - 1))
                     for a, b in zip(s, q)])
    np.testing.assert_allclose(np.asarray(wss.zeta(s, q)), want, rtol=1e-14)
    riemann = np.array([-7.5, -2.0, -1.0, 0.0, 0.5, 0.9, 2.0, 10.0])
    np.testing.assert_allclose(np.asarray(wss.zeta(riemann)), [float(mp.zeta(v)) for v in riemann], rtol=1e-13,
                               atol=1e-15)


def test_expn_and_incomplete_gamma_values():
    n = np.array([0, 1, 2, 3, 10, 2, 5])
    x = np.array([0.5, 0.5, 0.2, 3.0, 1.5, 40.0, 1e-3])
    np.testing.assert_allclose(np.asarray(wss.expn(n, x)), [float(mp.expint(int(k), v)) for k, v in zip(n, x)],
                               rtol=1e-14)
    a = np.array([0.5, 1.0, 2.5, 10.0, 50.0, 3.0, 0.1])
    x = np.array([0.3, 2.0, 1.0, 12.0, 45.0, 30.0, 1e-5])
    p = [float(mp.gammainc(u, 0, v, regularized=True)) for u, v in zip(a, x)]
    q = [float(mp.gammainc(u, v, mp.inf, regularized=True)) for u, v in zip(a, x)]
    np.testing.assert_allclose(np.asarray(wss.gammainc(a, x)), p, rtol=1e-13)
    np.testing.assert_allclose(np.asarray(wss.gammaincc(a, x)), q, rtol=1e-13)
    with np.errstate(invalid="ignore"):
        got = [float(f(u, v)) for f, u, v in [(wss.gammainc, 0.0, 1.0), (wss.gammainc, 1.0, 0.0),
                                             (wss.gammaincc, 1.0, np.inf), (wss.gammaincc, 0.0, 1.0)]]
        assert got == [1.0, 0.0, 0.0, 0.0]
        assert np.isnan(wss.gammainc(-1.0, 1.0)) and np.isnan(wss.gammainc(0.0, 0.0)) and np.isnan(wss.expn(-1, 1.0))
        assert float(wss.expn(2, 0.0)) == 1.0 and float(wss.expn(1, 0.0)) == np.inf
        assert np.isnan(wss.exp1(-1.0)) and float(wss.expi(0.0)) == -np.inf


def test_polygamma_values():
    n = np.array([0, 1, 2, 3, 5])
    for x in (0.3, 2.5, -1.5):
        want = [float(mp.polygamma(int(k), x)) for k in n]
        np.testing.assert_allclose(np.asarray(wss.polygamma(n, x)), want, rtol=1e-13)
    assert np.isnan(wss.polygamma(1.5, 2.0)) and np.isnan(wss.polygamma(-1, 2.0))


def test_compositions_of_gamma():
    a, b = np.array([0.5, 2.0, 3.5, -1.5, 30.0, 200.0]), np.array([1.5, 3.0, 0.25, 2.0, 40.0, 1.5])
    # (beyond Γ's overflow, beta is e^(difference of log-gammas): ~1e-13 relative there)
    np.testing.assert_allclose(np.asarray(wss.beta(a, b)), [float(mp.beta(x, y)) for x, y in zip(a, b)], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(wss.betaln(a, b)), [float(mp.log(abs(mp.beta(x, y)))) for x, y in zip(a, b)],
                               rtol=1e-13)
    # (poch beyond Γ's overflow is a difference of log-gammas: ~1e-13 relative there)
    np.testing.assert_allclose(np.asarray(wss.poch(a, b)), [float(mp.rf(x, y)) for x, y in zip(a, b)], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(wss.multigammaln(np.array([3.5, 10.0]), 3)),
                               [3.895898482154039, float(3 * 2 / 4 * mp.log(mp.pi) + sum(mp.loggamma(10 - j / 2)
                                                                                          for j in range(3)))],
                               rtol=1e-13)
    np.testing.assert_allclose(np.asarray(wss.factorial(np.array([0.0, 3.0, 2.5, 170.0]))),
                               [1.0, 6.0, float(mp.gamma(3.5)), float(mp.factorial(170))], rtol=1e-13)
    np.testing.assert_allclose(np.asarray(wss.comb(5.0, np.array([2.0, 2.5, 0.0, 5.0]))),
                               [10.0, float(mp.binomial(5, 2.5)), 1.0, 1.0], rtol=1e-13)
    assert float(wss.comb(5.0, 2.0, repetition=True)) == 15.0


def test_scipys_special_values():
    inf, nan = np.inf, np.nan
    cases = [
        (wss.digamma, [0.0, -0.0, -1.0, np.inf], [-inf, inf, nan, inf]),
        (wss.gamma, [0.0, -0.0, -1.0, 172.0], [inf, -inf, nan, inf]),
        (wss.gammaln, [0.0, -1.0, np.inf], [inf, inf, inf]),
        (wss.loggamma, [-1.5, 0.0, 1.0], [nan, inf, 0.0]),
        (wss.erfinv, [1.0, -1.0, 1.5], [inf, -inf, nan]),
        (wss.ndtri, [0.0, 1.0, -1.0], [-inf, inf, nan]),
        (wss.erfcx, [-27.0, np.inf], [inf, 0.0]),
        (wss.factorial, [-1.0, 171.0], [0.0, inf]),
        (wss.gammasgn, [0.0, -0.0, -1.0, -1.5, -2.5, 1.0, np.nan, -np.inf], [1, -1, nan, 1, -1, 1, nan, nan]),
    ]
    for fn, xs, want in cases:
        with np.errstate(all="ignore"):
            got = np.asarray(fn(np.array(xs)))
        np.testing.assert_array_equal(got, np.array(want, dtype=float), err_msg=fn.__name__)
    assert float(wss.zeta(1.0, 2.0)) == np.inf and np.isnan(wss.zeta(0.5, 1.0)) and np.isnan(wss.zeta(2.5, -1.5))
    assert float(wss.zeta(2.0, -1.0)) == np.inf
    assert float(wss.poch(-2.0, 3.0)) == 0.0 and float(wss.poch(0.0, 0.0)) == 1.0
    assert float(wss.poch(-3.0, 1.0)) == -3.0 and float(wss.poch(-2.5, 1.5)) == np.inf
    assert float(wss.comb(5.0, 6.0)) == 0.0 and float(wss.comb(-3.0, 2.0)) == 0.0


def test_exact_integers_and_bernoulli():
    assert wss.factorial(20, exact=True) == math.factorial(20)
    np.testing.assert_array_equal(wss.factorial(np.array([3, -2]), exact=True), [6, 0])
    assert wss.comb(50, 20, exact=True) == math.comb(50, 20)
    b = wss.bernoulli(6)
    np.testing.assert_allclose(b, [1, -0.5, 1 / 6, 0, -1 / 30, 0, 1 / 42], rtol=1e-15, atol=0)
    np.testing.assert_allclose(wss.bernoulli(30)[-1], float(mp.bernoulli(30)), rtol=1e-15)


def test_against_scipy_when_installed():
    sp = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-30, 30, 200), rng.uniform(-3, 3, 200), 10.0 ** rng.uniform(-8, 3, 100)])
    p = rng.uniform(0, 1, 200)
    for name in ("erf", "erfc", "erfcx", "ndtr", "log_ndtr", "gammaln", "gamma", "digamma", "i0", "i1", "i0e", "i1e",
                 "gammasgn"):
        with np.errstate(all="ignore"):
            got, want = np.asarray(getattr(wss, name)(x)), getattr(sp, name)(x)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300, err_msg=name)
    for name in ("erfinv", "ndtri"):
        np.testing.assert_allclose(np.asarray(getattr(wss, name)(p)), getattr(sp, name)(p), rtol=1e-12, err_msg=name)
    z = rng.uniform(-8, 8, 100) + 1j * rng.uniform(-8, 8, 100)
    for name in ("gamma", "loggamma", "digamma"):
        np.testing.assert_allclose(np.asarray(getattr(wss, name)(z)), getattr(sp, name)(z), rtol=1e-12, err_msg=name)
    a, b = rng.uniform(0.1, 20, 100), rng.uniform(0.1, 20, 100)
    for name in ("beta", "betaln", "poch"):
        np.testing.assert_allclose(np.asarray(getattr(wss, name)(a, b)), getattr(sp, name)(a, b), rtol=1e-12,
                                   err_msg=name)
    np.testing.assert_allclose(np.asarray(wss.zeta(a + 1.01, b)), sp.zeta(a + 1.01, b), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(wss.polygamma(3, b)), sp.polygamma(3, b), rtol=1e-12)
    for name in ("gammainc", "gammaincc"):
        np.testing.assert_allclose(np.asarray(getattr(wss, name)(a, b)), getattr(sp, name)(a, b), rtol=1e-11,
                                   err_msg=name)
    np.testing.assert_allclose(np.asarray(wss.expn(3, b)), sp.expn(3, b), rtol=1e-12)
    pos = np.abs(x) + 1e-3
    np.testing.assert_allclose(np.asarray(wss.exp1(pos)), sp.exp1(pos), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(wss.expi(x)), sp.expi(x), rtol=1e-12)


# ---------------------------------------------------------------- derivatives
def _fd_real(f, x, h):
    return (np.asarray(f(x + h)) - np.asarray(f(x - h))) / (2 * h)


_DERIVATIVES = {
    "ndtr": (wss.ndtr, [-3.0, 0.4, 2.0]),
    "log_ndtr": (wss.log_ndtr, [-50.0, -3.0, 0.4, 6.0]),
    "beta": (lambda x: wss.beta(x, 2.5), [0.7, 3.0, 180.0]),
    "betaln": (lambda x: wss.betaln(1.5, x), [0.7, 3.0, 180.0]),
    "poch": (lambda x: wss.poch(x, 1.7), [0.7, 3.0]),
    "poch-m": (lambda m: wss.poch(2.2, m), [0.7, 3.0]),
    "polygamma": (lambda x: wss.polygamma(2, x), [0.7, 3.0, -1.5]),
    "zeta": (lambda q: wss.zeta(3.0, q), [0.7, 3.0]),
    "factorial": (wss.factorial, [0.5, 4.0]),
    "comb": (lambda k: wss.comb(7.5, k), [1.5, 3.0]),
    "multigammaln": (lambda a: wss.multigammaln(a, 4), [2.0, 7.5]),
    "gammaln": (wss.gammaln, [-1.5, 0.3, 7.0]),
    "gamma": (wss.gamma, [-1.5, 0.3, 7.0]),
    "digamma": (wss.digamma, [-1.5, 0.3, 7.0]),
    "erfcx": (wss.erfcx, [-2.0, 0.3, 3.5, 40.0]),
    "erfinv": (wss.erfinv, [-0.9, 0.2, 0.999]),
    "ndtri": (wss.ndtri, [1e-4, 0.2, 0.9]),
    "i1": (wss.i1, [-2.0, 1e-3, 30.0]),
    "i1e": (wss.i1e, [-2.0, 1e-3, 30.0]),
    "i0e": (wss.i0e, [-2.0, 1e-3, 30.0]),
    "exp1": (wss.exp1, [0.3, 2.0, 30.0]),
    "expi": (wss.expi, [-2.0, 0.3, 60.0]),
    "expn": (lambda x: wss.expn(3, x), [0.3, 2.0, 30.0]),
    "expn-0": (lambda x: wss.expn(0, x), [0.3, 2.0]),
    "gammainc": (lambda x: wss.gammainc(2.5, x), [0.3, 2.0, 30.0]),
    "gammaincc": (lambda x: wss.gammaincc(0.7, x), [0.3, 2.0, 30.0]),
}


@pytest.mark.parametrize("name", list(_DERIVATIVES))
def test_first_and_second_derivatives_against_finite_differences(name):
    f, xs = _DERIVATIVES[name]
    for x in xs:
        g = w.grad(f)(x)
        step = 1e-6 * max(1e-3, abs(x))
        want = _fd_real(f, x, step)
        assert abs(g - want) <= 1e-6 * max(1.0, abs(want)), (name, x, g, want)
        h = w.grad(w.grad(f))(x)
        want2 = _fd_real(w.grad(f), x, step)
        assert abs(h - want2) <= 1e-5 * max(1.0, abs(want2)), (name, x, h, want2)


def test_closed_form_derivatives():
    x = np.array([0.3, 1.7, 6.0])
    np.testing.assert_allclose(w.grad(lambda v: wnp.sum(wss.gammaln(v)))(x), np.asarray(wss.digamma(x)), rtol=1e-15)
    np.testing.assert_allclose(w.grad(lambda v: wnp.sum(wss.digamma(v)))(x), np.asarray(wss.polygamma(1, x)),
                               rtol=1e-14)
    np.testing.assert_allclose(w.grad(lambda v: wnp.sum(wss.erf(v)))(x), 2 / np.sqrt(np.pi) * np.exp(-x * x),
                               rtol=1e-15)
    np.testing.assert_allclose(w.grad(lambda v: wnp.sum(wss.i0(v)))(x), np.asarray(wss.i1(x)), rtol=1e-15)
    # erfcx' = 2x erfcx − 2/√π without its cancellation: −1/(√π x²)(1 − 3/(2x²) + ...) at x = 1e8
    g = w.grad(wss.erfcx)(1e8)
    assert abs(g - (-1 / (np.sqrt(np.pi) * 1e16))) <= 1e-12 * abs(g)
    assert w.grad(wss.i1)(0.0) == 0.5 and w.grad(wss.i1e)(0.0) == 0.5


def test_complex_derivatives_are_holomorphic():
    z = np.array([0.7 + 0.4j, -1.3 + 0.8j, 3.0 - 2.0j])
    for fn in (wss.gamma, wss.loggamma, wss.digamma):
        jac = w.wirtinger(lambda v: fn(v))(z[0])
        assert abs(jac.dzbar) == 0
        h = 1e-6
        for d in (1, 1j):
            fd = (complex(fn(z[0] + h * d)) - complex(fn(z[0] - h * d))) / (2 * h)
            assert abs(jac.dz * d - fd) < 1e-7 * max(1, abs(fd)), fn.__name__


def test_jit_and_vmap():
    x = np.array([0.3, 1.7, 6.0])
    f = lambda v: wnp.sum(wss.log_ndtr(v) * wss.gammaln(v) + wss.polygamma(1, v) + wss.zeta(2.5, v))  # noqa: E731
    g = w.grad(f)(x)
    np.testing.assert_allclose(w.jit(w.grad(f))(x), g, rtol=1e-14)
    np.testing.assert_allclose(w.jit(w.grad(f))(x + 1), w.grad(f)(x + 1), rtol=1e-14)
    per = w.vmap(w.grad(lambda v: wss.erfinv(v) * wss.i1e(v)))(np.array([0.1, -0.5, 0.9]))
    want = [w.grad(lambda v: wss.erfinv(v) * wss.i1e(v))(v) for v in (0.1, -0.5, 0.9)]
    np.testing.assert_allclose(per, want, rtol=1e-14)


# ---------------------------------------------------------------- refusals
@pytest.mark.parametrize("name", ["erf", "erfc", "erfcx", "erfinv", "ndtri", "gammaln", "i0", "i1", "i0e", "i1e",
                                  "ndtr", "beta", "zeta", "exp1", "expi", "expn", "gammainc", "gammaincc"])
def test_real_only_functions_refuse_complex_input(name):
    fn = getattr(wss, name)
    args = (np.array([1.0 + 1j]),) * (2 if name in ("beta", "zeta", "expn", "gammainc", "gammaincc") else 1)
    with pytest.raises(TypeError, match=name if name != "ndtr" else "erfc"):
        fn(*args)
    with pytest.raises(TypeError, match="i0"):
        wnp.i0(np.array([1j]))


def test_derivatives_in_an_order_raise_rather_than_vanish():
    with pytest.raises(NotImplementedError, match="zeta: the derivative with respect to x"):
        w.grad(lambda s: wss.zeta(s, 2.0))(3.0)
    with pytest.raises(NotImplementedError, match="polygamma: the derivative with respect to n"):
        w.grad(lambda n: wss.polygamma(n, 2.0))(1.0)
    with pytest.raises(NotImplementedError, match="zeta"):
        w.jvp(lambda s: wss.zeta(s), (3.0,), (1.0,))
    with pytest.raises(NotImplementedError, match="gammainc: the derivative with respect to a"):
        w.grad(lambda a: wss.gammainc(a, 2.0))(1.5)
    with pytest.raises(NotImplementedError, match="expn"):
        w.grad(lambda n: wss.expn(n, 2.0))(1.0)
    # An order that is not differentiated is fine, also when jit traces it.
    g = w.jit(lambda s, q: w.grad(lambda v: wss.zeta(s, v))(q))(3.0, 2.0)
    assert abs(g - (-3 * float(mp.zeta(4, 2)))) < 1e-14
    # Nor is a parameter computed, inside the differentiated function, from an argument jit traces
    # but the transform does not differentiate.
    f = lambda x, a: wss.gammainc(a + 1, x)  # noqa: E731
    assert w.jit(w.grad(f))(2.0, 0.5) == pytest.approx(float(w.grad(f)(2.0, 0.5)), rel=1e-15)


def test_multigammaln_checks_its_domain():
    with pytest.raises(ValueError, match="multigammaln"):
        wss.multigammaln(0.9, 3)


# ---------------------------------------------------------------- spherical harmonics
def test_sph_harm_y_values_derivatives_and_transforms():
    cases = [(0, 0, 0.1, 0.2), (2, 1, 0.7, 0.3), (2, -1, 0.7, 0.3), (7, 3, 2.1, -1.3), (12, -5, 0.4, 2.0),
             (30, 17, 1.2, 0.9)]
    for n, m, t, p in cases:
        got = complex(wss.sph_harm_y(n, m, t, p))
        assert abs(got - complex(mp.spherharm(n, m, t, p))) < 1e-14, (n, m)
    assert complex(wss.sph_harm_y(1, 2, 0.7, 0.3)) == 0
    n, m = np.array([1, 2, 3]), np.array([0, 1, -2])
    t = np.array([0.7, 0.8, 0.9])
    got = np.asarray(wss.sph_harm_y(n, m, t, 0.3))
    assert got.dtype == np.complex128
    np.testing.assert_allclose(got, [complex(mp.spherharm(a, b, c, 0.3)) for a, b, c in zip(n, m, t)], atol=1e-15)
    # ∂Y/∂φ = i m Y; ∂/∂θ against finite differences; under jit and vmap alike.
    y = complex(wss.sph_harm_y(4, 2, 0.9, 0.4))
    jac = complex(w.jacfwd(lambda p: wss.sph_harm_y(4, 2, 0.9, p))(0.4))
    assert abs(jac - 2j * y) < 1e-14
    f = lambda th: wnp.real(wss.sph_harm_y(4, 2, th, 0.4))  # noqa: E731
    np.testing.assert_allclose(w.grad(f)(0.9), _fd_real(f, 0.9, 1e-6), rtol=1e-7)
    np.testing.assert_allclose(w.jit(w.grad(f))(0.9), w.grad(f)(0.9), rtol=1e-14)
    thetas = np.array([0.3, 0.9, 1.7])
    np.testing.assert_allclose(w.vmap(w.grad(f))(thetas), [w.grad(f)(v) for v in thetas], rtol=1e-14)
    with pytest.raises(NotImplementedError, match="diff_n"):
        wss.sph_harm_y(2, 1, 0.7, 0.3, diff_n=1)
