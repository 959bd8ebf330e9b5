"""The outcome of :func:`featreuse.analysis.compare.compare`: a table, curves, the answers, a figure."""
from dataclasses import dataclass, field

import numpy as np

#: columns of :attr:`Comparison.table`, in order
TABLE_COLUMNS = ("method", "wall_s", "compile_s", "calls", "objective", "residual", "distance",
                 "reference", "independent", "exact", "certificate", "converged", "steps",
                 "status")
#: columns of :attr:`Comparison.curves`
CURVE_COLUMNS = ("method", "step", "flow_time", "time", "objective", "distance")


def _row(problem, calls, ref):
    spec = problem.method(calls.name)
    walls = np.asarray(calls.walls, dtype=float)
    wall = float(np.median(walls)) if walls.size else np.nan
    run = calls.run
    row = {"method": calls.name, "wall_s": wall,
           "compile_s": float(walls[0] - wall) if walls.size > 1 else np.nan,
           "calls": int(walls.size), "objective": np.nan, "residual": np.nan,
           "distance": np.nan, "reference": ref.method if ref is not None else "",
           "independent": bool(ref is not None and spec.solver != ref.solver),
           "exact": bool(spec.exact), "certificate": np.nan, "converged": False, "steps": None,
           "status": calls.status}
    if run is None:
        return row
    cert = problem.certificate(run.beta)
    row.update(objective=problem.objective(run.beta), residual=problem.residual(run.beta),
               certificate=cert if np.isfinite(cert) else float(run.certificate),
               converged=bool(run.converged and not run.timed_out), steps=run.steps)
    if ref is not None:
        row["distance"] = problem.distance(run.beta, ref.beta)
    return row


def _curve(problem, name, path, ref):
    rows = []
    for k in range(len(path.flow_time)):
        beta = path.beta[k]
        rows.append({"method": name, "step": float(path.step[k]),
                     "flow_time": float(path.flow_time[k]), "time": float(path.wall_s[k]),
                     "objective": problem.objective(beta),
                     "distance": problem.distance(beta, ref.beta) if ref is not None else np.nan})
    return rows


@dataclass
class Comparison:
    """Methods compared on one problem.

    Attributes
    ----------
    problem : Problem
    table : pandas.DataFrame
        One row per method: ``method``; ``wall_s`` (median seconds of its
        calls); ``compile_s`` (first call minus that median: compilation,
        problem building, caches; NaN after one call); ``calls``;
        ``objective`` (the program's objective at its beta); ``residual``
        (``||X beta - y|| / ||y||``, largest over tasks); ``distance``
        (``||beta - beta_ref|| / ||beta_ref||``, Frobenius); ``reference``
        (the method of the reference minimiser); ``independent`` (False when
        the method rests on the reference's solver, so that agreement
        certifies nothing); ``exact`` (theory makes its answer the
        minimiser); ``certificate`` (``problem.certificate_kind``);
        ``converged``; ``steps``; ``status`` (``"ok"``, ``"failed: ..."`` or
        ``"timeout"``: a timed-out iterative method is scored where it stopped).
    curves : pandas.DataFrame
        Tidy paths of the iterative methods: ``method``, ``step`` (GD step,
        NaN for the flow), ``flow_time`` (``t``; ``lr * step`` for GD),
        ``time`` (seconds into the call, NaN for the flow, whose path is its
        exact trajectory computed apart), ``objective``, ``distance``.
    betas : dict
        Method name -> its beta (D,) or (D, T) (methods that returned one).
    reference : Reference or None
        The reference minimiser (None when it could not be computed:
        ``info["reference_error"]`` says why, and distances are NaN).
    info : dict
        ``options`` (the call's arguments), ``warnings`` (per method),
        ``reference_error``, ``run_info`` (per method: learning rate after
        restarts, solver, ...).
    """

    problem: object
    table: object
    curves: object
    betas: dict
    reference: object
    info: dict = field(default_factory=dict)

    @classmethod
    def build(cls, problem, runs, ref, ref_error, options):
        """Score ``runs`` (one per method) against ``ref`` and assemble the comparison."""
        import pandas as pd
        rows = [_row(problem, calls, ref) for calls in runs]
        table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
        table["steps"] = table["steps"].astype("Int64")
        curve_rows = []
        for calls in runs:
            if calls.run is not None and calls.run.path is not None:
                curve_rows += _curve(problem, calls.name, calls.run.path, ref)
        curves = pd.DataFrame(curve_rows, columns=list(CURVE_COLUMNS))
        curves = curves.astype({c: float for c in CURVE_COLUMNS[1:]})
        betas = {c.name: np.asarray(c.run.beta, dtype=float) for c in runs if c.run is not None}
        info = {"options": options, "reference_error": ref_error,
                "warnings": {c.name: c.warnings for c in runs if c.warnings},
                "run_info": {c.name: dict(c.run.info) for c in runs if c.run is not None}}
        return cls(problem, table, curves, betas, ref, info)

    def plot(self):
        """Distance to the minimiser vs time, log axes, one line per method.

        Returns
        -------
        matplotlib.figure.Figure
            Left: wall-clock seconds (GD paths as lines, every method's answer
            as a marker at its ``wall_s``). Right: training time ``t`` (the
            flow's exact trajectory; GD at ``t = lr * step``).
        """
        from .figure import comparison_figure
        return comparison_figure(self)

    def to_hdf5(self, path):
        """Write the table, curves, betas, reference and provenance to an HDF5 file.

        Returns
        -------
        str
            The path written.
        """
        from .hdf5 import write_comparison
        return write_comparison(self, path)

    def __repr__(self):
        import pandas as pd
        ref = "none" if self.reference is None else self.reference.method
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            return (f"Comparison of {self.problem.name} (reference {ref}):\n"
                    f"{self.table.to_string(index=False)}")
