"""The exact single-task gradient flow of a diagonal network, in n dimensions.

Along the flow of ``L = (1/n)||X beta - y||^2`` from an init with flow
constants A, B (see :mod:`featreuse.solvers.diagonal`),

    beta(t) = A exp(z) - B exp(-z),   z = (4/n) X^T p,   dp/dt = y - X beta(p),

which is gradient descent on the convex function
``F(p) = (n/4) sum_d (A_d e^{z_d} + B_d e^{-z_d}) - y^T p`` (docs/theory.md).
Only the component of p in the row space of X moves beta, so we work in the
coordinates of an orthonormal basis V (D, r) of the row space, ``X = M V^T``,
``u = (4/n) M^T p``:

    z = V u,   Phi(u) = sum_d (A_d e^{z_d} + B_d e^{-z_d}) - b^T u,   b = M^+ y,

with ``grad Phi = V^T beta - b``, ``hess Phi = V^T diag(A e^z + B e^-z) V`` and
``du/dt = (4/n) M^T M (b - V^T beta(u))``. The flow's end minimises Phi. When y
has a component outside range(X), that component only makes p grow linearly
and never moves beta: the flow then ends at a least-squares solution, which is
the minimiser of Phi all the same. A and B enter only as ``log A``, ``log B``
(``-inf`` where a coordinate has A = 0 or B = 0), so nothing overflows before
beta itself would.
"""
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.linalg.blas
from numba import njit
from scipy.integrate import solve_ivp

from featreuse.errors import InfeasibleError, SolverError

from .newton_direction import newton_direction, weighted_gram


@dataclass
class RowSpace:
    """An orthonormal basis of the row space of X and y in its coordinates.

    ``X = M V^T`` with V (D, r) orthonormal columns spanning the row space and
    M (n, r) of full column rank; ``b = M^+ y`` (r,) are the coordinates of the
    least-squares predictor (``V b`` is the min-norm least-squares beta);
    ``G = M^T M`` (r, r); ``y_out`` is the norm of the part of y outside
    range(X); ``n`` the sample count; ``gram_factor`` the lower Cholesky factor of
    ``X X^T`` (n, n) when the basis came from it (:func:`gram_cholesky`), else None.
    """

    M: np.ndarray
    V: np.ndarray
    b: np.ndarray
    G: np.ndarray
    y_out: float
    y_norm: float
    n: int
    gram_factor: np.ndarray = None

    @property
    def rank(self):
        return self.V.shape[1]

    @property
    def full_column_rank(self):
        return self.V.shape[0] == self.V.shape[1]


def row_space(X, y):
    """Row-space basis of X (n, D) with y's coordinates.

    For n <= D and a well-conditioned X the basis comes from the Cholesky
    factor of ``X X^T = L L^T``: ``V = X^T L^{-T}``, ``M = L`` (O(n^2 D), no SVD).
    Otherwise a thin SVD truncated at the numerical rank: ``M = U S``.
    """
    n, D = X.shape
    if n <= D:
        basis = _cholesky_row_space(X, y)
        if basis is not None:
            return basis
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    if S[0] == 0:
        raise InfeasibleError("X is zero: no direction of beta changes the predictions")
    r = int(np.sum(S > S[0] * max(n, D) * np.finfo(float).eps))
    U, S, V = U[:, :r], S[:r], Vt[:r].T.copy()
    Uy = U.T @ y
    y_out = float(np.linalg.norm(y - U @ Uy))
    return RowSpace(U * S, V, Uy / S, np.diag(S ** 2), y_out, float(np.linalg.norm(y)), n)


