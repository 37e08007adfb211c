"""The benchmark workloads, each written once per system.

A variant is a function of no arguments that returns its system's raw result, and a
`convert` that turns that result into (value, derivative) as NumPy arrays in wirtinger's
default "adjoint" convention, so that one check compares every system with a NumPy oracle
derived by hand. Conversion is kept out of the timed call. Inputs are prepared beforehand in
each system's own array type (NumPy for wirtinger), so a timed call is what a user's loop pays.

Conventions (README, Conventions): for a real f, the "adjoint" gradient is PyTorch's `.grad` and the
conjugate of `jax.grad`. Differentiating that relation, JAX's Hessian-vector product
`jvp(jax.grad(f))` is the conjugate of wirtinger's and PyTorch's (checked numerically here).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

import wirtinger as w
import wirtinger.numpy as wnp

FULL = dict(n2=1 << 20, m3=1024, b4=100_000, n5=1 << 16, n6=1 << 16, n7=1024)
QUICK = dict(n2=1 << 12, m3=64, b4=1000, n5=1 << 10, n6=1 << 10, n7=32)
CHAIN_SEGMENTS, SEGMENT_STEPS = 10, 10  # 10 segments of 10 × (sin, *0.5): 200 operations


def _numpy_pair(out):
    value, derivative = out
    return (None if value is None else np.asarray(value),
            None if derivative is None else np.asarray(derivative))


@dataclass
class Variant:
    system: str
    fn: Optional[Callable] = None          # None: not available, see `missing`
    convert: Callable = _numpy_pair
    missing: str = ""
    jit: bool = False                      # its first call traces and compiles


@dataclass
class Workload:
    key: str                               # "W2/complex64"
    title: str
    dtype: type
    oracle: Callable                       # NumPy, complex128: (value, derivative), "adjoint"
    variants: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)


# ---- one builder per system and transform ------------------------------------------------

def _w_jit(system, build, convert=_numpy_pair):
    """A wirtinger jit variant; `build(jit)` returns its timed function."""
    jit = getattr(w, "jit", None)
    if jit is None:
        return Variant(system, convert=convert, missing="w.jit is not in this wirtinger", jit=True)
    return Variant(system, build(jit), convert, jit=True)


def wirtinger_vg(f, x, label="", params=()):
    """value_and_grad in the first argument; `params` follow it as arguments (not
    closed over: users pass parameters that change every step)."""
    vg = w.value_and_grad(f)
    yield Variant("wirtinger eager" + label, lambda: vg(x, *params))

    def build(jit):
        jvg = jit(w.value_and_grad(f))
        return lambda: jvg(x, *params)
    yield _w_jit("wirtinger jit" + label, build)


def wirtinger_hvp(f, z, v):
    only_hvp = lambda h: (None, np.asarray(h))  # noqa: E731  (hvp returns the product alone)
    yield Variant("wirtinger eager", lambda: w.hvp(f, (z,), (v,)), only_hvp)

    def build(jit):
        jh = jit(lambda z, v: w.hvp(f, (z,), (v,)))
        return lambda: jh(z, v)
    yield _w_jit("wirtinger jit", build, only_hvp)


def _from_jax(out):
    value, g = out
    return (None if value is None else np.asarray(value), np.conj(np.asarray(g)))


def jax_vg(peers, f, x, jit=True, params=(), label=""):
    jax = peers["jax"]
    vg = jax.value_and_grad(f)
    vg = jax.jit(vg) if jit else vg
    xj = jax.device_put(x)
    pj = [jax.device_put(p) for p in params]
    return Variant(("jax jit" if jit else "jax eager") + label, lambda: jax.block_until_ready(vg(xj, *pj)), _from_jax,
                   jit=jit)


def jax_hvp(peers, f, z, v):
    jax = peers["jax"]
    h = jax.jit(lambda z, v: jax.jvp(jax.grad(f), (z,), (v,))[1])
    zj, vj = jax.device_put(z), jax.device_put(v)
    return Variant("jax jit", lambda: (None, h(zj, vj).block_until_ready()), _from_jax, jit=True)


def _from_torch(out):
    value, g = out
    return (None if value is None else value.detach().numpy(), g.detach().numpy())


def torch_vg(peers, f, x, params=()):
    torch = peers["torch"]
    xt = torch.from_numpy(np.asarray(x))
    pt = [torch.from_numpy(np.asarray(p)) for p in params]

    def run():
        leaf = xt.detach().requires_grad_(True)  # a fresh leaf that shares xt's storage
        y = f(leaf, *pt)
        (g,) = torch.autograd.grad(y, leaf)
        return y, g
    return Variant("torch eager", run, _from_torch)


def torch_hvp(peers, f, z, v):
    torch = peers["torch"]
    tf = torch.func
    zt, vt = torch.from_numpy(z), torch.from_numpy(v)
    return Variant("torch eager", lambda: (None, tf.jvp(tf.grad(f), (zt,), (vt,))[1]), _from_torch)


def peer_variants(peers, jax_part, torch_part):
    """The peers' variants that can run here, each builder called only when its library is."""
    out = []
    if "jax" in peers and jax_part is not None:
        out += jax_part()
    if "torch" in peers and torch_part is not None:
        out.append(torch_part())
    return out


