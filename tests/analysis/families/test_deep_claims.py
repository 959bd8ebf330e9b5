"""LL's deep-network claim on the digits: rescaling the pretrained ResNet-18 by s < 1 helps at small n.

deep-rescale --quick settings (ResNet-18 at 1/8 width, LL's stem, the built-in digits, LL's
stopping rule and 1000-epoch cap) on the points of the claim: n in {10, 50}, s in {0.125, 1},
PT+FT and STL, four seeds. Measured over six seeds (0-5, docs/deep.md): test accuracy of
s = 0.125 minus s = 1 per seed -0.01 to +0.26 at n = 10 (mean +0.084) and 0 to +0.11 at n = 50
(mean +0.052), so that the mean over any four of the six seeds is +0.035 or more at both n;
s = 0.125 minus STL at n = 10: +0.059 to +0.22 in every seed. A CPU run takes about 2.5 minutes
on two cores, hence ``slow`` (run with ``--run-slow``).
"""
import numpy as np
import pytest

from tests.analysis.families.claims import per_seed

SEEDS = [0, 1, 2, 3]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rescale(quick_sweep):
    return quick_sweep("deep-rescale", seeds=len(SEEDS), n=[10, 50], rescale=[0.125, 1.0],
                       regimes=["stl", "ptft"])[1]


def _accuracy(df, **where):
    return per_seed(df, "test_accuracy", SEEDS, model="resnet18", **where)


def test_small_rescale_helps_finetuning_at_small_n(rescale):
    for n in (10, 50):
        gain = (_accuracy(rescale, regime="ptft", n=n, rescale=0.125) -
                _accuracy(rescale, regime="ptft", n=n, rescale=1.0))
        assert gain.mean() > 0.02, (n, gain)


def test_small_rescale_beats_training_from_scratch_at_the_smallest_n(rescale):
    gain = _accuracy(rescale, regime="ptft", n=10, rescale=0.125) - \
        _accuracy(rescale, regime="stl", n=10)
    assert np.all(gain > 0.03), gain
