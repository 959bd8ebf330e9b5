"""The runs of a deep experiment and which runs need which.

Per seed and model: one pretraining run on the auxiliary task (no summary row;
its weights are an artefact), planned when ``ptft`` is a regime; then per n
the ``stl`` and ``mtl`` runs (from the seed's initialisation) and one ``ptft``
run per rescaling factor s, each needing the pretraining of its seed and model.
"""
from ..base import PlannedRun
from .config import n_values


def pretrain_params(seed, model):
    """Params of the pretraining that the PT+FT runs of (seed, model) need."""
    return {"regime": "pretrain", "seed": seed, "model": model}


def plan(config):
    """All runs of a :class:`~.config.DeepConfig`, in execution order (list of PlannedRun)."""
    out = []
    for seed in config.seeds:
        for model in config.models:
            pre = None
            if "ptft" in config.regimes:
                pre = PlannedRun.of(pretrain_params(seed, model), summary=False)
                out.append(pre)
            for n in n_values(config):
                for regime in config.regimes:
                    base = {"regime": regime, "seed": seed, "model": model, "n": n}
                    if regime == "ptft":
                        out += [PlannedRun.of({**base, "rescale": s}, needs=(pre.run_id,))
                                for s in config.rescale]
                    else:
                        out.append(PlannedRun.of(base))
    return out
