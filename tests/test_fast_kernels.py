"""The vectorised element-wise kernels (cpp/src/elementwise.hpp, simd_math.hpp)
against Python's cmath, element by element: an implementation that shares no
code with ours. Inputs span many decades, so that scaled division and |z|,
overflowing cosh/sinh and the non-finite fallback to std::complex are all hit,
and arrays are longer than one vector block and one thread's share."""
import cmath
import math

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp

N = 3 * 2048 + 17  # several blocks and a ragged tail


def _wide(rng, n, big=300.0):
    """Complex numbers whose parts run from subnormal to near overflow, with
    plenty of ordinary ones, a sprinkling of zeros and both signs."""
    mag = 10.0 ** rng.uniform(-big, big, size=(2, n))
    ordinary = rng.standard_normal((2, n)) * 3
    parts = np.where(rng.random((2, n)) < 0.5, ordinary, mag)
    parts *= np.where(rng.random((2, n)) < 0.5, -1.0, 1.0)
    parts[:, :: 97] = 0.0
    return parts[0] + 1j * parts[1]


def _moderate(rng, n):
    """Arguments for exp/sin/cos/...: real and imaginary parts up to a few
    hundred (near where cosh, sinh and exp overflow) and far beyond."""
    z = (rng.standard_normal(n) * 5) + 1j * (rng.standard_normal(n) * 5)
    k = rng.random(n)
    z = np.where(k < 0.15, z * 140, z)  # around exp's overflow at 709.78
    z = np.where((k > 0.15) & (k < 0.2), z * 1e6, z)  # large angles for the real sin/cos
    return z


def _reference(fn, z, dtype):
    out = np.empty(z.shape, dtype=np.complex128)
    ok = np.ones(z.shape, dtype=bool)
    for i, x in enumerate(z.tolist()):
        try:
            out[i] = fn(x)
        except (OverflowError, ValueError, ZeroDivisionError):
            ok[i] = False  # cmath reports overflow; the kernel must give inf/nan
    return out, ok


def _check(got, ref, ok, dtype, ulps):
    got = np.asarray(got, dtype=np.complex128)
    eps = np.finfo(dtype).eps
    tiny = np.finfo(dtype).tiny
    with np.errstate(all="ignore"):
        ref_c = ref.astype(dtype).astype(np.complex128)  # what this precision can hold
    finite = ok & np.isfinite(ref_c)
    # Overflow in cmath, or a reference that rounds to inf in this precision:
    # ours must not come out finite.
    assert not np.isfinite(got[~finite]).any(), np.flatnonzero(np.isfinite(got) & ~finite)[:5]
    err = np.abs(got[finite] - ref_c[finite])
    scale = np.maximum(np.abs(ref_c[finite]), tiny)
    bad = err > ulps * eps * scale
    idx = np.flatnonzero(finite)[bad]
    assert not bad.any(), f"{bad.sum()} of {finite.sum()} elements off by more than {ulps} ulps, e.g. at {idx[:3]}"


UNARY = [
    ("exp", wnp.exp, cmath.exp, _moderate),
    ("sin", wnp.sin, cmath.sin, _moderate),
    ("cos", wnp.cos, cmath.cos, _moderate),
    ("sinh", wnp.sinh, cmath.sinh, _moderate),
    ("cosh", wnp.cosh, cmath.cosh, _moderate),
    ("tanh", wnp.tanh, cmath.tanh, _moderate),
]


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("name,fn,ref,gen", UNARY, ids=[u[0] for u in UNARY])
def test_transcendental_values_match_cmath(name, fn, ref, gen, dtype):
    rng = np.random.default_rng(11)
    z = gen(rng, N).astype(dtype)
    with np.errstate(all="ignore"):
        got = np.asarray(fn(z))
    want, ok = _reference(ref, z.astype(np.complex128), dtype)
    # complex64: the reference is computed in double from the rounded input.
    _check(got, want, ok, dtype, ulps=8)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_abs_and_angle_over_the_whole_exponent_range(dtype):
    rng = np.random.default_rng(12)
    big = 300.0 if dtype == np.complex128 else 37.0
    z = _wide(rng, N, big).astype(dtype)
    got = np.asarray(wnp.abs(z))
    want = np.array([abs(x) for x in z.astype(np.complex128).tolist()])
    finite = np.isfinite(want.astype(np.finfo(dtype).dtype))
    assert np.all(np.isfinite(got) == finite)
    eps = np.finfo(dtype).eps
    assert np.all(np.abs(got[finite] - want[finite]) <= 2 * eps * want[finite])
    ang = np.asarray(wnp.angle(z))
    z2 = z.astype(np.complex128)
    # The double-precision scalar atan2, rounded to this precision (where it
    # may underflow to zero).
    ang_want = np.arctan2(z2.imag, z2.real).astype(np.finfo(dtype).dtype).astype(np.float64)
    assert np.all(np.abs(ang - ang_want) <= 4 * eps * np.abs(ang_want))


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_division_over_the_whole_exponent_range(dtype):
    rng = np.random.default_rng(13)
    big = 300.0 if dtype == np.complex128 else 37.0
    a = _wide(rng, N, big).astype(dtype)
    b = _wide(rng, N, big).astype(dtype)
    b[b == 0] = 1.5 - 0.5j
    with np.errstate(all="ignore"):
        got = np.asarray(wnp.divide(a, b)).astype(np.complex128)
    # Exact quotient from Python's arbitrary-precision rationals would be slow;
    # double-double is not needed either: in complex128 Smith's method's error
    # is a few ulps of |a/b|, which is what we ask of ours.
    a2, b2 = a.astype(np.complex128), b.astype(np.complex128)
    want = np.empty(N, np.complex128)
    ok = np.ones(N, bool)
    for i, (x, y) in enumerate(zip(a2.tolist(), b2.tolist())):
        # (x / y) = x * conj(y) / |y|^2, scaled exactly by powers of two.
        m = max(abs(y.real), abs(y.imag))
        e = math.frexp(m)[1]
        ys = complex(math.ldexp(y.real, -e), math.ldexp(y.imag, -e))
        num = x * ys.conjugate()
        den = ys.real * ys.real + ys.imag * ys.imag
        try:
            q = complex(math.ldexp(num.real / den, -e), math.ldexp(num.imag / den, -e))
        except OverflowError:
            ok[i] = False
            continue
        if not (math.isfinite(num.real) and math.isfinite(num.imag)):
            ok[i] = False  # the reference itself overflowed: no claim
            continue
        want[i] = q
    _check_quotient(got, want, ok, dtype)


