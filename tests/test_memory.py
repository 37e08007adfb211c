"""Memory bounds: a jit trace holds what an eager call holds, and repeated calls
(with arguments that change, as parameters do) do not accumulate memory.

Peaks are the engine's own count of live array bytes (wirtinger.testing.peak_nbytes),
exact whatever the allocator keeps; growth over many calls is also checked on the
process's resident memory, with bounds far below what one leaked plan or
program per call would add."""
import os

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp
from wirtinger import transforms
from wirtinger.testing import peak_nbytes

X = np.random.default_rng(3).standard_normal(2**16)  # 512 KiB


def chain(x):
    for k in range(60):
        x = wnp.sin(x) * 1.0001 if k % 2 else wnp.cos(x) + 0.5
    return wnp.sum(x)


def peak(f, *args):
    return peak_nbytes(f, *args)[1]


def test_jit_tracing_peaks_as_an_eager_call_does():
    eager = peak(chain, X)
    traced = peak(w.jit(chain), X)  # the first call traces
    assert traced <= 1.5 * eager, (traced, eager)


def test_jit_of_grad_peaks_as_grad_does():
    eager = peak(w.grad(chain), X)
    traced = peak(w.jit(w.grad(chain)), X)
    assert traced <= 1.5 * eager, (traced, eager)


def test_a_trace_keeps_no_broadcast_constants_of_derivative_rules():
    """A gradient's rules broadcast numbers (a sum's cotangent, a power's
    exponent, the guards of abs) to the operand's shape; the trace keeps them as
    numbers, so jit's first call of a value_and_grad peaks near the eager call."""
    z = (X + 1j * X[::-1]).astype(np.complex128)

    def f(z):
        return wnp.sum(wnp.abs(wnp.sin(z) * wnp.exp(1j * z) + wnp.conj(z) * z) ** 2)
    eager = peak(w.value_and_grad(f), z)
    traced = peak(w.jit(w.value_and_grad(f)), z)
    assert traced <= 1.4 * eager, (traced, eager)
    np.testing.assert_allclose(w.jit(w.value_and_grad(f))(z)[1], w.value_and_grad(f)(z)[1], rtol=1e-13)


def test_jit_of_vmap_peaks_as_vmap_does():
    xs = X.reshape(16, -1)
    eager = peak(w.vmap(chain), xs)
    traced = peak(w.jit(w.vmap(chain)), xs)
    assert traced <= 1.5 * eager, (traced, eager)


def test_values_after_a_transform_inside_jit_are_released():
    """grad inside a jit trace keeps its residuals while it runs, not until the trace ends."""
    def f(x):
        g = w.grad(chain)(x)
        return chain(g)

    eager = peak(f, X)
    traced = peak(w.jit(f), X)
    assert traced <= 1.5 * eager, (traced, eager)


def resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="resident memory is read from /proc")
@pytest.mark.parametrize("case", ["grad", "jit-grad", "vmap-jacfwd", "jit-vmap-jacfwd"])
def test_repeated_calls_with_changing_arguments_stay_within_bounds(case):
    rng = np.random.default_rng(0)
    n = 96
    Z = rng.standard_normal((4, n))
    W, c = rng.standard_normal((n, n)) / n, rng.standard_normal(n)

    def layer(z, W, c):
        return wnp.tanh(W @ z + c)

    def loss(W, z, c):
        return wnp.sum(wnp.abs2(layer(z, W, c)))

    grad = transforms.grad(loss)
    jac = w.vmap(transforms.jacfwd(layer), in_axes=(0, None, None))
    f = {"grad": grad, "jit-grad": w.jit(grad), "vmap-jacfwd": jac, "jit-vmap-jacfwd": w.jit(jac)}[case]

    def run(k):  # parameters that change at every call, as in an optimisation
        if case.endswith("grad"):
            return f(W * (1 + k / 100), Z[0], c + k)
        return f(Z, W * (1 + k / 100), c + k)

    for k in range(3):
        run(k)
    live, before = w._core.buffer_bytes()[0], resident_mib()
    for k in range(150):
        run(k)
    assert w._core.buffer_bytes()[0] - live <= 2**16
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):  # ASan keeps freed memory in quarantine
        assert resident_mib() - before < 10
