"""The integrals and parametric functions of wirtinger.scipy.special (dawsn,
fresnel, sici, spence, owens_t as Gauss rules; wofz as a rational
approximation; betainc, hyp1f1 and hyp2f1 from the extension, differentiated
in x): values against mpmath on every branch,
derivatives against their closed forms and finite differences (second order
too), float32, jit and vmap, and the refusals."""
import mpmath
import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
import wirtinger.scipy.special as wss

mp = mpmath.MPContext()
mp.dps = 30


def _dawsn(x):
    if abs(x) > 100:  # erfi overflows mpmath's float conversion; the expansion Σ (2k−1)!!/(2x²)ᵏ/(2x) converges
        return sum(mp.fac2(2 * k - 1) / (2 * x * x) ** k for k in range(12)) / (2 * x)
    return mp.sqrt(mp.pi) / 2 * mp.exp(-x * x) * mp.erfi(x)


def _fresnel_s(x):
    return mp.fresnels(x)


def _fresnel_c(x):
    return mp.fresnelc(x)


def _ci(x):
    return mp.ci(abs(x)) if x != 0 else -mp.inf


def _owens_t(h, a):
    # The definition, on 40 intervals (the integrand is a narrow peak at 0 for large h).
    with mp.workdps(50):
        cuts = mp.linspace(0, a, 41)
        return mp.quad(lambda x: mp.exp(-h * h * (1 + x * x) / 2) / (1 + x * x), cuts) / (2 * mp.pi)


_POINTS = {
    "dawsn": (wss.dawsn, _dawsn, [-7.0, -0.5, 0.0, 1e-9, 0.9, 3.0, 6.3, 6.4, 40.0, 9e3, 2e4, 1e30]),
    "fresnel-S": (lambda x: wss.fresnel(x)[0], _fresnel_s, [-5.0, -1.0, 0.0, 1e-6, 0.5, 3.9, 4.1, 12.3, 300.0]),
    "fresnel-C": (lambda x: wss.fresnel(x)[1], _fresnel_c, [-5.0, -1.0, 0.0, 1e-6, 0.5, 3.9, 4.1, 12.3, 300.0]),
    "Si": (lambda x: wss.sici(x)[0], mp.si, [-9.0, -0.3, 0.0, 1e-8, 1.0, 3.99, 4.01, 25.0, 1e4]),
    "Ci": (lambda x: wss.sici(x)[1], _ci, [-9.0, -0.3, 1e-8, 1.0, 3.99, 4.01, 25.0, 1e4]),
    "spence": (wss.spence, lambda x: mp.polylog(2, 1 - x), [0.0, 1e-9, 0.2, 0.5, 1.0, 1.7, 2.0, 2.5, 40.0, 1e9]),
}
# Absolute tolerances where a function crosses zero (Ci near 0.6165 is not among the points).
# Beyond |x| = 4 the Fresnel integrals' phase πx²/2 carries x²'s rounding (times the tail's 1/(π|x|)).
_TOL = {"fresnel-S": 3e-14, "fresnel-C": 3e-14, "Ci": 4e-15}


@pytest.mark.parametrize("name", list(_POINTS))
def test_values_against_mpmath(name):
    fn, ref, xs = _POINTS[name]
    xs = np.array(xs)
    got = np.asarray(fn(xs))
    want = np.array([float(ref(mp.mpf(v))) for v in xs])
    np.testing.assert_allclose(got, want, rtol=_TOL.get(name, 1e-14), atol=0)
    got32 = np.asarray(fn(xs.astype(np.float32)))
    assert got32.dtype == np.float32
    # float32 keeps about its own precision times the size of the phase (fresnel: πx²/2 ≈ 24 at 3.9).
    np.testing.assert_allclose(got32, want.astype(np.float32), rtol=1e-5, atol=1e-30)


