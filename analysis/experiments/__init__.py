"""Named experiments: TOML files in this folder, validated into plain config dicts.

A file ``<name>.toml`` holds (see docs/experiments.md for the full schema):

``description``  one line shown by ``featreuse list``;
``methods``      among ``stl, mtl, ptft, ptft_lp, stl_lp``;
``n``            main-task sample sizes; ``seeds`` a count (seeds 0..N-1) or a list;
``[teacher]``    fixed task sizes ``D, k_aux, n_aux, n_test`` (and ``k``/``overlap``
                 when not swept);
``[grid]``       swept teacher parameters (crossed): ``k``, ``overlap`` or
                 ``support`` (``"nested"``: overlap = k, ``"disjoint"``: overlap = 0);
``[train]``      trainer settings for every method, ``[train.<method>]`` overrides;
``[variants.<method>]``  per-method settings swept *paired* (zipped, equal lengths);
``[pretrain]``   settings of the auxiliary-task pretraining shared by PT+FT runs;
``certify``      distance to the matching convex program: false, "fast" or "cvxpy" (true);
``[quick]``      replacements for a small grid (``--quick``): any of ``seeds, n,
                 methods, grid, variants``, and ``teacher`` (merged).

Everything is checked here, before any work: a bad name or value raises
:class:`solvers.errors.InputError` naming it.
"""
import copy
import itertools
import os
import tomllib

from solvers.errors import InputError, InputTypeError

HERE = os.path.dirname(os.path.abspath(__file__))

METHODS = ("stl", "mtl", "ptft", "ptft_lp", "stl_lp")
TOP_KEYS = {"description", "methods", "n", "seeds", "certify", "teacher", "grid", "train",
            "variants", "pretrain", "quick"}
QUICK_KEYS = {"seeds", "n", "methods", "grid", "variants", "teacher"}
TEACHER_KEYS = ("D", "k_aux", "n_aux", "n_test", "k", "overlap")
GRID_KEYS = ("k", "overlap", "support")
SUPPORTS = ("nested", "disjoint")
TRAINER_KEYS = {"method", "lr", "tol", "max_steps", "max_restarts"}
METHOD_KEYS = {
    "stl": TRAINER_KEYS | {"init"},
    "stl_lp": TRAINER_KEYS | {"init"},
    "mtl": TRAINER_KEYS | {"init", "weight_decay", "rtol", "max_time"},
    "ptft": TRAINER_KEYS | {"rescale", "readout_init"},
    "ptft_lp": TRAINER_KEYS | {"rescale", "readout_init"},
}
PRETRAIN_KEYS = TRAINER_KEYS | {"init"}
TEACHER_DEFAULTS = {"D": 1000, "k_aux": 40, "n_aux": 1024, "n_test": 10000}


def _path_of(name):
    if name.endswith(".toml"):
        return name
    return os.path.join(HERE, f"{name}.toml")


def list_experiments():
    """Named experiments and their one-line descriptions.

    Returns
    -------
    dict
        ``{name: description}``, sorted by name.
    """
    out = {}
    for fname in sorted(os.listdir(HERE)):
        if fname.endswith(".toml"):
            with open(os.path.join(HERE, fname), "rb") as f:
                out[fname[:-5]] = tomllib.load(f).get("description", "")
    return out


def _int_list(value, name, low=1):
    if not isinstance(value, list) or not value:
        raise InputError(f"{name} must be a non-empty list of integers, got {value!r}")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int):
            raise InputTypeError(f"{name} must hold integers, got {v!r}")
        if v < low:
            raise InputError(f"{name} values must be >= {low}, got {v}")
    if len(set(value)) != len(value):
        raise InputError(f"{name} has repeated values: {value}")
    return list(value)


def _check_int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputTypeError(f"{name} must be an integer, got {value!r}")
    if value < low:
        raise InputError(f"{name} must be >= {low}, got {value}")
    return value


