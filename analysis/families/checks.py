"""Checks of experiment-file values, shared by the families' config parsers.

Each check returns the value and raises :class:`featreuse.errors.InputError` (bad value)
or :class:`InputTypeError` (bad type) whose message starts with the key's full name.
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
