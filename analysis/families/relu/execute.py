"""What the runs of a ReLU experiment do (executed in worker processes).

Regimes (LL's ReLU experiments; the networks are :mod:`featreuse.nets`'):

``pretrain``      full-batch GD on the auxiliary task from the seed's initialisation;
                  its weights are the artefact ``weights.npz`` that finetuning runs read;
``stl``           SGD on the main task from the seed's initialisation;
``mtl``           SGD on auxiliary and main samples together, shared hidden layer,
                  readouts ``[aux, main]``, loss ``sum_t (n_t/N) MSE_t`` per batch;
``ptft``          SGD on the main task from the pretrained network: ``W <- s W``,
                  readout re-drawn at ``sigma``, all weights trained;
``ptft_readout``  the same, readout only (hidden layer frozen);
``ptft_lp``       ridge on the frozen hidden features at that start (LL's PT+FT (LP));
``ntk``           ridge on the per-sample parameter gradients at that start.

SGD runs of one batch (:func:`~.plan.batch_key`) train as one stack
(:func:`featreuse.nets.train_stacked`), each exactly as alone; every run is recorded on
its own. With the setting ``method = "flow"`` the runs integrate the full-batch
gradient flow instead (:func:`featreuse.nets.train_flow`, float64); their
``epoch_equivalents`` count its gradient evaluations, ``epochs`` its flow time in
epochs of the SGD it stands for. A run that still diverges after its restarts fails (its error says
so); a run that stops at its epoch cap is recorded with ``converged = False``.
torch is imported here on first use, not when the family is loaded.
"""
import io

import numpy as np

from featreuse.errors import InputError

from . import tasks
from .certification import certify
from .config import RIDGE, sigma_of
from .metrics import loss_curve, network_scalars, prediction_mse
from .plan import settings_of
from .weights import WEIGHTS, decode_weights, encode_weights

#: scalars of an SGD or GD run that the trainer reports
TRAINER_SCALARS = ("epochs", "steps", "converged", "stopped_at_max", "restarts")


class RunDiverged(RuntimeError):
    """An SGD or GD run whose loss still exceeded its limit (or was NaN) after all restarts."""


def relu_config(config, params):
    """The :class:`featreuse.nets.ReluConfig` of one run (sizes, its init scale and its settings).

    Ridge baselines use only the sizes and the init scale (of the re-drawn readout).
    """
    from featreuse.nets import ReluConfig
    s = settings_of(config, params)
    net = config.network
    sizes = dict(D=net["D"], K=net["K"], sigma=sigma_of(config, params))
    if params["regime"] in RIDGE:
        return ReluConfig(**sizes)
    common = dict(sizes, divergence_loss=s["divergence_loss"], max_restarts=s["max_restarts"],
                  tol=s["tol"])
    if params["regime"] == "pretrain":
        return ReluConfig(**common, pretrain_lr=s["lr"], max_pretrain_steps=s["max_steps"])
    return ReluConfig(**common, batch_size=s["batch_size"], lr=s["lr"],
                      max_epochs=s["max_epochs"])


def torch_dtype(config):
    """The torch dtype of the experiment's networks."""
    import torch
    return {"float32": torch.float32, "float64": torch.float64}[config.network["dtype"]]


def pretrained(inputs):
    """The pretraining among a finetuning run's inputs (its only need).

    Returns
    -------
    W_pre : ndarray (K, D)
        Pretrained hidden weights (from the artefact, sha256 checked).
    scalars : dict
        ``pretrain_loss`` and ``pretrain_converged`` (1.0 or 0.0: a float, as the column is
        NaN for the runs without a pretraining) of that pretraining, so that a finetuning
        run from an unconverged pretraining says so in the summary.
    """
    if len(inputs) != 1:
        raise InputError(f"a finetuning run needs exactly its pretraining, got {len(inputs)} "
                         "inputs")
    (outputs,) = inputs.values()
    W_pre, _ = decode_weights(outputs.read_artefact(WEIGHTS))
    scalars = {"pretrain_loss": float(outputs.attrs.get("train_loss", float("nan"))),
               "pretrain_converged": float(bool(outputs.attrs.get("converged", False)))}
    return W_pre, scalars


