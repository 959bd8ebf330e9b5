"""Checks of experiment-file values, shared by the families' config parsers.

Each check returns the value and raises :class:`featreuse.errors.InputError` (bad value)
or :class:`InputTypeError` (bad type) whose message starts with the key's full name.
A section of keys is declared once, as a table of defaults and checks, and checked by
:func:`check_section` (see "declarative sections" below).
"""
import math

from featreuse.errors import InputError, InputTypeError


def check_int(value, name, low=None):
    """An integer (not a bool), optionally ``>= low``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputTypeError(f"{name} must be an integer, got {value!r}")
    if low is not None and value < low:
        raise InputError(f"{name} must be >= {low}, got {value}")
    return value


def check_number(value, name, low=0.0, low_inclusive=False):
    """A finite real number ``> low`` (or ``>= low``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputTypeError(f"{name} must be a number, got {value!r}")
    ok = value >= low if low_inclusive else value > low
    if not math.isfinite(value) or not ok:
        raise InputError(f"{name} must be {'>=' if low_inclusive else '>'} {low:g} and finite, "
                         f"got {value}")
    return value


def check_int_list(value, name, low=1):
    """A non-empty list of distinct integers ``>= low``."""
    if not isinstance(value, list) or not value:
        raise InputError(f"{name} must be a non-empty list of integers, got {value!r}")
    for v in value:
        check_int(v, f"{name} entries", low)
    if len(set(value)) != len(value):
        raise InputError(f"{name} has repeated values: {value}")
    return list(value)


def check_table(value, name):
    """A TOML table (dict)."""
    if not isinstance(value, dict):
        raise InputTypeError(f"{name} must be a table, got {value!r}")
    return value


def check_keys(table, allowed, name):
    """Every key of ``table`` is in ``allowed`` (the message names every unknown key)."""
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise InputError(f"{name}: unknown key{'s' if len(unknown) > 1 else ''} "
                         f"{', '.join(repr(k) for k in unknown)} (allowed: {sorted(allowed)})")
    return table


def with_defaults(table, defaults, name, allowed=None):
    """A table with known keys only (``allowed``, default: those of ``defaults``), defaults filled."""
    check_table(table, name)
    check_keys(table, defaults if allowed is None else allowed, name)
    return {**defaults, **table}


def check_bool(value, name):
    """true or false (not a number)."""
    if not isinstance(value, bool):
        raise InputTypeError(f"{name} must be true or false, got {value!r}")
    return value


def check_choices(value, choices, name):
    """A non-empty list of distinct entries of ``choices``."""
    if not isinstance(value, list) or not value:
        raise InputError(f"{name} must be a non-empty list, got {value!r}")
    for v in value:
        if v not in choices:
            raise InputError(f"{name}: unknown entry {v!r} (known: {list(choices)})")
    if len(set(value)) != len(value):
        raise InputError(f"{name} has repeats: {value}")
    return list(value)


def check_seeds(value, name):
    """A count (seeds ``0..N-1``) or a list of distinct integers ``>= 0``; returns the list."""
    if isinstance(value, int) and not isinstance(value, bool):
        return list(range(check_int(value, name, 1)))
    return check_int_list(value, name, low=0)


# ---------------------------------------------------------------- declarative sections
# A section of an experiment file (``[train]``, ``[probe]``, ...) is declared once, as a
# table ``{key: (default, check)}``: ``check(value, name)`` is check_bool or one of the
# checks below, built on the functions above (so the messages are theirs), and returns
# the value to keep. A number keeps its type unless the check says ``as_float`` (run ids
# hash the params: ``1`` and ``1.0`` are different runs).

#: default of a key that has none: the key is absent unless the file sets it
OPTIONAL = object()


def integer(low=None):
    """Check: an integer ``>= low`` (:func:`check_int`), kept an int."""
    def check(value, name):
        return check_int(value, name, low)
    return check


def number(low=0.0, low_inclusive=False, high=None, high_inclusive=True, as_float=False):
    """Check: a finite number ``> low`` (or ``>= low``; :func:`check_number`), at most ``high``.

    Above ``high`` (or at it, unless ``high_inclusive``) the message gives the interval.
    ``as_float``: the value is kept as a float (else as given, int or float).
    """
    def check(value, name):
        check_number(value, name, low=low, low_inclusive=low_inclusive)
        if high is not None and (value > high or value == high and not high_inclusive):
            raise InputError(f"{name} must be in {'[' if low_inclusive else '('}{low:g}, "
                             f"{high:g}{']' if high_inclusive else ')'}, got {value}")
        return float(value) if as_float else value
    return check


def one_of(choices, note=""):
    """Check: one of ``choices`` (``note`` follows the list in the message)."""
    def check(value, name):
        if value not in choices:
            raise InputError(f"{name} must be one of {list(choices)}{note}, got {value!r}")
        return value
    return check


def defaults_of(fields):
    """``{key: default}`` of a section's fields (keys without a default left out)."""
    return {key: default for key, (default, _) in fields.items() if default is not OPTIONAL}


def check_section(table, fields, where, section):
    """``[section]`` of an experiment: known keys only, defaults filled, every value checked.

    Parameters
    ----------
    table : dict
        The section as read (a non-table raises InputTypeError).
    fields : dict key -> (default or OPTIONAL, check)
    where : str
        The experiment (``"experiment 'name'"``); messages name ``[section]`` or
        ``section.key``.
    section : str

    Returns
    -------
    dict
        The checked values, the defaults' keys first (in ``fields`` order).
    """
    out = with_defaults(table, defaults_of(fields), f"{where}: [{section}]", allowed=fields)
    return {key: fields[key][1](value, f"{where}: {section}.{key}") for key, value in out.items()}
