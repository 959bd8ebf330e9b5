"""The runs of a CHS experiment and which runs need which.

Per seed and grid point (``d``, ``tasks``) and regime, one pretraining run
(the alternating algorithm on that seed's first T tasks in dimension d; no
summary row) and one probe run per downstream n that needs it. The ``random``
regime needs no pretraining (its W is the initialisation). Runs that do not
depend on a swept parameter (``stl``, ``random`` when ``tasks`` is swept) are
planned once.
"""
from ..base import PlannedRun, unique_runs
from .config import grid_points


def task_count(regime, point):
    """Training tasks T of a regime at a grid point: T, 1 (``stl``) or 0 (``random``)."""
    return {"mtl": point["tasks"], "stl": 1, "random": 0}[regime]


def pretrain_params(seed, d, tasks):
    """Params of the pretraining that the probe runs of (seed, d, tasks) need."""
    return {"regime": "pretrain", "seed": seed, "d": d, "tasks": tasks}


def plan(config):
    """All runs of a :class:`~.config.ChsConfig`, in execution order (list of PlannedRun)."""
    out = []
    for seed in config.seeds:
        for point in grid_points(config):
            for regime in config.regimes:
                d, tasks = point["d"], task_count(regime, point)
                needs = ()
                if tasks > 0:
                    pre = PlannedRun.of(pretrain_params(seed, d, tasks), summary=False)
                    out.append(pre)
                    needs = (pre.run_id,)
                for n in config.n:
                    out.append(PlannedRun.of({"regime": regime, "seed": seed, "n": n, "d": d,
                                              "tasks": tasks}, needs=needs))
    return unique_runs(out)
