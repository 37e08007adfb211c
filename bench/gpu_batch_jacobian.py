"""W4 on a GPU: Jacobians of g(z) = tanh(W2 @ tanh(W1 @ z + c1) + c2), 8×8, at B = 10^6.

    python bench/gpu_batch_jacobian.py [--batch 1000000] [--repeat 7] [--dtype complex128] [--json PATH]

Checks wirtinger's GPU result against its CPU path (and the NumPy oracle) at 10^4 samples,
then times, on the same GPU and in one run:
  wirtinger   jit(vmap(jacfwd(g, holomorphic=True))) on a DeviceArray (synchronous: the result
              is complete when the call returns)
  jax         jax.jit(jax.vmap(jax.jacfwd(g, holomorphic=True))), block_until_ready
  write bound filling an array of the output's size (PyTorch, else JAX): the time to write the
              output once at the device's bandwidth
and prints medians with the ratios the issue's targets are stated in (JAX / wirtinger ≥ 5;
wirtinger / write bound ≤ 2). Without a GPU it says so and exits 0.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import wirtinger as w  # noqa: E402
import wirtinger.numpy as wnp  # noqa: E402
from bench.workloads import _w4_oracle, _w4_params  # noqa: E402


def median_time(fn, repeat):
    fn()  # warm-up: compiles, allocates
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


def rel_err(got, want):
    return float(np.max(np.abs(got - want)) / np.max(np.abs(want)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--dtype", default="complex128", choices=["complex64", "complex128"])
    ap.add_argument("--json", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu_results.json"))
    args = ap.parse_args(argv)
    if not w.cuda_available():
        print(f"no GPU: {w._core.cuda_describe()}; nothing measured")
        return 0
    dtype = np.dtype(args.dtype)
    W1, W2, c1, c2 = (x.astype(dtype) for x in _w4_params())
    rng = np.random.default_rng(44)
    z = (rng.standard_normal((args.batch, 8)) + 1j * rng.standard_normal((args.batch, 8))).astype(dtype)
    g = lambda z: wnp.tanh(W2 @ wnp.tanh(W1 @ z + c1) + c2)  # noqa: E731
    f = w.jit(w.vmap(w.jacfwd(g, holomorphic=True)))
    tol = 1e-10 if dtype == np.complex128 else 1e-4

    # agreement, at 10^4 samples
    small = z[:10_000]
    gpu = np.asarray(f(w.device_put(small)))
    cpu = np.asarray(f(small))
    oracle = _w4_oracle(small.astype(np.complex128), *(x.astype(np.complex128) for x in (W1, W2, c1, c2)))[1]
    errs = {"gpu vs cpu": rel_err(gpu, cpu), "gpu vs oracle": rel_err(gpu, oracle)}
    ok = all(e <= tol for e in errs.values())
    for k, e in errs.items():
        print(f"  {k:16s} rel.err {e:.2e}  {'ok' if e <= tol else 'DISAGREES'}")

    zd = w.device_put(z)
    rows = {}
    out = f(zd)
    out_bytes = out.size * out.dtype.itemsize
    del out
    rows["wirtinger jit (GPU)"] = median_time(lambda: f(zd), args.repeat)

    try:
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        dev = jax.devices("gpu")[0]
        jg = lambda z: jnp.tanh(W2 @ jnp.tanh(W1 @ z + c1) + c2)  # noqa: E731
        jf = jax.jit(jax.vmap(jax.jacfwd(jg, holomorphic=True)))
        zj = jax.device_put(z, dev)
        rows["jax jit (GPU)"] = median_time(lambda: jf(zj).block_until_ready(), args.repeat)
        e = rel_err(np.asarray(jf(jax.device_put(small, dev))), oracle)
        print(f"  {'jax vs oracle':16s} rel.err {e:.2e}")
    except Exception as exc:  # JAX absent or without a GPU: reported, not fatal
        print(f"  jax: not measured ({type(exc).__name__}: {exc})")

    try:
        import torch
        buf = torch.empty(out_bytes // 4, dtype=torch.float32, device="cuda")

        def fill():
            buf.fill_(1.0)
            torch.cuda.synchronize()
        rows["write bound (torch fill)"] = median_time(fill, args.repeat)
    except Exception as exc:
        try:
            import jax
            import jax.numpy as jnp
            zeros = jax.jit(lambda: jnp.ones(out_bytes // 4, jnp.float32))
            rows["write bound (jax ones)"] = median_time(lambda: zeros().block_until_ready(), args.repeat)
        except Exception as exc2:
            print(f"  write bound: not measured ({exc}; {exc2})")

    ours = rows["wirtinger jit (GPU)"][0]
    print(f"\nW4 on {w._core.cuda_describe()}: B = {args.batch}, {dtype}, output {out_bytes / 1e9:.2f} GB; "
          f"medians of {args.repeat}")
    print(f"  {'system':28s} {'median':>10s}  {'ratio to wirtinger':>18s}")
    for name, (t, _) in rows.items():
        print(f"  {name:28s} {t * 1e3:8.2f} ms  {t / ours:18.2f}")
    with open(args.json, "w") as fh:
        json.dump({"batch": args.batch, "dtype": str(dtype), "output_bytes": out_bytes, "agreement": errs,
                   "device": w._core.cuda_describe(),
                   "rows": {k: {"median_s": t, "samples_s": s} for k, (t, s) in rows.items()}}, fh, indent=1)
    print(f"results written to {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
