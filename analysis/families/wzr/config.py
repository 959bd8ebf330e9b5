"""Experiment schema of the WZR family: the config dataclass and its validation.

Every WZR experiment file has (besides ``family``, ``description``, ``seeds`` and
``[quick]``) a ``kind`` that says which study it is, and the kind's tables:

``kind``        ``"capacity"``, ``"covariance"``, ``"reweight"`` or ``"align"`` (:data:`KINDS`);
``regimes``     among the kind's regimes (docs/wzr.md lists what each does);
``n``           the target task's training sample sizes;
``[tasks]``     data sizes and noise (defaults in :data:`KINDS`);
``[grid]``      swept values (crossed): ``r`` (capacity), ``source`` and ``n_source``
                (covariance), ``source`` (align);
``[model]``     capacity ``r`` and solver settings (ALS starts, L-BFGS iterations, the
                CovSim coverage).

Unknown keys, bad values and inconsistent sizes raise :class:`InputError` naming them.
"""
from dataclasses import dataclass

from featreuse.errors import InputError, InputTypeError

from ..base import ExperimentConfig
from ..checks import (check_choices, check_int, check_int_list, check_keys, check_number,
                      check_table)

#: the source tasks of WZR Fig. 3: same covariance as the target, rotated, rescaled
SOURCES = ("aligned", "rotated", "rescaled")
TOP_KEYS = ("kind", "regimes", "n", "tasks", "grid", "model")

#: per kind: its regimes, [tasks] defaults, [grid] keys (all required) and [model] defaults
KINDS = {
    "capacity": {
        "regimes": ("stl", "mtl"),
        "tasks": {"D": 20, "k": 6, "rank": 2, "noise": 1.0, "individual": 0.1},
        "grid": ("r",),
        "model": {},
    },
    "covariance": {
        "regimes": ("stl", "mtl"),
        "tasks": {"D": 100, "support": 10, "kappa": 10.0, "cos": 0.96, "noise": 1.5,
                  "target_noise": 0.0},
        "grid": ("source", "n_source"),
        "model": {"r": 1, "starts": 5, "max_iter": 1000, "tol": 1e-10, "coverage": 0.99},
    },
    "reweight": {
        "regimes": ("stl", "mtl", "mtl_reweighted"),
        "tasks": {"D": 10, "k": 4, "rank": 2, "noise": 0.3, "individual": 0.0,
                  "noisy_fraction": 0.2},
        "grid": (),
        "model": {"r": 2},
    },
    "align": {
        "regimes": ("stl", "mtl", "mtl_aligned", "ptft", "ptft_aligned"),
        "tasks": {"D": 100, "support": 10, "kappa": 10.0, "cos": 0.96, "noise": 1.5,
                  "target_noise": 0.0, "n_source": 400},
        "grid": ("source",),
        "model": {"r": 1, "starts": 5, "max_iter": 1000, "tol": 1e-10, "align_max_iter": 3000,
                  "align_tol": 1e-6, "coverage": 0.99},
    },
}
#: regimes that need another run's module: regime -> the regime it needs
NEEDS = {"mtl_aligned": "mtl"}


@dataclass
class WzrConfig(ExperimentConfig):
    """A validated WZR experiment.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    regimes : list of str
        Among the kind's regimes.
    n : list of int
        Target training sample sizes.
    tasks : dict
        Data sizes and noise levels, defaults filled in.
    grid : dict
        Swept values, ``{key: [values]}`` (crossed).
    model : dict
        Capacity and solver settings, defaults filled in.
    """

    kind: str
    regimes: list
    n: list
    tasks: dict
    grid: dict
    model: dict


def _check_task_value(key, value, name):
    if key in ("D", "k", "rank", "support", "n_source"):
        return check_int(value, name, 2 if key in ("D", "k") else 1)
    if key == "cos":
        check_number(value, name, low=-1.0, low_inclusive=True)
        if abs(value) > 1:
            raise InputError(f"{name} must be in [-1, 1], got {value}")
        return float(value)
    if key == "noisy_fraction":
        check_number(value, name, low=0.0, low_inclusive=True)
        if value >= 1:
            raise InputError(f"{name} must be in [0, 1), got {value}")
        return float(value)
    if key == "kappa":
        return float(check_number(value, name, low=0.0))
    return float(check_number(value, name, low=0.0, low_inclusive=True))  # noise levels