def test_special_points_and_edges():
    assert float(wss.spence(1.0)) == 0.0 and np.isnan(float(wss.spence(-1.0)))
    assert float(wss.spence(np.inf)) == -np.inf
    assert np.isnan(float(wss.dawsn(np.nan)))
    s, c = wss.fresnel(np.array([np.inf, -np.inf, 1e200]))
    np.testing.assert_array_equal(np.asarray(s), [0.5, -0.5, 0.5])
    np.testing.assert_array_equal(np.asarray(c), [0.5, -0.5, 0.5])
    si, ci = wss.sici(np.array([np.inf, -np.inf, 0.0]))
    np.testing.assert_array_equal(np.asarray(si), [np.pi / 2, -np.pi / 2, 0.0])
    np.testing.assert_array_equal(np.asarray(ci), [0.0, 0.0, -np.inf])


def test_owens_t_values():
    cases = [(0.0, 0.5), (0.3, 0.2), (1.5, -0.9), (-2.0, 1.0), (4.0, 0.999), (0.5, 1.001), (2.0, 5.0), (-1.0, -40.0),
             (7.0, 3.0), (12.0, 0.3), (30.0, 0.1)]
    for h, a in cases:
        got = float(wss.owens_t(h, a))
        want = float(_owens_t(mp.mpf(h), mp.mpf(a)))
        # e^(−h²(1+a²t²)/2) carries the rounding of its exponent: about h²/2 units.
        assert abs(got - want) <= 1e-15 * (16 + h * h) * abs(want), (h, a, got, want)
    assert float(wss.owens_t(0.0, 1.0)) == pytest.approx(1 / 8, rel=1e-15)  # atan(1)/2π
    assert float(wss.owens_t(1.3, 0.0)) == 0.0
    # T(h, ∞) = Q(|h|)/2
    assert float(wss.owens_t(1.3, np.inf)) == pytest.approx(float(mp.ncdf(-1.3)) / 2, rel=1e-15)


def test_betainc_and_hyp1f1_values():
    for a, b, x in [(0.5, 0.5, 0.3), (2.0, 3.0, 0.9), (10.0, 20.0, 0.2), (0.1, 5.0, 1e-3), (5.0, 0.2, 0.999),
                    (1.0, 1.0, 0.25)]:
        want = float(mp.betainc(a, b, 0, x, regularized=True))
        assert abs(float(wss.betainc(a, b, x)) - want) <= 4e-14 * want, (a, b, x)
    for a, b, x in [(0.5, 1.5, 2.0), (1.0, 2.0, -3.0), (-3.0, 2.0, 1.7), (2.5, 0.5, -20.0), (0.3, 4.0, 600.0),
                    (1.0, 1.0, 0.7)]:
        want = float(mp.hyp1f1(a, b, x))
        assert abs(float(wss.hyp1f1(a, b, x)) - want) <= 1e-13 * abs(want), (a, b, x)
    for a, b, c, x in [(0.5, 1.5, 2.25, 0.3), (1.0, 1.0, 2.0, 0.999999), (1.5, 2.0, 3.0, -1e6), (2.3, 0.7, 1.4, 0.999),
                       (-3.0, 2.0, 1.5, 7.0), (0.3, 0.4, 1.7, -0.4), (2.0, 3.0, 5.0, 0.9999), (0.3, 1.7, 4.0, 0.95),
                       (2.5, -0.7, 0.8, 0.99), (1.1, 2.2, 3.3, -3.0), (1.0, 2.0, 4.0, 1.0), (0.2, 0.3, 0.5004, 0.99999)]:
        want = float(mp.hyp2f1(a, b, c, x))
        assert abs(float(wss.hyp2f1(a, b, c, x)) - want) <= 1e-13 * abs(want), (a, b, c, x)
    assert float(wss.hyp2f1(1.0, 2.0, 3.0, 1.0)) == np.inf and np.isnan(float(wss.hyp2f1(1.0, 2.0, 3.0, 1.5)))
    assert float(wss.hyp2f1(1.0, 2.0, -1.0, 0.5)) == np.inf
    assert np.isnan(float(wss.betainc(1.0, 2.0, 1.5))) and np.isnan(float(wss.betainc(-1.0, 2.0, 0.5)))
    assert float(wss.hyp1f1(1.0, -1.0, 1.0)) == np.inf
    # Broadcasting and dtypes: integers are float64, float32 stays float32.
    out = wss.betainc(np.array([1, 2, 3]), 2, np.array([[0.5], [0.25]]))
    assert out.shape == (2, 3) and out.dtype == np.float64
    assert wss.hyp1f1(np.float32(1), np.float32(2), np.ones(3, np.float32)).dtype == np.float32