# ---- the workloads -------------------------------------------------------------------------

def w1(peers, sizes):
    z0 = np.complex128(2.3 + 4.5j)
    c = np.exp(1.5j)
    wl = Workload("W1", "f(z) = real(z·exp(1.5i)), z = 2.3+4.5i: one value_and_grad call",
                  np.complex128, lambda: (np.real(z0 * c), np.conj(c)))
    wl.variants += wirtinger_vg(lambda z: wnp.real(z * wnp.exp(1.5j)), z0)
    jnp, torch = peers.get("jnp"), peers.get("torch")
    jf = lambda z: jnp.real(z * jnp.exp(1.5j))  # noqa: E731
    wl.variants += peer_variants(
        peers, lambda: [jax_vg(peers, jf, z0), jax_vg(peers, jf, z0, jit=False)],
        lambda: torch_vg(peers, lambda z: torch.real(z * torch.exp(torch.tensor(1.5j, dtype=torch.complex128))), z0))
    return [wl]


def _w2_oracle(z):
    z = z.astype(np.complex128)
    u = np.sin(z) * np.exp(1j * z) + np.conj(z) * z
    # ∂u/∂z = e^{2iz} + z̄ and ∂u/∂z̄ = z, so 2 ∂|u|²/∂z̄ = 2 (z ū + u conj(∂u/∂z)).
    return np.sum(np.abs(u) ** 2), 2 * (z * np.conj(u) + u * np.conj(np.exp(2j * z) + np.conj(z)))


def w2(peers, sizes):
    n = sizes["n2"]
    rng = np.random.default_rng(2)
    out = []
    for dtype in (np.complex128, np.complex64):
        z = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
        wl = Workload(f"W2/{np.dtype(dtype).name}",
                      f"f(z) = sum(abs(sin(z)·exp(iz) + conj(z)·z)**2), n = {n}: value_and_grad",
                      dtype, lambda z=z: _w2_oracle(z))
        wl.variants += wirtinger_vg(lambda z: wnp.sum(wnp.abs(wnp.sin(z) * wnp.exp(1j * z) + wnp.conj(z) * z) ** 2), z)
        jnp, torch = peers.get("jnp"), peers.get("torch")
        jf = lambda z: jnp.sum(jnp.abs(jnp.sin(z) * jnp.exp(1j * z) + jnp.conj(z) * z) ** 2)  # noqa: E731
        wl.variants += peer_variants(
            peers, lambda: [jax_vg(peers, jf, z), jax_vg(peers, jf, z, jit=False)],
            lambda: torch_vg(peers, lambda z: torch.sum(torch.abs(torch.sin(z) * torch.exp(1j * z)
                                                                  + torch.conj(z) * z) ** 2), z))
        wl.variants.append(Variant("numpy primal only", lambda z=z: (
            np.sum(np.abs(np.sin(z) * np.exp(1j * z) + np.conj(z) * z) ** 2), None)))
        out.append(wl)
    return out