def _check_model_value(key, value, name):
    if key in ("r", "starts", "max_iter", "align_max_iter"):
        return check_int(value, name, 1)
    if key == "coverage":
        check_number(value, name, low=0.0)
        if value > 1:
            raise InputError(f"{name} must be in (0, 1], got {value}")
        return float(value)
    return float(check_number(value, name, low=0.0))  # tolerances


def _check_tasks(table, spec, where):
    check_table(table, f"{where}: [tasks]")
    check_keys(table, spec["tasks"], f"{where}: [tasks]")
    tasks = {**spec["tasks"], **table}
    for key, value in tasks.items():
        tasks[key] = _check_task_value(key, value, f"{where}: tasks.{key}")
    if "support" in tasks and 2 * tasks["support"] > tasks["D"]:
        raise InputError(f"{where}: tasks.support = {tasks['support']} too large: the target's "
                         f"and the rescaled source's supports are disjoint, so 2 * support "
                         f"must be <= D = {tasks['D']}")
    if "rank" in tasks and tasks["rank"] > tasks["k"]:
        raise InputError(f"{where}: tasks.rank = {tasks['rank']} must be <= tasks.k = "
                         f"{tasks['k']} (the tasks' parameters span at most k directions)")
    return tasks


def _check_model(table, spec, tasks, where):
    check_table(table, f"{where}: [model]")
    check_keys(table, spec["model"], f"{where}: [model]")
    model = {**spec["model"], **table}
    for key, value in model.items():
        model[key] = _check_model_value(key, value, f"{where}: model.{key}")
    if "r" in model and "k" in tasks and model["r"] > tasks["k"]:
        raise InputError(f"{where}: model.r = {model['r']} must be <= tasks.k = {tasks['k']}")
    return model


def _check_grid(table, spec, where):
    check_table(table, f"{where}: [grid]")
    check_keys(table, spec["grid"], f"{where}: [grid]")
    for key in spec["grid"]:
        if key not in table:
            raise InputError(f"{where}: grid.{key} must be set (a list)")
        if key == "source":
            check_choices(table[key], SOURCES, f"{where}: grid.source")
        else:
            check_int_list(table[key], f"{where}: grid.{key}", low=1)
    return {k: list(v) for k, v in table.items()}


def parse_config(table, *, name, description, quick, seeds):
    """Validate a WZR experiment table (see the module docstring); a :class:`WzrConfig`."""
    where = f"experiment {name!r}"
    check_keys(table, TOP_KEYS, where)
    kind = table.get("kind")
    if not isinstance(kind, str):
        raise InputTypeError(f"{where}: kind must be a string, one of {list(KINDS)}; "
                             f"got {kind!r}")
    if kind not in KINDS:
        raise InputError(f"{where}: kind: unknown kind {kind!r} (known: {list(KINDS)})")
    spec = KINDS[kind]
    regimes = check_choices(table.get("regimes", list(spec["regimes"])), spec["regimes"],
                            f"{where}: regimes")
    for regime, needed in NEEDS.items():
        if regime in regimes and needed not in regimes:
            raise InputError(f"{where}: regimes: {regime!r} needs {needed!r} (it starts from "
                             f"that regime's shared module)")
    if kind == "covariance" and "stl" not in regimes:
        raise InputError(f"{where}: regimes must include 'stl' (the figure is MTL - STL)")
    n = check_int_list(table.get("n"), f"{where}: n")
    tasks = _check_tasks(table.get("tasks", {}), spec, where)
    model = _check_model(table.get("model", {}), spec, tasks, where)
    grid = _check_grid(table.get("grid", {}), spec, where)
    if kind in ("capacity", "reweight") and min(n) < tasks["D"]:
        raise InputError(f"{where}: n entries must be >= tasks.D = {tasks['D']} (the tasks "
                         f"share X, and Prop. 3's closed form needs X^T X invertible), got "
                         f"{min(n)}")
    return WzrConfig(name=name, family="wzr", description=description, quick=quick, seeds=seeds,
                     kind=kind, regimes=regimes, n=n, tasks=tasks, grid=grid, model=model)
