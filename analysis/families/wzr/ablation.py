"""The alignment ablation (WZR Algorithm 1 with a nonlinear shared module; docs/wzr.md).

Two binary digit tasks (:mod:`.ablation_data`) per ``grid.pair`` entry
``"source/target"``: the source with ``data.n_source`` training samples, the target
with ``n``. Each task reads the images through its own fixed embedding ``E_i``
(64, ``embed_dim``), an alignment module ``R_i`` and the shared two-layer ReLU
module of ``model.width`` units, then its own head
(:mod:`featreuse.nets.wzr.ablation_model`). Every stage is ``steps`` or
``align_steps`` full-batch Adam steps (:mod:`featreuse.nets.wzr.ablation`).

A non-summary ``joint`` run per seed, n and pair trains MTL and, from it, every
asked regime; the rows read it. Regimes (the target's test error and accuracy):

``stl``            the target alone (one row per seed, n and target task);
``mtl``            source and target together, ``R_i = I``;
``mtl_aligned``    Algorithm 1 on the MTL model: both ``R_i`` (init I) and heads
                   trained, the shared module fixed;
``mtl_head``       control: the target's head finetuned on the target alone;
``mtl_finetuned``  control: the shared module and the target's head finetuned on the
                   target alone (as wzr-align's finetuned MTL predictor).

CovSim (``model.coverage``; training inputs of source and target): ``covsim_before``
of the embedded inputs ``X_s E_s``, ``X_t E_t`` (what the module reads without
alignment) and ``covsim_after`` of ``X_s E_s R_s``, ``X_t E_t R_t`` (what it reads
after); ``covsim_module_before`` and ``covsim_module`` of the module's outputs (what
the heads read) before and after alignment (or after finetuning the module). The joint
run also records ``covsim_least_squares``: the input score after a map that aligns the
target's view with the source's, ``R_t`` the least-squares solution of
``X_t E_t R_t = X_t E_s`` (``R_s = I``): a value alignment could reach.
"""
import numpy as np
import scipy.linalg

from featreuse.solvers.wzr.covsim import covariance_similarity

from ..base import PlannedRun
from .ablation_data import digit_tasks
from .records import record

#: regimes that read the joint run
JOINT = ("mtl", "mtl_aligned", "mtl_head", "mtl_finetuned")
#: per regime: its rows' CovSim columns -> the joint run's attribute holding the value
SCORES = {"mtl": {"covsim_before": "covsim_before",
                  "covsim_module_before": "covsim_module_before"},
          "mtl_aligned": {"covsim_before": "covsim_before",
                          "covsim_module_before": "covsim_module_before",
                          "covsim_after": "covsim_after", "covsim_module": "covsim_module_aligned"},
          "mtl_head": {"covsim_before": "covsim_before",
                       "covsim_module_before": "covsim_module_before"},
          "mtl_finetuned": {"covsim_before": "covsim_before",
                            "covsim_module_before": "covsim_module_before",
                            "covsim_module": "covsim_module_finetuned"}}


def split_pair(pair):
    """``"source/target"`` -> ``(source, target)``."""
    source, target = pair.split("/")
    return source, target


def plan(config):
    """Per seed and n: one ``stl`` run per target task, then per pair its joint run and rows."""
    runs = []
    targets = list(dict.fromkeys(split_pair(p)[1] for p in config.grid["pair"]))
    for seed in config.seeds:
        for n in config.n:
            if "stl" in config.regimes:
                runs += [PlannedRun.of({"regime": "stl", "seed": seed, "n": n, "target": t})
                         for t in targets]
            if not set(JOINT) & set(config.regimes):
                continue
            for pair in config.grid["pair"]:
                source, target = split_pair(pair)
                joint = PlannedRun.of({"regime": "joint", "seed": seed, "n": n, "pair": pair},
                                      summary=False)
                runs.append(joint)
                runs += [PlannedRun.of({"regime": regime, "seed": seed, "n": n, "pair": pair,
                                        "source": source, "target": target},
                                       needs=(joint.run_id,))
                         for regime in JOINT if regime in config.regimes]
    return runs


def _tasks(config, seed):
    t = config.data
    return digit_tasks(seed, t["n_test"], t["embed_dim"], t["embedding"])


def _stage(config, key):
    return {"steps": config.model[key], "lr": config.model["lr"]}


