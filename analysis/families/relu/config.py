"""Experiment schema of the ReLU family: the config dataclass and its validation.

Keys of a ReLU experiment file (besides ``family``, ``description``, ``seeds``
and ``[quick]``; docs/relu.md describes them, ``analysis/experiments/relu-*.toml``
are examples):

``regimes``     among ``stl, mtl, ptft, ptft_readout, ptft_lp, ntk`` (:data:`REGIMES`);
``n``           main-task sample sizes;
``[network]``   ``D``, ``K`` (hidden units), ``sigma`` (init scale), ``dtype``;
``[teacher]``   ``n_aux``, ``n_test``, ``n_aux_units`` and the main teacher's defaults
                ``n_main_units``, ``rho``, ``shared``, ``magnitude``;
``[grid]``      swept parameters (crossed) among ``rho, shared, n_main_units,
                magnitude, sigma``; ``[[grid]]`` (an array of tables) sweeps the
                union of several crossed blocks;
``[train]``     settings of every regime, ``[train.<regime>]`` overrides;
``[variants.<regime>]``  per-regime settings swept *paired* (zipped, equal lengths);
``[pretrain]``  full-batch GD on the auxiliary task shared by the finetuning regimes.

The main teacher of a grid point has ``n_main_units`` units; the first
``shared`` of them have cosine ``rho`` with their auxiliary unit, the others
are new (cosine 0). ``shared`` defaults to all units. Values in ``[teacher]``
and ``[network]`` are the defaults of the grid blocks that do not sweep them.
Every setting has a default (LL's protocol, :data:`TRAIN_DEFAULTS`,
:data:`PRETRAIN_DEFAULTS`); the resolved settings are stored with the sweep.
Each key's default and check: :data:`NETWORK`, :data:`TEACHER`; each setting's
check: :data:`SETTINGS`.
"""
import itertools
from dataclasses import dataclass

from featreuse.errors import InputError, InputTypeError

from ..base import ExperimentConfig
from ..checks import (OPTIONAL, check_choices, check_int_list, check_keys, check_number,
                      check_section, check_table, defaults_of, integer, number, one_of)
from ..variants import checked_settings, paired_variants, regime_settings

#: regimes: single task, multi-task, finetuning (all weights / readout only), ridge baselines
REGIMES = ("stl", "mtl", "ptft", "ptft_readout", "ptft_lp", "ntk")
#: regimes that start from the pretrained network of their seed
FINETUNES = ("ptft", "ptft_readout", "ptft_lp", "ntk")
#: closed-form ridge regressions at the finetuning start
RIDGE = ("ptft_lp", "ntk")
TOP_KEYS = ("regimes", "n", "network", "teacher", "grid", "train", "variants", "pretrain")
DTYPES = ("float32", "float64")
GRID_KEYS = ("rho", "shared", "n_main_units", "magnitude", "sigma")
SGD_KEYS = ("lr", "max_epochs", "batch_size", "tol", "divergence_loss", "max_restarts", "method")
#: trainers: LL's SGD protocol, or its full-batch gradient flow (featreuse.nets.train_flow)
METHODS = ("sgd", "flow")
RIDGE_KEYS = ("rescale", "val_fraction", "alpha_min", "alpha_max", "n_alphas")
REGIME_KEYS = {
    "stl": SGD_KEYS,
    "mtl": SGD_KEYS,
    "ptft": SGD_KEYS + ("rescale",),
    "ptft_readout": SGD_KEYS + ("rescale",),
    "ptft_lp": RIDGE_KEYS,
    "ntk": RIDGE_KEYS,
}
#: LL's protocol: SGD lr 0.1 (LL also use 1.0), stop at an epoch-mean loss below 1e-8
TRAIN_DEFAULTS = {"lr": 0.1, "max_epochs": 100_000, "batch_size": 128, "tol": 1e-8,
                  "divergence_loss": 1000.0, "max_restarts": 4, "method": "sgd", "rescale": 1.0,
                  "val_fraction": 0.2, "alpha_min": 1e-5, "alpha_max": 1e10, "n_alphas": 100}
#: LL's pretraining: full-batch GD at lr 0.1 until the loss is below 1e-8, at most 1e5 steps
PRETRAIN_DEFAULTS = {"lr": 0.1, "max_steps": 100_000, "tol": 1e-8, "divergence_loss": 1000.0,
                     "max_restarts": 4, "method": "sgd"}


