"""CHS experiment files: validation names the bad key or value; the plan and its needs; the
task threshold read off a summary (analysis/families/chs/threshold.py)."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families import get_family
from featreuse.analysis.families.chs.config import TRAIN_DEFAULTS
from featreuse.errors import InputError, InputTypeError

BASE = """
family = "chs"
description = "test"
seeds = 2
regimes = ["mtl", "stl", "random"]
n = [16, 64]
[model]
r = 3
tasks = 4
[grid]
d = [10, 20]
"""


def _load(tmp_path, text, quick=False):
    path = tmp_path / "chs-test.toml"
    path.write_text(text)
    return load_experiment(str(path), quick=quick)


def test_train_defaults_are_the_trainers_defaults():
    from featreuse.nets.chs.config import ChsTrainConfig
    assert TRAIN_DEFAULTS == dataclasses.asdict(ChsTrainConfig())


def test_named_experiments_load_in_full_and_quick():
    for name in ("chs-tasks", "chs-probe", "chs-threshold"):
        for quick in (False, True):
            config = load_experiment(name, quick=quick)
            assert config.family == "chs" and config.quick == quick


def test_plan_pretrains_once_per_network_and_probes_need_it(tmp_path):
    config = _load(tmp_path, BASE)
    runs = get_family("chs").plan(config)
    by_id = {r.run_id: r for r in runs}
    pre = [r for r in runs if r.params["regime"] == "pretrain"]
    # seeds x d x (mtl with T = 4, stl with T = 1)
    assert len(pre) == 2 * 2 * 2 and not any(r.summary for r in pre)
    probes = [r for r in runs if r.summary]
    assert len(probes) == 2 * 2 * 3 * 2
    for r in probes:
        p = r.params
        assert set(p) == {"regime", "seed", "n", "d", "tasks"}
        assert p["tasks"] == {"mtl": 4, "stl": 1, "random": 0}[p["regime"]]
        if p["regime"] == "random":
            assert r.needs == ()
        else:
            (need,) = r.needs
            assert by_id[need].params == {"regime": "pretrain", "seed": p["seed"], "d": p["d"],
                                          "tasks": p["tasks"]}
            assert runs.index(by_id[need]) < runs.index(r)


def test_runs_that_do_not_depend_on_the_swept_tasks_are_planned_once(tmp_path):
    text = BASE.replace("tasks = 4\n", "").replace("d = [10, 20]", "d = [10]\ntasks = [1, 2, 5]")
    runs = get_family("chs").plan(_load(tmp_path, text))
    summary = [r.params for r in runs if r.summary]
    for regime, count in (("mtl", 3), ("stl", 1), ("random", 1)):
        assert len([p for p in summary if p["regime"] == regime]) == count * 2 * 2
    # mtl at T = 1 and stl share their pretraining
    assert len([r for r in runs if r.params["regime"] == "pretrain"]) == 3 * 2


@pytest.mark.parametrize("edit, error, match", [
    (("regimes = [\"mtl\", \"stl\", \"random\"]", "regimes = [\"mtl\", \"ptft\"]"), InputError,
     "regimes: unknown entry 'ptft'"),
    (("n = [16, 64]", "n = [0]"), InputError, "n entries must be >= 1"),
    (("[model]", "[model]\nwidth = 5"), InputError, "\\[model\\]: unknown key 'width'"),
    (("r = 3", "r = 11"), InputError, "model.r = 11 must be <= d"),
    (("tasks = 4", "tasks = 0"), InputError, "model.tasks must be >= 1"),
    (("d = [10, 20]", "d = [10, 20]\nwidth = [1, 2]"), InputError,
     "\\[grid\\]: unknown key 'width'"),
    (("d = [10, 20]", "d = [10, 20]\nr = [1, 2]"), InputError,
     "'r' is both fixed in \\[model\\] and swept in \\[grid\\]"),
    (("d = [10, 20]", "d = [10, 20]\ntasks = [3]"), InputError,
     "'tasks' is both fixed in \\[model\\] and swept in \\[grid\\]"),
    (("[grid]", "[train]\nlr = 0\n[grid]"), InputError, "train.lr must be > 0"),
    (("[grid]", "[train]\nwidth = 2.5\n[grid]"), InputTypeError, "train.width must be an integer"),
    (("[grid]", "[train]\nshared_inputs = 1\n[grid]"), InputTypeError,
     "train.shared_inputs must be true or false"),
    (("[grid]", "[train]\nlr = 4.0\nweight_decay = 0.5\n[grid]"), InputError,
     "train.lr \\* train.weight_decay must be < 1"),
    (("[grid]", "[train]\nmomentum = 0.9\n[grid]"), InputError,
     "\\[train\\]: unknown key 'momentum'"),
    (("[grid]", "[probe]\nC = -1.0\n[grid]"), InputError, "probe.C must be > 0"),
    (("[grid]", "[probe]\nn_test = 0\n[grid]"), InputError, "probe.n_test must be >= 1"),
    (("seeds = 2", "seeds = 2\nrounds = 3"), InputError, "unknown key 'rounds'"),
])
def test_bad_keys_and_values_are_named(tmp_path, edit, error, match):
    old, new = edit
    assert old in BASE
    with pytest.raises(error, match=match):
        _load(tmp_path, BASE.replace(old, new, 1))


def test_quick_table_overrides_key_by_key(tmp_path):
    config = _load(tmp_path, BASE + "[quick]\nseeds = 1\n[quick.model]\ntasks = 2\n", quick=True)
    assert config.seeds == [0] and config.model == {"r": 3, "tasks": 2}


SWEPT = BASE.replace("r = 3\n", "").replace("d = [10, 20]",
                                             "d = [10]\nr = [2, 5]\nsamples = [8, 16]")


@pytest.mark.parametrize("edit, match", [
    (("r = [2, 5]", "r = [2, 11]"), "grid.r = 11 must be <= d"),
    (("[grid]", "[train]\nhead_samples = 8\n[grid]"),
     "train.head_samples is set while \\[grid\\] sweeps samples"),
    (("[grid]", "[train]\nshared_samples = 8\n[grid]"),
     "train.shared_samples is set while \\[grid\\] sweeps samples"),
    (("samples = [8, 16]", "samples = [0]"), "grid.samples entries must be >= 1"),
])
def test_swept_r_and_samples_are_checked(tmp_path, edit, match):
    old, new = edit
    assert old in SWEPT
    with pytest.raises(InputError, match=match):
        _load(tmp_path, SWEPT.replace(old, new, 1))


def test_swept_r_and_samples_enter_the_params_and_set_the_training(tmp_path):
    from featreuse.analysis.families.chs.execute import subspace_dim, train_config
    config = _load(tmp_path, SWEPT)
    assert "head_samples" not in config.train and "shared_samples" not in config.train
    family = get_family("chs")
    assert family.swept_columns(config) == ["d", "tasks", "r", "samples"]
    runs = family.plan(config)
    by_id = {r.run_id: r for r in runs}
    summary = [r for r in runs if r.summary]
    # random: one per seed, n and r (not per samples); mtl and stl: per r and samples
    for regime, count in (("mtl", 4), ("stl", 4), ("random", 2)):
        assert len([r for r in summary if r.params["regime"] == regime]) == count * 2 * 2
    for r in summary:
        p = r.params
        assert p["r"] in (2, 5) and subspace_dim(config, p) == p["r"]
        assert ("samples" in p) == (p["regime"] != "random")
        for need in r.needs:
            pre = by_id[need].params
            assert {k: pre[k] for k in ("seed", "d", "tasks", "r", "samples")} == {
                k: p[k] for k in ("seed", "d", "tasks", "r", "samples")}
            t = train_config(config, pre)
            assert t.head_samples == t.shared_samples == pre["samples"]
    # mtl at T = 4 and stl (T = 1) pretrain apart: seeds x r x samples x 2
    assert len([r for r in runs if r.params["regime"] == "pretrain"]) == 2 * 2 * 2 * 2


def test_runs_of_an_experiment_that_sweeps_neither_r_nor_samples_keep_their_params():
    config = load_experiment("chs-tasks")
    assert get_family("chs").swept_columns(config) == ["d", "tasks"]
    for run in get_family("chs").plan(config):
        assert set(run.params) <= {"regime", "seed", "n", "d", "tasks"}


def test_first_sustained_is_the_first_task_count_from_which_on_the_criterion_holds():
    from featreuse.analysis.families.chs.threshold import first_sustained
    tasks = [1, 2, 5, 10]
    passes = np.array([[False, True, False, True],      # passes at 2, fails at 5: 10
                       [False, True, True, True],       # 2
                       [True, True, True, True],        # 1
                       [True, True, True, False]])      # fails at the largest T: inf
    np.testing.assert_array_equal(first_sustained(tasks, passes), [10, 2, 1, np.inf])
    with pytest.raises(InputError, match="tasks must be"):
        first_sustained([2, 1], [True, True])
    with pytest.raises(InputError, match="passes must have a last axis of 2"):
        first_sustained([1, 2], [True, True, True])


def test_threshold_table_reads_both_criteria_per_curve_and_seed():
    from featreuse.analysis.families.chs.threshold import criterion, threshold_table
    rows = []
    for seed, shift in ((0, 0), (1, 1)):
        for i, T in enumerate([1, 3, 10, 30]):
            angle = [80.0, 40.0, 10.0, 5.0][min(i + shift, 3)]
            rows.append({"regime": "mtl", "seed": seed, "n": 64, "r": 3, "samples": 100,
                         "tasks": T, "angle_deg": angle, "coverage": 0.2 * (i + 1)})
    rows.append({"regime": "random", "seed": 0, "n": 64, "r": 3, "samples": np.nan,
                 "tasks": 0, "angle_deg": 88.0, "coverage": 0.8})
    (row,) = threshold_table(pd.DataFrame(rows)).to_dict("records")
    assert (row["r"], row["samples"], row["seeds"], row["T_grid"]) == (3, 100, 2, 30)
    assert row["T_angle_seeds"] == (10.0, 3.0) and row["T_angle"] == 10   # mean: 25, 7.5 deg
    assert row["T_coverage_seeds"] == (10.0, 10.0) and row["T_coverage_max"] == 10
    assert row["T_both"] == 10 and row["passed_both"] == 2
    with pytest.raises(InputError, match="name must be one of"):
        criterion("energy", [1.0], [1.0])


def test_task_conditioning_is_that_of_the_seeds_first_task_directions():
    from featreuse.analysis.families.chs.threshold import task_conditioning
    from featreuse.nets.chs.tasks import make_chs_tasks
    assert task_conditioning(0, 2, 3) == 0.0            # two directions of R^3
    V = make_chs_tasks(4, 50, d=20, r=3).V              # the same tasks in any d
    ev = np.linalg.eigvalsh(V.T @ V)
    assert task_conditioning(4, 50, 3) == pytest.approx(ev[0] / ev[-1], rel=1e-12)


def test_the_threshold_figure_draws_a_summary_and_refuses_d_with_r_swept(tmp_path):
    config = _load(tmp_path, SWEPT.replace("regimes = [\"mtl\", \"stl\", \"random\"]",
                                           "regimes = [\"mtl\", \"random\"]")
                   .replace("d = [10]", "d = [10]\ntasks = [1, 3, 9]").replace("tasks = 4\n", ""))
    rng = np.random.default_rng(0)
    rows = [{"regime": "mtl", "seed": s, "n": n, "d": 10, "tasks": T, "r": r, "samples": m,
             "coverage": rng.uniform(0, 0.6), "angle_deg": rng.uniform(0, 90)}
            for s in config.seeds for n in config.n for T in config.grid["tasks"]
            for r in config.grid["r"] for m in config.grid["samples"]]
    rows += [{"regime": "random", "seed": s, "n": n, "d": 10, "tasks": 0, "r": r,
              "samples": np.nan, "coverage": 0.8, "angle_deg": 88.0}
             for s in config.seeds for n in config.n for r in config.grid["r"]]
    ((suffix, fig),) = get_family("chs").figures(pd.DataFrame(rows), config)
    assert suffix == "" and len(fig.axes) == 4
    both = _load(tmp_path, SWEPT.replace("d = [10]", "d = [10, 20]"))
    with pytest.raises(InputError, match="sweeps d together with r or samples"):
        get_family("chs").figures(pd.DataFrame(rows), both)
