"""LL's qualitative claims on the diagonal --quick grids, at the real sizes.

D = 1000, n_aux = 1024, 10,000 test samples; two seeds, n in {16, 64, 256}.
"""
import pytest

from analysis import load
from analysis.experiments import load_experiment
from analysis.sweep import run_sweep


def _sweep(tmp_path_factory, name):
    path = tmp_path_factory.mktemp("claims") / f"{name}.h5"
    counts = run_sweep(load_experiment(name, quick=True), path, workers=2, progress=False)
    assert counts["failed"] == 0
    return load(path)


@pytest.fixture(scope="module")
def overlap_quick(tmp_path_factory):
    return _sweep(tmp_path_factory, "diag-overlap")


@pytest.fixture(scope="module")
def rescale_quick(tmp_path_factory):
    return _sweep(tmp_path_factory, "diag-rescale")


def _mean(df, **where):
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 2, where  # both quick seeds
    return sel["gen_loss"].mean()


def test_shared_features_ptft_and_mtl_beat_stl_tenfold(overlap_quick):
    # all 40 features shared: PT+FT and MTL reuse them (LL Fig. 2)
    stl = _mean(overlap_quick, regime="stl", n=64, overlap=40)
    assert _mean(overlap_quick, regime="mtl", n=64, overlap=40) <= stl / 10
    assert _mean(overlap_quick, regime="ptft", n=64, overlap=40) <= stl / 10
    assert _mean(overlap_quick, regime="ptft_lp", n=64, overlap=40) <= stl / 10


def test_linear_probing_plateaus_when_new_features_are_needed(overlap_quick):
    # overlap 0: the frozen pretrained first layer is ~alpha off the aux support
    lp = [_mean(overlap_quick, regime="ptft_lp", n=n, overlap=0) for n in (16, 64, 256)]
    ft = _mean(overlap_quick, regime="ptft", n=256, overlap=0)
    stl = _mean(overlap_quick, regime="stl", n=256, overlap=0)
    assert min(lp) > 0.3  # no learning of the new features
    assert ft < lp[-1] / 5 and stl < lp[-1] / 5


def test_rescaling_helps_sparse_subsets_and_hurts_the_full_set(rescale_quick):
    # LL: s < 1 pushes finetuning towards the sparse (rich) regime within the
    # pretrained features: good for a 5-feature subset, bad for all 40
    for n in (16, 64):
        assert _mean(rescale_quick, regime="ptft", n=n, k=5, rescale=0.1) < \
            _mean(rescale_quick, regime="ptft", n=n, k=5, rescale=1.0)
    assert _mean(rescale_quick, regime="ptft", n=64, k=40, rescale=0.1) > \
        10 * _mean(rescale_quick, regime="ptft", n=64, k=40, rescale=1.0)