def w3(peers, sizes):
    m = sizes["m3"]
    rng = np.random.default_rng(3)
    A, b, x = (rng.standard_normal(s) + 1j * rng.standard_normal(s) for s in ((m, m), m, m))

    def by_hand():
        r = A @ x - b
        return np.vdot(r, r).real, 2 * (A.conj().T @ r)
    wl = Workload("W3", f"L(x, A, b) = sum(abs(A@x - b)**2), A {m}×{m} and b passed as arguments: value_and_grad in x",
                  np.complex128, by_hand)
    wl.variants += wirtinger_vg(lambda x, A, b: wnp.sum(wnp.abs(A @ x - b) ** 2), x, params=(A, b))
    # The form the bench had before: A and b closed over, constants of the traced program.
    jit_closed = w.jit(w.value_and_grad(lambda x: wnp.sum(wnp.abs(A @ x - b) ** 2)))
    wl.variants.append(Variant("wirtinger jit (A, b closed over)", lambda: jit_closed(x), jit=True))
    jnp, torch = peers.get("jnp"), peers.get("torch")
    wl.variants += peer_variants(
        peers, lambda: [jax_vg(peers, lambda x, A, b: jnp.sum(jnp.abs(A @ x - b) ** 2), x, params=(A, b))],
        lambda: torch_vg(peers, lambda x, A, b: torch.sum(torch.abs(A @ x - b) ** 2), x, params=(A, b)))
    wl.variants.append(Variant("numpy by hand", by_hand))
    return [wl]


def _w5a_oracle(z, v):
    u = z * z + np.conj(z)
    s = np.abs(u) ** 2
    du = 2 * z * v + np.conj(v)
    ds = 2 * np.real(np.conj(u) * du)
    # grad = 4 s (ū + 2 u z̄); its derivative along v:
    return None, 4 * ds * (np.conj(u) + 2 * u * np.conj(z)) + 4 * s * (np.conj(du) + 2 * du * np.conj(z)
                                                                      + 2 * u * np.conj(v))


def _w5b_oracle(z, v):
    n = z.size
    a = np.fft.fft(z)
    p = a * np.conj(z)
    da = np.fft.fft(v)
    dp = da * np.conj(z) + a * np.conj(v)
    # grad = 2 (n·ifft(z p) + a p̄), since fftᴴ = n·ifft; its derivative along v:
    return None, 2 * (n * np.fft.ifft(v * p + z * dp) + da * np.conj(p) + a * np.conj(dp))


def w5(peers, sizes):
    n = sizes["n5"]
    rng = np.random.default_rng(5)
    z, v = (rng.standard_normal(n) + 1j * rng.standard_normal(n) for _ in range(2))
    jnp, torch = peers.get("jnp"), peers.get("torch")
    cases = (
        ("W5a", "sum(abs(z*z + conj(z))**4)", _w5a_oracle,
         lambda z: wnp.sum(wnp.abs(z * z + wnp.conj(z)) ** 4),
         lambda z: jnp.sum(jnp.abs(z * z + jnp.conj(z)) ** 4),
         lambda z: torch.sum(torch.abs(z * z + torch.conj(z)) ** 4)),
        ("W5b", "sum(abs(fft(z)*conj(z))**2)", _w5b_oracle,
         lambda z: wnp.sum(wnp.abs(wnp.fft.fft(z) * wnp.conj(z)) ** 2),
         lambda z: jnp.sum(jnp.abs(jnp.fft.fft(z) * jnp.conj(z)) ** 2),
         lambda z: torch.sum(torch.abs(torch.fft.fft(z) * torch.conj(z)) ** 2)),
    )
    out = []
    for key, text, oracle, wf, jf, tf in cases:
        wl = Workload(key, f"Hessian-vector product (jvp of grad) of f(z) = {text}, n = {n}",
                      np.complex128, lambda oracle=oracle: oracle(z, v))
        wl.variants += wirtinger_hvp(wf, z, v)
        wl.variants += peer_variants(peers, lambda jf=jf: [jax_hvp(peers, jf, z, v)],
                                     lambda tf=tf: torch_hvp(peers, tf, z, v))
        wl.variants.append(Variant("numpy by hand", lambda oracle=oracle: oracle(z, v)))
        out.append(wl)
    return out


