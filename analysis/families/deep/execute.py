"""What one run of a deep experiment does (executed in worker processes).

``pretrain``  train the seed's network on the auxiliary task; its weights are
              the artefact :data:`~.weights.WEIGHTS`; records the auxiliary test accuracy;
``stl``       train the seed's network (same initialisation) on the main task's n images;
``mtl``       the same with the auxiliary task passed after the main task each epoch
              (:func:`featreuse.nets.deep.train.train` with ``aux``);
``ptft``      load the pretrained weights, multiply every parameter by s
              (:func:`featreuse.nets.deep.models.rescale_`), train on the main task.

Every run on the main task records its test accuracy and the per-layer
representation metrics on its n training images (PT+FT: against the
pretrained network before rescaling). torch is imported here, on first use.
"""
import copy

import numpy as np

from . import tasks
from .records import LAYER_METRICS
from .weights import WEIGHTS, encode_state, load_state


def train_config(config, params):
    """The :class:`featreuse.nets.deep.train.DeepTrainConfig` of a run (LL's optimiser of its model)."""
    from featreuse.nets.deep.models import model_kind
    from featreuse.nets.deep.train import train_config_for
    t = config.train
    epochs = t["pretrain_max_epochs"] if params["regime"] == "pretrain" else t["max_epochs"]
    return train_config_for(model_kind(params["model"]), tol=t["tol"],
                            batch_size=t["batch_size"], max_epochs=epochs)


def _train_scalars(res):
    return {"train_loss": float(res.losses[-1]), "epochs": int(res.epochs),
            "converged": bool(res.converged), "train_s": float(res.train_s),
            "train_images_per_s": float(res.images_per_s), "device": res.device,
            "amp": bool(res.amp), "channels_last": bool(res.channels_last)}


def execute_pretrain(config, params, data, model, device):
    """Train on the auxiliary task; the weights leave as an artefact."""
    from featreuse.nets.deep.eval import evaluate
    from featreuse.nets.deep.train import train
    seed = params["seed"]
    res = train(model, tasks.aux_train(data, seed), train_config(config, params), seed=seed,
                device=device)
    scalars = _train_scalars(res)
    scalars["aux_test_accuracy"] = evaluate(model, tasks.aux_test(data, seed), device,
                                            amp=res.amp).accuracy
    return {"scalars": scalars, "arrays": {"losses": res.losses},
            "artefacts": {WEIGHTS: encode_state(model)}}


def execute_main(config, params, inputs, data, model, device):
    """STL, MTL or PT+FT on the main task: accuracy and per-layer metrics."""
    from featreuse.nets.deep.eval import evaluate
    from featreuse.nets.deep.models import rescale_
    from featreuse.nets.deep.representations import representation_metrics
    from featreuse.nets.deep.train import train
    seed, n, regime = params["seed"], params["n"], params["regime"]
    main = tasks.main_train(data, seed, n)
    reference = None
    if regime == "ptft":
        (pre,) = inputs.values()
        load_state(model, pre.read_artefact(WEIGHTS))
        reference = copy.deepcopy(model)
        rescale_(model, params["rescale"])
    aux = tasks.aux_train(data, seed) if regime == "mtl" else None
    res = train(model, main, train_config(config, params), aux=aux, seed=seed, device=device)
    test = evaluate(model, tasks.main_test(data, seed), device, amp=res.amp)
    metrics = representation_metrics(model, main.X, reference, center=config.metrics["center"],
                                     mode=config.metrics["mode"],
                                     batch_size=min(n, config.train["batch_size"]), device=device)
    scalars = _train_scalars(res)
    scalars.update(test_accuracy=test.accuracy, test_loss=test.loss,
                   aux_train_loss=float(res.aux_losses[-1]) if len(res.aux_losses) else np.nan,
                   metrics_s=metrics.metrics_s,
                   metrics_images_per_s=metrics.images / metrics.metrics_s)
    for kind in LAYER_METRICS:
        values = getattr(metrics, kind)
        scalars.update({f"{kind}_{layer}": float(v) for layer, v in zip(metrics.layers, values)
                        if np.isfinite(v)})
    arrays = {"losses": res.losses, **{kind: getattr(metrics, kind) for kind in LAYER_METRICS}}
    if len(res.aux_losses):
        arrays["aux_losses"] = res.aux_losses
    return {"scalars": scalars, "arrays": arrays}


def execute(config, params, inputs, device="cpu"):
    """Execute one run of a deep experiment and return its record."""
    from featreuse.nets.deep.models import build_model
    from featreuse.nets.deep.models import init_seed
    data = tasks.load_data(config.data)
    model = build_model(params["model"], data.num_classes, config.width,
                        seed=init_seed(params["seed"]))
    if params["regime"] == "pretrain":
        return execute_pretrain(config, params, data, model, device)
    return execute_main(config, params, inputs, data, model, device)
