"""The task threshold: the number of tasks T from which the learned W spans col(M).

CHS: one task gives W one direction of the r-dimensional col(M), many tasks give
all r. Here "spans" is read off two measures of the summary (``nets.chs.subspace``):
the largest principal angle below :data:`ANGLE_LEVEL` degrees and the coverage
``s_min(WM) / s_max(WM)`` above :data:`COVERAGE_LEVEL`.

* :func:`first_sustained` -- the smallest T of a grid from which on a criterion
  holds at every larger T of the grid (``inf`` when it fails at the largest T);
  for a monotone curve this is the smallest T at which it holds;
* :func:`threshold_table` -- that T per (r, samples) of a sweep, for the seed-mean
  curves and for each seed;
* :func:`task_conditioning` -- ``lambda_min / lambda_max`` of the tasks' second
  moment ``(1/T) sum_t v_t v_t^T`` (r, r), which sets the coverage (docs/chs.md).
"""
import numpy as np
import pandas as pd

from featreuse.errors import InputError

#: largest principal angle (degrees) below which W's top-r row space counts as col(M)
ANGLE_LEVEL = 15.0
#: coverage above which W counts as spanning every direction of col(M)
COVERAGE_LEVEL = 0.5
#: the criteria of :func:`threshold_table`: name -> which measures it reads
CRITERIA = ("angle", "coverage", "both")


def first_sustained(tasks, passes):
    """The smallest T of the grid from which on ``passes`` holds at every larger T.

    Parameters
    ----------
    tasks : array_like (k,)
        Task counts, strictly increasing.
    passes : array_like of bool (..., k)
        Whether the criterion holds at each T (last axis), e.g. one row per seed.

    Returns
    -------
    ndarray of float (...,)
        The threshold T, ``inf`` where the criterion fails at the largest T.
    """
    tasks = np.asarray(tasks, dtype=float)
    passes = np.asarray(passes, dtype=bool)
    if tasks.ndim != 1 or not len(tasks) or np.any(np.diff(tasks) <= 0):
        raise InputError(f"tasks must be a non-empty strictly increasing 1-D list, got {tasks}")
    if passes.shape[-1:] != tasks.shape:
        raise InputError(f"passes must have a last axis of {len(tasks)} (one per T), "
                         f"got shape {passes.shape}")
    # suffix[..., i]: the criterion holds at every T from tasks[i] on
    suffix = np.flip(np.logical_and.accumulate(np.flip(passes, -1), axis=-1), -1)
    return np.where(suffix.any(-1), tasks[np.argmax(suffix, -1)], np.inf)


def criterion(name, angle_deg, coverage, angle_level=ANGLE_LEVEL,
              coverage_level=COVERAGE_LEVEL):
    """Whether each (angle, coverage) passes criterion ``name`` of :data:`CRITERIA`.

    ``angle_deg`` and ``coverage`` are arrays of one shape; NaN never passes.
    """
    if name not in CRITERIA:
        raise InputError(f"name must be one of {CRITERIA}, got {name!r}")
    angle_deg, coverage = np.asarray(angle_deg, float), np.asarray(coverage, float)
    small, wide = angle_deg < angle_level, coverage > coverage_level
    return {"angle": small, "coverage": wide, "both": small & wide}[name]


def measure_grid(df, where):
    """Angle and coverage of the ``mtl`` rows matching ``where``, per seed and T.

    Parameters
    ----------
    df : DataFrame
        A CHS summary (columns ``regime, seed, n, tasks, angle_deg, coverage`` and the
        keys of ``where``).
    where : dict column -> value

    Returns
    -------
    (tasks (k,), seeds (s,), angle (s, k), coverage (s, k))
        NaN where a (seed, T) has no row.
    """
    sel = df[df["regime"] == "mtl"]
    sel = sel[sel["n"] == sel["n"].min()]          # the measures do not depend on n
    for key, value in where.items():
        sel = sel[sel[key] == value]
    if not len(sel):
        raise InputError(f"df has no mtl rows with {where}")
    tables = [sel.pivot_table(index="seed", columns="tasks", values=col, aggfunc="first")
              for col in ("angle_deg", "coverage")]
    angle, coverage = tables[0], tables[1].reindex_like(tables[0])
    return (np.asarray(angle.columns, dtype=float), np.asarray(angle.index),
            angle.to_numpy(float), coverage.to_numpy(float))


def threshold_table(df, keys=("r", "samples"), angle_level=ANGLE_LEVEL,
                    coverage_level=COVERAGE_LEVEL):
    """The task threshold of every (r, samples) of a sweep.

    Parameters
    ----------
    df : DataFrame
        A CHS summary that sweeps ``tasks`` (see :func:`measure_grid`).
    keys : sequence of str
        The columns that tell the curves apart (those absent from ``df`` are skipped).
    angle_level, coverage_level : float

    Returns
    -------
    DataFrame
        One row per curve: the ``keys``; for each criterion c of :data:`CRITERIA`,
        ``T_c`` (threshold of the seed-mean angle and coverage), ``T_c_seeds`` (tuple of
        the per-seed thresholds, in seed order), ``T_c_min``, ``T_c_median``,
        ``T_c_max`` over seeds, and ``passed_c`` (seeds with a finite threshold);
        then ``seeds`` and the largest ``T_grid``. ``inf``: not reached by the largest T.
    """
    keys = [k for k in keys if k in df.columns]
    mtl = df[df["regime"] == "mtl"]
    combos = mtl[keys].drop_duplicates().sort_values(keys) if keys else pd.DataFrame([{}])
    rows = []
    for combo in combos.to_dict("records"):
        tasks, seeds, angle, coverage = measure_grid(df, combo)
        row = dict(combo)
        for name in CRITERIA:
            per_seed = first_sustained(tasks, criterion(name, angle, coverage, angle_level,
                                                        coverage_level))
            mean = first_sustained(tasks, criterion(name, np.nanmean(angle, 0),
                                                    np.nanmean(coverage, 0), angle_level,
                                                    coverage_level))
            row.update({f"T_{name}": float(mean), f"T_{name}_seeds": tuple(per_seed.tolist()),
                        f"T_{name}_min": float(per_seed.min()),
                        f"T_{name}_median": float(np.median(per_seed)),
                        f"T_{name}_max": float(per_seed.max()),
                        f"passed_{name}": int(np.isfinite(per_seed).sum())})
        row.update(seeds=len(seeds), T_grid=float(tasks.max()))
        rows.append(row)
    return pd.DataFrame(rows)


def task_conditioning(seed, tasks, r):
    """``lambda_min / lambda_max`` of the second moment ``(1/T) V^T V`` (r, r) of a seed's tasks.

    Parameters
    ----------
    seed : int
    tasks : int
        T; the seed's first T task directions ``V`` (T, r) (``nets.chs.tasks``: they
        depend on (seed, r) only).
    r : int

    Returns
    -------
    float in [0, 1]
        0 when T < r (the tasks span fewer than r directions).
    """
    from featreuse.nets.chs.tasks import make_chs_tasks
    if tasks < r:
        return 0.0
    V = make_chs_tasks(seed, tasks, M=np.eye(r)).V
    ev = np.linalg.eigvalsh(V.T @ V / tasks)
    return float(max(ev[0], 0.0) / ev[-1])