def _w4_params():
    rng = np.random.default_rng(4)
    m = 8
    W1, W2 = ((rng.standard_normal((m, m)) + 1j * rng.standard_normal((m, m))) / 3 for _ in range(2))
    c1, c2 = (rng.standard_normal(m) + 1j * rng.standard_normal(m) for _ in range(2))
    return W1, W2, c1, c2


def _w4_oracle(z, W1, W2, c1, c2):
    """J = diag(1 − u2²) W2 diag(1 − u1²) W1 per sample (holomorphic: ∂f/∂z alone)."""
    u1 = np.tanh(z @ W1.T + c1)
    u2 = np.tanh(u1 @ W2.T + c2)
    return None, (1 - u2 ** 2)[:, :, None] * np.einsum("ij,bj,jk->bik", W2, 1 - u1 ** 2, W1)


def w4(peers, sizes):
    b = sizes["b4"]
    W1, W2, c1, c2 = _w4_params()
    rng = np.random.default_rng(44)
    z = rng.standard_normal((b, 8)) + 1j * rng.standard_normal((b, 8))
    wl = Workload("W4", f"Jacobians of g(z) = tanh(W2 @ tanh(W1 @ z + c1) + c2), 8×8 complex, at B = {b} samples: "
                  "vmap(jacfwd(g, holomorphic=True))", np.complex128, lambda: _w4_oracle(z, W1, W2, c1, c2))
    params = (W1, W2, c1, c2)
    shared = (0, None, None, None, None)  # the weights are arguments, the same for every sample
    g = lambda z, W1, W2, c1, c2: wnp.tanh(W2 @ wnp.tanh(W1 @ z + c1) + c2)  # noqa: E731
    jac = w.vmap(w.jacfwd(g, holomorphic=True), in_axes=shared)
    wl.variants.append(Variant("wirtinger eager", lambda: (None, jac(z, *params))))
    wl.variants.append(_w_jit("wirtinger jit", lambda jit: (
        lambda f=jit(w.vmap(w.jacfwd(g, holomorphic=True), in_axes=shared)): (None, f(z, *params)))))
    g_closed = lambda z: wnp.tanh(W2 @ wnp.tanh(W1 @ z + c1) + c2)  # noqa: E731
    wl.variants.append(_w_jit("wirtinger jit (weights closed over)", lambda jit: (
        lambda f=jit(w.vmap(w.jacfwd(g_closed, holomorphic=True))): (None, f(z)))))

    def jax_part():
        jax, jnp = peers["jax"], peers["jnp"]
        jg = lambda z, W1, W2, c1, c2: jnp.tanh(W2 @ jnp.tanh(W1 @ z + c1) + c2)  # noqa: E731
        f = jax.jit(jax.vmap(jax.jacfwd(jg, holomorphic=True), in_axes=shared))
        zj = jax.device_put(z)
        pj = [jax.device_put(p) for p in params]
        # holomorphic: ∂f/∂z, convention-free
        return [Variant("jax jit", lambda: (None, f(zj, *pj).block_until_ready()), _numpy_pair, jit=True)]

    def torch_part():
        torch = peers["torch"]
        tparams = [torch.from_numpy(x) for x in params]
        tg = lambda z, W1, W2, c1, c2: torch.tanh(W2 @ torch.tanh(W1 @ z + c1) + c2)  # noqa: E731
        # torch.func's Jacobians take real tensors only: (re, im) pairs in and out, then
        # ∂f/∂z = ∂Re f/∂x + i ∂Im f/∂x (f holomorphic), outside the timed call.
        # The weights travel as (re, im) pairs too: torch.func.jacfwd refuses complex arguments,
        # differentiated or not.
        real_g = lambda x, *p: torch.view_as_real(tg(torch.view_as_complex(x),  # noqa: E731
                                                     *(torch.view_as_complex(q) for q in p)))
        f = torch.func.vmap(torch.func.jacfwd(real_g), in_dims=shared)
        xt = torch.view_as_real(torch.from_numpy(z)).contiguous()
        tparams = [torch.view_as_real(q).contiguous() for q in tparams]

        def convert(out):
            jr = out[1].numpy()  # (B, 8, 2, 8, 2)
            return None, jr[:, :, 0, :, 0] + 1j * jr[:, :, 1, :, 0]
        return Variant("torch eager", lambda: (None, f(xt, *tparams)), convert)
    wl.variants += peer_variants(peers, jax_part, torch_part)
    return [wl]


