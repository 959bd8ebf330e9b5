"""WZR's claims on the family's --quick grids (docs/wzr.md): each sweep runs once per module."""
import numpy as np
import pytest

from analysis import load
from analysis.experiments import load_experiment
from analysis.families.wzr.figures import transfer_differences
from analysis.plots import plot_file
from analysis.sweep import run_sweep


def _sweep(tmp_path_factory, name):
    path = tmp_path_factory.mktemp("wzr") / f"{name}.h5"
    counts = run_sweep(load_experiment(name, quick=True), path, workers=2, progress=False)
    assert counts["failed"] == 0
    return path


@pytest.fixture(scope="module")
def capacity(tmp_path_factory):
    return _sweep(tmp_path_factory, "wzr-capacity")


@pytest.fixture(scope="module")
def covariance(tmp_path_factory):
    return _sweep(tmp_path_factory, "wzr-covariance")


@pytest.fixture(scope="module")
def reweight(tmp_path_factory):
    return _sweep(tmp_path_factory, "wzr-reweight")


@pytest.fixture(scope="module")
def align(tmp_path_factory):
    return _sweep(tmp_path_factory, "wzr-align")


def _by_seed(df, **where):
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    return sel.set_index("seed")["rel_mse"].sort_index()


def test_capacity_k_is_stl_and_below_k_the_tasks_transfer(capacity):
    df = load(capacity)
    stl = _by_seed(df, regime="stl")
    # Prop. 1: r = k = 6 gives every task its own fit, in every seed
    assert np.allclose(_by_seed(df, regime="mtl", r=6), stl, rtol=1e-10)
    # below k the shared module pools the tasks: the target's error drops by over a third
    assert _by_seed(df, regime="mtl", r=2).mean() < 0.67 * stl.mean()
    # ... and so does the error averaged over the tasks
    avg_stl = df[df["regime"] == "stl"]["avg_rel_mse"].mean()
    assert df[(df["regime"] == "mtl") & (df["r"] == 2)]["avg_rel_mse"].mean() < 0.67 * avg_stl


def test_fig3_aligned_source_transfers_with_few_samples_misaligned_need_many(covariance):
    diff = transfer_differences(load(covariance), "rel_mse")
    few, many = 200, 4000
    mean = diff.groupby(["source", "n_source"])["diff"].mean()
    # MTL - STL: the same covariance helps with 200 source samples, rotated/rescaled ones hurt
    assert mean[("aligned", few)] < 0
    assert mean[("rotated", few)] > 0 and mean[("rescaled", few)] > 0
    # ... in every seed the aligned source beats both misaligned ones (same source noise and R)
    paired = diff[diff["n_source"] == few].pivot(index="seed", columns="source", values="diff")
    assert (paired["aligned"] < paired["rotated"]).all()
    assert (paired["aligned"] < paired["rescaled"]).all()
    # with 20x more samples every source transfers positively
    assert all(mean[(s, many)] < 0 for s in ("aligned", "rotated", "rescaled"))


def test_svd_reweighting_downweights_the_noisy_task_and_lowers_the_error(reweight):
    df = load(reweight)
    rew = df[df["regime"] == "mtl_reweighted"]
    assert (rew["weight_noisy"] < rew["weight_clean"]).mean() >= 0.9
    for n in (200, 800):
        mtl = _by_seed(df, regime="mtl", n=n)
        rw = _by_seed(df, regime="mtl_reweighted", n=n)
        assert rw.mean() < mtl.mean() < _by_seed(df, regime="stl", n=n).mean()
        assert (rw < mtl).mean() >= 0.6


def test_alignment_improves_the_target_with_a_misaligned_source(align):
    df = load(align)
    for source in ("rotated", "rescaled"):
        mtl = _by_seed(df, regime="mtl", source=source)
        aligned = _by_seed(df, regime="mtl_aligned", source=source)
        assert aligned.mean() < 0.9 * mtl.mean()
        assert (aligned < mtl).all()
    rows = df[df["regime"] == "mtl_aligned"]
    assert np.isfinite(rows[["covsim_before", "covsim_after"]].to_numpy()).all()


def test_every_quick_sweep_plots(capacity, covariance, reweight, align, tmp_path):
    for path in (capacity, covariance, reweight, align):
        written = plot_file(path, tmp_path)
        assert sorted(p[-4:] for p in written) == [".pdf", ".png"]
