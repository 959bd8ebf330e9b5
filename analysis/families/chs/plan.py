"""The runs of a CHS experiment and which runs need which.

Per seed and grid point (``d``, ``tasks``, and ``r``, ``samples`` when swept) and
regime, one pretraining run (the alternating algorithm on that seed's first T
tasks in dimension d; no summary row) and one probe run per downstream n that
needs it. The ``random`` regime needs no pretraining (its W is the
initialisation). Runs that do not depend on a swept parameter (``stl`` on
``tasks``; ``random`` on ``tasks`` and ``samples``) are planned once.

Params: ``regime, seed, d, tasks`` (and ``n`` for probe runs), plus ``r`` and
``samples`` only when swept, so an experiment that sweeps neither keeps the run
ids of ``(seed, d, tasks)``.
"""
from ..base import PlannedRun, unique_runs
from .config import extra_keys, grid_points


def task_count(regime, point):
    """Training tasks T of a regime at a grid point: T, 1 (``stl``) or 0 (``random``)."""
    return {"mtl": point["tasks"], "stl": 1, "random": 0}[regime]


def pretrain_params(seed, d, tasks, **extra):
    """Params of the pretraining that the probe runs of (seed, d, tasks[, r, samples]) need."""
    return {"regime": "pretrain", "seed": seed, "d": d, "tasks": tasks, **extra}


def swept_extras(config, regime, point):
    """``{"r"[, "samples"]: ...}`` of a regime's runs at a grid point: the swept keys of
    :data:`~.config.EXTRA_KEYS` that its W depends on (``random``: not ``samples``)."""
    return {k: point[k] for k in extra_keys(config)
            if not (regime == "random" and k == "samples")}


def plan(config):
    """All runs of a :class:`~.config.ChsConfig`, in execution order (list of PlannedRun)."""
    out = []
    for seed in config.seeds:
        for point in grid_points(config):
            for regime in config.regimes:
                d, tasks = point["d"], task_count(regime, point)
                extra = swept_extras(config, regime, point)
                needs = ()
                if tasks > 0:
                    pre = PlannedRun.of(pretrain_params(seed, d, tasks, **extra), summary=False)
                    out.append(pre)
                    needs = (pre.run_id,)
                for n in config.n:
                    out.append(PlannedRun.of({"regime": regime, "seed": seed, "n": n, "d": d,
                                              "tasks": tasks, **extra}, needs=needs))
    return unique_runs(out)