def _chain(step, total):
    """200 element-wise operations in segments; `step` is applied to each segment."""
    def segment(z):
        for _ in range(SEGMENT_STEPS):
            z = step(z)
        return z

    def f(z, block=segment):
        for _ in range(CHAIN_SEGMENTS):
            z = block(z)
        return total(z)
    return f, segment


def _w6_oracle(z):
    ys = [z]
    for _ in range(CHAIN_SEGMENTS * SEGMENT_STEPS):
        ys.append(0.5 * np.sin(ys[-1]))
    ct = 2 * ys[-1]                        # "adjoint" gradient of sum(|y|²)
    for y in reversed(ys[:-1]):
        ct = np.conj(0.5 * np.cos(y)) * ct  # a holomorphic step's adjoint multiplies by conj(f')
    return np.sum(np.abs(ys[-1]) ** 2), ct


def w6(peers, sizes, with_jax=False):
    n = sizes["n6"]
    z = np.exp(1j * np.random.default_rng(6).uniform(0, 2 * np.pi, n))
    ops = 2 * CHAIN_SEGMENTS * SEGMENT_STEPS
    wl = Workload("W6", f"a chain of {ops} element-wise operations (sin, *0.5), n = {n}: value_and_grad",
                  np.complex128, lambda: _w6_oracle(z))
    f, segment = _chain(lambda z: wnp.sin(z) * 0.5, lambda z: wnp.sum(wnp.abs(z) ** 2))
    checkpointed = w.checkpoint(segment)
    f_ckpt = lambda z: f(z, checkpointed)  # noqa: E731
    wl.variants += wirtinger_vg(f, z)
    wl.variants += wirtinger_vg(f_ckpt, z, " +checkpoint")
    jax_part = None
    if with_jax:
        jnp = peers.get("jnp")
        jf, _ = _chain(lambda z: jnp.sin(z) * 0.5, lambda z: jnp.sum(jnp.abs(z) ** 2))
        jax_part = lambda: [jax_vg(peers, jf, z)]  # noqa: E731
    torch = peers.get("torch")
    tf, _ = _chain(lambda z: torch.sin(z) * 0.5, lambda z: torch.sum(torch.abs(z) ** 2))
    wl.variants += peer_variants(peers, jax_part, lambda: torch_vg(peers, tf, z))
    if not with_jax and "jax" in peers:
        wl.notes["jax"] = "left out: compiling the unrolled chain takes minutes; --w6-jax includes it"
    tape_nbytes = getattr(getattr(w, "testing", None), "tape_nbytes", None)
    if tape_nbytes is not None:
        for label, fn in (("plain", f), ("checkpoint", f_ckpt)):
            wl.notes[f"tape bytes per op per element, {label}"] = round(tape_nbytes(fn, z) / (ops * n), 2)
    return [wl]


