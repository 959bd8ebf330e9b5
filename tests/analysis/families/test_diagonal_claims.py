"""LL's qualitative claims on the diagonal --quick grids, at the real sizes.

D = 1000, n_aux = 1024, 10,000 test samples; two seeds, n in {16, 64, 256}.
Each threshold sits beyond what eight seeds gave (the measurement is written
beside it); the float64 flows agree to 6e-10 (relative) in the gen. loss across
BLAS kernels (docs/reproducibility.md), far inside every margin.
"""
import numpy as np
import pytest

from tests.analysis.families.claims import per_seed

SEEDS = [0, 1]


@pytest.fixture(scope="module")
def overlap_quick(quick_sweep):
    return quick_sweep("diag-overlap")[1]


@pytest.fixture(scope="module")
def rescale_quick(quick_sweep):
    return quick_sweep("diag-rescale")[1]


def _gen(df, **where):
    return per_seed(df, "gen_loss", SEEDS, **where)


def test_shared_features_ptft_and_mtl_beat_stl_tenfold(overlap_quick):
    # all 40 features shared: PT+FT and MTL reuse them (LL Fig. 2); measured STL / regime per
    # seed over eight seeds: MTL 83 to 1,900, PT+FT 2,900 to 1.3e5, PT+FT (LP) 7.8e5 to 3.5e6
    stl = _gen(overlap_quick, regime="stl", n=64, overlap=40)
    for regime in ("mtl", "ptft", "ptft_lp"):
        assert np.all(_gen(overlap_quick, regime=regime, n=64, overlap=40) <= stl / 10), regime


def test_linear_probing_plateaus_when_new_features_are_needed(overlap_quick):
    # overlap 0: the frozen pretrained first layer is ~alpha off the aux support
    lp = np.array([_gen(overlap_quick, regime="ptft_lp", n=n, overlap=0) for n in (16, 64, 256)])
    ft = _gen(overlap_quick, regime="ptft", n=256, overlap=0)
    stl = _gen(overlap_quick, regime="stl", n=256, overlap=0)
    assert lp.min() > 0.3  # no learning of the new features; measured 0.81 or more
    # measured per seed: LP / PT+FT 9.1 to 112, LP / STL 72 to 684
    assert np.all(ft < lp[-1] / 5) and np.all(stl < lp[-1] / 5)


def test_rescaling_helps_sparse_subsets_and_hurts_the_full_set(rescale_quick):
    # LL: s < 1 pushes finetuning towards the sparse (rich) regime within the
    # pretrained features: good for a 5-feature subset, bad for all 40
    def ratio(n, k, worse, better):
        return (_gen(rescale_quick, regime="ptft", n=n, k=k, rescale=worse) /
                _gen(rescale_quick, regime="ptft", n=n, k=k, rescale=better))
    # k = 5, s = 0.1 against s = 1: measured per seed 2.5x to 13x better at n = 64, and
    # 0.96x to 2.3x at n = 16 (1.5x on average: asserted on the mean only)
    assert np.all(ratio(64, 5, 1.0, 0.1) > 1.5)
    assert (_gen(rescale_quick, regime="ptft", n=16, k=5, rescale=0.1).mean() <
            _gen(rescale_quick, regime="ptft", n=16, k=5, rescale=1.0).mean())
    # all 40 features: s = 0.1 is worse by 1,300x to 25,000x (measured per seed)
    assert np.all(ratio(64, 40, 0.1, 1.0) > 10)