def _check_quotient(got, want, ok, dtype):
    eps = np.finfo(dtype).eps
    tiny = np.finfo(dtype).tiny
    with np.errstate(all="ignore"):
        rounded = want.astype(dtype).astype(np.complex128)
    finite = ok & np.isfinite(rounded) & (np.abs(want) > tiny / eps)
    err = np.abs(got[finite] - want[finite])
    assert np.all(err <= 8 * eps * np.abs(want[finite])), np.flatnonzero(finite)[err > 8 * eps * np.abs(want[finite])][:5]


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_special_operands_give_what_numpy_gives(dtype):
    """inf and nan operands go through std::complex (C99 Annex G), whose
    classification of results (finite, inf, nan per part) NumPy shares."""
    specials = [np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -2.5, 1e300]
    parts = np.array([(a, b) for a in specials for b in specials])
    z = np.empty(N, dtype)
    with np.errstate(over="ignore"):
        z.real = np.resize(parts[:, 0], N)
        z.imag = np.resize(parts[:, 1], N)
    for fn, ref in [(wnp.exp, np.exp), (wnp.sin, np.sin), (wnp.cosh, np.cosh), (wnp.abs, np.abs), (wnp.log1p, np.log1p),
                    (wnp.exp2, np.exp2), (wnp.tanh, np.tanh)]:
        with np.errstate(all="ignore"):
            got = np.asarray(fn(z))
            want = ref(z)
        for part in (np.real, np.imag):
            g, r = part(got), part(want)
            assert np.array_equal(np.isnan(g), np.isnan(r)), (fn, z[np.isnan(g) != np.isnan(r)][:4])
            assert np.array_equal(np.isinf(g), np.isinf(r)), (fn, z[np.isinf(g) != np.isinf(r)][:4])


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_gradient_through_fast_kernels_matches_analytic(dtype):
    """The JVP and VJP kernels vectorise too: d/dz sin(z) = cos(z) and
    d/dz exp(z) = exp(z), checked against cmath for a long array."""
    rng = np.random.default_rng(14)
    z = (rng.standard_normal(N) + 1j * rng.standard_normal(N)).astype(dtype)
    v = np.ones(N, dtype)
    _, tangent = w.jvp(lambda z: wnp.sin(z) * wnp.exp(z), (z,), (v,))
    want = np.array([cmath.cos(x) * cmath.exp(x) + cmath.sin(x) * cmath.exp(x) for x in z.astype(np.complex128).tolist()])
    eps = np.finfo(dtype).eps
    assert np.all(np.abs(np.asarray(tangent) - want) <= 16 * eps * np.maximum(np.abs(want), 1))


