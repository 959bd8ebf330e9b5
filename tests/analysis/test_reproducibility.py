"""The reproducibility contract (docs/reproducibility.md), tested.

Same machine, same seed, same threads: a sweep's summary is bit-identical whatever
the number of workers, the order in which they finish, or an interruption and resume
in the middle of a stack; every file records its provenance.
"""
import dataclasses
import re

import numpy as np
import pytest

from featreuse import analysis
from featreuse.analysis.cli import main
from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families import FAMILIES, get_family
from featreuse.analysis.store import Store
from featreuse.analysis.sweep import plan_batches, run_sweep
from tests.analysis.test_families import _cheapest_quick

#: summary columns that time the work (the only ones that may differ between two sweeps)
TIMING = re.compile(r"(wall|_s$|per_s$)")


def assert_same_summaries(a_path, b_path):
    """Every column of two sweep summaries equal bit for bit, timing columns aside."""
    a = analysis.load(a_path).set_index("run_id").sort_index()
    b = analysis.load(b_path).set_index("run_id").sort_index()
    assert list(a.index) == list(b.index)
    assert list(a.columns) == list(b.columns)
    compared = 0
    for col in a.columns:
        if TIMING.search(col):
            continue
        x, y = a[col].to_numpy(), b[col].to_numpy()
        if x.dtype.kind == "f":
            np.testing.assert_array_equal(x, y, err_msg=col)  # NaNs in the same places
        else:
            assert list(x) == list(y), col
        compared += 1
    return compared


@pytest.mark.parametrize("family_name", list(FAMILIES))
def test_quick_grid_is_bit_identical_with_one_or_two_workers(family_name, tmp_path):
    # the cheapest named quick grid of the family, on its first seed (for speed); workers=0
    # runs every task in this process, one after another; two worker processes finish in
    # whatever order the machine gives
    config = _cheapest_quick(family_name)
    config = dataclasses.replace(config, seeds=config.seeds[:1])
    serial, parallel = tmp_path / "serial.h5", tmp_path / "parallel.h5"
    assert run_sweep(config, serial, workers=0, progress=False)["failed"] == 0
    assert run_sweep(config, parallel, workers=2, progress=False)["failed"] == 0
    assert assert_same_summaries(serial, parallel) >= 5


RELU_TINY = """
family = "relu"
description = "tiny stacked sweep"
regimes = ["stl", "mtl", "ptft"]
n = [8, 16, 32]
seeds = 2
[network]
D = 15
K = 20
dtype = "{dtype}"
[teacher]
n_aux = 64
n_test = 200
[grid]
n_main_units = [1, 3]
[train]
lr = 0.1
max_epochs = 300
tol = 1e-6
[variants.ptft]
rescale = [0.1, 1.0]
[pretrain]
lr = 0.5
max_steps = 300
tol = 1e-6
"""


def _relu_tiny(tmp_path, dtype="float32"):
    path = tmp_path / f"relu-tiny-{dtype}.toml"
    path.write_text(RELU_TINY.format(dtype=dtype))
    return load_experiment(str(path))


def test_stacks_are_fixed_by_the_plan():
    # every run of a key sits in one planned batch of at most max_batch runs, whatever
    # finishes when; the batches cut the plan in order
    config = load_experiment("relu-overlap", quick=True)
    family = get_family("relu")
    runs = family.plan(config)
    batches = plan_batches(family, config, runs)
    assert sorted(r.run_id for b in batches for r in b) == sorted(r.run_id for r in runs)
    for batch in batches:
        assert len(batch) <= family.max_batch
        assert len({family.batch_key(config, r.params) for r in batch}) == 1
    # a smaller max_batch cuts the same keys into more, smaller batches, in plan order
    small = type(family)()
    small.max_batch = 5
    cut = plan_batches(small, config, runs)
    assert max(len(b) for b in cut) == 5 and len(cut) > len(batches)
    order = {r.run_id: i for i, r in enumerate(runs)}
    for batch in cut:
        assert [order[r.run_id] for r in batch] == sorted(order[r.run_id] for r in batch)


def test_a_sweep_interrupted_inside_a_stack_resumes_to_the_same_bits(tmp_path, monkeypatch):
    # the driver dies after committing part of a stack's runs (a SIGKILL between two
    # commits of one batch); the resumed sweep trains that stack again whole, so the
    # runs it commits match an uninterrupted sweep bit for bit
    config = _relu_tiny(tmp_path)
    clean, killed = tmp_path / "clean.h5", tmp_path / "killed.h5"
    run_sweep(config, clean, workers=0, progress=False)
    family = get_family("relu")
    sizes = [len(b) for b in plan_batches(family, config, family.plan(config))]
    stop_after = sizes[0] + 3  # the pretraining stack and three runs of the next stack
    assert sizes[1] > 3

    commit = Store.commit
    calls = []

    def dying_commit(self, run, record):
        if len(calls) == stop_after:
            raise KeyboardInterrupt  # the driver stops between two commits of one batch
        calls.append(run.run_id)
        commit(self, run, record)

    monkeypatch.setattr(Store, "commit", dying_commit)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(config, killed, workers=0, progress=False)
    monkeypatch.setattr(Store, "commit", commit)
    counts = run_sweep(config, killed, workers=0, progress=False)
    assert counts["skipped"] == stop_after and counts["failed"] == 0
    assert assert_same_summaries(clean, killed) >= 10
    df = analysis.load(killed)
    assert df["stack_size"].max() > 1  # the runs did train in stacks
    assert len(df.attrs["provenance"]) == 2  # the first session and the resume


def test_every_file_records_its_provenance_and_info_shows_it(tmp_path, capsys):
    config = _relu_tiny(tmp_path, dtype="float64")
    config = dataclasses.replace(config, seeds=[0], regimes=["stl"], n=[8])
    out = tmp_path / "prov.h5"
    run_sweep(config, out, workers=0, progress=False)
    (record,) = analysis.load(out).attrs["provenance"]
    assert record["dtype"] == "float64" and record["device"] == "cpu"
    assert record["workers"] == 0 and record["threads_per_worker"] == 1
    for package in ("numpy", "torch", "numba", "cvxpy"):
        assert record["packages"][package]
    assert record["featreuse"] and record["cpu"] and record["cpu_count"] >= 1
    assert record["torch_cpu_capability"]  # the torch kernels decide float32 bits
    run_sweep(config, out, workers=0, progress=False)  # nothing left to do: no new record
    assert len(analysis.load(out).attrs["provenance"]) == 1
    assert main(["info", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "session 1:" in shown and "dtype float64" in shown and record["cpu"] in shown


def test_info_of_a_bad_file_is_one_line_and_exit_code_2(tmp_path, capsys):
    assert main(["info", str(tmp_path / "missing.h5")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "does not exist" in err
    text = tmp_path / "text.h5"
    text.write_text("not hdf5")
    assert main(["info", str(text)]) == 2
    assert "not an HDF5 file" in capsys.readouterr().err