def _evaluate(net, task, train, test, device):
    """``{test_mse, accuracy, objective}`` of task ``task`` of ``net``: test MSE against the
    +-1 labels, test accuracy of the sign, training MSE (``train``, ``test``: ``(X, y)``;
    predictions on ``device``)."""
    from featreuse.nets.wzr.ablation import predict
    (X, y), (Xte, yte) = train, test
    f = predict(net, Xte, task, device)
    return {"test_mse": float(np.mean((f - yte) ** 2)),
            "accuracy": float(np.mean(np.sign(f) == yte)),
            "objective": float(np.mean((predict(net, X, task, device) - y) ** 2))}


def _scores(config, net, data, device):
    """CovSim of source and target: the module's inputs and its outputs, ``(inputs, outputs)``."""
    from featreuse.nets.wzr.ablation import module_features, module_inputs
    (Xs, _), (Xt, _) = data
    c = config.model["coverage"]
    return (covariance_similarity(module_inputs(net, Xs, 0, device),
                                  module_inputs(net, Xt, 1, device), c),
            covariance_similarity(module_features(net, Xs, 0, device),
                                  module_features(net, Xt, 1, device), c))


def run_joint(config, params, device):
    """MTL on source and target, then each asked regime from the MTL model: scalars by regime."""
    from featreuse.nets.wzr.ablation import align_tasks, finetune_target, train_mtl
    seed, source, target = params["seed"], *split_pair(params["pair"])
    tasks = _tasks(config, seed)
    data = [tasks.train(source, config.data["n_source"]), tasks.train(target, params["n"])]
    Xs, ys = [d[0] for d in data], [d[1] for d in data]
    test = tasks.test_set(target)
    E = np.stack([tasks.embeddings[source], tasks.embeddings[target]])
    net = train_mtl(Xs, ys, E, config.model["width"], seed=seed, device=device,
                    **_stage(config, "steps"))
    inputs, outputs = _scores(config, net, data, device)
    Zt = Xs[1] @ E[1]
    R_ls = scipy.linalg.lstsq(Zt, Xs[1] @ E[0])[0]
    out = {"covsim_before": inputs, "covsim_module_before": outputs,
           "covsim_least_squares": covariance_similarity(Xs[0] @ E[0], Zt @ R_ls,
                                                         config.model["coverage"]),
           "source_accuracy_mtl": _evaluate(net, 0, data[0], tasks.test_set(source),
                                            device)["accuracy"]}
    out.update({f"mtl_{k}": v for k, v in _evaluate(net, 1, data[1], test, device).items()})
    settings = {"device": device, **_stage(config, "align_steps")}
    if "mtl_aligned" in config.regimes:
        aligned = align_tasks(net, Xs, ys, **settings)
        out["covsim_after"], out["covsim_module_aligned"] = _scores(config, aligned, data, device)
        out["source_accuracy_aligned"] = _evaluate(aligned, 0, data[0], tasks.test_set(source),
                                                   device)["accuracy"]
        out["align_change_target"] = float(np.linalg.norm(aligned.R[1] - np.eye(E.shape[2])))
        out.update({f"mtl_aligned_{k}": v
                    for k, v in _evaluate(aligned, 1, data[1], test, device).items()})
    for regime, what in (("mtl_head", "head"), ("mtl_finetuned", "all")):
        if regime in config.regimes:
            tuned = finetune_target(net, 1, *data[1], what=what, **settings)
            out.update({f"{regime}_{k}": v
                        for k, v in _evaluate(tuned, 1, data[1], test, device).items()})
            if what == "all":
                out["covsim_module_finetuned"] = _scores(config, tuned, data, device)[1]
    return record(**out)


def _row(config, params, joint):
    """The scalars of a ``mtl*`` row, read from its joint run."""
    a, regime = joint.attrs, params["regime"]
    steps = config.model["steps" if regime == "mtl" else "align_steps"]
    scalars = {k: a[f"{regime}_{k}"] for k in ("test_mse", "accuracy", "objective")}
    scalars.update({column: a[attr] for column, attr in SCORES[regime].items()})
    return {**scalars, "steps": steps}


def execute(config, params, inputs, device):
    """Train one run: the joint model, a target alone, or a row read from the joint run."""
    regime = params["regime"]
    if regime == "joint":
        return run_joint(config, params, device)
    if regime == "stl":
        from featreuse.nets.wzr.ablation import train_mtl
        tasks = _tasks(config, params["seed"])
        target = params["target"]
        train = tasks.train(target, params["n"])
        net = train_mtl([train[0]], [train[1]], tasks.embeddings[target][None],
                        config.model["width"], seed=params["seed"], device=device,
                        **_stage(config, "steps"))
        scalars = {**_evaluate(net, 0, train, tasks.test_set(target), device),
                   "steps": config.model["steps"]}
    else:
        scalars = _row(config, params, *inputs.values())
    return record(null_mse=1.0, **scalars)