def gram_cholesky(X):
    """Lower Cholesky factor L (n, n) of ``X X^T`` for X (n, D); None unless X is well conditioned.

    The Gram matrix squares the condition number of X, so the factor is only
    returned when ``cond(X) <~ 1e3`` (judged from the factor's diagonal).
    """
    try:
        gram = scipy.linalg.blas.dsyrk(1.0, X, trans=0, lower=1)  # X X^T, lower triangle
        L = scipy.linalg.cholesky(gram, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    diag = np.diag(L)
    if diag.min() <= 1e-3 * diag.max():
        return None
    return L


def _cholesky_row_space(X, y):
    """Basis from the Cholesky factor of X X^T (:func:`gram_cholesky`); None when it is None."""
    L = gram_cholesky(X)
    if L is None:
        return None
    V = scipy.linalg.solve_triangular(L, X, lower=True, check_finite=False).T  # X^T L^{-T}
    b = scipy.linalg.solve_triangular(L, y, lower=True, check_finite=False)
    return RowSpace(L, V, b, L.T @ L, 0.0, float(np.linalg.norm(y)), X.shape[0], gram_factor=L)


@dataclass
class FlowEnd:
    """End of the single-task flow (t -> infinity).

    beta (D,); z (D,) the dual point with ``beta = A e^z - B e^-z``; iterations
    (Newton); residual ``||X beta - P y|| / ||P y||`` with P the projection on
    range(X); interpolates (y lies in range(X)); converged (residual <= tol);
    row_space the :class:`RowSpace` the end was computed in (None when X has full
    column rank and the normal equations gave it).
    """

    beta: np.ndarray
    z: np.ndarray
    iterations: int
    residual: float
    interpolates: bool
    converged: bool
    row_space: RowSpace = None


def beta_of_z(z, log_A, log_B):
    """``beta = A e^z - B e^-z`` and the curvature ``h = A e^z + B e^-z``, both (D,).

    Where A, B > 0 this is ``2 kappa sinh(x)``, ``2 kappa cosh(x)`` with
    ``kappa = sqrt(AB)`` and ``x = z + ln(A/B)/2``, evaluated as
    ``sign(x) e^{ln kappa + |x|} (1 - e^{-2|x|})`` so that neither the
    cancellation of ``A e^z - B e^-z`` (large A = B) nor an overflow of
    ``sinh`` (tiny kappa, large x) loses digits.
    """
    z = np.asarray(z, dtype=float)
    beta, h = np.empty_like(z), np.empty_like(z)
    _beta_h(z, log_A, log_B, beta, h)
    return beta, h


@njit(cache=True)
def _beta_h(z, log_A, log_B, beta, h):
    """Kernel of :func:`beta_of_z` (one pass, per-coordinate branch on A, B > 0)."""
    for d in range(z.size):
        la, lb = log_A[d], log_B[d]
        if la > -np.inf and lb > -np.inf:
            x = z[d] + 0.5 * (la - lb)
            ax = abs(x)
            big = np.exp(0.5 * (la + lb) + ax)
            beta[d] = np.sign(x) * big * -np.expm1(-2.0 * ax)
            h[d] = big * (1.0 + np.exp(-2.0 * ax))
        elif la > -np.inf:
            e = np.exp(la + z[d])
            beta[d], h[d] = e, e
        elif lb > -np.inf:
            e = np.exp(lb - z[d])
            beta[d], h[d] = -e, e
        else:
            beta[d], h[d] = 0.0, 0.0


def phi_increment(z, dz, log_A, log_B):
    """``sum_d [A e^z (e^dz - 1) + B e^-z (e^-dz - 1)]`` without cancellation.

    On two-sided coordinates the term is ``4 kappa sinh(x + dz/2) sinh(dz/2)``.
    """
    return float(_phi_increment(np.asarray(z, dtype=float), np.asarray(dz, dtype=float),
                                log_A, log_B))


@njit(cache=True)
def _phi_increment(z, dz, log_A, log_B):
    """Kernel of :func:`phi_increment`; ``inf`` or ``nan`` where a term overflows."""
    total = 0.0
    for d in range(z.size):
        la, lb = log_A[d], log_B[d]
        if la > -np.inf and lb > -np.inf:
            a = z[d] + 0.5 * (la - lb) + 0.5 * dz[d]
            aa = abs(a)
            total += (np.sign(a) * 2.0 * np.exp(0.5 * (la + lb) + aa) * -np.expm1(-2.0 * aa)
                      * np.sinh(0.5 * dz[d]))
        elif la > -np.inf:
            total += np.exp(la + z[d]) * np.expm1(dz[d])
        elif lb > -np.inf:
            total += np.exp(lb - z[d]) * np.expm1(-dz[d])
    return total


def relative_residual(rs, beta):
    """``||X beta - P y|| / ||P y||`` in row-space coordinates."""
    Py = rs.M @ rs.b
    return float(np.linalg.norm(rs.M @ (rs.V.T @ beta) - Py) / max(np.linalg.norm(Py), 1e-300))


def flow_end(X, y, log_A, log_B, tol=1e-12, max_iter=500, rs=None):
    """Limit of the single-task flow by damped Newton on the smooth dual.

    Parameters
    ----------
    X : ndarray (n, D)
    y : ndarray (n,)
    log_A, log_B : ndarray (D,)
        Log flow constants of the init (``-inf`` where A or B is 0).
    tol : float
        Stop when ``||X beta - P y|| <= tol ||P y||``.
    max_iter : int
        Newton iterations allowed.
    rs : RowSpace, optional
        Precomputed :func:`row_space` of (X, y) (reuse it across inits).

    Returns
    -------
    FlowEnd

    Raises
    ------
    InfeasibleError
        No minimiser exists: coordinates with A = 0 or B = 0 are
        sign-constrained and cannot fit y.
    """
    if rs is None and X.shape[0] >= X.shape[1]:
        fast = _full_column_rank_end(X, y, log_A, log_B, tol)
        if fast is not None:
            return fast
    rs = row_space(X, y) if rs is None else rs
    if rs.full_column_rank:
        # Phi is separable in z = V u: solve A e^z - B e^-z = beta_ls per coordinate.
        z = _z_of_least_squares(rs.V @ rs.b, log_A, log_B)
        iterations = 0
        beta, _ = beta_of_z(z, log_A, log_B)
        resid = relative_residual(rs, beta)
    else:
        z, beta, resid, iterations = _newton(rs, log_A, log_B, tol, max_iter)
    interpolates = rs.y_out <= 1e-10 * max(rs.y_norm, 1e-300)
    return FlowEnd(beta, z, iterations, resid, interpolates, resid <= tol, rs)


def _full_column_rank_end(X, y, log_A, log_B, tol):
    """End when X has full column rank, from the normal equations (no SVD).

    beta is then the least-squares solution whatever the init. Returns None
    when X^T X is not safely positive definite, so that the SVD path decides.
    """
    gram = X.T @ X
    try:
        factor = scipy.linalg.cho_factor(gram, lower=True)
    except np.linalg.LinAlgError:
        return None
    diag = np.abs(np.diag(factor[0]))
    if diag.min() <= 1e-6 * diag.max():  # condition of X above ~1e6: let the SVD decide the rank
        return None
    beta_ls = scipy.linalg.cho_solve(factor, X.T @ y)
    z = _z_of_least_squares(beta_ls, log_A, log_B)
    beta, _ = beta_of_z(z, log_A, log_B)
    fit = X @ beta
    y_norm = float(np.linalg.norm(y))
    Py = X @ beta_ls  # the projection of y on range(X)
    resid = float(np.linalg.norm(fit - Py) / max(np.linalg.norm(Py), 1e-300))
    y_out = float(np.linalg.norm(y - Py))
    return FlowEnd(beta, z, 0, resid, y_out <= 1e-10 * max(y_norm, 1e-300), resid <= tol)


def _z_of_least_squares(beta_ls, log_A, log_B):
    """z of the least-squares beta when X has full column rank (beta is then fixed)."""
    z = _z_of_beta(beta_ls, log_A, log_B)
    if z is None:
        raise InfeasibleError(
            "init: X has full column rank, so beta is fixed to the least-squares solution, whose "
            "signs violate the sign constraints of coordinates with A = 0 or B = 0")
    return z


def _z_of_beta(beta, log_A, log_B):
    """Solve ``A e^z - B e^-z = beta`` per coordinate; None if a sign constraint binds."""
    fa, fb = np.isfinite(log_A), np.isfinite(log_B)
    both, only_A, only_B = fa & fb, fa & ~fb, ~fa & fb
    if np.any(beta[only_A] <= 0) or np.any(beta[only_B] >= 0) or np.any(beta[~fa & ~fb] != 0):
        return None
    z = np.zeros_like(beta)
    log_kappa = 0.5 * (log_A[both] + log_B[both])
    z[both] = np.arcsinh(beta[both] * 0.5 * np.exp(-log_kappa)) - 0.5 * (log_A[both] - log_B[both])
    z[only_A] = np.log(beta[only_A]) - log_A[only_A]
    z[only_B] = log_B[only_B] - np.log(-beta[only_B])
    return z


Z_CAP = 10.0
STALL = 5
STALL_ACCEPT = 1e-10
#: Row-space rank from which Newton forms its Hessian in float32 (newton_direction).
FLOAT32_RANK = 128


@njit(cache=True)
def _ray_slope(t, d0, log_A, log_B, bb):
    """``(Phi'(t), Phi''(t))`` along the ray of :func:`_ray_minimiser`."""
    g, h = -bb, 0.0
    for d in range(d0.size):
        if d0[d] != 0.0:
            ea, eb = np.exp(log_A[d] + t * d0[d]), np.exp(log_B[d] - t * d0[d])
            g += d0[d] * (ea - eb)
            h += d0[d] * d0[d] * (ea + eb)
    return g, h


@njit(cache=True)
def _ray_minimiser(d0, log_A, log_B, bb):
    """The t minimising ``Phi(t b) = sum_d (A_d e^{t d0_d} + B_d e^{-t d0_d}) - t bb``.

    ``Phi'`` is increasing in t: bracket its root by doubling, then Newton steps kept inside
    the bracket (bisection when one leaves it), to 1e-3 relative (a starting point needs no
    more). Returns 0 when no root is bracketed within 2^30 (e.g. sign-constrained
    coordinates that cannot fit along the ray).
    """
    g0, _ = _ray_slope(0.0, d0, log_A, log_B, bb)
    if g0 == 0.0 or not np.isfinite(g0):
        return 0.0
    side = 1.0 if g0 < 0.0 else -1.0
    lo, hi = 0.0, side
    while _ray_slope(hi, d0, log_A, log_B, bb)[0] * side < 0.0:
        lo, hi = hi, 2.0 * hi
        if abs(hi) > 2.0 ** 30:
            return 0.0
    t = hi
    for _ in range(60):
        g, h = _ray_slope(t, d0, log_A, log_B, bb)
        if g * side < 0.0:
            lo = t
        else:
            hi = t
        if abs(hi - lo) <= 1e-3 * abs(hi):
            break
        step = t - g / h if h > 0.0 and np.isfinite(g) else 0.5 * (lo + hi)
        inside = (step - lo) * (step - hi) < 0.0
        t = step if inside else 0.5 * (lo + hi)
    return t


def _newton(rs, log_A, log_B, tol, max_iter):
    """Damped Newton with Armijo backtracking on Phi(u) (convex).

    Returns ``(z, beta, residual, iterations)`` with ``z = V u`` at the last
    iterate and ``residual`` its :func:`relative_residual`. Stops at
    ``residual <= tol``, or when the residual has stopped improving for
    ``STALL`` iterations at a level below ``STALL_ACCEPT`` (the rounding floor
    of the problem).
    """
    V, b = rs.V, rs.b
    # The residual M (V^T beta - b) is M times the gradient of Phi: one product with V per
    # iteration gives both.
    Py_norm = max(float(np.linalg.norm(rs.M @ b)), 1e-300)
    # Start at the minimiser of Phi along the ray u = t b (the min-norm least-squares
    # direction): never above Phi(0), and one or two fewer damped iterations than u = 0.
    d0 = V @ b
    t = _ray_minimiser(d0, log_A, log_B, float(b @ b))
    z = t * d0
    # the Hessian is formed in float32 once it is large enough for that to pay
    V32 = V.astype(np.float32) if V.shape[1] >= FLOAT32_RANK else None
    best, since_best = np.inf, 0
    for it in range(max_iter + 1):
        beta, h = beta_of_z(z, log_A, log_B)
        grad = V.T @ beta - b
        resid = float(np.linalg.norm(rs.M @ grad)) / Py_norm
        if resid <= tol:
            return z, beta, resid, it
        if resid < 0.5 * best:
            best, since_best = resid, 0
        else:
            since_best += 1
            if since_best >= STALL and best <= STALL_ACCEPT:
                return z, beta, resid, it
        if it == max_iter:
            break
        step = newton_direction(V, h, grad, V32)
        slope = float(grad @ step)
        if not slope < 0:
            break
        zstep = V @ step
        # Cap the move of z (exp changes by at most e^Z_CAP per iteration): far from the
        # optimum of a sum of exponentials the raw Newton step can be astronomically long.
        t = min(1.0, Z_CAP / max(np.max(np.abs(zstep)), 1e-300))
        grad_norm = np.linalg.norm(grad)
        for _ in range(60):  # backtracking halvings
            dz = t * zstep
            # Phi(u + t step) - Phi(u), computed without cancellation against Phi itself
            df = phi_increment(z, dz, log_A, log_B) - t * float(b @ step)
            if df <= 0.25 * t * slope:
                break
            # At the rounding floor of df, a step that shrinks the gradient is the better test.
            if np.isfinite(df) and abs(t * slope) <= 1e-12 * float(np.sum(h * np.abs(dz))):
                beta_new, _ = beta_of_z(z + dz, log_A, log_B)
                if np.linalg.norm(V.T @ beta_new - b) < grad_norm:
                    break
            t *= 0.5
        else:
            break  # no progress left at machine precision
        z = z + t * zstep
    beta, _ = beta_of_z(z, log_A, log_B)
    resid = relative_residual(rs, beta)
    if resid <= STALL_ACCEPT:
        return z, beta, resid, max_iter
    raise InfeasibleError(
        "init: the flow has no finite limit for this init and data (Newton on the dual did "
        f"not converge in {max_iter} iterations; relative residual "
        f"{resid:.2e}). Coordinates with A = 0 or B = 0 are "
        "sign-constrained and may be unable to fit y")


@dataclass
class FlowTrajectory:
    """The single-task flow at requested finite times.

    times (m,), z (m, D), beta (m, D), loss (m,) = training MSE, steps = ODE
    steps taken, nfev.
    """

    times: np.ndarray
    z: np.ndarray
    beta: np.ndarray
    loss: np.ndarray
    steps: int
    nfev: int


def flow_trajectory(X, y, log_A, log_B, times, rtol=1e-10, atol=1e-12, rs=None):
    """The exact flow at ``times`` (increasing, finite, >= 0) by a stiff ODE solve.

    The n-dimensional ODE ``du/dt = (4/n) S^2 (b - V^T beta(u))`` is integrated
    with scipy's Radau method (implicit, order 5, error-controlled) using its
    analytic Jacobian ``-(4/n) S^2 V^T diag(h) V``.
    """
    rs = row_space(X, y) if rs is None else rs
    times = np.asarray(times, dtype=float)
    V, G, b = rs.V, rs.G, rs.b
    c = 4.0 / rs.n

    def rhs(_t, u):
        beta, _ = beta_of_z(V @ u, log_A, log_B)
        return c * (G @ (b - V.T @ beta))

    def jac(_t, u):
        _, h = beta_of_z(V @ u, log_A, log_B)
        return -c * (G @ weighted_gram(V, h))

    u0 = np.zeros(rs.rank)
    if times[-1] == 0:
        us = np.zeros((len(times), rs.rank))
        steps = nfev = 0
    else:
        sol = solve_ivp(rhs, (0.0, times[-1]), u0, method="Radau", t_eval=times, jac=jac,
                        rtol=rtol, atol=atol)
        if sol.status != 0:
            raise SolverError(f"flow trajectory integration failed: {sol.message}", sol.status)
        us = sol.y.T
        steps, nfev = int(sol.t.shape[0]), int(sol.nfev)
    z = us @ V.T
    beta = np.stack([beta_of_z(zi, log_A, log_B)[0] for zi in z])
    resid = (beta @ V - b) @ rs.M.T  # (m, n): M (V^T beta - b)
    loss = (np.sum(resid ** 2, axis=1) + rs.y_out ** 2) / rs.n
    return FlowTrajectory(times, z, beta, loss, steps, nfev)
