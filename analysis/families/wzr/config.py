"""Experiment schema of the WZR family: the config dataclass and its validation.

Every WZR experiment file has (besides ``family``, ``description``, ``seeds`` and
``[quick]``) a ``kind`` that says which study it is, and the kind's tables:

``kind``        ``"capacity"``, ``"covariance"``, ``"reweight"``, ``"align"`` or ``"ablation"``
                (:data:`KINDS`);
``regimes``     among the kind's regimes (docs/wzr.md lists what each does);
``n``           the target task's training sample sizes;
``[data]``      the tasks' data: sizes and noise (defaults in :data:`KINDS`; called
                ``[tasks]`` before); ablation: ``n_source``, ``n_test``, ``embed_dim``
                and ``embedding`` (:mod:`.ablation_data`);
``[grid]``      swept values (crossed): ``r`` (capacity), ``source`` and ``n_source``
                (covariance), ``source`` and optionally ``target_noise`` (align: the
                target's label noise, replacing ``data.target_noise``), ``pair``
                (ablation: ``"source/target"`` task names of :mod:`.ablation_data`);
``[model]``     capacity ``r`` and solver settings (ALS starts, L-BFGS iterations, the
                CovSim coverage); ablation: the module's ``width``, Adam's ``steps``
                (MTL, STL), ``align_steps`` (alignment and the finetuning controls) and
                ``lr``.

Unknown keys, bad values and inconsistent sizes raise :class:`InputError` naming them.
"""
from dataclasses import dataclass

from featreuse.errors import InputError, InputTypeError

from ..base import ExperimentConfig
from ..checks import (check_choices, check_int_list, check_keys, check_section, check_table,
                      integer, number, one_of)
from .ablation_data import EMBEDDINGS, N_IMAGES, TASKS

#: the source tasks of WZR Fig. 3: same covariance as the target, rotated, rescaled
SOURCES = ("aligned", "rotated", "rescaled")
TOP_KEYS = ("kind", "regimes", "n", "data", "grid", "model")
#: the checks of every [data] key (sizes keep their type, the other numbers are floats)
DATA_CHECKS = {"D": integer(2), "k": integer(2), "rank": integer(1), "support": integer(1),
               "n_source": integer(1), "cos": number(-1.0, True, high=1.0, as_float=True),
               "noisy_fraction": number(0.0, True, high=1.0, high_inclusive=False,
                                        as_float=True),
               "kappa": number(as_float=True), "noise": number(0.0, True, as_float=True),
               "individual": number(0.0, True, as_float=True),
               "target_noise": number(0.0, True, as_float=True),
               "n_test": integer(1), "embed_dim": integer(1), "embedding": one_of(EMBEDDINGS)}
#: the checks of every [model] key (counts keep their type; the tolerances are floats)
MODEL_CHECKS = {"r": integer(1), "starts": integer(1), "max_iter": integer(1),
                "align_max_iter": integer(1), "coverage": number(high=1.0, as_float=True),
                "tol": number(as_float=True), "align_tol": number(as_float=True),
                "align_weight_decay": number(0.0, True, as_float=True),
                "width": integer(1), "steps": integer(1), "align_steps": integer(1),
                "lr": number(as_float=True)}

