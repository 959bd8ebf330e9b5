"""Per-regime settings: ``[train]`` + ``[train.<regime>]`` overrides, and ``[variants.<regime>]``.

``[train]`` sets every regime's settings, ``[train.<regime>]`` overrides them for one
regime. ``[variants.<regime>]`` tables of equal-length lists are swept *paired*:
``[variants.ptft] rescale = [1.0, 0.1]; readout_init = [1e-3, 1e-4]`` gives two runs
per grid point and n, (s, c) = (1, 1e-3) and (0.1, 1e-4): zipped, not crossed.

The families with these tables (diagonal, relu) check them here, with their own
settings: ``keys`` ``{regime: allowed setting names}`` and ``checks`` ``{setting:
check(value, name)}`` (:mod:`.checks`), so that one mistake gets one message.
"""
import math

from featreuse.errors import InputError

from .checks import check_keys, check_table


def paired(table):
    """The variants of one regime: a list of ``{setting: value}`` (``[{}]`` without variants)."""
    return [dict(zip(table, values)) for values in zip(*table.values())] or [{}]


def swept_or_fixed(columns, params, fixed):
    """``{column: value}`` of one run: its swept value, else the regime's fixed setting, else NaN.

    Parameters
    ----------
    columns : list of str
        Swept columns of the experiment (grid and variant keys).
    params : dict
        The run's params.
    fixed : dict
        The run's regime's fixed settings (``[train.<regime>]``).
    """
    return {c: params[c] if c in params else fixed.get(c, math.nan) for c in columns}


def variant_columns(keys, variants):
    """Swept summary columns: the grid ``keys``, then every variant setting not among them."""
    cols = list(keys)
    for table in variants.values():
        cols += [k for k in table if k not in cols]
    return cols


def checked_settings(table, allowed, checks, where):
    """A table of settings: a table, known keys only, every value checked; a new dict."""
    check_table(table, where)
    check_keys(table, allowed, where)
    return {key: checks[key](value, f"{where}.{key}") for key, value in table.items()}


def regime_settings(train, regimes, keys, checks, where, defaults=None):
    """The settings of each regime: ``defaults``, then ``[train]``, then ``[train.<regime>]``.

    Parameters
    ----------
    train : dict
        The ``[train]`` table (settings and per-regime tables).
    regimes : list of str
        The regimes to resolve, in order.
    keys : dict regime -> tuple of str
        The settings each known regime takes (a setting of ``[train]`` that a regime does
        not take is left out of that regime's settings).
    checks : dict setting -> check(value, name)
    where : str
    defaults : dict, optional
        Settings below ``[train]``.

    Returns
    -------
    dict regime -> dict
    """
    check_table(train, f"{where}: [train]")
    known = set().union(*keys.values())
    common = {}
    for key, value in train.items():
        if isinstance(value, dict):
            if key not in keys:
                raise InputError(f"{where}: [train.{key}]: unknown regime (known: {list(keys)})")
        elif key not in known:
            raise InputError(f"{where}: [train]: unknown setting {key!r} "
                             f"(allowed: {sorted(known)})")
        else:
            common[key] = checks[key](value, f"{where}: train.{key}")
    resolved = {}
    for regime in regimes:
        allowed = keys[regime]
        own = checked_settings(train.get(regime, {}), allowed, checks, f"{where}: train.{regime}")
        resolved[regime] = {k: v for k, v in {**(defaults or {}), **common, **own}.items()
                            if k in allowed}
    return resolved


def paired_variants(variants, regimes, keys, checks, where):
    """The ``[variants.<regime>]`` tables checked: ``{regime: {setting: [values]}}``.

    Each is a non-empty table of non-empty lists of equal lengths, of settings its regime
    takes, without a repeated combination, for a regime of the experiment other than
    ``stl`` (STL at n = 16 is the gen. loss baseline: one run per seed and grid point).
    """
    check_table(variants, f"{where}: [variants]")
    out = {}
    for regime, table in variants.items():
        if regime not in regimes:
            raise InputError(f"{where}: [variants.{regime}]: {regime!r} is not among the regimes")
        if regime == "stl":
            raise InputError(f"{where}: [variants.stl]: STL at n = 16 is the gen. loss baseline "
                             "and must be one run per seed and grid point")
        if not isinstance(table, dict) or not table:
            raise InputError(f"{where}: [variants.{regime}] must be a non-empty table of lists")
        check_keys(table, keys[regime], f"{where}: variants.{regime}")
        lengths = set()
        out[regime] = {}
        for key, values in table.items():
            name = f"{where}: variants.{regime}.{key}"
            if not isinstance(values, list) or not values:
                raise InputError(f"{name} must be a non-empty list")
            out[regime][key] = [checks[key](v, f"{name} entries") for v in values]
            lengths.add(len(values))
        if len(lengths) != 1:
            raise InputError(f"{where}: variants.{regime}: paired lists must have equal lengths, "
                             f"got {sorted(lengths)}")
        combos = list(zip(*out[regime].values()))
        if len(set(combos)) != len(combos):
            raise InputError(f"{where}: variants.{regime} has repeated settings")
    return out
