"""Experiment schema of the CHS family: the config dataclass and its validation.

Keys of a CHS experiment file (besides ``family``, ``description``, ``seeds``
and ``[quick]``; docs/chs.md has the full example):

``regimes``    among ``mtl, stl, random`` (:data:`REGIMES`);
``n``          training samples of the downstream probe;
``[model]``    the data model: ``d`` (input dimension), ``r`` (subspace dimension),
               ``tasks`` (T of the ``mtl`` regime); ``d`` and ``tasks`` when not swept;
``[grid]``     swept parameters (crossed): any of ``d``, ``r``, ``tasks`` and ``samples``
               (the training samples per task and round of both steps,
               ``head_samples = shared_samples``; then [train] sets neither);
``[train]``    the alternating algorithm (the fields of
               :class:`featreuse.nets.chs.config.ChsTrainConfig`);
``[probe]``    the downstream probe (:func:`featreuse.nets.chs.probe.probe_accuracy`).

Every key has a default: :data:`MODEL`, :data:`TRAIN` and :data:`PROBE` declare each
key once, with its default and its check; the named experiments set them all.
"""
import itertools
from dataclasses import dataclass

from featreuse.errors import InputError

from ..base import ExperimentConfig
from ..checks import (check_bool, check_choices, check_int_list, check_keys, check_section,
                      check_table, defaults_of, integer, number)

#: ``mtl``: trained on T tasks; ``stl``: the same algorithm on one task; ``random``: W at init
REGIMES = ("mtl", "stl", "random")
TOP_KEYS = ("regimes", "n", "model", "grid", "train", "probe")
#: [model]: key -> (default, check)
MODEL = {"d": (100, integer(1)), "r": (3, integer(1)), "tasks": (20, integer(1))}
GRID_KEYS = ("d", "r", "tasks", "samples")
#: swept keys that enter a run's params only when swept (the params, and so the run ids, of
#: an experiment that sweeps neither are those of ``(seed, d, tasks)`` alone)
EXTRA_KEYS = ("r", "samples")
#: the [train] keys that a swept ``samples`` sets
SAMPLE_KEYS = ("head_samples", "shared_samples")
#: [train]: key -> (default, check); the defaults are nets.chs.config.ChsTrainConfig's (a
#: test keeps them equal)
TRAIN = {"width": (100, integer(1)), "rounds": (40, integer(1)),
         "head_samples": (200, integer(1)), "shared_samples": (200, integer(1)),
         "head_lr": (5.0, number()), "lr": (1.0, number()),
         "weight_decay": (0.1, number(low_inclusive=True)), "init_scale": (1.0, number()),
         "shared_inputs": (False, check_bool)}
#: [probe]: key -> (default, check)
PROBE = {"n_test": (2000, integer(1)), "C": (1.0, number()), "max_iter": (1000, integer(1)),
         "tol": (1e-6, number())}
MODEL_DEFAULTS = defaults_of(MODEL)
TRAIN_DEFAULTS = defaults_of(TRAIN)
PROBE_DEFAULTS = defaults_of(PROBE)


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
        Swept parameters (crossed), e.g. ``{"d": [50, 100, 200]}``; among :data:`GRID_KEYS`.
    train : dict
        Settings of the alternating algorithm (every key of :data:`TRAIN_DEFAULTS`, but
        :data:`SAMPLE_KEYS` when the grid sweeps ``samples``).
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
    check_keys(check_table(model, f"{where}: [model]"), MODEL, f"{where}: [model]")
    check_keys(check_table(grid, f"{where}: [grid]"), GRID_KEYS, f"{where}: [grid]")
    for key, values in grid.items():
        check_int_list(values, f"{where}: grid.{key}", low=1)
        if key in model:
            raise InputError(f"{where}: {key!r} is both fixed in [model] and swept in [grid]")
    # a swept key has no default
    resolved = check_section(model, {k: f for k, f in MODEL.items() if k not in grid}, where,
                             "model")
    r_max = max(grid.get("r", [resolved.get("r")]))
    for d in grid.get("d", [resolved.get("d")]):
        if r_max > d:
            name = "grid.r" if "r" in grid else "model.r"
            raise InputError(f"{where}: {name} = {r_max} must be <= d "
                             f"(a subspace of R^d), got d = {d}")
    return resolved


def _check_train(train, grid, where):
    if "samples" in grid:
        both = [k for k in SAMPLE_KEYS if k in check_table(train, f"{where}: [train]")]
        if both:
            raise InputError(f"{where}: train.{both[0]} is set while [grid] sweeps samples "
                             f"(which sets {' and '.join(SAMPLE_KEYS)})")
    out = check_section(train, TRAIN, where, "train")
    if "samples" in grid:                           # set per grid point (execute.train_config)
        out = {k: v for k, v in out.items() if k not in SAMPLE_KEYS}
    if out["lr"] * out["weight_decay"] >= 1:
        raise InputError(f"{where}: train.lr * train.weight_decay must be < 1 (else the decay "
                         f"flips or zeroes W), got {out['lr'] * out['weight_decay']:g}")
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
                     train=_check_train(table.get("train", {}), grid, where),
                     probe=check_section(table.get("probe", {}), PROBE, where, "probe"))


def grid_points(config):
    """Every point of the grid: a list of ``{"d", "r", "tasks"[, "samples"]: ...}`` (fixed
    values filled in; ``samples`` only when swept)."""
    keys = list(config.grid)
    fixed = {k: v for k, v in config.model.items() if k in GRID_KEYS}
    return [{**fixed, **dict(zip(keys, combo))}
            for combo in itertools.product(*config.grid.values())]


def extra_keys(config):
    """The keys of :data:`EXTRA_KEYS` that ``config`` sweeps (they enter the run params)."""
    return [k for k in EXTRA_KEYS if k in config.grid]
