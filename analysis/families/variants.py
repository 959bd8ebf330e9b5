"""Per-regime settings swept *paired*: ``[variants.<regime>]`` tables of equal-length lists.

``[variants.ptft] rescale = [1.0, 0.1]; readout_init = [1e-3, 1e-4]`` gives two
runs per grid point and n, (s, c) = (1, 1e-3) and (0.1, 1e-4): zipped, not crossed.
"""
import math


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