# ---------------------------------------------------------------- run specifications
def build_run(config, params, inputs):
    """The :class:`featreuse.nets.RunSpec` of an SGD or GD run and what its record needs.

    Returns
    -------
    spec : nets.RunSpec
    context : dict
        ``teacher`` (None for pretraining), ``X``, ``y`` (training set of the
        main task, or the auxiliary one for pretraining), ``W_pre``
        (finetuning runs), ``cfg`` (the run's ReluConfig).
    """
    from featreuse import nets
    regime, seed = params["regime"], params["seed"]
    cfg = relu_config(config, params)
    if regime == "pretrain":
        X, y = tasks.aux_data_for(config, seed)
        W0, a0 = nets.init_params([seed], cfg)
        spec = nets.pretrain_run(X, y, W0[0], a0[0], cfg)
        return spec, {"teacher": None, "X": X, "y": y, "cfg": cfg}
    settings = settings_of(config, params)
    teacher = tasks.teacher_for(config, params)
    X, y = tasks.main_data_of(teacher, seed, params["n"])
    context = {"teacher": teacher, "X": X, "y": y, "cfg": cfg}
    if regime == "stl":
        W0, a0 = nets.init_params([seed], cfg)
        spec = nets.stl_run(X, y, W0[0], a0[0], seed, cfg)
    elif regime == "mtl":
        W0, a0 = nets.init_params([seed], cfg, n_tasks=2)
        Xa, ya = tasks.aux_data_for(config, seed)
        spec = nets.mtl_run(Xa, ya, X, y, W0[0], a0[0], seed, cfg)
    else:
        W_pre, context["pretrain"] = pretrained(inputs)
        train = "all" if regime == "ptft" else "readout"
        spec = nets.ptft_run(W_pre, X, y, settings["rescale"], seed, cfg, train=train)
        context["W_pre"] = W_pre
    return spec, context


# ---------------------------------------------------------------- records
def _trainer_scalars(result, m, stack_size):
    out = {k: getattr(result, k)[m].item() for k in TRAINER_SCALARS}
    out.update(train_loss=float(result.loss[m]), final_lr=float(result.lr[m]),
               trainer_wall_s=float(result.wall_s[m]), stack_size=int(stack_size))
    if result.epoch_equivalents is None:   # SGD: one epoch is one pass of gradients
        out["epoch_equivalents"] = float(result.epochs[m])
    else:                                  # the flow: gradient evaluations, and its time
        out.update(epoch_equivalents=float(result.epoch_equivalents[m]),
                   flow_time=float(result.flow_time[m]))
    return out


def record_of(config, params, spec, context, result, m):
    """The record of run ``m`` of a stacked result (see :mod:`featreuse.analysis.families.base`)."""
    if result.failed[m]:
        raise RunDiverged(
            f"{params['regime']} run diverged (loss > divergence_loss or NaN) after "
            f"{int(result.restarts[m])} restarts; last lr = {result.lr[m]:g}")
    net = result.network(m)
    W, a = net.W, net.a
    scalars = _trainer_scalars(result, m, len(result))
    arrays = dict(zip(("loss_epochs", "loss_curve"), loss_curve(result.loss_history[m])))
    seed = params["seed"]
    X_test = tasks.held_out_inputs_for(config, seed)
    if params["regime"] == "pretrain":
        teacher = tasks.aux_teacher_for(config, seed)
        scalars["aux_test_mse"] = prediction_mse(W, a[0], X_test, teacher.aux(X_test))
        scalars.update(network_scalars(W, a[0], a))
    else:
        teacher = context["teacher"]
        a_main = a[-1]
        scalars["test_mse"] = prediction_mse(W, a_main, X_test, teacher.main(X_test))
        scalars["train_mse"] = prediction_mse(W, a_main, context["X"], context["y"])
        scalars.update(network_scalars(W, a_main, a))
        scalars.update(context.get("pretrain", {}))
        if params["regime"] == "ptft":
            cfg = context["cfg"]
            cert, cert_arrays = certify(teacher, context["W_pre"], spec.W0, W, a_main,
                                        readout_init=cfg.sigma * np.sqrt(2.0 / cfg.K))
            scalars.update(cert)
            arrays.update(cert_arrays)
    return {"scalars": scalars, "arrays": arrays,
            "artefacts": {WEIGHTS: encode_weights(W, a, config.network["dtype"])}}


