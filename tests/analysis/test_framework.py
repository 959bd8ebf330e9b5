"""The generic layers with a toy family: batches, dependencies, artefacts, per-run failures."""
import numpy as np
import pytest

from featreuse import analysis
from featreuse.analysis import store
from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families import FAMILIES
from featreuse.analysis.plots import plot_file
from featreuse.analysis.sweep import run_sweep
from tests.analysis import toy_family


@pytest.fixture
def toy(tmp_path, monkeypatch):
    monkeypatch.setitem(FAMILIES, "toy", "tests.analysis.toy_family")
    toy_family.CALLS.clear()
    path = tmp_path / "toy.toml"
    path.write_text('family = "toy"\ndescription = "toy"\nseeds = 2\nn = [1, 2, 3, 4, 5, 6, 7, 9]\n')
    return load_experiment(str(path))


def test_batches_dependencies_artefacts_and_failures(toy, tmp_path):
    out = tmp_path / "toy.h5"
    counts = run_sweep(toy, out, workers=0, progress=False)
    runs = toy_family.FAMILY.plan(toy)
    fits = [r for r in runs if r.params["regime"] == "fit"]
    statuses = store.statuses(out)
    n_failed = sum(s == "failed" for s in statuses.values())
    assert counts == {**counts, "runs": len(runs), "failed": n_failed,
                      "done": len(runs) - n_failed}
    # ready runs of one key are batched, never more than max_batch, never mixing keys
    fit_calls = [(size, key) for size, key in toy_family.CALLS if key is not None]
    assert max(size for size, _ in fit_calls) == toy_family.FAMILY.max_batch
    assert sum(size for size, _ in fit_calls) == len(fits)
    # n = 7 fails alone (its batch mates are done unless n = 9 was among them); a batch
    # holding n = 9 fails whole, and only runs of its key (odd n) are in it
    errors = {r.params["n"]: store.read_run(out, r.run_id)[1]["error"] for r in fits
              if statuses[r.run_id] == "failed"}
    assert errors.get(9) == "RuntimeError: the whole batch fails"
    assert errors.get(7) in ("ValueError: n = 7 fails", "RuntimeError: the whole batch fails")
    for n, error in errors.items():
        assert n in (7, 9) or (n % 2 == 1 and error == "RuntimeError: the whole batch fails")
    # every done run has its own record: the seed's offset arrived through the base run
    df = analysis.load(out)
    for _, row in df.iterrows():
        assert row["value"] == row["n"] + row["seed"] and row["error"] == row["value"] / 10
        _, attrs, arrays = store.read_run(out, row["run_id"])
        np.testing.assert_array_equal(arrays["x"], np.full(int(row["n"]), row["value"]))
    assert len(df) == len(fits) - n_failed
    assert plot_file(out, tmp_path / "figs")

    # resume retries only the failed runs; the artefacts of the base runs are reused
    toy_family.CALLS.clear()
    again = run_sweep(toy, out, workers=0, progress=False)
    assert again["skipped"] == counts["done"] and again["done"] + again["failed"] == counts["failed"]
    assert all(key is not None for _, key in toy_family.CALLS)  # no base run recomputed
