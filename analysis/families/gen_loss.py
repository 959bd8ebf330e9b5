"""LL's generalisation loss: test MSE over the test MSE of STL at n = 16 of the same seed and teacher.

Used by the families that reproduce LL's teacher-student figures (diagonal, relu).
"""
#: the baseline: STL at this n, same seed and grid point
BASELINE_N = 16
#: the summary column and its axis label
METRIC = "gen_loss"
LABEL = "gen. loss (test MSE / STL's at n = 16)"


def gen_loss(df, keys, baseline_n=BASELINE_N):
    """``test_mse`` of every summary row over its baseline's ``test_mse``.

    Parameters
    ----------
    df : pandas.DataFrame
        A summary with ``regime``, ``n``, ``test_mse`` and the ``keys`` columns.
    keys : list of str
        Columns a row shares with its baseline (``seed`` and the grid keys).
    baseline_n : int

    Returns
    -------
    ndarray of float
        NaN where the baseline is missing, or ambiguous (several STL rows at
        ``baseline_n`` for one key, e.g. when STL has variants).
    """
    base = df[(df["regime"] == "stl") & (df["n"] == baseline_n)]
    groups = base.groupby(keys)["test_mse"]
    base = groups.first().where(groups.size() == 1).rename("_baseline")
    merged = df[keys].join(base, on=keys)
    return (df["test_mse"] / merged["_baseline"]).to_numpy(dtype=float)
