"""Experiment schema of the CHS family: the config dataclass and its validation.

Keys of a CHS experiment file (besides ``family``, ``description``, ``seeds``
and ``[quick]``; docs/chs.md has the full example):

``regimes``    among ``mtl, stl, random`` (:data:`REGIMES`);
``n``          training samples of the downstream probe;
``[model]``    the data model: ``d`` (input dimension), ``r`` (subspace dimension),
               ``tasks`` (T of the ``mtl`` regime); ``d`` and ``tasks`` when not swept;
``[grid]``     swept model parameters (crossed): ``d`` and/or ``tasks``;
``[train]``    the alternating algorithm (:class:`featreuse.nets.chs_config.ChsTrainConfig`):
               ``width, rounds, head_samples, shared_samples, head_lr, lr,
               weight_decay, init_scale, shared_inputs``;
``[probe]``    the downstream probe (:func:`featreuse.nets.chs_probe.probe_accuracy`):
               ``n_test, C, max_iter, tol``.

Every key has a default (:data:`MODEL_DEFAULTS`, :data:`TRAIN_DEFAULTS`,
:data:`PROBE_DEFAULTS`); the named experiments set them all.
"""
import itertools
from dataclasses import dataclass

from featreuse.errors import InputError

from ..base import ExperimentConfig
from ..checks import (check_bool, check_choices, check_int, check_int_list, check_keys,
                      check_number, check_table, with_defaults)

#: ``mtl``: trained on T tasks; ``stl``: the same algorithm on one task; ``random``: W at init
REGIMES = ("mtl", "stl", "random")
TOP_KEYS = ("regimes", "n", "model", "grid", "train", "probe")
MODEL_DEFAULTS = {"d": 100, "r": 3, "tasks": 20}
GRID_KEYS = ("d", "tasks")
#: the defaults of nets.chs_config.ChsTrainConfig (a test keeps them equal)
TRAIN_DEFAULTS = {"width": 100, "rounds": 40, "head_samples": 200, "shared_samples": 200,
                  "head_lr": 5.0, "lr": 1.0, "weight_decay": 0.1, "init_scale": 1.0,
                  "shared_inputs": False}
TRAIN_COUNTS = ("width", "rounds", "head_samples", "shared_samples")
PROBE_DEFAULTS = {"n_test": 2000, "C": 1.0, "max_iter": 1000, "tol": 1e-6}


@dataclass
class ChsConfig(ExperimentConfig):
    """A validated CHS experiment.

    Attributes
    ----------
    regimes : list of str
        Among :data:`REGIMES`.
    n : list of int
        Training samples of the downstream probe.
    model : dict
        ``d``, ``r``, ``tasks`` (those not swept).
    grid : dict
        Swept model parameters (crossed), e.g. ``{"d": [50, 100, 200]}``.
    train : dict
        Settings of the alternating algorithm (every key of :data:`TRAIN_DEFAULTS`).
    probe : dict
        Settings of the probe (every key of :data:`PROBE_DEFAULTS`).
    """

    regimes: list
    n: list
    model: dict
    grid: dict
    train: dict
    probe: dict


def _check_model(model, grid, where):
    check_table(model, f"{where}: [model]")
    check_keys(model, MODEL_DEFAULTS, f"{where}: [model]")
    check_table(grid, f"{where}: [grid]")
    check_keys(grid, GRID_KEYS, f"{where}: [grid]")
    for key, value in model.items():
        check_int(value, f"{where}: model.{key}", 1)
    for key, values in grid.items():
        check_int_list(values, f"{where}: grid.{key}", low=1)
        if key in model:
            raise InputError(f"{where}: {key!r} is both fixed in [model] and swept in [grid]")
    resolved = {k: v for k, v in MODEL_DEFAULTS.items() if k not in grid}
    resolved.update(model)
    for d in grid.get("d", [resolved.get("d")]):
        if resolved["r"] > d:
            raise InputError(f"{where}: model.r = {resolved['r']} must be <= d "
                             f"(a subspace of R^d), got d = {d}")
    return resolved


def _check_train(train, where):
    out = with_defaults(train, TRAIN_DEFAULTS, f"{where}: [train]")
    for key, value in out.items():
        name = f"{where}: train.{key}"
        if key in TRAIN_COUNTS:
            check_int(value, name, 1)
        elif key == "shared_inputs":
            check_bool(value, name)
        else:
            check_number(value, name, low=0.0, low_inclusive=key == "weight_decay")
    if out["lr"] * out["weight_decay"] >= 1:
        raise InputError(f"{where}: train.lr * train.weight_decay must be < 1 (else the decay "
                         f"flips or zeroes W), got {out['lr'] * out['weight_decay']:g}")
    return out


def _check_probe(probe, where):
    out = with_defaults(probe, PROBE_DEFAULTS, f"{where}: [probe]")
    for key, value in out.items():
        name = f"{where}: probe.{key}"
        if key in ("n_test", "max_iter"):
            check_int(value, name, 1)
        else:
            check_number(value, name)
    return out


def parse_config(table, *, name, description, quick, seeds):
    """Validate a CHS experiment table (see the module docstring); a :class:`ChsConfig`."""
    where = f"experiment {name!r}"
    check_keys(table, TOP_KEYS, where)
    regimes = check_choices(table.get("regimes"), REGIMES, f"{where}: regimes")
    n = check_int_list(table.get("n"), f"{where}: n")
    grid = table.get("grid", {})
    model = _check_model(table.get("model", {}), grid, where)
    return ChsConfig(name=name, family="chs", description=description, quick=quick,
                     seeds=seeds, regimes=regimes, n=n, model=model, grid=dict(grid),
                     train=_check_train(table.get("train", {}), where),
                     probe=_check_probe(table.get("probe", {}), where))


def grid_points(config):
    """Every point of the grid: a list of ``{"d": ..., "tasks": ...}`` (fixed values filled in)."""
    keys = list(config.grid)
    fixed = {k: v for k, v in config.model.items() if k in GRID_KEYS}
    return [{**fixed, **dict(zip(keys, combo))}
            for combo in itertools.product(*config.grid.values())]
