"""The nets namespace: names resolve on first access; the errors and nets itself import no torch."""
import subprocess
import sys

import pytest

from featreuse import nets


def test_the_errors_module_imports_no_torch():
    code = ("import sys, featreuse.errors\n"
            "assert 'torch' not in sys.modules\n"
            "from featreuse import nets\n"
            "assert 'torch' not in sys.modules\n"
            "nets.train_stacked\n"
            "assert 'torch' in sys.modules\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_every_public_name_resolves_and_unknown_names_raise():
    from featreuse.nets.relu.stacked import train_stacked
    assert nets.train_stacked is train_stacked
    for name in nets.__all__:
        assert getattr(nets, name) is not None
    assert nets.relu is sys.modules["featreuse.nets.relu"]  # a model's folder, on first access
    assert nets.train_one is sys.modules["featreuse.nets.relu.loop"].train_one
    with pytest.raises(AttributeError, match="module 'featreuse.nets' has no attribute 'nothing_here'"):
        nets.nothing_here