def test_against_scipy_when_installed():
    sp = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-12, 12, 300), 10.0 ** rng.uniform(-8, 4, 100)])
    np.testing.assert_allclose(np.asarray(wss.dawsn(x)), sp.dawsn(x), rtol=1e-13)
    for got, want in zip(wss.fresnel(x), sp.fresnel(x)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-15)
    for got, want in zip(wss.sici(x), sp.sici(x)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(np.asarray(wss.spence(np.abs(x))), sp.spence(np.abs(x)), rtol=1e-14)
    h, a = rng.uniform(-8, 8, 200), rng.uniform(-5, 5, 200)
    np.testing.assert_allclose(np.asarray(wss.owens_t(h, a)), sp.owens_t(h, a), rtol=1e-12, atol=1e-300)
    pa, pb, t = rng.uniform(0.05, 30, 200), rng.uniform(0.05, 30, 200), rng.uniform(0, 1, 200)
    np.testing.assert_allclose(np.asarray(wss.betainc(pa, pb, t)), sp.betainc(pa, pb, t), rtol=1e-12)
    hx = rng.uniform(-10, 30, 200)
    got, want = np.asarray(wss.hyp1f1(pa, pb, hx)), sp.hyp1f1(pa, pb, hx)
    # a > b > 0 with x < 0: Kummer's transformation gives an alternating series (the
    # README's known loss, digits in proportion to the terms' size over the result's).
    alternating = (pa > pb) & (hx < 0)
    np.testing.assert_allclose(got[~alternating], want[~alternating], rtol=1e-11)
    np.testing.assert_allclose(got[alternating], want[alternating], rtol=1e-7)
    pc, gx = rng.uniform(0.1, 8, 200), np.concatenate([rng.uniform(-20, 1, 150), 1 - 10.0 ** rng.uniform(-8, -1, 50)])
    np.testing.assert_allclose(np.asarray(wss.hyp2f1(pa / 6, pb / 6, pc, gx)), sp.hyp2f1(pa / 6, pb / 6, pc, gx),
                               rtol=1e-11)


def _wofz(z):
    if abs(z) > 1e4:  # erfc of a large imaginary argument overflows mpmath's float conversion
        return 1j / (mp.sqrt(mp.pi) * z) * sum(mp.fac2(2 * k - 1) / (2 * z * z) ** k for k in range(8))
    return mp.exp(-z * z) * mp.erfc(-1j * z)


def test_wofz_values_against_mpmath():
    zs = np.array([0, 1e-9 + 0j, 0.5 + 0.5j, -2 + 1e-10j, 3.0, 6.3 + 0.01j, -7.9 + 1e-8j, 1 + 5j, 0.1 + 30j, 60 - 1j,
                   1e3 + 1e3j, 2e4 + 1j, -3e6 - 2e6j, 1 - 1j, -2.5 - 0.3j, 0.2 - 2j])
    got = np.asarray(wss.wofz(zs))
    want = np.array([complex(_wofz(mp.mpc(complex(z)))) for z in zs])
    np.testing.assert_allclose(got, want, rtol=3e-14, atol=0)
    # Real input gives a complex result: e^(−x²) + 2i/√π·D(x).
    x = np.array([-1.5, 0.0, 2.0])
    got = wss.wofz(x)
    assert got.dtype == np.complex128
    np.testing.assert_allclose(np.asarray(got), np.exp(-x * x) + 2j / np.sqrt(np.pi) * np.asarray(wss.dawsn(x)),
                               rtol=1e-14, atol=1e-300)
    assert wss.wofz(np.ones(2, np.float32)).dtype == np.complex64
    np.testing.assert_allclose(np.asarray(wss.wofz(zs[:12].astype(np.complex64))), want[:12], rtol=2e-6)


def test_wofz_is_holomorphic_with_its_derivative():
    for z in (0.3 + 0.2j, -2 + 1e-3j, 5 + 0.5j, 1 - 1.5j, 300 + 2j):
        pair = w.wirtinger(wss.wofz)(z)
        w_z = complex(_wofz(mp.mpc(z)))
        want = complex(-2 * mp.mpc(z) * _wofz(mp.mpc(z)) + 2j / mp.sqrt(mp.pi))
        assert abs(pair.dzbar) == 0
        assert abs(pair.dz - want) <= 1e-12 * abs(want), (z, pair.dz, want, w_z)


# ---------------------------------------------------------------- derivatives
def _owens_dh(h, a):
    return -np.exp(-h * h / 2) / np.sqrt(2 * np.pi) * float(wss.erf(a * h / np.sqrt(2))) / 2


def _owens_da(h, a):
    return np.exp(-h * h * (1 + a * a) / 2) / (2 * np.pi * (1 + a * a))


_CLOSED = {
    "dawsn": (wss.dawsn, lambda x: 1 - 2 * x * float(wss.dawsn(x)), [-7.0, 0.0, 0.9, 6.4, 40.0, 2e4]),
    "fresnel-S": (lambda x: wss.fresnel(x)[0], lambda x: np.sin(np.pi * x * x / 2), [-5.0, 0.0, 0.5, 3.9, 4.1, 12.3]),
    "fresnel-C": (lambda x: wss.fresnel(x)[1], lambda x: np.cos(np.pi * x * x / 2), [-5.0, 0.0, 0.5, 3.9, 4.1, 12.3]),
    "Si": (lambda x: wss.sici(x)[0], lambda x: np.sinc(x / np.pi), [-9.0, 0.0, 1.0, 3.99, 4.01, 25.0]),
    "Ci": (lambda x: wss.sici(x)[1], lambda x: np.cos(x) / x, [-9.0, 0.3, 1.0, 3.99, 4.01, 25.0]),
    "spence": (wss.spence, lambda x: np.log(x) / (1 - x) if x != 1 else -1.0, [0.2, 0.5, 1.0, 1.7, 2.5, 40.0]),
    "owens_t-h": (lambda h: wss.owens_t(h, 0.7), lambda h: _owens_dh(h, 0.7), [-2.0, 0.3, 3.0]),
    "owens_t-h-wide": (lambda h: wss.owens_t(h, -3.0), lambda h: _owens_dh(h, -3.0), [-2.0, 0.3, 3.0]),
    "owens_t-a": (lambda a: wss.owens_t(1.2, a), lambda a: _owens_da(1.2, a), [-3.0, 0.3, 0.99, 1.01, 7.0]),
    "betainc": (lambda x: wss.betainc(2.5, 0.7, x),
                lambda x: x ** 1.5 * (1 - x) ** -0.3 / float(mp.beta(2.5, 0.7)), [0.1, 0.5, 0.95]),
    "hyp1f1": (lambda x: wss.hyp1f1(0.5, 1.5, x), lambda x: float(mp.hyp1f1(1.5, 2.5, x)) / 3, [-4.0, 0.3, 9.0]),
    "hyp2f1": (lambda x: wss.hyp2f1(0.5, 1.5, 2.5, x), lambda x: float(mp.hyp2f1(1.5, 2.5, 3.5, x)) * 0.3,
               [-4.0, 0.3, 0.95]),
}


@pytest.mark.parametrize("name", list(_CLOSED))
def test_derivatives_closed_forms_and_second_order(name):
    f, df, xs = _CLOSED[name]
    for x in xs:
        g = float(w.grad(f)(x))
        assert abs(g - df(x)) <= 1e-13 * max(1.0, abs(df(x))), (name, x, g, df(x))
        # The second derivative against differences of the closed-form first one.
        step = 1e-6 * max(1.0, abs(x))
        want2 = (df(x + step) - df(x - step)) / (2 * step)
        h = float(w.grad(w.grad(f))(x))
        assert abs(h - want2) <= 1e-6 * max(1.0, abs(want2)), (name, x, h, want2)
    # Forward mode agrees with reverse mode.
    xs = np.array(xs)
    _, t = w.jvp(f, (xs,), (np.ones_like(xs),))
    np.testing.assert_allclose(np.asarray(t), [df(x) for x in xs], rtol=1e-13, atol=1e-13)


def test_owens_t_is_smooth_at_h_zero():
    # T is even in h, ∂²T/∂h² = −a/(2π) at h = 0 for |a| ≤ 1
    assert float(w.grad(w.grad(lambda h: wss.owens_t(h, 0.5)))(0.0)) == pytest.approx(-0.5 / (2 * np.pi), rel=1e-13)


def test_jit_and_vmap():
    x = np.array([0.3, 1.7, 6.0])
    f = lambda v, a: wnp.sum(wss.dawsn(v) * wss.owens_t(v, a) + wss.fresnel(v)[1] * wss.sici(v)[1]  # noqa: E731
                             + wss.spence(v) + wss.hyp1f1(0.5, a + 2, v) + wss.betainc(a, 2.0, v / 7)
                             + wss.hyp2f1(a, 0.5, 3.0, -v))
    a = np.array([0.5, 2.0, -0.3])
    g = w.grad(f)(x, a)
    np.testing.assert_allclose(w.jit(w.grad(f))(x, a), g, rtol=1e-14)
    np.testing.assert_allclose(w.jit(w.grad(f))(x + 0.1, a), w.grad(f)(x + 0.1, a), rtol=1e-14)
    per = w.vmap(w.grad(lambda v, a: wss.owens_t(v, a) * wss.hyp1f1(1.5, a + 2, v)))(x, a)
    want = [w.grad(lambda v: wss.owens_t(v, ai) * wss.hyp1f1(1.5, ai + 2, v))(v) for v, ai in zip(x, a)]
    np.testing.assert_allclose(per, want, rtol=1e-14)
    # A parameter mapped by vmap (not differentiated) evaluates per sample.
    got = w.vmap(lambda a: wss.betainc(a, 2.0, 0.3))(np.array([0.5, 1.0, 4.0]))
    np.testing.assert_allclose(np.asarray(got), [float(wss.betainc(v, 2.0, 0.3)) for v in (0.5, 1.0, 4.0)],
                               rtol=1e-15)


def test_refusals():
    for fn in (wss.dawsn, wss.fresnel, wss.sici, wss.spence):
        with pytest.raises(TypeError, match="real arrays only"):
            fn(np.array([1j]))
    with pytest.raises(TypeError, match="owens_t"):
        wss.owens_t(1j, 0.5)
    with pytest.raises(NotImplementedError, match="betainc: the derivative with respect to a"):
        w.grad(lambda a: wss.betainc(a, 2.0, 0.5))(1.5)
    with pytest.raises(NotImplementedError, match="hyp1f1: the derivative with respect to b"):
        w.grad(lambda b: wss.hyp1f1(1.0, b, 0.5))(1.5)
    with pytest.raises(NotImplementedError, match="hyp1f1"):
        w.jvp(lambda a: wss.hyp1f1(a, 2.0, 0.5), (1.0,), (1.0,))
    with pytest.raises(NotImplementedError, match="hyp2f1: the derivative with respect to c"):
        w.grad(lambda c: wss.hyp2f1(1.0, 0.5, c, 0.5))(2.5)
    with pytest.raises(TypeError, match="hyp2f1"):
        wss.hyp2f1(1.0, 2.0, 3.0, 0.5j)
