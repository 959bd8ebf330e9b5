"""Experiment schema of the diagonal family: the config dataclass and its validation.

Keys of a diagonal experiment file (besides ``family``, ``description``, ``seeds``
and ``[quick]``; docs/experiments.md has an example):

``regimes``     among ``stl, mtl, ptft, ptft_lp, stl_lp`` (:data:`REGIMES`);
``n``           main-task sample sizes;
``certify``     distance to the matching convex program per run: false, "fast" or "cvxpy" (true);
``[teacher]``   fixed task sizes ``D, k_aux, n_aux, n_test`` (and ``k``/``overlap`` when not swept);
``[grid]``      swept teacher parameters (crossed): ``k``, ``overlap`` or ``support``
                (``"nested"``: overlap = k, ``"disjoint"``: overlap = 0);
``[train]``     trainer settings of every regime, ``[train.<regime>]`` overrides;
                the trainer itself is ``method`` (``"flow"`` or ``"gd"``);
``[variants.<regime>]``  per-regime settings swept *paired* (zipped, equal lengths);
``[pretrain]``  trainer settings of the auxiliary-task pretraining shared by PT+FT runs.
"""
import itertools
from dataclasses import dataclass

from featreuse.errors import InputError, InputTypeError

from ..base import ExperimentConfig
from ..checks import (check_choices, check_int, check_int_list, check_keys, check_number,
                      check_table)
from .tasks import check_sizes

REGIMES = ("stl", "mtl", "ptft", "ptft_lp", "stl_lp")
TOP_KEYS = ("regimes", "n", "certify", "teacher", "grid", "train", "variants", "pretrain")
TEACHER_KEYS = ("D", "k_aux", "n_aux", "n_test", "k", "overlap")
TEACHER_DEFAULTS = {"D": 1000, "k_aux": 40, "n_aux": 1024, "n_test": 10000}
GRID_KEYS = ("k", "overlap", "support")
SUPPORTS = ("nested", "disjoint")
TRAINERS = ("flow", "gd")
TRAINER_KEYS = ("method", "lr", "tol", "max_steps", "max_restarts")
REGIME_KEYS = {
    "stl": TRAINER_KEYS + ("init",),
    "stl_lp": TRAINER_KEYS + ("init",),
    "mtl": TRAINER_KEYS + ("init", "weight_decay", "rtol", "max_time"),
    "ptft": TRAINER_KEYS + ("rescale", "readout_init"),
    "ptft_lp": TRAINER_KEYS + ("rescale", "readout_init"),
}
PRETRAIN_KEYS = TRAINER_KEYS + ("init",)
CERTIFY = (False, "fast", "cvxpy")


@dataclass
class DiagonalConfig(ExperimentConfig):
    """A validated diagonal-network experiment.

    Attributes
    ----------
    regimes : list of str
        Among :data:`REGIMES`.
    n : list of int
        Main-task training sample sizes.
    teacher : dict
        Fixed teacher sizes ``D, k_aux, n_aux, n_test`` (and ``k``, ``overlap`` when fixed).
    grid : dict
        Swept teacher parameters (crossed), e.g. ``{"overlap": [40, 0]}``.
    variants : dict
        ``{regime: {setting: [values]}}`` swept paired.
    train : dict
        Trainer settings per regime (``stl`` always present: the gen. loss baseline).
    pretrain : dict
        Trainer settings of the auxiliary-task pretraining.
    certify : False or str
        ``"fast"`` or ``"cvxpy"``: record each run's distance to its convex program.
    """

    regimes: list
    n: list
    teacher: dict
    grid: dict
    variants: dict
    train: dict
    pretrain: dict
    certify: object


def _check_setting(key, value, where):
    name = f"{where}.{key}"
    if key == "method":
        if value not in TRAINERS:
            raise InputError(f"{name} must be one of {list(TRAINERS)} (the trainer), got {value!r}")
    elif key in ("max_steps", "max_restarts"):
        check_int(value, name, 0 if key == "max_restarts" else 1)
    else:
        check_number(value, name, low=0.0, low_inclusive=key == "weight_decay")
    return value


def _check_settings(table, allowed, where):
    check_table(table, where)
    check_keys(table, allowed, where)
    for key, value in table.items():
        _check_setting(key, value, where)
    return dict(table)


def teacher_of(teacher, values):
    """Resolve a teacher (``D, k_aux, n_aux, n_test, k, overlap``) for one grid point.

    Parameters
    ----------
    teacher : dict
        The experiment's fixed ``[teacher]`` table.
    values : dict
        Grid values of this point (``k``, ``overlap`` or ``support``).
    """
    t = {**teacher, **{k: v for k, v in values.items() if k != "support"}}
    if "support" in values:
        t["overlap"] = t["k"] if values["support"] == "nested" else 0
    t.setdefault("overlap", min(t.get("k", 0), t["k_aux"]))
    return t