def _check_setting(key, value, where):
    name = f"{where}.{key}"
    if key == "method":
        if value not in ("flow", "gd"):
            raise InputError(f"{name} must be 'flow' or 'gd', got {value!r}")
    elif key in ("max_steps", "max_restarts"):
        _check_int(value, name, 0 if key == "max_restarts" else 1)
    else:  # positive reals; weight_decay may be 0
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputTypeError(f"{name} must be a number, got {value!r}")
        low_ok = key == "weight_decay"
        if not (value > 0 or (low_ok and value == 0)) or value != value or value == float("inf"):
            raise InputError(f"{name} must be {'>= 0' if low_ok else '> 0'} and finite, got {value}")
    return value


def _check_settings(table, allowed, where):
    if not isinstance(table, dict):
        raise InputTypeError(f"{where} must be a table, got {table!r}")
    for key, value in table.items():
        if key not in allowed:
            raise InputError(f"{where}: unknown setting {key!r} (allowed: {sorted(allowed)})")
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


def _validate(raw, name, quick, seeds):
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise InputError(f"experiment {name!r}: unknown keys {sorted(unknown)}")
    cfg = copy.deepcopy(raw)
    q = cfg.pop("quick", {}) or {}
    if not isinstance(q, dict) or set(q) - QUICK_KEYS:
        raise InputError(f"experiment {name!r}: [quick] may only set {sorted(QUICK_KEYS)}")
    if quick:
        for key, value in q.items():
            cfg[key] = {**cfg.get("teacher", {}), **value} if key == "teacher" else value
    where = f"experiment {name!r}"

    methods = cfg.get("methods")
    if not isinstance(methods, list) or not methods:
        raise InputError(f"{where}: methods must be a non-empty list")
    for m in methods:
        if m not in METHODS:
            raise InputError(f"{where}: unknown method {m!r} (known: {list(METHODS)})")
    if len(set(methods)) != len(methods):
        raise InputError(f"{where}: methods has repeats: {methods}")
    n = _int_list(cfg.get("n"), f"{where}: n")

    if seeds is not None:
        cfg["seeds"] = _check_int(seeds, "seeds", 1)
    s = cfg.get("seeds")
    if isinstance(s, int) and not isinstance(s, bool):
        seed_list = list(range(_check_int(s, f"{where}: seeds", 1)))
    else:
        seed_list = _int_list(s, f"{where}: seeds", low=0)

    teacher = {**TEACHER_DEFAULTS, **cfg.get("teacher", {})}
    for key, value in teacher.items():
        if key not in TEACHER_KEYS:
            raise InputError(f"{where}: unknown teacher key {key!r} (allowed: {list(TEACHER_KEYS)})")
        _check_int(value, f"{where}: teacher.{key}", 0 if key == "overlap" else 1)

    grid = cfg.get("grid", {}) or {}
    if not isinstance(grid, dict):
        raise InputTypeError(f"{where}: [grid] must be a table")
    for key, values in grid.items():
        if key not in GRID_KEYS:
            raise InputError(f"{where}: unknown grid key {key!r} (allowed: {list(GRID_KEYS)})")
        if key == "support":
            if not isinstance(values, list) or not values or any(v not in SUPPORTS for v in values):
                raise InputError(f"{where}: grid.support must be a non-empty list of {list(SUPPORTS)}, "
                                 f"got {values!r}")
        else:
            _int_list(values, f"{where}: grid.{key}", low=0 if key == "overlap" else 1)
        if key in teacher:
            raise InputError(f"{where}: {key!r} is both fixed in [teacher] and swept in [grid]")
    if "support" in grid and ("overlap" in grid or "overlap" in teacher):
        raise InputError(f"{where}: grid.support and overlap both set the overlap: keep one")
    if "k" not in grid and "k" not in teacher:
        raise InputError(f"{where}: the main teacher's k must be set in [teacher] or [grid]")
    from ..tasks import _check_sizes
    for combo in itertools.product(*grid.values()):
        t = teacher_of(teacher, dict(zip(grid, combo)))
        try:
            _check_sizes(t["D"], t["k_aux"], t["k"], t["overlap"])
        except (InputError, InputTypeError) as exc:
            raise InputError(f"{where}: grid point {dict(zip(grid, combo))}: {exc}") from None

    train = cfg.get("train", {}) or {}
    if not isinstance(train, dict):
        raise InputTypeError(f"{where}: [train] must be a table")
    common = {k: v for k, v in train.items() if not isinstance(v, dict)}
    for key in train:
        if isinstance(train[key], dict) and key not in METHODS:
            raise InputError(f"{where}: [train.{key}]: unknown method")
    resolved = {}
    for m in sorted(set(methods) | {"stl"}):
        allowed = METHOD_KEYS[m]
        settings = {k: v for k, v in common.items() if k in allowed}
        for k in common:
            if not any(k in METHOD_KEYS[mm] for mm in METHODS):
                raise InputError(f"{where}: [train]: unknown setting {k!r}")
        settings.update(_check_settings(train.get(m, {}), allowed, f"{where}: train.{m}"))
        _check_settings(settings, allowed, f"{where}: train.{m}")
        resolved[m] = settings

    variants = cfg.get("variants", {}) or {}
    if not isinstance(variants, dict):
        raise InputTypeError(f"{where}: [variants] must be a table")
    for m, table in variants.items():
        if m not in methods:
            raise InputError(f"{where}: [variants.{m}]: {m!r} is not among the methods")
        if not isinstance(table, dict) or not table:
            raise InputError(f"{where}: [variants.{m}] must be a non-empty table of lists")
        lengths = set()
        for key, values in table.items():
            if key not in METHOD_KEYS[m]:
                raise InputError(f"{where}: variants.{m}: unknown setting {key!r} "
                                 f"(allowed: {sorted(METHOD_KEYS[m])})")
            if not isinstance(values, list) or not values:
                raise InputError(f"{where}: variants.{m}.{key} must be a non-empty list")
            for v in values:
                _check_setting(key, v, f"{where}: variants.{m}")
            lengths.add(len(values))
        if len(lengths) != 1:
            raise InputError(f"{where}: variants.{m}: paired lists must have equal lengths, "
                             f"got {sorted(lengths)}")

    pretrain = _check_settings(cfg.get("pretrain", {}) or {}, PRETRAIN_KEYS, f"{where}: pretrain")
    certify = cfg.get("certify", False)
    if certify is True:
        certify = "cvxpy"
    if certify is not False and certify not in ("fast", "cvxpy"):
        raise InputTypeError(
            f"{where}: certify must be false, true (= \"cvxpy\"), \"cvxpy\" or \"fast\", got {certify!r}")
    description = cfg.get("description", "")
    if not isinstance(description, str):
        raise InputTypeError(f"{where}: description must be a string")
    return {
        "name": name, "description": description, "quick": bool(quick), "seeds": seed_list,
        "n": n, "methods": list(methods), "teacher": teacher, "grid": grid,
        "variants": variants, "train": resolved, "pretrain": pretrain, "certify": certify,
    }


def load_experiment(name, quick=False, seeds=None):
    """Load and validate a named experiment (or a path to a ``.toml`` file).

    Parameters
    ----------
    name : str
        A name listed by :func:`list_experiments`, or a path ending in ``.toml``.
    quick : bool
        Use the file's ``[quick]`` grid (small, for CI).
    seeds : int, optional
        Number of seeds (0..seeds-1), replacing the file's.

    Returns
    -------
    dict
        JSON-serialisable config: ``name, description, quick, seeds (list), n,
        methods, teacher, grid, variants, train (settings per method, stl always
        present), pretrain, certify``.

    Raises
    ------
    InputError
        Unknown name, or any invalid key or value (named in the message).
    """
    if not isinstance(name, str) or not name:
        raise InputTypeError(f"experiment name must be a non-empty string, got {name!r}")
    path = _path_of(name)
    if not os.path.isfile(path):
        known = ", ".join(list_experiments())
        raise InputError(f"unknown experiment {name!r} (known: {known}; or give a path to a .toml file)")
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"experiment file {path}: {exc}") from None
    label = name if not name.endswith(".toml") else os.path.basename(name)[:-5]
    return _validate(raw, label, quick, seeds)
