"""The capacity study (WZR Prop. 1): the target's error against the shared module's capacity r.

k low-rank tasks share X (:func:`.data.low_rank_thetas`); task 0 is the target.
Regimes: ``stl`` (each task's least-squares fit) and ``mtl`` (the optimal shared
module of capacity r and its heads, Prop. 3's closed form, uniform weights). With
``r >= k`` MTL is STL (no transfer); below k the shared module pools the tasks.
"""
import numpy as np

from featreuse.solvers.wzr.single_task import single_task_fit
from featreuse.solvers.wzr.span import optimal_shared_span

from ..base import PlannedRun
from .data import low_rank_thetas, shared_data
from .records import record


def plan(config):
    """Per seed and n: one ``stl`` run and one ``mtl`` run per capacity r."""
    runs = []
    for seed in config.seeds:
        for n in config.n:
            if "stl" in config.regimes:
                runs.append(PlannedRun.of({"regime": "stl", "seed": seed, "n": n}))
            if "mtl" in config.regimes:
                runs += [PlannedRun.of({"regime": "mtl", "seed": seed, "n": n, "r": r})
                         for r in config.grid["r"]]
    return runs


def execute(config, params, inputs, device):
    """Fit one run; errors are exact (inputs have covariance I)."""
    t = config.data
    thetas = low_rank_thetas(params["seed"], t["D"], t["k"], t["rank"], t["individual"])
    X, ys = shared_data(params["seed"], thetas, params["n"], t["noise"])
    if params["regime"] == "stl":
        fit = single_task_fit([X] * t["k"], ys)
    else:
        fit = optimal_shared_span(X, ys, params["r"])
    errors = np.sum((fit.predictors - thetas) ** 2, axis=0)   # covariance I, unit thetas
    return record({"beta": fit.predictors[:, 0]}, test_mse=errors[0], null_mse=1.0,
                  objective=fit.objective, avg_rel_mse=float(np.mean(errors)), steps=0)
