"""Selections of the claim tests: every one asserts how many rows it found."""
import numpy as np


def select(df, rows, **where):
    """The rows of ``df`` matching ``where`` (column -> value), sorted by seed.

    Raises AssertionError unless exactly ``rows`` rows match, so that an empty (or
    doubled) selection cannot pass a claim vacuously.
    """
    sel = df
    for column, value in where.items():
        assert column in df.columns, column
        sel = sel[sel[column] == value]
    assert len(sel) == rows, (where, len(sel), rows)
    return sel.sort_values("seed")


def per_seed(df, column, seeds, **where):
    """``column`` of the rows matching ``where``, one per seed of ``seeds``, in seed order."""
    sel = select(df, len(seeds), **where)
    assert list(sel["seed"]) == sorted(seeds), where
    return sel[column].to_numpy(float)
