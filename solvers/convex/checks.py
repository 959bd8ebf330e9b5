"""Shared input checks, residuals and gap normalisation for the convex programs."""
import numpy as np
import scipy.linalg

from featreuse.errors import InfeasibleError, InputError
from featreuse.validation import as_float_array, check_choice

#: y counts as inside range(X) when its component orthogonal to range(X) is at
#: most this fraction of ||y|| (the same threshold as solvers.reduced_flow).
RANGE_RTOL = 1e-10

BACKENDS = ("cvxpy", "fast")


def check_backend(backend):
    """Check ``backend`` is ``"cvxpy"`` or ``"fast"``."""
    return check_choice(backend, BACKENDS, "backend")


def check_vector(value, name, D):
    """Return ``value`` as a finite float64 vector of length ``D``."""
    arr = as_float_array(value, name, ndim=1)
    if arr.shape[0] != D:
        raise InputError(f"{name} must have {D} entries (one per input coordinate), "
                         f"got {arr.shape[0]}")
    return arr


def relative_residual(X, beta, y):
    """``||X beta - y|| / ||y||`` (absolute when ``y = 0``)."""
    r = np.linalg.norm(X @ beta - y)
    ny = np.linalg.norm(y)
    return float(r / ny) if ny > 0 else float(r)


def relative_gap(primal, dual):
    """Duality gap ``primal - dual`` relative to ``max(|primal|, |dual|)``."""
    scale = max(abs(primal), abs(dual))
    gap = primal - dual
    return float(gap / scale) if scale > 0 else float(abs(gap))


def range_defect(X, y):
    """Relative distance of ``y`` (n,) from range(X): ``||P_perp y|| / ||y||``."""
    ny = np.linalg.norm(y)
    if ny == 0:
        return 0.0
    sol = scipy.linalg.lstsq(X, y, lapack_driver="gelsy")[0]
    return float(np.linalg.norm(X @ sol - y) / ny)


def require_interpolable(X, y, y_name="y", X_name="X"):
    """Raise :class:`InfeasibleError` naming ``y_name`` when ``X beta = y`` has no solution."""
    defect = range_defect(X, y)
    if defect > RANGE_RTOL:
        raise InfeasibleError(
            f"{y_name} is not in the range of {X_name}: no interpolating beta exists "
            f"(relative distance {defect:.3g} > {RANGE_RTOL:g}); use a penalised program "
            f"(lasso, group_lasso) for noisy labels")
