"""Every registered family: its cheapest named --quick grid through plan, run, store, load, figure."""
import os

import pytest

from featreuse import analysis
from featreuse.analysis.experiments import list_experiments, load_experiment
from featreuse.analysis.families import FAMILIES, get_family
from featreuse.analysis.plots import plot_file
from featreuse.analysis.store import summary
from featreuse.analysis.sweep import run_sweep


#: summary columns NaN for every run of the family's cheapest quick grid, by its data
NAN_BY_DATA = {"diagonal": [], "wzr": [], "chs": [], "relu": [], "deep": []}


def _cheapest_quick(family):
    named = [name for name, (fam, _) in list_experiments().items() if fam == family]
    assert named, f"family {family!r} has no named experiment"
    configs = [load_experiment(name, quick=True) for name in named]
    return min(configs, key=lambda c: len(get_family(family).plan(c)))


@pytest.mark.parametrize("family_name", list(FAMILIES))
def test_quick_grid_plans_runs_stores_loads_and_plots(family_name, tmp_path):
    family = get_family(family_name)
    config = _cheapest_quick(family_name)
    runs = family.plan(config)
    assert len({r.run_id for r in runs}) == len(runs)
    ids = {r.run_id for r in runs}
    for i, r in enumerate(runs):  # needs are planned, and planned before the run
        assert set(r.needs) <= ids
        assert all(runs.index(next(q for q in runs if q.run_id == d)) < i for d in r.needs)
    out = tmp_path / "quick.h5"
    counts = run_sweep(config, out, workers=2, progress=False)
    assert counts == {**counts, "runs": len(runs), "done": len(runs), "failed": 0}
    df = analysis.load(out)
    assert sorted(df["run_id"]) == sorted(r.run_id for r in runs if r.summary)
    assert list(df.columns) == summary.columns(family, config)
    assert df[family.metric].notna().all()
    # no column is NaN for every run by construction (the columns follow the config)
    assert sorted(c for c in df.columns if df[c].isna().all()) == NAN_BY_DATA[family_name]
    paths = plot_file(out, tmp_path / "figs")
    assert paths and all(os.path.getsize(p) > 0 for p in paths)
    assert {os.path.splitext(p)[1] for p in paths} == {".png", ".pdf"}
