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
from ..checks import (OPTIONAL, check_choices, check_int_list, check_keys, check_section,
                      check_table, integer, number, one_of)
from ..variants import checked_settings, paired_variants, regime_settings
from .tasks import check_sizes

REGIMES = ("stl", "mtl", "ptft", "ptft_lp", "stl_lp")
TOP_KEYS = ("regimes", "n", "certify", "teacher", "grid", "train", "variants", "pretrain")
#: [teacher]: key -> (default, check); ``k`` and ``overlap`` unless swept
TEACHER = {"D": (1000, integer(1)), "k_aux": (40, integer(1)), "n_aux": (1024, integer(1)),
           "n_test": (10000, integer(1)), "k": (OPTIONAL, integer(1)),
           "overlap": (OPTIONAL, integer(0))}
GRID_KEYS = ("k", "overlap", "support")
SUPPORTS = ("nested", "disjoint")
TRAINERS = ("flow", "gd")
#: trainer settings ([train], [train.<regime>], [variants.<regime>], [pretrain]): their
#: checks (values kept as written; the trainers' own defaults apply to unset ones)
SETTINGS = {"method": one_of(TRAINERS, " (the trainer)"), "lr": number(), "tol": number(),
            "max_steps": integer(1), "max_restarts": integer(0), "init": number(),
            "weight_decay": number(low_inclusive=True), "rtol": number(),
            "max_time": number(), "rescale": number(), "readout_init": number()}
TRAINER_KEYS = ("method", "lr", "tol", "max_steps", "max_restarts")
#: the settings each regime takes
REGIME_KEYS = {
    "stl": TRAINER_KEYS + ("init",),
    "mtl": TRAINER_KEYS + ("init", "weight_decay", "rtol", "max_time"),
    "ptft": TRAINER_KEYS + ("rescale", "readout_init"),
    "ptft_lp": TRAINER_KEYS + ("rescale", "readout_init"),
    "stl_lp": TRAINER_KEYS + ("init",),
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


def parse_config(table, *, name, description, quick, seeds):
    """Validate a diagonal experiment table (see the module docstring); a :class:`DiagonalConfig`."""
    where = f"experiment {name!r}"
    check_keys(table, TOP_KEYS, where)
    if "methods" in table:  # the trainer is `method`; the regimes are `regimes`
        raise InputError(f"{where}: 'methods' is now 'regimes'")
    regimes = check_choices(table.get("regimes"), REGIMES, f"{where}: regimes")
    n = check_int_list(table.get("n"), f"{where}: n")
    teacher = check_section(table.get("teacher", {}), TEACHER, where, "teacher")
    grid = table.get("grid", {})
    _check_grid(grid, teacher, where)
    train = regime_settings(table.get("train", {}), sorted(set(regimes) | {"stl"}), REGIME_KEYS,
                            SETTINGS, where)
    variants = paired_variants(table.get("variants", {}), regimes, REGIME_KEYS, SETTINGS, where)
    pretrain = checked_settings(table.get("pretrain", {}), PRETRAIN_KEYS, SETTINGS,
                                f"{where}: pretrain")
    certify = table.get("certify", False)
    if certify is True:
        certify = "cvxpy"
    if certify not in CERTIFY or isinstance(certify, int) and certify is not False:
        raise InputTypeError(f"{where}: certify must be false, true (= \"cvxpy\"), \"cvxpy\" or "
                             f"\"fast\", got {certify!r}")
    return DiagonalConfig(name=name, family="diagonal", description=description, quick=quick,
                          seeds=seeds, regimes=regimes, n=n, teacher=teacher, grid=grid,
                          variants=variants, train=train, pretrain=pretrain, certify=certify)
