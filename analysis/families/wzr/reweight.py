"""The reweighting study (WZR Algorithm 2): one task with random labels among tasks sharing X.

k low-rank tasks share X; the last one has a fraction ``noisy_fraction`` of its
labels replaced by draws from ``N(0, 1 + noise^2)`` (the variance of a clean label);
task 0 (clean) is the target. Regimes: ``stl`` (least squares per task), ``mtl``
(Prop. 3's optimal module of capacity r, uniform weights) and ``mtl_reweighted``
(the same with Algorithm 2's weights). ``avg_rel_mse`` averages the clean tasks.
"""
import numpy as np

from featreuse.solvers.wzr.reweighting import svd_task_weights
from featreuse.solvers.wzr.single_task import single_task_fit
from featreuse.solvers.wzr.span import optimal_shared_span

from ..base import PlannedRun
from .data import corrupt_labels, low_rank_thetas, shared_data
from .records import record


def plan(config):
    """Per seed and n: one run per regime."""
    return [PlannedRun.of({"regime": regime, "seed": seed, "n": n})
            for seed in config.seeds for n in config.n for regime in config.regimes]


def reweight_data(config, seed, n):
    """Task parameters (D, k), shared X (n, D), labels (the last task's corrupted)."""
    t = config.data
    thetas = low_rank_thetas(seed, t["D"], t["k"], t["rank"], t["individual"])
    X, ys = shared_data(seed, thetas, n, t["noise"])
    ys[-1] = corrupt_labels(seed, ys[-1], t["noisy_fraction"], np.sqrt(1.0 + t["noise"] ** 2))[0]
    return thetas, X, ys


def execute(config, params, inputs, device):
    """Fit one run; errors are exact (inputs have covariance I)."""
    t, r = config.data, config.model["r"]
    thetas, X, ys = reweight_data(config, params["seed"], params["n"])
    weights = np.ones(t["k"])
    if params["regime"] == "stl":
        fit = single_task_fit([X] * t["k"], ys)
    else:
        if params["regime"] == "mtl_reweighted":
            weights = svd_task_weights(X, ys, r)
        fit = optimal_shared_span(X, ys, r, weights=weights)
    errors = np.sum((fit.predictors - thetas) ** 2, axis=0)
    return record({"beta": fit.predictors[:, 0], "weights": weights}, test_mse=errors[0],
                  null_mse=1.0, objective=fit.objective, avg_rel_mse=float(np.mean(errors[:-1])),
                  weight_noisy=weights[-1], weight_clean=float(np.mean(weights[:-1])), steps=0)