#: per kind: its regimes, [data] defaults, [grid] keys (all required) and [model] defaults
KINDS = {
    "capacity": {
        "regimes": ("stl", "mtl"),
        "data": {"D": 20, "k": 6, "rank": 2, "noise": 1.0, "individual": 0.1},
        "grid": ("r",),
        "model": {},
    },
    "covariance": {
        "regimes": ("stl", "mtl"),
        "data": {"D": 100, "support": 10, "kappa": 10.0, "cos": 0.96, "noise": 1.5,
                  "target_noise": 0.0},
        "grid": ("source", "n_source"),
        "model": {"r": 1, "starts": 5, "max_iter": 1000, "tol": 1e-10, "coverage": 0.99},
    },
    "reweight": {
        "regimes": ("stl", "mtl", "mtl_reweighted"),
        "data": {"D": 10, "k": 4, "rank": 2, "noise": 0.3, "individual": 0.0,
                  "noisy_fraction": 0.2},
        "grid": (),
        "model": {"r": 2},
    },
    "align": {
        "regimes": ("stl", "mtl", "mtl_aligned", "mtl_finetuned", "ptft", "ptft_aligned"),
        "data": {"D": 100, "support": 10, "kappa": 10.0, "cos": 0.96, "noise": 1.5,
                  "target_noise": 0.0, "n_source": 400},
        "grid": ("source",),
        "model": {"r": 2, "starts": 5, "max_iter": 1000, "tol": 1e-10, "align_max_iter": 3000,
                  "align_tol": 1e-6, "coverage": 0.99, "align_weight_decay": 0.0},
    },
    "ablation": {
        "regimes": ("stl", "mtl", "mtl_aligned", "mtl_head", "mtl_finetuned"),
        "data": {"n_source": 500, "n_test": 597, "embed_dim": 32, "embedding": "gaussian"},
        "grid": ("pair",),
        "model": {"width": 64, "steps": 300, "align_steps": 300, "lr": 1e-2, "coverage": 0.99},
    },
}
#: per kind: [grid] keys that may be left out (each a list of numbers >= 0)
OPTIONAL_GRID = {"align": ("target_noise",)}
#: regimes that need another run's module: regime -> the regime it needs
NEEDS = {"mtl_aligned": "mtl", "mtl_finetuned": "mtl", "mtl_head": "mtl"}


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
    data : dict
        The tasks' data sizes and noise levels, defaults filled in.
    grid : dict
        Swept values, ``{key: [values]}`` (crossed).
    model : dict
        Capacity and solver settings, defaults filled in.
    """

    kind: str
    regimes: list
    n: list
    data: dict
    grid: dict
    model: dict


def _fields(defaults, checks):
    """A section's fields (:func:`..checks.check_section`): a kind's defaults, the checks."""
    return {key: (default, checks[key]) for key, default in defaults.items()}


def _check_data(table, spec, where):
    data = check_section(table, _fields(spec["data"], DATA_CHECKS), where, "data")
    if "support" in data and 2 * data["support"] > data["D"]:
        raise InputError(f"{where}: data.support = {data['support']} too large: the target's "
                         f"and the rescaled source's supports are disjoint, so 2 * support "
                         f"must be <= D = {data['D']}")
    if "rank" in data and data["rank"] > data["k"]:
        raise InputError(f"{where}: data.rank = {data['rank']} must be <= data.k = "
                         f"{data['k']} (the tasks' parameters span at most k directions)")
    return data


def _check_model(table, spec, data, where):
    model = check_section(table, _fields(spec["model"], MODEL_CHECKS), where, "model")
    if "r" in model and "k" in data and model["r"] > data["k"]:
        raise InputError(f"{where}: model.r = {model['r']} must be <= data.k = {data['k']}")
    return model


def _check_float_list(value, name):
    """A non-empty list of distinct numbers >= 0, as floats."""
    if not isinstance(value, list) or not value:
        raise InputError(f"{name} must be a non-empty list of numbers, got {value!r}")
    out = [float(number(0.0, True)(v, f"{name} entries")) for v in value]
    if len(set(out)) != len(out):
        raise InputError(f"{name} has repeated values: {value}")
    return out


def _check_grid(table, spec, where, optional=()):
    check_table(table, f"{where}: [grid]")
    check_keys(table, spec["grid"] + optional, f"{where}: [grid]")
    for key in optional:
        if key in table:
            table = {**table, key: _check_float_list(table[key], f"{where}: grid.{key}")}
    for key in spec["grid"]:
        if key not in table:
            raise InputError(f"{where}: grid.{key} must be set (a list)")
        if key == "source":
            check_choices(table[key], SOURCES, f"{where}: grid.source")
        elif key == "pair":
            check_pairs(table[key], f"{where}: grid.pair")
        else:
            check_int_list(table[key], f"{where}: grid.{key}", low=1)
    return {k: list(v) for k, v in table.items()}


def check_pairs(value, name):
    """A non-empty list of distinct ``"source/target"`` strings of two different task names."""
    if not isinstance(value, list) or not value:
        raise InputError(f"{name} must be a non-empty list of \"source/target\" strings, "
                         f"got {value!r}")
    for pair in value:
        parts = pair.split("/") if isinstance(pair, str) else []
        if len(parts) != 2 or not all(p in TASKS for p in parts):
            raise InputError(f"{name}: entry {pair!r} is not \"source/target\" with tasks "
                             f"among {list(TASKS)}")
        if parts[0] == parts[1]:
            raise InputError(f"{name}: entry {pair!r} pairs a task with itself")
    if len(set(value)) != len(value):
        raise InputError(f"{name} has repeats: {value}")
    return list(value)


def _check_ablation(n, data, model, where):
    """The ablation's sizes: the samples fit the training pool; the module input is identified."""
    if data["n_test"] >= N_IMAGES:
        raise InputError(f"{where}: data.n_test = {data['n_test']} must be < {N_IMAGES} (the "
                         f"number of digit images)")
    pool = N_IMAGES - data["n_test"]
    for key, value in (("n", max(n)), ("data.n_source", data["n_source"])):
        if value > pool:
            raise InputError(f"{where}: {key} = {value} exceeds the training pool: {N_IMAGES} - "
                             f"data.n_test = {pool} images")
    if model["width"] < data["embed_dim"]:
        raise InputError(f"{where}: model.width = {model['width']} must be >= data.embed_dim = "
                         f"{data['embed_dim']} (with a narrower first layer the loss sees R_i "
                         f"only through R_i W_1, and CovSim of the aligned inputs is not "
                         f"identified; docs/wzr.md)")


def parse_config(table, *, name, description, quick, seeds):
    """Validate a WZR experiment table (see the module docstring); a :class:`WzrConfig`."""
    where = f"experiment {name!r}"
    if "tasks" in table:
        raise InputError(f"{where}: [tasks] was renamed [data] (the tasks' data sizes and "
                         f"noise); rename the table")
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
    data = _check_data(table.get("data", {}), spec, where)
    model = _check_model(table.get("model", {}), spec, data, where)
    grid = _check_grid(table.get("grid", {}), spec, where, OPTIONAL_GRID.get(kind, ()))
    both = [k for k in OPTIONAL_GRID.get(kind, ()) if k in grid and k in table.get("data", {})]
    if both:
        raise InputError(f"{where}: {both[0]} is set in both [data] and [grid]; keep one (the "
                         f"grid sweeps it, [data] fixes it)")
    if kind == "align" and "mtl" in regimes and model["r"] >= 1 + len(grid["source"]):
        raise InputError(f"{where}: model.r = {model['r']} must be < k = "
                         f"{1 + len(grid['source'])} (the target and the grid's sources are "
                         f"trained together; r >= k gives every task its own fit, Prop. 1)")
    if kind == "ablation":
        _check_ablation(n, data, model, where)
    if kind in ("capacity", "reweight") and min(n) < data["D"]:
        raise InputError(f"{where}: n entries must be >= data.D = {data['D']} (the tasks "
                         f"share X, and Prop. 3's closed form needs X^T X invertible), got "
                         f"{min(n)}")
    return WzrConfig(name=name, family="wzr", description=description, quick=quick, seeds=seeds,
                     kind=kind, regimes=regimes, n=n, data=data, grid=grid, model=model)