@dataclass
class ReluExperimentConfig(ExperimentConfig):
    """A validated ReLU teacher-student experiment.

    Attributes
    ----------
    regimes : list of str
        Among :data:`REGIMES`.
    n : list of int
        Main-task training sample sizes.
    network : dict
        ``D``, ``K``, ``sigma`` (default of points that do not sweep it), ``dtype``.
    teacher : dict
        ``n_aux``, ``n_test``, ``n_aux_units`` and the defaults ``n_main_units``,
        ``rho``, ``magnitude`` (and ``shared`` when set).
    grid : list of dict
        Crossed blocks of swept values, e.g. ``[{"rho": [0.9]}]``; the grid is their union.
    variants : dict
        ``{regime: {setting: [values]}}`` swept paired.
    train : dict
        Every setting of every regime (``stl`` always present: the gen. loss baseline).
    pretrain : dict
        Settings of the auxiliary-task pretraining (every key of :data:`PRETRAIN_DEFAULTS`).
    """

    regimes: list
    n: list
    network: dict
    teacher: dict
    grid: list
    variants: dict
    train: dict
    pretrain: dict


def _check_rho(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputTypeError(f"{name} must be a number in [-1, 1], got {value!r}")
    if not -1.0 <= value <= 1.0:
        raise InputError(f"{name} must lie in [-1, 1], got {value}")
    return float(value)


def _check_fraction(value, name):
    check_number(value, name)
    if value >= 1:
        raise InputError(f"{name} must be < 1, got {value}")
    return float(value)


#: [network]: key -> (default, check)
NETWORK = {"D": (15, integer(1)), "K": (1000, integer(1)), "sigma": (1e-3, number(as_float=True)),
           "dtype": ("float32", one_of(DTYPES))}
#: [teacher]: key -> (default, check); ``shared`` defaults to every main unit
TEACHER = {"n_aux": (1024, integer(1)), "n_test": (10000, integer(1)),
           "n_aux_units": (6, integer(1)), "n_main_units": (6, integer(1)),
           "rho": (1.0, _check_rho), "magnitude": (1.0, number(as_float=True)),
           "shared": (OPTIONAL, integer(0))}
NETWORK_DEFAULTS = defaults_of(NETWORK)
TEACHER_DEFAULTS = defaults_of(TEACHER)
#: training and pretraining settings ([train], [train.<regime>], [variants.<regime>],
#: [pretrain]): their checks (counts kept as ints, the other numbers floats)
SETTINGS = {"lr": number(as_float=True), "max_epochs": integer(1), "batch_size": integer(1),
            "tol": number(as_float=True), "divergence_loss": number(as_float=True),
            "max_restarts": integer(0), "max_steps": integer(1),
            "rescale": number(as_float=True), "val_fraction": _check_fraction,
            "alpha_min": number(as_float=True), "alpha_max": number(as_float=True),
            "n_alphas": integer(1), "method": one_of(METHODS)}


def flow_regimes(config):
    """The regimes (``"pretrain"`` included) trained by the flow trainer, sorted."""
    return sorted({r for r, s in config.train.items() if s.get("method") == "flow"}
                  | ({"pretrain"} if config.pretrain.get("method") == "flow" else set()))


def _check_block(block, where):
    check_table(block, where)
    if not block:
        raise InputError(f"{where} must sweep at least one of {list(GRID_KEYS)}")
    check_keys(block, GRID_KEYS, where)
    out = {}
    for key, values in block.items():
        name = f"{where}.{key}"
        if key in ("shared", "n_main_units"):
            out[key] = check_int_list(values, name, low=0 if key == "shared" else 1)
            continue
        if not isinstance(values, list) or not values:
            raise InputError(f"{name} must be a non-empty list of numbers, got {values!r}")
        if key == "rho":
            clean = [_check_rho(v, f"{name} entries") for v in values]
        else:
            clean = [float(check_number(v, f"{name} entries")) for v in values]
        if len(set(clean)) != len(clean):
            raise InputError(f"{name} has repeated values: {values}")
        out[key] = clean
    return ordered(out)


def _check_grid(grid, where):
    """``[grid]`` (one table) or ``[[grid]]`` (a list of tables) as a list of blocks."""
    if isinstance(grid, dict):
        blocks = [grid] if grid else []
    elif isinstance(grid, list) and grid:
        blocks = grid
    else:
        raise InputTypeError(f"{where}: grid must be a table or a non-empty array of tables, "
                             f"got {grid!r}")
    return [_check_block(b, f"{where}: grid" + (f"[{i}]" if len(blocks) > 1 else ""))
            for i, b in enumerate(blocks)]


def swept_keys(config):
    """Keys swept by some grid block, in :data:`GRID_KEYS` order."""
    keys = {k for block in config.grid for k in block}
    return [k for k in GRID_KEYS if k in keys]


def default_of(config, key, point):
    """The value of ``key`` at a grid point that does not sweep it."""
    if key == "sigma":
        return config.network["sigma"]
    if key == "shared":
        return config.teacher.get("shared", point.get("n_main_units",
                                                       config.teacher["n_main_units"]))
    return config.teacher[key]


def ordered(block):
    """A grid block with its keys in :data:`GRID_KEYS` order (stored configs sort them)."""
    return {k: block[k] for k in GRID_KEYS if k in block}


def block_points(config, block):
    """Grid points (dicts over :func:`swept_keys`) of one crossed block, in order.

    The first key of :data:`GRID_KEYS` that the block sweeps varies slowest.
    """
    keys = swept_keys(config)
    block = ordered(block)
    points = []
    for combo in itertools.product(*block.values()):
        point = dict(zip(block, combo))
        # n_main_units first: the default of shared depends on it
        for key in sorted(keys, key=lambda k: k != "n_main_units"):
            if key not in point:
                point[key] = default_of(config, key, point)
        points.append({k: point[k] for k in keys})
    return points


def grid_points(config):
    """Every grid point (dict over :func:`swept_keys`), blocks in order, duplicates dropped."""
    points, seen = [], set()
    for block in config.grid or [{}]:
        for point in block_points(config, block):
            marker = tuple(point.items())
            if marker not in seen:
                seen.add(marker)
                points.append(point)
    return points


def teacher_settings(config, point):
    """``(n_main_units, rho per main unit, magnitude)`` of a grid point."""
    units = point.get("n_main_units", config.teacher["n_main_units"])
    shared = point.get("shared", config.teacher.get("shared", units))
    rho = point.get("rho", config.teacher["rho"])
    magnitude = point.get("magnitude", config.teacher["magnitude"])
    return units, [rho] * shared + [0.0] * (units - shared), magnitude


def sigma_of(config, point):
    """The initialisation scale of a grid point."""
    return point.get("sigma", config.network["sigma"])


def _check_points(config, where):
    D, n_aux_units = config.network["D"], config.teacher["n_aux_units"]
    for point in grid_points(config):
        units = point.get("n_main_units", config.teacher["n_main_units"])
        shared = point.get("shared", config.teacher.get("shared", units))
        if units > n_aux_units:
            raise InputError(f"{where}: grid point {point}: n_main_units = {units} exceeds "
                             f"teacher.n_aux_units = {n_aux_units}")
        if shared > units:
            raise InputError(f"{where}: grid point {point}: shared = {shared} exceeds "
                             f"n_main_units = {units}")
        if D < n_aux_units + units:
            raise InputError(f"{where}: grid point {point}: network.D = {D} must be >= "
                             f"n_aux_units + n_main_units = {n_aux_units + units}")


def _check_alpha_range(settings, where):
    if "alpha_min" in settings and settings["alpha_min"] > settings["alpha_max"]:
        raise InputError(f"{where}: alpha_min = {settings['alpha_min']} exceeds "
                         f"alpha_max = {settings['alpha_max']}")


def parse_config(table, *, name, description, quick, seeds):
    """Validate a ReLU experiment table (see the module docstring).

    Returns
    -------
    ReluExperimentConfig

    Raises
    ------
    InputError, InputTypeError
        Naming the bad key or value.
    """
    where = f"experiment {name!r}"
    check_keys(table, TOP_KEYS, where)
    regimes = check_choices(table.get("regimes"), REGIMES, f"{where}: regimes")
    n = check_int_list(table.get("n"), f"{where}: n")
    network = check_section(table.get("network", {}), NETWORK, where, "network")
    teacher = check_section(table.get("teacher", {}), TEACHER, where, "teacher")
    grid = _check_grid(table.get("grid", {}), where)
    train = regime_settings(table.get("train", {}), [r for r in REGIMES if r in regimes or
                                                     r == "stl"],
                            REGIME_KEYS, SETTINGS, where, defaults=TRAIN_DEFAULTS)
    for regime, settings in train.items():
        _check_alpha_range(settings, f"{where}: train.{regime}")
    variants = paired_variants(table.get("variants", {}), regimes, REGIME_KEYS, SETTINGS, where)
    pretrain = {**PRETRAIN_DEFAULTS, **checked_settings(
        table.get("pretrain", {}), PRETRAIN_DEFAULTS, SETTINGS, f"{where}: pretrain")}
    config = ReluExperimentConfig(
        name=name, family="relu", description=description, quick=quick, seeds=seeds,
        regimes=regimes, n=n, network=network, teacher=teacher, grid=grid, variants=variants,
        train=train, pretrain=pretrain)
    _check_points(config, where)
    return config

