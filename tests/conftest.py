import zlib

import numpy as np
import pytest

import jit_mode

if jit_mode.ENABLED:
    jit_mode.install()


def pytest_collection_modifyitems(config, items):
    if jit_mode.ENABLED:
        skip = pytest.mark.skip(reason="decides on traced values: jit raises ConcretizationError (tests/test_jit.py)")
        for item in items:
            if "eager_only" in item.keywords:
                item.add_marker(skip)


def pytest_report_header(config):
    return "transforms run under jit (WIRTINGER_TEST_JIT=1)" if jit_mode.ENABLED else None


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
