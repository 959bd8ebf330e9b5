"""CHS experiment files: validation names the bad key or value; the plan and its needs."""
import dataclasses

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
    for name in ("chs-tasks", "chs-probe"):
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
    (("d = [10, 20]", "d = [10, 20]\nr = [1, 2]"), InputError, "\\[grid\\]: unknown key 'r'"),
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
