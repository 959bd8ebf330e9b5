"""LL's qualitative ReLU claims on the --quick grids (K = 100 hidden units, two seeds).

Each sweep runs an experiment's --quick settings through the real sweep and
store, on the points of its quick grid that the claim is about (grid block,
n, s, regimes; the STL n = 16 baseline of the gen. loss is always run); the
rest of the quick grid adds points, not settings. docs/relu.md lists the
measured numbers and how the quick settings differ from LL's.
"""
import dataclasses

import numpy as np
import pytest

from analysis import load
from analysis.experiments import load_experiment
from analysis.sweep import run_sweep


def _within(key, sub, full):
    """Whether ``sub`` holds only points of the config field ``full`` (blocks kept whole)."""
    def smaller(a, b):
        return set(a) == set(b) and all(set(a[k]) <= set(b[k]) for k in a)
    if key == "grid":
        return all(any(smaller(block, b) for b in full) for block in sub)
    if key == "variants":
        return all(r in full and smaller(table, full[r]) for r, table in sub.items())
    return set(sub) <= set(full)


def _sweep(tmp_path_factory, name, **subset):
    """Sweep the quick grid of ``name`` restricted to ``subset`` (n, grid, variants, regimes)."""
    config = load_experiment(name, quick=True)
    for key, value in subset.items():
        assert _within(key, value, getattr(config, key)), key
    config = dataclasses.replace(config, **subset)
    path = tmp_path_factory.mktemp("relu_claims") / f"{name}.h5"
    counts = run_sweep(config, path, workers=2, progress=False)
    assert counts["failed"] == 0
    return load(path)


@pytest.fixture(scope="module")
def correlated(tmp_path_factory):
    # the quick grid's first block, main units at cosine 0.9 with their auxiliary units
    return _sweep(tmp_path_factory, "relu-correlated", grid=[{"rho": [0.9]}], n=[256],
                  regimes=["mtl", "ptft"])


@pytest.fixture(scope="module")
def identical(tmp_path_factory):
    # the quick grid's first block, main units identical to their auxiliary units
    return _sweep(tmp_path_factory, "relu-correlated", grid=[{"rho": [1.0]}], n=[16, 256],
                  regimes=["mtl", "ptft", "ptft_lp", "ntk"])


@pytest.fixture(scope="module")
def rescale(tmp_path_factory):
    # LL's nested feature selection needs enough data to show: at n = 16, s = 0.1 learns
    # nothing beyond STL whatever the number of units (docs/relu.md)
    return _sweep(tmp_path_factory, "relu-rescale", n=[64], regimes=["ptft"],
                  variants={"ptft": {"rescale": [0.1, 10.0]}})


def _rows(df, **where):
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 2, where  # both quick seeds
    return sel.sort_values("seed")


def _gen(df, **where):
    return _rows(df, **where)["gen_loss"].to_numpy()


def test_correlated_units_ptft_beats_mtl_at_the_largest_n(correlated):
    n = 256  # the largest n of the quick grid
    ptft, mtl = _rows(correlated, regime="ptft", n=n), _rows(correlated, regime="mtl", n=n)
    # both trained to the quick tolerance, so the gap is not an epoch cap's
    assert ptft["converged"].all() and mtl["converged"].all()
    assert np.all(ptft["gen_loss"].to_numpy() < mtl["gen_loss"].to_numpy())  # every seed
    assert ptft["gen_loss"].mean() < mtl["gen_loss"].mean() / 10


def test_correlated_units_are_rotated_pretrained_units(correlated):
    # LL's penalty: a pretrained unit may change direction at a constant cost, so
    # PT+FT carries each main unit by rotating the pretrained units of its partner
    ptft = _rows(correlated, regime="ptft", n=256)
    assert np.all(ptft["share_changed"] > 0.9)
    assert np.all(ptft["penalty_accuracy"] == 1.0)


def test_identical_units_mtl_wins_at_the_smallest_n(identical):
    n = identical["n"].min()
    mtl = _gen(identical, regime="mtl", n=n)
    assert np.all(mtl < _gen(identical, regime="ptft", n=n))
    assert np.all(mtl < _gen(identical, regime="stl", n=n))
    # as in LL, ridge on the pretrained features (which are the main task's) beats all three
    for baseline in ("ptft_lp", "ntk"):
        assert np.all(_gen(identical, regime=baseline, n=n) < mtl)


def test_identical_units_ptft_overtakes_mtl_at_the_largest_n(identical):
    n = identical["n"].max()
    ptft, mtl = _rows(identical, regime="ptft", n=n), _rows(identical, regime="mtl", n=n)
    assert ptft["converged"].all() and mtl["converged"].all()
    assert ptft["gen_loss"].mean() < mtl["gen_loss"].mean()
    # and it reuses the pretrained units without turning them
    assert np.all(ptft["share_reused"] > 0.9)


def test_rescaling_small_s_error_grows_with_units_large_s_is_flat(rescale):
    n = 64
    units = sorted(rescale["n_main_units"].unique())
    small = [_gen(rescale, regime="ptft", n=n, rescale=0.1, n_main_units=u).mean()
             for u in units]
    large = [_gen(rescale, regime="ptft", n=n, rescale=10.0, n_main_units=u).mean()
             for u in units]
    assert np.all(np.diff(small) > 0) and small[-1] > 10 * small[0]
    assert max(large) < 3 * min(large)
