"""The runs of a ReLU experiment, which runs need which, and which train together.

Order: seed, then per grid point the auxiliary-task pretraining of its
initialisation scale (when some regime finetunes; shared by every grid point
of that seed and scale), the STL n = 16 baseline of the gen. loss, regime,
variant, n. Finetuning runs and ridge baselines need their pretraining.

Batches (:func:`batch_key`): the pretrainings of a sweep train as one stack;
the single-task SGD runs (STL, PT+FT, PT+FT readout-only) of one seed as
another, the MTL runs of one seed as a third (two readouts: a stack is padded
to its largest number of tasks, so they are kept apart). Runs of one key also
share the stack-wide settings (tolerance, batch size, divergence limit,
restarts, dtype). Ridge baselines are closed forms and run alone.
"""
from ..base import PlannedRun, unique_runs
from ..gen_loss import BASELINE_N
from ..variants import paired
from .config import FINETUNES, RIDGE, grid_points, sigma_of

#: stack-wide settings of the trainer (one value per stack; the trainer itself too)
STACK_SETTINGS = ("tol", "batch_size", "divergence_loss", "max_restarts", "method")


def pretrain_params(seed, sigma):
    """Params of the auxiliary-task pretraining of ``seed`` at initialisation scale ``sigma``."""
    return {"regime": "pretrain", "seed": seed, "sigma": sigma}


def variants_of(config, regime):
    """Paired variant settings of ``regime``: a list of dicts (``[{}]`` without variants)."""
    return paired(config.variants.get(regime, {}))


def settings_of(config, params):
    """Settings of one run: its regime's (or the pretraining's), then its variant values."""
    regime = params["regime"]
    if regime == "pretrain":
        return dict(config.pretrain)
    settings = dict(config.train[regime])
    for key in config.variants.get(regime, {}):
        settings[key] = params[key]
    return settings


def plan(config):
    """All runs of a :class:`~.config.ReluExperimentConfig`, in execution order.

    Returns
    -------
    list of PlannedRun
        STL at n = 16 of every seed and grid point (the gen. loss baseline) is
        added when the grid lacks it; pretraining runs have no summary row.
    """
    out = []
    finetunes = any(r in FINETUNES for r in config.regimes)
    for seed in config.seeds:
        for point in grid_points(config):
            pre = None
            if finetunes:
                pre = PlannedRun.of(pretrain_params(seed, sigma_of(config, point)), summary=False)
                out.append(pre)
            out.append(PlannedRun.of({"regime": "stl", "n": BASELINE_N, "seed": seed, **point}))
            for regime in config.regimes:
                needs = (pre.run_id,) if regime in FINETUNES else ()
                for variant in variants_of(config, regime):
                    for n in config.n:
                        out.append(PlannedRun.of({"regime": regime, "n": n, "seed": seed,
                                                  **point, **variant}, needs=needs))
    return unique_runs(out)


def batch_key(config, params):
    """Stack of a run (see the module docstring); None for the ridge baselines."""
    regime = params["regime"]
    if regime in RIDGE:
        return None
    settings = settings_of(config, params)
    stack = tuple(settings[k] for k in STACK_SETTINGS if k in settings)
    if regime == "pretrain":
        return ("pretrain",) + stack
    kind = "mtl" if regime == "mtl" else "sgd"
    return (kind, params["seed"]) + stack
