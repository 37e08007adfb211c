"""Eager value_and_grad side by side with NumPy and, when installed, JAX and PyTorch.

    python bench/eager.py [--n 1048576] [--repeat 7]

Workloads (complex128 unless said):
  W1  f(z) = real(z * exp(1.5j)) at a scalar: latency of one value_and_grad call.
  W2  f(z) = sum(abs(sin(z) * exp(1j z) + conj(z) z)**2) over n elements: value_and_grad,
      next to the NumPy primal alone (the cheap-gradient reference).
  W3  L(x) = sum(abs(A @ x - b)**2), A 512×512: value_and_grad in x, next to a hand-written
      NumPy value-and-gradient (two matrix-vector products).
  W6  a chain of 200 element-wise operations on n = 2^16: value_and_grad, and the bytes the
      tape keeps per operation per element, without and with checkpoint (segments of 20).
Prints medians and ratios; every system's gradient is checked against wirtinger's
(converted to the "adjoint" convention) before it is timed.
"""
import argparse
import statistics
import time

import numpy as np

import wirtinger as w
import wirtinger.numpy as wnp


def median_time(fn, repeat, number=1):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def peers():
    found = {}
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        found["jax"] = (jax, jnp)
    except ImportError:
        pass
    try:
        import torch
        found["torch"] = torch
    except ImportError:
        pass
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1 << 20)
    ap.add_argument("--m", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    ps = peers()
    rows = []

    # W1
    f1 = lambda z: wnp.real(z * wnp.exp(1.5j))  # noqa: E731
    z0 = 2.3 + 4.5j
    vg1 = w.value_and_grad(f1)
    rows.append(("W1 scalar value_and_grad", "wirtinger eager", median_time(lambda: vg1(z0), args.repeat, 200)))
    if "jax" in ps:
        jax, jnp = ps["jax"]
        jf = jax.value_and_grad(lambda z: jnp.real(z * jnp.exp(1.5j)))
        jj = jax.jit(jf)
        assert np.allclose(np.conj(jj(z0)[1]), vg1(z0)[1])
        rows.append(("W1 scalar value_and_grad", "jax jit", median_time(lambda: jj(z0)[1].block_until_ready(),
                                                                         args.repeat, 200)))
    if "torch" in ps:
        torch = ps["torch"]

        def t1():
            z = torch.tensor(z0, dtype=torch.complex128, requires_grad=True)
            y = torch.real(z * torch.exp(torch.tensor(1.5j)))
            y.backward()
            return y, z.grad
        assert np.allclose(t1()[1].numpy(), vg1(z0)[1])
        rows.append(("W1 scalar value_and_grad", "torch eager", median_time(t1, args.repeat, 200)))

    # W2
    n = args.n
    z = rng.standard_normal(n) + 1j * rng.standard_normal(n)

    def f2(z):
        return wnp.sum(wnp.abs(wnp.sin(z) * wnp.exp(1j * z) + wnp.conj(z) * z) ** 2)
    vg2 = w.value_and_grad(f2)
    ref_val, ref_grad = vg2(z)
    rows.append(("W2 n=%d value_and_grad" % n, "wirtinger eager", median_time(lambda: vg2(z), args.repeat)))
    rows.append(("W2 n=%d value_and_grad" % n, "numpy primal only",
                 median_time(lambda: np.sum(np.abs(np.sin(z) * np.exp(1j * z) + np.conj(z) * z) ** 2), args.repeat)))
    if "jax" in ps:
        jax, jnp = ps["jax"]
        jf2 = jax.jit(jax.value_and_grad(lambda z: jnp.sum(jnp.abs(jnp.sin(z) * jnp.exp(1j * z) + jnp.conj(z) * z) ** 2)))
        zj = jnp.asarray(z)
        assert np.allclose(np.conj(np.asarray(jf2(zj)[1])), ref_grad, rtol=1e-9)
        rows.append(("W2 n=%d value_and_grad" % n, "jax jit",
                     median_time(lambda: jf2(zj)[1].block_until_ready(), args.repeat)))
    if "torch" in ps:
        torch = ps["torch"]
        zt0 = torch.from_numpy(z)

        def t2():
            zt = zt0.clone().requires_grad_(True)
            y = torch.sum(torch.abs(torch.sin(zt) * torch.exp(1j * zt) + torch.conj(zt) * zt) ** 2)
            y.backward()
            return y, zt.grad
        assert np.allclose(t2()[1].numpy(), ref_grad, rtol=1e-9)
        rows.append(("W2 n=%d value_and_grad" % n, "torch eager", median_time(t2, args.repeat)))

    # W3
    m = args.m
    A = rng.standard_normal((m, m)) + 1j * rng.standard_normal((m, m))
    b = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    x = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    vg3 = w.value_and_grad(lambda x: wnp.sum(wnp.abs2(A @ x - b)))

    def numpy_vg3():
        r = A @ x - b
        return np.vdot(r, r).real, 2 * (A.conj().T @ r)
    assert np.allclose(numpy_vg3()[1], vg3(x)[1])
    rows.append(("W3 m=%d value_and_grad" % m, "wirtinger eager", median_time(lambda: vg3(x), args.repeat, 10)))
    rows.append(("W3 m=%d value_and_grad" % m, "numpy by hand", median_time(numpy_vg3, args.repeat, 10)))

    # W6
    n6 = 1 << 16
    z6 = np.exp(1j * rng.uniform(0, 2 * np.pi, n6))

    def segment(z):
        for _ in range(10):  # 20 element-wise operations
            z = wnp.sin(z) * 0.5
        return z

    def chain(z, block):
        for _ in range(10):
            z = block(z)
        return wnp.sum(wnp.abs2(z))

    for label, block in (("wirtinger eager", segment), ("wirtinger checkpoint", w.checkpoint(segment))):
        vg6 = w.value_and_grad(lambda z: chain(z, block))
        rows.append(("W6 200-op chain n=65536", label, median_time(lambda: vg6(z6), args.repeat)))
        print(f"W6 {label}: tape keeps {w.testing.tape_nbytes(lambda z: chain(z, block), z6) / (200 * n6):.1f} "
              "bytes per operation per element")
    if "torch" in ps:
        torch = ps["torch"]
        zt6 = torch.from_numpy(z6)

        def t6():
            z = zt6.clone().requires_grad_(True)
            y = z
            for _ in range(100):
                y = torch.sin(y) * 0.5
            y = torch.sum(torch.abs(y) ** 2)
            y.backward()
            return z.grad
        assert np.allclose(t6().numpy(), w.grad(lambda z: chain(z, segment))(z6), rtol=1e-9)
        rows.append(("W6 200-op chain n=65536", "torch eager", median_time(t6, args.repeat)))

    print(f"{'workload':32s} {'system':20s} {'median':>12s} {'ratio':>8s}")
    base = {}
    for work, system, t in rows:
        base.setdefault(work, t)
        print(f"{work:32s} {system:20s} {t * 1e6:10.1f}µs {t / base[work]:8.2f}")
    print("ratio: time / wirtinger's time on the same workload, same run")


if __name__ == "__main__":
    main()
