import zlib

import numpy as np
import pytest


@pytest.fixture
def rng(request):
    """A generator seeded by the test's id: reproducible, different per test."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(autouse=True)
def _restore_default_convention():
    """No test leaks a process-wide convention into the next one."""
    yield
    try:
        import wirtinger
    except ImportError:
        return
    wirtinger.set_convention("adjoint")
