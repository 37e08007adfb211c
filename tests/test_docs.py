"""The examples in the public docstrings run and print what they say."""
import doctest
import importlib
import pkgutil

import pytest

import wirtinger

MODULES = sorted({"wirtinger"} | {m.name for m in pkgutil.walk_packages(wirtinger.__path__, "wirtinger.")})


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
