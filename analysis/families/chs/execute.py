"""What one run of a CHS experiment does (executed in worker processes).

``pretrain``  the alternating algorithm (:func:`featreuse.nets.chs.train.train_chs`) on
              the seed's first T tasks in dimension d (and the run's r and samples
              per task and round when swept), on the sweep's device;
              records the learned W, its per-round losses and its subspace measures;
``mtl``, ``stl``, ``random``  a probe run: the W of its pretraining (``random``:
              the initial W of the seed, untrained), its subspace measures and
              the downstream probe (:func:`featreuse.nets.chs.probe.probe_accuracy`) with
              n training samples, on the CPU.

torch is imported here, on first use, not when the family is loaded.
"""
import numpy as np

from .config import SAMPLE_KEYS


def train_config(config, params=None):
    """The :class:`featreuse.nets.chs.config.ChsTrainConfig` of an experiment's run.

    ``params`` (a run's) sets both sample counts when the grid sweeps ``samples``.
    """
    from featreuse.nets.chs.config import ChsTrainConfig
    swept = {k: params["samples"] for k in SAMPLE_KEYS} if "samples" in (params or {}) else {}
    return ChsTrainConfig(**{**config.train, **swept})


def subspace_dim(config, params):
    """r of a run: its swept value, else the experiment's fixed one."""
    return params.get("r", config.model.get("r"))


def _subspace_scalars(W, M):
    from featreuse.nets.chs.subspace import subspace_summary
    s = subspace_summary(W, M)
    return {"energy": s.energy, "coverage": s.coverage,
            "angle_deg": float(np.degrees(s.angle))}, s.singular_values


def execute_pretrain(config, params, device):
    """Train W on (seed, d, tasks); record W, the losses and the subspace measures."""
    from featreuse.nets.chs.tasks import make_chs_tasks
    from featreuse.nets.chs.train import train_chs
    seed, d, tasks = params["seed"], params["d"], params["tasks"]
    model = make_chs_tasks(seed, tasks, d=d, r=subspace_dim(config, params))
    res = train_chs(model, train_config(config, params), seed=seed, device=device)
    scalars, sv = _subspace_scalars(res.W, model.M)
    scalars.update(train_loss=float(res.losses[-1]), trainer_wall_s=float(res.wall_s),
                   device=res.device)
    return {"scalars": scalars,
            "arrays": {"W": res.W, "losses": res.losses, "wm_singular_values": sv}}


def execute_probe(config, params, inputs):
    """Probe the run's W on the seed's unseen task with n samples."""
    from featreuse.nets.chs.probe import probe_accuracy
    from featreuse.nets.chs.tasks import probe_task, random_subspace
    from featreuse.nets.chs.train import init_weights
    seed, d = params["seed"], params["d"]
    M = random_subspace(seed, d, subspace_dim(config, params))
    if params["tasks"] > 0:
        (pre,) = inputs.values()
        W, train_loss = np.asarray(pre.arrays["W"]), float(pre.arrays["losses"][-1])
    else:
        t = config.train
        W, train_loss = init_weights(seed, t["width"], d, t["init_scale"]), float("nan")
    scalars, sv = _subspace_scalars(W, M)
    probe = probe_accuracy(W, probe_task(seed, M), params["n"], seed, **config.probe)
    scalars.update(probe_accuracy=probe.accuracy, probe_train_accuracy=probe.train_accuracy,
                   train_loss=train_loss)
    return {"scalars": scalars, "arrays": {"wm_singular_values": sv}}


def execute(config, params, inputs, device="cpu"):
    """Execute one run of a CHS experiment and return its record."""
    if params["regime"] == "pretrain":
        return execute_pretrain(config, params, device)
    return execute_probe(config, params, inputs)