def _check_grid(grid, teacher, where):
    check_table(grid, f"{where}: [grid]")
    for key, values in grid.items():
        if key not in GRID_KEYS:
            raise InputError(f"{where}: unknown grid key {key!r} (allowed: {list(GRID_KEYS)})")
        if key == "support":
            check_choices(values, SUPPORTS, f"{where}: grid.support")
        else:
            check_int_list(values, f"{where}: grid.{key}", low=0 if key == "overlap" else 1)
        if key in teacher:
            raise InputError(f"{where}: {key!r} is both fixed in [teacher] and swept in [grid]")
    if "support" in grid and ("overlap" in grid or "overlap" in teacher):
        raise InputError(f"{where}: grid.support and overlap both set the overlap: keep one")
    if "k" not in grid and "k" not in teacher:
        raise InputError(f"{where}: the main teacher's k must be set in [teacher] or [grid]")
    for combo in itertools.product(*grid.values()):
        point = dict(zip(grid, combo))
        t = teacher_of(teacher, point)
        try:
            check_sizes(t["D"], t["k_aux"], t["k"], t["overlap"])
        except (InputError, InputTypeError) as exc:
            raise InputError(f"{where}: grid point {point}: {exc}") from None


def _check_train(train, regimes, where):
    check_table(train, f"{where}: [train]")
    common = {k: v for k, v in train.items() if not isinstance(v, dict)}
    known = set().union(*REGIME_KEYS.values())
    for key, value in train.items():
        if isinstance(value, dict) and key not in REGIMES:
            raise InputError(f"{where}: [train.{key}]: unknown regime (known: {list(REGIMES)})")
        if not isinstance(value, dict) and key not in known:
            raise InputError(f"{where}: [train]: unknown setting {key!r} (allowed: {sorted(known)})")
    resolved = {}
    for regime in sorted(set(regimes) | {"stl"}):
        allowed = REGIME_KEYS[regime]
        settings = {k: v for k, v in common.items() if k in allowed}
        settings.update(_check_settings(train.get(regime, {}), allowed,
                                        f"{where}: train.{regime}"))
        resolved[regime] = _check_settings(settings, allowed, f"{where}: train.{regime}")
    return resolved


def _check_variants(variants, regimes, where):
    check_table(variants, f"{where}: [variants]")
    for regime, table in variants.items():
        if regime not in regimes:
            raise InputError(f"{where}: [variants.{regime}]: {regime!r} is not among the regimes")
        if not isinstance(table, dict) or not table:
            raise InputError(f"{where}: [variants.{regime}] must be a non-empty table of lists")
        lengths = set()
        for key, values in table.items():
            if key not in REGIME_KEYS[regime]:
                raise InputError(f"{where}: variants.{regime}: unknown setting {key!r} "
                                 f"(allowed: {sorted(REGIME_KEYS[regime])})")
            if not isinstance(values, list) or not values:
                raise InputError(f"{where}: variants.{regime}.{key} must be a non-empty list")
            for v in values:
                _check_setting(key, v, f"{where}: variants.{regime}")
            lengths.add(len(values))
        if len(lengths) != 1:
            raise InputError(f"{where}: variants.{regime}: paired lists must have equal lengths, "
                             f"got {sorted(lengths)}")
    return variants


def parse_config(table, *, name, description, quick, seeds):
    """Validate a diagonal experiment table (see the module docstring); a :class:`DiagonalConfig`."""
    where = f"experiment {name!r}"
    check_keys(table, TOP_KEYS, where)
    if "methods" in table:  # the trainer is `method`; the regimes are `regimes`
        raise InputError(f"{where}: 'methods' is now 'regimes'")
    regimes = check_choices(table.get("regimes"), REGIMES, f"{where}: regimes")
    n = check_int_list(table.get("n"), f"{where}: n")
    teacher = {**TEACHER_DEFAULTS, **check_table(table.get("teacher", {}), f"{where}: [teacher]")}
    check_keys(teacher, TEACHER_KEYS, f"{where}: [teacher]")
    for key, value in teacher.items():
        check_int(value, f"{where}: teacher.{key}", 0 if key == "overlap" else 1)
    grid = table.get("grid", {})
    _check_grid(grid, teacher, where)
    train = _check_train(table.get("train", {}), regimes, where)
    variants = _check_variants(table.get("variants", {}), regimes, where)
    pretrain = _check_settings(table.get("pretrain", {}), PRETRAIN_KEYS, f"{where}: pretrain")
    certify = table.get("certify", False)
    if certify is True:
        certify = "cvxpy"
    if certify not in CERTIFY or isinstance(certify, int) and certify is not False:
        raise InputTypeError(f"{where}: certify must be false, true (= \"cvxpy\"), \"cvxpy\" or "
                             f"\"fast\", got {certify!r}")
    return DiagonalConfig(name=name, family="diagonal", description=description, quick=quick,
                          seeds=seeds, regimes=regimes, n=n, teacher=teacher, grid=grid,
                          variants=variants, train=train, pretrain=pretrain, certify=certify)
