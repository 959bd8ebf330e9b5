"""The covariance study (WZR Fig. 3): MTL - STL on the target against source samples.

It reproduces WZR's Fig. 3, not their Theorem 2: the theorem's premise
``c = kappa * sin(theta_1, theta_2) <= 1/3`` fails in this setting (c = 0.59 to 1.14;
docs/wzr.md).

The target (few, noise-free samples) is trained with one source of ``n_source``
noisy samples whose inputs have the target's covariance (``aligned``), a rotated one
(``rotated``) or a rescaled one (``rescaled``) (:mod:`.data`). Regimes: ``stl`` (the
target's minimum-norm least-squares fit) and ``mtl`` (target + source, capacity r,
ALS from several starts). ``covsim_before`` is the CovSim of the target's and the
source's inputs (``model.coverage`` of each spectrum).
"""
from featreuse.solvers.wzr.als import fit_shared_module_als
from featreuse.solvers.wzr.covsim import covariance_similarity
from featreuse.solvers.wzr.single_task import single_task_solutions

from ..base import PlannedRun
from .data import fig3_source, fig3_target, fig3_tasks
from .records import record
from .risk import excess_mse, null_mse


def plan(config):
    """Per seed and n: one ``stl`` run, and one ``mtl`` run per source and source sample count."""
    runs = []
    for seed in config.seeds:
        for n in config.n:
            runs.append(PlannedRun.of({"regime": "stl", "seed": seed, "n": n}))
            if "mtl" in config.regimes:
                runs += [PlannedRun.of({"regime": "mtl", "seed": seed, "n": n, "source": s,
                                        "n_source": m})
                         for s in config.grid["source"] for m in config.grid["n_source"]]
    return runs


def fig3_tasks_of(config, seed):
    """The :class:`.data.Fig3Tasks` of a seed (the experiment's [data])."""
    t = config.data
    return fig3_tasks(seed, t["D"], t["support"], t["kappa"], t["cos"])


def als_settings(config, seed):
    """Keyword arguments of :func:`featreuse.solvers.wzr.als.fit_shared_module_als`."""
    m = config.model
    return {"starts": m["starts"], "seed": seed, "max_iter": m["max_iter"], "tol": m["tol"]}


def execute(config, params, inputs, device):
    """Fit one run; the target's error is exact (its population covariance is known)."""
    t, seed = config.data, params["seed"]
    tasks = fig3_tasks_of(config, seed)
    X, y = fig3_target(seed, tasks, params["n"], t["target_noise"])
    cov = tasks.target_covariance()
    scalars = {"null_mse": null_mse(tasks.theta_target, cov)}
    if params["regime"] == "stl":
        beta = single_task_solutions([X], [y])[:, 0]
        scalars.update(objective=float(((X @ beta - y) ** 2).sum()), steps=0)
    else:
        Xs, ys = fig3_source(seed, tasks, params["source"], params["n_source"], t["noise"])
        fit = fit_shared_module_als([X, Xs], [y, ys], config.model["r"],
                                    **als_settings(config, seed))
        beta = fit.predictors[:, 0]
        scalars.update(objective=fit.objective, steps=fit.iterations, converged=fit.converged,
                       covsim_before=covariance_similarity(X, Xs, config.model["coverage"]),
                       start_spread=float(fit.start_objectives.max() / fit.objective - 1))
    return record({"beta": beta}, test_mse=excess_mse(beta, tasks.theta_target, cov), **scalars)
