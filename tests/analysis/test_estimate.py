"""The cost of a sweep: ``featreuse run NAME --estimate``, its schedule, the recorded cost."""
import math
import os

import pytest

from featreuse.analysis.cli import main
from featreuse.analysis.estimate import batch_needs, schedule
from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families import get_family
from featreuse.analysis.families.relu import cost
from featreuse.analysis.sweep import plan_batches


def _one_line_error(capsys, match):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and match in lines[0], err
    assert "Traceback" not in err


def test_schedule_is_largest_ready_batch_first_on_free_workers():
    # independent batches 5, 4, 3, 3, 3 on 2 workers: 5+3 | 4+3+3 -> makespan 10
    assert schedule([5, 4, 3, 3, 3], [set()] * 5, 2) == (10.0, 18.0)
    # one worker: the sum
    assert schedule([5, 4, 3], [set()] * 3, 1) == (12.0, 12.0)
    # batch 2 needs batch 0: it cannot start before 0 ends at 4, whatever the workers
    wall, busy = schedule([4, 1, 4], [set(), set(), {0}], 8)
    assert (wall, busy) == (8.0, 9.0)


def test_estimate_prints_the_cost_and_runs_nothing(tmp_path, capsys, monkeypatch):
    from featreuse.analysis.families.relu import execute
    monkeypatch.setattr(execute, "execute_batch", lambda *a: pytest.fail("work started"))
    monkeypatch.chdir(tmp_path)
    code = main(["run", "relu-overlap", "--quick", "--estimate", "--workers", "2",
                 "--set", "network.K=20"])
    out = capsys.readouterr().out
    assert code == 0
    assert "network-epochs" in out and "core-hours" in out
    assert "wall time with 2 worker(s)" in out and "utilisation" in out
    for regime in ("pretrain", "stl", "mtl", "ptft"):
        assert f"  {regime} " in out
    assert os.listdir(tmp_path) == []  # no file, no folder


def test_estimate_is_refused_where_it_cannot_be_made(tmp_path, capsys):
    assert main(["run", "diag-overlap", "--quick", "--estimate"]) == 2
    _one_line_error(capsys, "no cost model")
    assert main(["run", "relu-overlap", "--quick", "--estimate",
                 "--scheduler", "tcp://127.0.0.1:1"]) == 2
    _one_line_error(capsys, "--scheduler")
    assert main(["run", "relu-overlap", "--quick", "--estimate",
                 "--set", "train.method=flow"]) == 2
    _one_line_error(capsys, "method = 'flow'")


def test_predicted_epochs_follow_the_table_and_the_cap():
    config = load_experiment("relu-overlap", quick=False)
    table = cost.epoch_table()["rows"]
    for regime in ("stl", "mtl", "ptft"):
        for n, row in table[regime].items():
            measured = row["epochs"]["1e-08"]
            expected = config.train[regime]["max_epochs"] if measured is None else measured
            got = cost.predicted_epochs(config, {"regime": regime, "n": n, "seed": 0,
                                                 "shared": 6})
            assert math.isclose(got, min(expected, 100_000), rel_tol=1e-9)
    quick = load_experiment("relu-overlap", quick=True)
    for params in get_family("relu").plan(quick):
        epochs = cost.predicted_epochs(quick, params.params)
        regime = params.params["regime"]
        if regime in ("ptft_lp", "ntk"):
            assert epochs == 0
        else:
            key = "max_steps" if regime == "pretrain" else "max_epochs"
            cap = (quick.pretrain if regime == "pretrain" else quick.train[regime])[key]
            assert 0 < epochs <= cap


def test_a_pretraining_batch_precedes_its_finetuning_in_the_schedule():
    config = load_experiment("relu-overlap", quick=True)
    family = get_family("relu")
    batches = plan_batches(family, config, family.plan(config))
    needs = batch_needs(batches)
    pre = [i for i, b in enumerate(batches) if b[0].params["regime"] == "pretrain"]
    assert len(pre) == 1
    assert all(needs[i] == set(pre) for i, b in enumerate(batches)
               if any(r.params["regime"] == "ptft" for r in b))