def _w7_oracle(x, y, v):
    """Phase retrieval, L(x) = sum((|F x| - y)^2) with F the 2-D DFT (unnormalized).
    With a = F x and r = 1 - y/|a|, the adjoint gradient is g = 2 Fᴴ(a r) (Fᴴ = N·ifft2);
    along v, with da = F v, d(a r) = da r + a (y/|a|³) Re(conj(a) da)."""
    n = x.size
    a = np.fft.fft2(x)
    mag = np.abs(a)
    r = 1 - y / mag
    loss = np.sum((mag - y) ** 2)
    g = 2 * n * np.fft.ifft2(a * r)
    da = np.fft.fft2(v)
    d_ar = da * r + a * (y / mag ** 3) * np.real(np.conj(a) * da)
    return loss, g, 2 * n * np.fft.ifft2(d_ar)


def w7(peers, sizes):
    """A realistic step of a complex-valued optimisation: phase retrieval from Fourier
    magnitudes, value_and_grad for a gradient step plus one Hessian-vector product for a
    Newton-CG step, the measured magnitudes y passed as an argument."""
    m = sizes["n7"]
    rng = np.random.default_rng(7)
    truth = rng.standard_normal((m, m)) + 1j * rng.standard_normal((m, m))
    y = np.abs(np.fft.fft2(truth))
    x = truth + 0.3 * (rng.standard_normal((m, m)) + 1j * rng.standard_normal((m, m)))
    v = rng.standard_normal((m, m)) + 1j * rng.standard_normal((m, m))
    loss_l, g_l, h_l = _w7_oracle(x, y, v)
    # Checked as (value, [gradient, hvp]) stacked, one array.
    wl = Workload("W7", f"phase retrieval step: L(x, y) = sum((abs(fft2(x)) - y)**2), {m}×{m}: "
                  "value_and_grad plus one Hessian-vector product", np.complex128,
                  lambda: (loss_l, np.stack([g_l, h_l])))

    def wf(x, y):
        return wnp.sum((wnp.abs(wnp.fft.fft2(x)) - y) ** 2)

    def step(x, y, v):
        value, g = w.value_and_grad(wf)(x, y)
        return value, g, w.jvp(w.grad(wf), (x, y), (v, wnp.zeros_like(y)))[1]
    pack = lambda out: (np.asarray(out[0]), np.stack([np.asarray(out[1]), np.asarray(out[2])]))  # noqa: E731
    wl.variants.append(Variant("wirtinger eager", lambda: step(x, y, v), pack))
    wl.variants.append(_w_jit("wirtinger jit", lambda jit: (lambda f=jit(step): f(x, y, v)), pack))

    def jax_part():
        jax, jnp = peers["jax"], peers["jnp"]

        def jf(x, y):
            return jnp.sum((jnp.abs(jnp.fft.fft2(x)) - y) ** 2)

        def jstep(x, y, v):
            value, g = jax.value_and_grad(jf)(x, y)
            return value, g, jax.jvp(lambda x: jax.grad(jf)(x, y), (x,), (v,))[1]
        f = jax.jit(jstep)
        xj, yj, vj = (jax.device_put(a) for a in (x, y, v))
        # jax.grad is the conjugate of the adjoint gradient, and so is its derivative along v.
        conv = lambda out: (np.asarray(out[0]), np.conj(np.stack([np.asarray(out[1]), np.asarray(out[2])])))  # noqa: E731
        return [Variant("jax jit", lambda: jax.block_until_ready(f(xj, yj, vj)), conv, jit=True)]

    def torch_part():
        torch = peers["torch"]
        tf = torch.func

        def lossf(x, y):
            return torch.sum((torch.abs(torch.fft.fft2(x)) - y) ** 2)
        xt, yt, vt = (torch.from_numpy(a) for a in (x, y, v))

        def run():
            value, g = tf.grad_and_value(lossf)(xt, yt)[::-1]
            h = tf.jvp(lambda x: tf.grad(lossf)(x, yt), (xt,), (vt,))[1]
            return value, g, h
        conv = lambda out: (out[0].detach().numpy(), np.stack([out[1].detach().numpy(), out[2].detach().numpy()]))  # noqa: E731
        return Variant("torch eager", run, conv)
    wl.variants += peer_variants(peers, jax_part, torch_part)
    return [wl]


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W7": w7}
