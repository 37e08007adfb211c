"""checkpoint: the same derivatives, with intermediates recomputed instead of stored."""
import numpy as np

import wirtinger as w
import wirtinger.numpy as wnp

from helpers import assert_close

Z = np.array([0.5 + 0.25j, -0.3 + 0.1j, 0.2 - 0.4j])


def segment(z):
    for _ in range(10):
        z = wnp.sin(z) * 0.9 + 0.1j * wnp.conj(z)
    return z


def chain(z, block):
    for _ in range(4):
        z = block(z)
    return wnp.sum(wnp.abs2(z))


def test_checkpoint_gives_the_same_derivatives_at_every_order():
    ck = w.checkpoint(segment)
    assert_close(w.grad(lambda z: chain(z, ck))(Z), w.grad(lambda z: chain(z, segment))(Z), 1e-13, 1e-13)
    h1, h2 = w.hessian(lambda z: chain(z, ck))(Z), w.hessian(lambda z: chain(z, segment))(Z)
    assert_close(h1.dz, h2.dz, 1e-12, 1e-12)
    assert_close(h1.dzbar, h2.dzbar, 1e-12, 1e-12)
    t = np.array([1.0, 1j, 0.5 - 0.5j])
    assert_close(w.jvp(ck, (Z,), (t,))[1], w.jvp(segment, (Z,), (t,))[1], 1e-13, 1e-13)
    w.check_grads(lambda z: chain(z, ck), (Z,), order=2)


def test_checkpoint_static_argnums_and_pytrees():
    f = w.checkpoint(lambda p, k: {"a": p["x"] ** k, "b": wnp.sin(p["y"])}, static_argnums=(1,))
    g = w.grad(lambda p: wnp.sum(f(p, 3)["a"]) + wnp.sum(f(p, 3)["b"]))({"x": np.array([1.0, 2.0]), "y": 0.5})
    assert_close(g["x"], 3 * np.array([1.0, 2.0]) ** 2, 1e-14, 1e-14)
    assert_close(g["y"], np.cos(0.5), 1e-14, 1e-14)


def test_checkpoint_cuts_the_memory_the_tape_keeps():
    x = np.exp(1j * np.linspace(0, 3, 4096))
    plain, checkpointed = w.testing.tape_nbytes(lambda z: chain(z, segment), x), w.testing.tape_nbytes(
        lambda z: chain(z, w.checkpoint(segment)), x)
    assert checkpointed * 4 <= plain, (plain, checkpointed)
