"""The claim tests' one way to sweep: an experiment's --quick grid, once per session."""
import dataclasses
import json

import pytest

from featreuse.analysis import load
from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.sweep import run_sweep


def _within(sub, full):
    """Whether ``sub`` picks only points of the config value ``full``.

    Tables are compared key by key; a list keeps a subset of its items; a table inside a
    list (a grid block) must keep all its keys, so that no block changes its settings.
    """
    if isinstance(full, dict):
        return isinstance(sub, dict) and all(k in full and _within(v, full[k])
                                             for k, v in sub.items())
    if isinstance(full, list):
        items = sub if isinstance(sub, list) else [sub]
        return all(any(set(item) == set(f) and _within(item, f) for f in full
                       if isinstance(f, dict)) if isinstance(item, dict) else item in full
                   for item in items)
    return sub == full


@pytest.fixture(scope="session")
def quick_sweep(tmp_path_factory):
    """``sweep(name, *, seeds=None, settings=None, **subset) -> (config, summary, path)``.

    Runs the --quick grid of experiment ``name`` through the real sweep and store
    (two workers), restricted to ``subset`` (config fields such as ``n``, ``regimes``,
    ``grid``, ``variants``: only points of the quick grid, checked), with ``seeds``
    seeds (0..seeds-1, default the quick grid's) and ``settings`` (``{dotted key:
    value}``, as ``featreuse run --set``; e.g. ``{"network.dtype": "float64"}``).
    Each distinct call runs once per test session.
    """
    made = {}

    def sweep(name, *, seeds=None, settings=None, **subset):
        key = json.dumps([name, seeds, settings, subset], sort_keys=True, default=str)
        if key not in made:
            config = load_experiment(name, quick=True, seeds=seeds, overrides=settings)
            for field, value in subset.items():
                assert _within(value, getattr(config, field)), (name, field)
            config = dataclasses.replace(config, **subset)
            path = tmp_path_factory.mktemp("claims") / f"{name}.h5"
            counts = run_sweep(config, path, workers=2, progress=False)
            assert counts["failed"] == 0, counts
            made[key] = (config, load(path), path)
        return made[key]

    return sweep
