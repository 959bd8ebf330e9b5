"""The alignment study (WZR Algorithm 1): misaligned tasks, before and after covariance alignment.

The target (n samples, label noise ``target_noise``: ``data.target_noise`` or swept
in ``grid.target_noise``) and the sources of WZR Fig. 3's generator (:mod:`.data`;
``n_source`` noisy samples each, covariance ``aligned``, ``rotated`` or
``rescaled``). The MTL model trains the target together with **every** source of
``grid.source`` (k = 1 + their number; capacity 2 <= r < k makes the module score
below informative): a non-summary ``joint`` run per seed, n and target noise fits it
once, and the rows of each source read it. The target's error is that of the joint
model, the same in every source's row; ``source`` says which source the CovSim
columns compare with the target. Regimes:

``stl``            the target's minimum-norm least-squares fit;
``mtl``            the joint model, capacity r, ALS from several starts;
``mtl_aligned``    Algorithm 1 on its module: every task's ``R_i`` (init I) and head
                   trained, B fixed (``align_weight_decay``: optional decay);
``mtl_finetuned``  control: the MTL predictor finetuned on the target alone,
                   ``beta + X^+ (y - X beta)`` (where gradient descent on the target's
                   least squares from beta ends);
``ptft``           B from the source alone (the ``pretrain`` run of the seed and
                   source, no summary row), the target's head fitted on ``X B``;
``ptft_aligned``   the transfer variant: the target's ``R`` and head finetuned, B fixed.

CovSim (``coverage`` of each spectrum, WZR: 0.99) between the target and the row's
source: ``covsim_before`` of the inputs ``X_t``, ``X_s``; ``covsim_after`` of
``X_t R_t``, ``X_s R_s`` (not identified: the loss sees R_i only through R_i B);
``covsim_module_before`` of ``X_t B``, ``X_s B`` and ``covsim_module`` of
``X_t R_t B``, ``X_s R_s B`` (gauge invariant; identically 1 for r = 1).
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
#: regimes that read the joint run
JOINT = ("mtl", "mtl_aligned", "mtl_finetuned")


def _noises(config):
    """``[{}]``, or one ``{"target_noise": v}`` per swept value."""
    return [{"target_noise": v} for v in config.grid["target_noise"]] \
        if "target_noise" in config.grid else [{}]


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
            for noise in _noises(config):
                if "stl" in config.regimes:
                    runs.append(PlannedRun.of({"regime": "stl", "seed": seed, "n": n, **noise}))
                joint = PlannedRun.of({"regime": "joint", "seed": seed, "n": n, **noise},
                                      summary=False)
                if set(JOINT) & set(config.regimes):
                    runs.append(joint)
                for source in config.grid["source"]:
                    base = {"seed": seed, "n": n, "source": source, **noise}
                    runs += [PlannedRun.of({"regime": regime, **base}, needs=(joint.run_id,))
                             for regime in JOINT if regime in config.regimes]
                    runs += [PlannedRun.of({"regime": regime, **base},
                                           needs=(pre[source].run_id,))
                             for regime in PRETRAINED if regime in config.regimes]
    return runs


def _align_settings(config, device):
    m = config.model
    return {"max_iter": m["align_max_iter"], "tol": m["align_tol"], "device": device,
            "weight_decay": m["align_weight_decay"]}


def _covsim(config, X1, X2):
    return covariance_similarity(X1, X2, config.model["coverage"])


def _target(config, seed, tasks, params):
    return fig3_target(seed, tasks, params["n"],
                       params.get("target_noise", config.data["target_noise"]))


def _source(config, seed, tasks, source):
    return fig3_source(seed, tasks, source, config.data["n_source"], config.data["noise"])


def run_joint(config, seed, tasks, params, device):
    """The target and every source: ALS, then (if asked) Algorithm 1; per-source scores."""
    sources = config.grid["source"]
    X, y = _target(config, seed, tasks, params)
    data = [(X, y)] + [_source(config, seed, tasks, s) for s in sources]
    Xs, ys = [d[0] for d in data], [d[1] for d in data]
    fit = fit_shared_module_als(Xs, ys, config.model["r"], **als_settings(config, seed))
    B = fit.B
    arrays = {"beta_mtl": fit.predictors[:, 0],
              "covsim_before": [_covsim(config, X, Z) for Z in Xs[1:]],
              "covsim_module_before": [_covsim(config, X @ B, Z @ B) for Z in Xs[1:]]}
    scalars = {"objective": fit.objective, "steps": fit.iterations}
    if "mtl_aligned" in config.regimes:
        from featreuse.nets.wzr.align import align_covariances
        al = align_covariances(Xs, ys, B, fit.heads, **_align_settings(config, device))
        Zs = al.aligned_inputs(Xs)
        arrays.update(beta_aligned=al.R[0] @ B @ al.heads[0],
                      covsim_after=[_covsim(config, Zs[0], Z) for Z in Zs[1:]],
                      covsim_module=[_covsim(config, Zs[0] @ B, Z @ B) for Z in Zs[1:]])
        scalars.update(objective_aligned=al.objective, steps_aligned=al.steps)
    return record({k: np.asarray(v, dtype=float) for k, v in arrays.items()}, **scalars)


def _joint_row(config, params, X, y, joint):
    """``(beta, scalars)`` of an ``mtl``, ``mtl_aligned`` or ``mtl_finetuned`` row."""
    a, s = joint.arrays, joint.attrs
    j = config.grid["source"].index(params["source"])
    scalars = {"covsim_before": a["covsim_before"][j],
               "covsim_module_before": a["covsim_module_before"][j]}
    regime = params["regime"]
    if regime == "mtl":
        return a["beta_mtl"], {**scalars, "objective": s["objective"], "steps": s["steps"]}
    if regime == "mtl_aligned":
        return a["beta_aligned"], {**scalars, "objective": s["objective_aligned"],
                                   "objective_before": s["objective"],
                                   "steps": s["steps_aligned"],
                                   "covsim_after": a["covsim_after"][j],
                                   "covsim_module": a["covsim_module"][j]}
    beta = a["beta_mtl"] + scipy.linalg.lstsq(X, y - X @ a["beta_mtl"])[0]   # min-norm change
    return beta, {**scalars, "objective": float(np.sum((X @ beta - y) ** 2)), "steps": 0}


def _ptft_row(config, params, X, y, Xs, pre, device):
    """``(beta, scalars)`` of a ``ptft`` or ``ptft_aligned`` row."""
    B = pre.arrays["B"]
    head = scipy.linalg.lstsq(X @ B, y)[0]
    scalars = {"covsim_before": _covsim(config, X, Xs),
               "covsim_module_before": _covsim(config, X @ B, Xs @ B)}
    if params["regime"] == "ptft":
        beta = B @ head
        return beta, {**scalars, "objective": float(np.sum((X @ beta - y) ** 2)), "steps": 0}
    from featreuse.nets.wzr.align import finetune_with_alignment
    fit = finetune_with_alignment(X, y, B, head=head, **_align_settings(config, device))
    Z = X @ fit.R[0]
    return (fit.R[0] @ B @ fit.heads[0],
            {**scalars, "objective": fit.objective, "objective_before": fit.objective_before,
             "steps": fit.steps, "covsim_after": _covsim(config, Z, Xs),
             "covsim_module": _covsim(config, Z @ B, Xs @ B)})


def execute(config, params, inputs, device):
    """Fit one run; the target's error is exact (its population covariance is known)."""
    seed, regime = params["seed"], params["regime"]
    tasks = fig3_tasks_of(config, seed)
    if regime == "pretrain":
        Xs, ys = _source(config, seed, tasks, params["source"])
        fit = fit_shared_module_als([Xs], [ys], config.model["r"], **als_settings(config, seed))
        return record({"B": fit.B}, objective=fit.objective, steps=fit.iterations)
    if regime == "joint":
        return run_joint(config, seed, tasks, params, device)
    X, y = _target(config, seed, tasks, params)
    cov = tasks.target_covariance()
    if regime == "stl":
        beta = single_task_solutions([X], [y])[:, 0]
        scalars = {"objective": float(np.sum((X @ beta - y) ** 2)), "steps": 0}
    elif regime in JOINT:
        beta, scalars = _joint_row(config, params, X, y, *inputs.values())
    else:
        Xs = _source(config, seed, tasks, params["source"])[0]
        beta, scalars = _ptft_row(config, params, X, y, Xs, *inputs.values(), device)
    return record({"beta": np.asarray(beta)},
                  test_mse=excess_mse(beta, tasks.theta_target, cov),
                  null_mse=null_mse(tasks.theta_target, cov), **scalars)
