"""The cost of a sweep before it runs (``featreuse run NAME --estimate``) and the order
in which its batches go to the workers.

A family that can predict its runs' cost offers a :class:`CostModel`
(:meth:`Family.cost_model`): how many network-epochs a run will train, a relative
amount of work (no measurement) and the seconds of one network-epoch on this
machine (measured once, by :attr:`CostModel.calibrate`). The sweep's batches
(:func:`featreuse.analysis.sweep.plan_batches`) cost the sum of their runs; the
wall time is that of the sweep's own schedule (:func:`schedule`): a batch starts
once the batches holding its needs are done, the largest ready batch first, on
the first free worker.
"""
import heapq
from dataclasses import dataclass
from typing import Callable

from featreuse.errors import InputError


@dataclass(frozen=True)
class CostModel:
    """What a family predicts about its runs' cost under one experiment config.

    Attributes
    ----------
    epochs : callable params -> float
        Network-epochs the run will train (0: no iterative training).
    work : callable params -> float
        Relative cost (any unit, the same for every run of the config); orders the
        batches of a sweep, so it must cost no measurement.
    key : callable params -> hashable or None
        What the cost of one network-epoch of the run depends on (None: free).
    calibrate : callable (keys, device) -> dict key -> float
        Seconds of one network-epoch for each key, measured on this machine.
    source : str
        One line: where the epoch numbers come from.
    refusal : str
        Why this config cannot be estimated (``""``: it can); its runs are still
        ordered by ``work``.
    """

    epochs: Callable
    work: Callable
    key: Callable
    calibrate: Callable
    source: str = ""
    refusal: str = ""


def schedule(costs, needs, workers):
    """Simulate the sweep's schedule of batches on ``workers`` workers.

    Parameters
    ----------
    costs : list of float
        Each batch's cost (seconds).
    needs : list of set of int
        For each batch, the batches that must finish before it starts.
    workers : int >= 1

    Returns
    -------
    (wall, busy) : (float, float)
        Makespan and the sum of the batches' costs, in the units of ``costs``.
    """
    waiting = {i: set(d) - {i} for i, d in enumerate(needs)}
    dependants = {}
    for i, deps in waiting.items():
        for d in deps:
            dependants.setdefault(d, []).append(i)
    ready = [(-costs[i], i) for i, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    running, now, free = [], 0.0, workers
    while ready or running:
        while ready and free:
            _, i = heapq.heappop(ready)
            heapq.heappush(running, (now + costs[i], i))
            free -= 1
        now, i = heapq.heappop(running)
        free += 1
        for j in dependants.get(i, ()):
            waiting[j].discard(i)
            if not waiting[j]:
                heapq.heappush(ready, (-costs[j], j))
    return now, float(sum(costs))


def batch_needs(batches):
    """For each batch (a list of PlannedRun), the indices of the batches holding its needs."""
    where = {run.run_id: i for i, batch in enumerate(batches) for run in batch}
    return [{where[d] for run in batch for d in run.needs if d in where} for batch in batches]


def estimate(config, workers, device="cpu"):
    """Predicted cost of a whole sweep of ``config`` on this machine.

    Parameters
    ----------
    config : ExperimentConfig subclass
    workers : int >= 1
        Local worker processes (one thread each).
    device : str

    Returns
    -------
    dict
        ``regimes`` (regime -> ``{"runs", "network_epochs", "core_s"}``), ``runs``,
        ``batches``, ``network_epochs``, ``core_s``, ``wall_s``, ``utilisation``,
        ``workers``, ``seconds_per_epoch`` (key text -> seconds), ``source``.

    Raises
    ------
    InputError
        The family has no cost model, or it cannot estimate this config.
    """
    from .families import get_family
    from .sweep import plan_batches
    family = get_family(config.family)
    model = family.cost_model(config)
    if model is None:
        raise InputError(f"--estimate: the {config.family} family has no cost model "
                         f"(its sweeps run in minutes); run it without --estimate")
    if model.refusal:
        raise InputError(model.refusal)
    runs = family.plan(config)
    keys = {run.run_id: model.key(run.params) for run in runs}
    rates = model.calibrate({k for k in keys.values() if k is not None}, device)
    seconds, regimes = {}, {}
    for run in runs:
        epochs = model.epochs(run.params)
        key = keys[run.run_id]
        seconds[run.run_id] = 0.0 if key is None else epochs * rates[key]
        row = regimes.setdefault(run.params.get("regime", "run"),
                                 {"runs": 0, "network_epochs": 0.0, "core_s": 0.0})
        row["runs"] += 1
        row["network_epochs"] += epochs
        row["core_s"] += seconds[run.run_id]
    batches = plan_batches(family, config, runs)
    costs = [sum(seconds[r.run_id] for r in batch) for batch in batches]
    wall, busy = schedule(costs, batch_needs(batches), workers)
    return {"experiment": config.name, "runs": len(runs), "batches": len(batches),
            "regimes": regimes, "network_epochs": sum(r["network_epochs"] for r in regimes.values()),
            "core_s": busy, "wall_s": wall, "workers": workers,
            "utilisation": busy / (workers * wall) if wall > 0 else 1.0,
            "seconds_per_epoch": {" ".join(map(str, k)): v for k, v in sorted(rates.items())},
            "source": model.source}


def describe(est):
    """The lines that ``featreuse run NAME --estimate`` prints."""
    lines = [f"{est['experiment']}: {est['runs']} runs in {est['batches']} tasks (estimate, "
             f"nothing run)",
             f"  {'regime':14s} {'runs':>6s} {'network-epochs':>15s} {'core-hours':>11s}"]
    for regime, row in est["regimes"].items():
        lines.append(f"  {regime:14s} {row['runs']:6d} {row['network_epochs']:15.3g} "
                     f"{row['core_s'] / 3600:11.3g}")
    lines.append(f"  {'total':14s} {est['runs']:6d} {est['network_epochs']:15.3g} "
                 f"{est['core_s'] / 3600:11.3g}")
    lines.append(f"  wall time with {est['workers']} worker(s): {_duration(est['wall_s'])} "
                 f"(utilisation {100 * est['utilisation']:.0f}%)")
    rates = ", ".join(f"{k}: {1e3 * v:.3g} ms" for k, v in est["seconds_per_epoch"].items())
    lines.append(f"  one network-epoch on this machine (kind samples: CPU time): {rates}")
    if est["source"]:
        lines.append(f"  epochs: {est['source']}")
    return lines


def _duration(seconds):
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
