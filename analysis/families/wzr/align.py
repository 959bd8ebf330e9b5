"""The alignment study (WZR Algorithm 1): misaligned tasks, before and after covariance alignment.

The target (n samples) and one source (``tasks.n_source`` noisy samples) of WZR
Fig. 3's generator (:mod:`.data`), the source's covariance ``aligned``, ``rotated``
or ``rescaled``. Regimes:

``stl``            the target's minimum-norm least-squares fit;
``mtl``            target + source, capacity r, ALS from several starts;
``mtl_aligned``    Algorithm 1 on the ``mtl`` run's module (it needs that run): every
                   task's ``R_i`` (init I) and head trained, B fixed;
``ptft``           B from the source alone (the ``pretrain`` run of the seed and
                   source, no summary row), the target's head fitted on ``X B``;
``ptft_aligned``   the transfer variant: the target's ``R`` and head finetuned, B fixed.

CovSim (``coverage`` of each spectrum, WZR: 0.99) is recorded between the target's
and the source's inputs before alignment (``X_t``, ``X_s``) and after it
(``X_t R_t`` against ``X_s R_s``; ``X_s`` in the transfer variant).
"""
import numpy as np
import scipy.linalg

from featreuse.solvers.wzr.als import fit_shared_module_als
from featreuse.solvers.wzr.covsim import covariance_similarity
from featreuse.solvers.wzr.single_task import single_task_solutions

from ..base import PlannedRun
from .covariance import als_settings, fig3_tasks_of
from .data import fig3_source, fig3_target
from .records import record
from .risk import excess_mse, null_mse

PRETRAINED = ("ptft", "ptft_aligned")


def plan(config):
    """Per seed: each source's pretraining (when a PT+FT regime is asked), then per n the runs."""
    runs = []
    for seed in config.seeds:
        pre = {}
        if any(r in PRETRAINED for r in config.regimes):
            for source in config.grid["source"]:
                pre[source] = PlannedRun.of({"regime": "pretrain", "seed": seed,
                                             "source": source}, summary=False)
                runs.append(pre[source])
        for n in config.n:
            if "stl" in config.regimes:
                runs.append(PlannedRun.of({"regime": "stl", "seed": seed, "n": n}))
            for source in config.grid["source"]:
                base = {"seed": seed, "n": n, "source": source}
                mtl = PlannedRun.of({"regime": "mtl", **base})
                if "mtl" in config.regimes:
                    runs.append(mtl)
                if "mtl_aligned" in config.regimes:
                    runs.append(PlannedRun.of({"regime": "mtl_aligned", **base},
                                              needs=(mtl.run_id,)))
                for regime in PRETRAINED:
                    if regime in config.regimes:
                        runs.append(PlannedRun.of({"regime": regime, **base},
                                                  needs=(pre[source].run_id,)))
    return runs


def _align_settings(config, device):
    m = config.model
    return {"max_iter": m["align_max_iter"], "tol": m["align_tol"], "device": device}


def _covsim(config, X1, X2):
    return covariance_similarity(X1, X2, config.model["coverage"])


# ---------------------------------------------------------------- regimes with a source
# each takes the target (X, y) and source (Xs, ys) data and returns
# (target predictor (D,), arrays, scalars)
def run_mtl(config, seed, X, y, Xs, ys, inputs, device):
    """Target + source by ALS; keeps the module and heads for ``mtl_aligned``."""
    fit = fit_shared_module_als([X, Xs], [y, ys], config.model["r"], **als_settings(config, seed))
    return (fit.predictors[:, 0], {"B": fit.B, "heads": fit.heads},
            {"objective": fit.objective, "steps": fit.iterations})


def run_mtl_aligned(config, seed, X, y, Xs, ys, inputs, device):
    """Algorithm 1 on the ``mtl`` run's module: both tasks' R_i and heads, B fixed."""
    from featreuse.nets.wzr.align import align_covariances
    (mtl,) = inputs.values()
    fit = align_covariances([X, Xs], [y, ys], mtl.arrays["B"], mtl.arrays["heads"],
                            **_align_settings(config, device))
    Z, Zs = fit.aligned_inputs([X, Xs])
    return (fit.R[0] @ fit.B @ fit.heads[0], {},
            {"objective": fit.objective, "objective_before": fit.objective_before,
             "steps": fit.steps, "covsim_after": _covsim(config, Z, Zs)})


def run_ptft(config, seed, X, y, Xs, ys, inputs, device):
    """The source-trained module, the target's head fitted by least squares."""
    (pre,) = inputs.values()
    B = pre.arrays["B"]
    beta = B @ scipy.linalg.lstsq(X @ B, y)[0]
    return beta, {}, {"objective": float(np.sum((X @ beta - y) ** 2)), "steps": 0}


def run_ptft_aligned(config, seed, X, y, Xs, ys, inputs, device):
    """The transfer variant: the target's R and head finetuned on the source-trained module."""
    from featreuse.nets.wzr.align import finetune_with_alignment
    (pre,) = inputs.values()
    B = pre.arrays["B"]
    head = scipy.linalg.lstsq(X @ B, y)[0]
    fit = finetune_with_alignment(X, y, B, head=head, **_align_settings(config, device))
    return (fit.R[0] @ B @ fit.heads[0], {},
            {"objective": fit.objective, "objective_before": fit.objective_before,
             "steps": fit.steps, "covsim_after": _covsim(config, X @ fit.R[0], Xs)})


REGIMES = {"mtl": run_mtl, "mtl_aligned": run_mtl_aligned, "ptft": run_ptft,
           "ptft_aligned": run_ptft_aligned}


def execute(config, params, inputs, device):
    """Fit one run; the target's error is exact (its population covariance is known)."""
    t, seed, regime = config.data, params["seed"], params["regime"]
    tasks = fig3_tasks_of(config, seed)
    if regime == "pretrain":
        Xs, ys = fig3_source(seed, tasks, params["source"], t["n_source"], t["noise"])
        fit = fit_shared_module_als([Xs], [ys], config.model["r"], **als_settings(config, seed))
        return record({"B": fit.B}, objective=fit.objective, steps=fit.iterations)
    X, y = fig3_target(seed, tasks, params["n"], t["target_noise"])
    cov = tasks.target_covariance()
    if regime == "stl":
        beta = single_task_solutions([X], [y])[:, 0]
        arrays, scalars = {}, {"objective": float(np.sum((X @ beta - y) ** 2)), "steps": 0}
    else:
        Xs, ys = fig3_source(seed, tasks, params["source"], t["n_source"], t["noise"])
        beta, arrays, scalars = REGIMES[regime](config, seed, X, y, Xs, ys, inputs, device)
        scalars["covsim_before"] = _covsim(config, X, Xs)
    return record({**arrays, "beta": np.asarray(beta)},
                  test_mse=excess_mse(beta, tasks.theta_target, cov),
                  null_mse=null_mse(tasks.theta_target, cov), **scalars)
