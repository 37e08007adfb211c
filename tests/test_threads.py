"""The engine's thread pool: results equal the single-threaded ones, and a forked
child process (which has none of the parent's threads) still computes."""
import multiprocessing
import os
import subprocess
import sys

import numpy as np
import pytest

import wirtinger as w
import wirtinger.numpy as wnp

N = 1 << 17  # above the size at which element-wise passes go parallel


def loss(z):
    return wnp.sum(wnp.abs(wnp.sin(z) * wnp.exp(1j * z) + wnp.conj(z) * z) ** 2)


def z_big():
    rng = np.random.default_rng(3)
    return rng.standard_normal(N) + 1j * rng.standard_normal(N)


def test_parallel_result_equals_single_thread_result():
    script = ("import numpy as np, wirtinger as w, sys; sys.path.insert(0, %r); import test_threads as t; "
              "np.save(sys.argv[1], w.grad(t.loss)(t.z_big()))") % os.path.dirname(__file__)
    outs = []
    for threads in ("1", "2"):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"wirtinger_threads_{os.getpid()}_{threads}.npy")
        env = dict(os.environ, WIRTINGER_NUM_THREADS=threads)
        subprocess.run([sys.executable, "-c", script, path], check=True, env=env, timeout=120)
        outs.append(np.load(path))
        os.remove(path)
    assert np.array_equal(outs[0], outs[1])  # the same per-element arithmetic, split differently


def _child(queue):
    queue.put(complex(np.sum(w.grad(loss)(z_big()))))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_computes():
    expected = complex(np.sum(w.grad(loss)(z_big())))  # the parent's pool is running
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue,))
    proc.start()
    proc.join(timeout=120)
    assert proc.exitcode == 0, "the forked child did not finish"
    assert queue.get(timeout=5) == expected
