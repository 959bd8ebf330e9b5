"""A certification row: the distance of a trained predictor to the minimiser of its program.

A :class:`Certificate` holds the distance of a trained predictor to the
minimiser of a convex program (or another reference), with both objective
values and the reference solver's own optimality certificate. A row is
*exact* when theory says the distance is zero: it then fails above its
tolerance. Other rows are measurements of a known gap.
"""
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
