"""Certification rows: a trained solution measured against what theory says it is.

A :class:`Certificate` is one row of ``featreuse check``: the distance of a
trained predictor to the minimiser of a convex program (or another reference),
with both objective values and the reference solver's own optimality
certificate. A row is *exact* when theory says the distance is zero: it then
fails above its tolerance. Other rows are measurements of a known gap.

Each family builds its rows from :class:`Case` objects
(:meth:`analysis.families.base.Family.certification_cases`); :func:`run_cases`
runs them and :func:`format_table` prints them.
"""
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

#: Relative distance above which an exact row fails (the default tolerance).
EXACT_TOL = 1e-6


@dataclass
class Certificate:
    """Distance of one trained predictor to the minimiser of a convex program.

    Attributes
    ----------
    case : str
        Row label, e.g. ``"stl alpha=1e-03"``.
    method : str
        How the predictor was trained (``"flow"``, ``"gd"``, ``"flow (readout)"``...).
    program : str
        The convex program and backend, e.g. ``"implicit_bias[cvxpy]"``.
    distance : float
        ``||beta_trained - beta_convex|| / ||beta_convex||`` (Frobenius norm for
        multi-task (D, T) predictors); dimensionless.
    penalty_trained, penalty_convex : float
        The program's objective at the trained and at the convex predictor
        (the trained one is feasible only up to the training residual).
    certificate : float
        The convex solver's own optimality certificate (relative KKT residual
        or duality gap, see ``info["certificate_kind"]``).
    wall_s : float
        Seconds spent solving the program (training not included).
    params : dict
        The row's parameters (alpha, s, c, lambda, sizes...).
    exact : bool
        Theory says ``distance = 0``; the row fails above ``tolerance``.
    kind : str
        The family's name for the kind of comparison (e.g. ``"stl"``, ``"mtl_wd"``).
    tolerance : float
        Failure threshold of exact rows.
    info : dict
        Extras: the certificate kind, solver, training residual, ...
    """

    case: str
    method: str
    program: str
    distance: float
    penalty_trained: float
    penalty_convex: float
    certificate: float
    wall_s: float
    params: dict = field(default_factory=dict)
    exact: bool = False
    kind: str = ""
    tolerance: float = EXACT_TOL
    info: dict = field(default_factory=dict)

    @property
    def status(self):
        """``"ok"`` / ``"FAIL"`` for exact rows, ``"measured"`` otherwise."""
        if not self.exact:
            return "measured"
        return "ok" if np.isfinite(self.distance) and self.distance <= self.tolerance else "FAIL"

    @property
    def failed(self):
        """True for an exact row whose distance exceeds its tolerance (or is not finite)."""
        return self.status == "FAIL"

    def __float__(self):
        return float(self.distance)

    def as_dict(self):
        """JSON-ready dict of the row (numpy scalars made plain, arrays dropped)."""
        out = asdict(self)
        out["status"] = self.status
        out["params"] = _plain(self.params)
        out["info"] = _plain(self.info)
        return out


def _plain(d):
    out = {}
    for k, v in d.items():
        if isinstance(v, np.ndarray):
            if v.size > 16:
                continue
            v = v.tolist()
        elif isinstance(v, np.generic):
            v = v.item()
        elif isinstance(v, dict):
            v = _plain(v)
        elif not isinstance(v, (int, float, str, bool, list, type(None))):
            v = str(v)
        out[k] = v
    return out


@dataclass
class Case:
    """One group of rows of the certification table.

    Attributes
    ----------
    name : str
        Group name (e.g. ``"stl"``, ``"mtl_wd"``).
    description : str
        What is compared.
    exact : bool
        Whether the group's rows are exact (fail above :data:`EXACT_TOL`).
    run : callable
        ``run() -> list[Certificate]``: trains and certifies.
    """

    name: str
    description: str
    exact: bool
    run: object


def run_cases(cases, progress=True):
    """Run cases and return their rows (list of Certificate), with a tqdm bar.

    Warnings raised inside a case (e.g. a solver's "may be inaccurate") are not
    printed through the bar: they are kept in each row's ``info["warnings"]``.
    """
    from tqdm.auto import tqdm
    rows = []
    bar = tqdm(cases, desc="certify", unit="case", disable=not progress)
    for case in bar:
        bar.set_postfix_str(case.name)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            new = case.run()
        messages = "; ".join(sorted({str(w.message) for w in caught}))
        for row in new:
            if messages:
                row.info.setdefault("warnings", messages)
        rows.extend(new)
    bar.close()
    return rows


COLUMNS = ("case", "method", "program", "distance", "penalty_trained", "penalty_convex",
           "certificate", "wall_s", "status")


def format_table(rows):
    """Fixed-width text table of certificate rows (one line per row)."""
    def cell(row, col):
        v = getattr(row, col)
        if isinstance(v, float):
            return f"{v:.2f}" if col == "wall_s" else f"{v:.3e}"
        return str(v)

    cells = [[cell(r, c) for c in COLUMNS] for r in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(COLUMNS)]
    out = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(v.ljust(w) for v, w in zip(line, widths)) for line in cells]
    return "\n".join(out)
