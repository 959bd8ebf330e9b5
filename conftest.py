"""Makes the repository root importable when the tests run from a checkout, and pins MKL's
code path before any test computes."""
from featreuse.nets.numerics import pin_mkl_path

pin_mkl_path()  # the test process computes as the sweep workers do (docs/reproducibility.md)


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true",
                     help="also run the tests marked slow (minutes each; see their docstrings)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    import pytest
    skip = pytest.mark.skip(reason="slow: minutes of CPU (run with --run-slow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