# ---------------------------------------------------------------- ridge baselines
def execute_ridge(config, params, inputs):
    """Ridge on the frozen features (``ptft_lp``) or on the NTK features (``ntk``)."""
    from featreuse import nets
    seed, settings = params["seed"], settings_of(config, params)
    cfg = relu_config(config, params)
    teacher = tasks.teacher_for(config, params)
    X, y = tasks.main_data_of(teacher, seed, params["n"])
    W_pre, pretrain = pretrained(inputs)
    W0, a0 = nets.ptft_init(W_pre, settings["rescale"], seed, sigma=cfg.sigma)
    fit = nets.fit_lp if params["regime"] == "ptft_lp" else nets.fit_ntk
    alphas = np.logspace(np.log10(settings["alpha_min"]), np.log10(settings["alpha_max"]),
                         settings["n_alphas"])
    model = fit(W0, a0, X, y, alphas=alphas, val_fraction=settings["val_fraction"], seed=seed)
    X_test = tasks.held_out_inputs_for(config, seed)
    scalars = {"test_mse": float(np.mean((model.predict(X_test) - teacher.main(X_test)) ** 2)),
               "train_mse": float(np.mean((model.predict(X) - y) ** 2)),
               "alpha": model.alpha, "converged": True, "stopped_at_max": False, "epochs": 0,
               "epoch_equivalents": 0.0,
               "restarts": 0, **pretrain}
    if params["regime"] == "ptft_lp":  # a network: frozen W0, readout a0 + delta
        scalars.update(network_scalars(W0, a0[0] + model.coef, a0 + model.coef))
    arrays = {"val_mse": model.val_mse}
    artefact = {"ridge.npz": _ridge_bytes(model)}
    return {"scalars": scalars, "arrays": arrays, "artefacts": artefact}


def _ridge_bytes(model):
    buf = io.BytesIO()
    np.savez(buf, coef=model.coef, intercept=np.array(model.intercept),
             alpha=np.array(model.alpha))
    return buf.getvalue()


# ---------------------------------------------------------------- batches
def execute_batch(config, params_list, inputs_list, device):
    """Train a batch of SGD (or pretraining) runs as one stack; one record or Exception each.

    A run whose data or start cannot be built fails alone; the others train.
    """
    from featreuse import nets
    out = [None] * len(params_list)
    built = []
    for i, (params, inputs) in enumerate(zip(params_list, inputs_list)):
        try:
            if params["regime"] in RIDGE:
                out[i] = execute_ridge(config, params, inputs)
                continue
            built.append((i, *build_run(config, params, inputs)))
        except Exception as exc:  # noqa: BLE001 -- recorded as that run's failure
            out[i] = exc
    if built:
        specs = [spec for _, spec, _ in built]
        cfg = built[0][2]["cfg"]
        if settings_of(config, params_list[built[0][0]])["method"] == "flow":
            # float64 (train_flow's default) whatever network.dtype: its Cholesky needs it
            result = nets.train_flow(specs, cfg, device=device, record_losses=True)
        else:
            result = nets.train_stacked(specs, cfg, device=device, dtype=torch_dtype(config),
                                        record_losses=True)
        for m, (i, spec, context) in enumerate(built):
            try:
                out[i] = record_of(config, params_list[i], spec, context, result, m)
            except Exception as exc:  # noqa: BLE001 -- recorded as that run's failure
                out[i] = exc
    return out


def execute(config, params, inputs, device="cpu"):
    """Execute one run and return its record (exceptions propagate)."""
    (result,) = execute_batch(config, [params], [inputs], device)
    if isinstance(result, Exception):
        raise result
    return result

