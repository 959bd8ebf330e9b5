"""CHS's claims on the chs-tasks and chs-probe --quick grids.

chs-tasks quick: d = 50, r = 3, T in {1, 3, 20}, three seeds, 40 rounds of
the alternating algorithm (head step 5, shared step 1, weight decay 0.1, 100
samples per task and round). chs-probe quick: d in {50, 100}, W learned on
T = 50 tasks, on one task, or untrained; probes with n in {32, 512}; two
seeds (the tasks of a seed are the same for every d: the comparison across d
is paired).
"""
import numpy as np
import pytest
from scipy.stats import beta

from analysis import load
from analysis.experiments import load_experiment
from analysis.sweep import run_sweep


def _sweep(tmp_path_factory, name):
    config = load_experiment(name, quick=True)
    path = tmp_path_factory.mktemp("chs") / f"{name}.h5"
    counts = run_sweep(config, path, workers=2, progress=False)
    assert counts["failed"] == 0
    return config, load(path)


@pytest.fixture(scope="module")
def tasks_quick(tmp_path_factory):
    return _sweep(tmp_path_factory, "chs-tasks")


@pytest.fixture(scope="module")
def probe_quick(tmp_path_factory):
    return _sweep(tmp_path_factory, "chs-probe")


def _per_seed(sweep, column, **where):
    """``column`` of the rows matching ``where``, one per seed (in seed order)."""
    config, sel = sweep
    for k, v in where.items():
        sel = sel[sel[k] == v]
    values = sel.sort_values("seed")[column].to_numpy(float)
    assert len(values) == len(config.seeds), where
    return values


def test_coverage_grows_with_the_number_of_tasks_and_vanishes_for_one_task(tasks_quick):
    config, _ = tasks_quick
    Ts = sorted(config.grid["tasks"])
    coverage = [_per_seed(tasks_quick, "coverage", regime="mtl", tasks=T).mean() for T in Ts]
    assert np.all(np.diff(coverage) > 0), coverage
    # one task: one direction of col(M) (an untrained Gaussian W has coverage ~0.8)
    assert np.all(_per_seed(tasks_quick, "coverage", regime="mtl", tasks=1) < 0.05)
    assert _per_seed(tasks_quick, "coverage", regime="random", tasks=0).min() > 0.5
    # the largest angle closes only with many tasks
    assert _per_seed(tasks_quick, "angle_deg", regime="mtl", tasks=1).min() > 60
    assert _per_seed(tasks_quick, "angle_deg", regime="mtl", tasks=max(Ts)).max() < 20


def test_energy_concentrates_for_every_task_count_so_only_coverage_detects_collapse(tasks_quick):
    config, _ = tasks_quick
    m, r, d = config.train["width"], config.model["r"], config.model["d"]
    for T in config.grid["tasks"]:                  # one task or many: > 13 r / d
        assert _per_seed(tasks_quick, "energy", regime="mtl", tasks=T).min() > 0.8
    # the untrained W (rows N(0, I/d)) has energy Beta(m r / 2, m (d - r) / 2), mean r / d
    law = beta(m * r / 2, m * (d - r) / 2)
    energy = _per_seed(tasks_quick, "energy", regime="random", tasks=0)
    assert np.all((law.ppf(1e-6) < energy) & (energy < law.ppf(1 - 1e-6)))


def test_multi_task_probe_is_flat_in_d_while_single_task_and_random_features_fall(probe_quick):
    config, _ = probe_quick
    d_small, d_large = sorted(config.grid["d"])
    assert d_large == 2 * d_small

    def accuracy(regime, d, n):
        return _per_seed(probe_quick, "probe_accuracy", regime=regime, d=d, n=n).mean()

    for n in config.n:
        change = accuracy("mtl", d_large, n) - accuracy("mtl", d_small, n)
        assert abs(change) < 0.02, (n, change)
        for d in (d_small, d_large):
            others = max(accuracy("stl", d, n), accuracy("random", d, n))
            assert accuracy("mtl", d, n) > others + 0.1, (d, n)
    n_max = max(config.n)
    for regime, fall in (("random", 0.04), ("stl", 0.02)):
        change = accuracy(regime, d_large, n_max) - accuracy(regime, d_small, n_max)
        assert change < -fall, (regime, change)


def test_probe_error_is_one_minus_probe_accuracy(probe_quick):
    _, df = probe_quick
    np.testing.assert_array_equal(df["probe_error"], 1 - df["probe_accuracy"])
