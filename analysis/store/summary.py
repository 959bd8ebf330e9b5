"""The summary table of a sweep: one row per done run that has a summary row.

Every summary has the base columns ``run_id, experiment, regime, n, seed``, the
family's main error figure (:attr:`Family.metric`), ``wall_s``, then the
family's scalar columns of the experiment (:meth:`Family.columns`) and one column
per swept parameter (:meth:`Family.swept_columns`). A file written before keeps
its stored columns when it is read. The main error figure is computed
from the whole table by :meth:`Family.metric_values` (it may normalise by other
rows, e.g. LL's gen. loss by STL at n = 16), so it is recomputed whenever rows
are added.
"""
import numpy as np
import pandas as pd

BASE = ("run_id", "experiment", "regime", "n", "seed")


def columns(family, config):
    """Ordered summary columns of an experiment."""
    out = list(BASE) + [family.metric, "wall_s"]
    for col in list(family.columns(config)) + list(family.swept_columns(config)):
        if col not in out:
            out.append(col)
    return out


def row(family, config, run_id, params, attrs):
    """The summary row (dict) of one done run; the metric is left NaN."""
    out = {"run_id": run_id, "experiment": config.name, "regime": params["regime"],
           "n": params.get("n"), "seed": params["seed"], family.metric: np.nan,
           "wall_s": attrs.get("wall_s", np.nan)}
    for col in family.columns(config):
        out[col] = attrs.get(col, np.nan)
    out.update(family.swept_values(config, params))
    return out


def is_summary_run(attrs):
    """Whether a committed run belongs in the summary (done, and planned with a row)."""
    return attrs.get("status") == "done" and bool(attrs.get("in_summary", 1))


def merge(df, family, config, entries):
    """``df`` with the summary rows of journal ``entries`` added (replacing same run_ids).

    Returns a DataFrame with the columns of :func:`columns` (and any other column ``df``
    has, e.g. one a file written before stores) and the metric recomputed.
    """
    cols = columns(family, config)
    if df is not None and len(df):
        cols += [c for c in df.columns if c not in cols]
    new = [row(family, config, e.run_id, e.params, e.attrs) for e in entries
           if is_summary_run(e.attrs)]
    replaced = {e.run_id for e in entries}
    parts = []
    if df is not None and len(df):
        parts.append(df[~df["run_id"].isin(replaced)].reindex(columns=cols))
    if new:
        parts.append(pd.DataFrame(new, columns=cols))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("run_id", "experiment", "regime")
                                          else float) for c in cols})
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    return with_metric(out, family, config)


def with_metric(df, family, config):
    """``df`` with its metric column recomputed by the family."""
    df = df.copy()
    if len(df):
        df[family.metric] = np.asarray(family.metric_values(df, config), dtype=float)
    return df