def _same_special_values(got, want, dtype, what):
    """The same nan and inf in each part, and the same finite numbers (to a few
    ulps; NumPy's unscaled formula may round a subnormal part differently)."""
    fi = np.finfo(dtype)
    for part in (np.real, np.imag):
        g, r = part(np.asarray(got)), part(np.asarray(want))
        assert np.array_equal(np.isnan(g), np.isnan(r)), (what, np.flatnonzero(np.isnan(g) != np.isnan(r))[:4])
        assert np.array_equal(np.isinf(g), np.isinf(r)), (what, np.flatnonzero(np.isinf(g) != np.isinf(r))[:4])
        assert np.array_equal(np.signbit(g[np.isinf(g)]), np.signbit(r[np.isinf(r)])), what
        fin = np.isfinite(r)
        assert np.all(np.abs(g[fin] - r[fin]) <= 4 * fi.eps * np.abs(r[fin]) + fi.tiny), what


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_reciprocal_and_division_give_numpys_special_values(dtype):
    """NumPy divides complex numbers by Smith's method without C99 Annex G's
    recovery, and its reciprocal has its own formula: 1/(inf+inf·i) and
    (inf+inf·i)/(1+0i) are nan+nan·i, 1/(0+0i) is nan+nan·i but 1/(0+0i) by
    division inf+nan·i. Every path gives NumPy's values: the vectorised loops
    (array, broadcast scalar), one element at a time, and jit's fused blocks."""
    fi = np.finfo(dtype)
    specials = [np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -2.5, float(fi.max) / 4, float(fi.tiny) * 4]
    z = np.array([complex(a, b) for a in specials for b in specials], dtype)
    with np.errstate(all="ignore"):
        want = np.reciprocal(z)
        _same_special_values(wnp.reciprocal(z), want, dtype, "reciprocal")
        _same_special_values([np.asarray(wnp.reciprocal(x)) for x in z], want, dtype, "reciprocal, one at a time")
        _same_special_values(w.jit(wnp.reciprocal)(z), want, dtype, "reciprocal under jit")
        a, b = np.repeat(z, len(z)), np.tile(z, len(z))
        want = np.divide(a, b)
        _same_special_values(wnp.divide(a, b), want, dtype, "divide")
        _same_special_values(w.jit(wnp.divide)(a, b), want, dtype, "divide under jit")
        for x in z:
            _same_special_values(wnp.divide(z, x), np.divide(z, x), dtype, f"divide by a scalar {x}")
            _same_special_values(wnp.divide(x, z), np.divide(x, z), dtype, f"divide a scalar {x}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_maximum_and_minimum_propagate_nan_as_numpy(dtype):
    a = np.array([np.nan, 1.0, np.nan, 2.0, -np.inf], dtype)
    b = np.array([1.0, np.nan, np.nan, 1.0, np.nan], dtype)
    for fn, ref in ((wnp.maximum, np.maximum), (wnp.minimum, np.minimum)):
        np.testing.assert_array_equal(np.asarray(fn(a, b)), ref(a, b))
        np.testing.assert_array_equal(np.asarray(w.jit(fn)(a, b)), ref(a, b))


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_division_of_far_apart_magnitudes(dtype):
    """A quotient that is a normal number comes out right however far apart
    the operands' magnitudes are: scaling the dividend with the divisor used
    to flush 1e-150 / 1e153 to 0, and a dividend near the largest number
    overflowed the unscaled formula (1e308(1+i) / 1.25(1+i) was inf)."""
    from fractions import Fraction

    fi = np.finfo(dtype)
    top = float(fi.max) / 2
    pairs = [(1e-150 + 2e-151j, 1e153 + 1e152j), (1e-140 - 3e-141j, -2e160 + 1e159j), (top + top * 1j, 1.25 + 1.25j),
             (top - 0.5j, 0.75 + 0j), (3e-300 + 1e-300j, 1e-10 + 1e-11j), (1e300 + 1e299j, 1e-5 + 3e-6j),
             (1e-30 + 1e-31j, 1e8 + 1e7j), (1e38 + 1e38j, 0.75 + 0.75j), (1e-25 - 1e-26j, 3e13 + 1e12j)]
    with np.errstate(all="ignore"):
        a = np.array([p[0] for p in pairs] * 8).astype(dtype)
        b = np.array([p[1] for p in pairs] * 8).astype(dtype)
        got = np.asarray(wnp.divide(a, b)).astype(np.complex128)
    for k in range(len(pairs)):
        x, y = complex(a[k]), complex(b[k])
        if not (np.isfinite(x) and np.isfinite(y)):
            continue  # beyond this precision's range
        den = Fraction(y.real) ** 2 + Fraction(y.imag) ** 2
        re = (Fraction(x.real) * Fraction(y.real) + Fraction(x.imag) * Fraction(y.imag)) / den
        im = (Fraction(x.imag) * Fraction(y.real) - Fraction(x.real) * Fraction(y.imag)) / den
        want = complex(float(re), float(im))
        if not fi.tiny <= abs(want) <= fi.max:
            continue  # the quotient itself under- or overflows in this precision
        assert abs(got[k] - want) <= 4 * fi.eps * abs(want), (x, y, got[k], want)
        assert np.array_equal(got[k::len(pairs)], np.full(8, got[k])), "every element computes the same"
