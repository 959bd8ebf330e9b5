"""The Gauss-Newton kernel of the flow: products with the prediction Jacobian J, the N x N
kernel ``W^(1/2) J J^T W^(1/2)``, its eigendecomposition and the stage solves it gives
(Woodbury), its kernel-limit pseudo-inverse (the tail jump) and the spectral radius of
``J^T W J`` (the stiffness test). See docs/multi_flow.md.
"""
import numpy as np
import scipy.linalg
from scipy.linalg.blas import dsymv as _symv
from scipy.linalg.blas import dsyrk as _syrk
from scipy.linalg.lapack import dlauum as _lauum
from numba import njit

from .problem import dbetas, pullback


class Linearization:
    """Products with the prediction Jacobian J at a point P0 (no matrix is formed)."""

    def __init__(self, prob, P0):
        self.prob = prob
        self.P0 = P0.copy()
        self._db = np.empty((prob.T, prob.D))
        self._q = np.empty((prob.T, prob.D))

    def _to_samples(self, U):
        """rho = W^(1/2) J0 U, stacked over tasks (N,)."""
        prob = self.prob
        dbetas(self.P0, U, self._db)
        return np.concatenate([prob.sqw[t] * prob.matvec(t, self._db[t]) for t in range(prob.T)])

    def _from_samples(self, z, scale):
        """scale * J0^T W^(1/2) z as params (T + 1, 2, D)."""
        prob = self.prob
        for t in range(prob.T):
            zt = z[prob.offsets[t]:prob.offsets[t + 1]]
            self._q[t] = prob.rmatvec(t, prob.sqw[t] * zt)
        out = np.empty_like(self.P0)
        pullback(self.P0, self._q, scale, 0.0, out)
        return out


@njit(cache=True)
def kernel_weights(P, out):
    """out[t, s, d]: weight of coordinate d in the kernel block X_t diag(.) X_s^T.

    ``k_ts = v+^t v+^s + v-^t v-^s + [t == s] (w+^2 + w-^2)``.
    """
    T = P.shape[0] - 1
    for t in range(T):
        for s in range(T):
            for d in range(P.shape[2]):
                v = P[1 + t, 0, d] * P[1 + s, 0, d] + P[1 + t, 1, d] * P[1 + s, 1, d]
                if t == s:
                    v += P[0, 0, d] * P[0, 0, d] + P[0, 1, d] * P[0, 1, d]
                out[t, s, d] = v


def kernel_matrix(prob, P0):
    """The N x N Gauss-Newton kernel ``Kt = W^(1/2) J0 J0^T W^(1/2)`` at P0, upper triangle.

    Blocks ``sqrt(2 w_t 2 w_s) M_t diag(k_ts) M_s^T`` with ``M_t`` the task's
    matrix (X_t or its triangular factor) and ``k_ts`` from :func:`kernel_weights`.
    Only the upper triangle is filled (diagonal blocks from BLAS syrk, or LAPACK
    lauum for a triangular factor; ``k_tt >= 0``); read it with ``lower=False``.
    """
    T, N, o = prob.T, prob.N, prob.offsets
    k = np.empty((T, T, prob.D))
    kernel_weights(P0, k)
    Kt = np.zeros((N, N), order="F")
    for t in range(T):
        Mt = prob.mats[t]
        U = np.asfortranarray(Mt * (prob.sqw[t] * np.sqrt(k[t, t])))
        if prob.grams[t] is not None:
            Kt[o[t]:o[t + 1], o[t]:o[t + 1]] = _lauum(U, lower=0, overwrite_c=1)[0]  # U U^T
        else:
            Kt[o[t]:o[t + 1], o[t]:o[t + 1]] = _syrk(1.0, U)
        for s in range(t + 1, T):
            # scale the columns of the other (usually smaller) factor: M_t (k M_s^T)
            Kt[o[t]:o[t + 1], o[s]:o[s + 1]] = Mt @ (
                ((prob.sqw[t] * prob.sqw[s]) * k[t, s])[:, None] * prob.mats[s].T)
    return Kt


# Stage solves keep the kernel's eigen-directions with eigenvalue
# >= W_KEEP / (h gamma).  A dropped direction changes the exact solve by a
# relative lam_i / (c + lam_i) < W_KEEP; dropping it means using the
# truncated kernel as the W-method's matrix, which keeps the method's order
# (any matrix does) and treats that direction explicitly with
# h * lam_i < W_KEEP / gamma = 0.23, well inside the explicit stability region.
# On the paper problem this keeps 25% of the directions on average
# (docs/multi_flow.md).  With weight decay nothing is dropped: at a
# weight-decayed equilibrium the gradient does not vanish, the curvature the
# W-matrix omits is O(lambda), and truncated solves stalled the steps (the
# certification's mtl_wd problem: 60,000 steps without reaching stationarity
# against 4,263 with every direction).
W_KEEP = 0.1

# The kernel is eigendecomposed in float32 (LAPACK syevd, about half the time of
# float64). The stage solves then invert c I + A_c exactly, with A_c the truncated
# Gauss-Newton matrix perturbed by ``G (I - E/c)^(-1) G^T - G G^T`` where
# ``E = Q^T Kt Q - diag(lam)`` is the decomposition's rounding (~sqrt(N) eps32
# lam_max; tests/solvers/multi_flow pins the identity). Any such matrix keeps the
# W-method's order; it stays a small, positive definite perturbation while
# ||E|| <= F32_MARGIN c. Below that c (a long stiff tail) the kernel is
# decomposed again in float64, before the step that needs it.
F32_MARGIN = 0.25
_POWER_ITERS = 8


def _eig_error(Kt, Q, evals):
    """Power-iteration estimate (from below) of ``||Q^T Kt Q - diag(evals)||_2``, Kt upper."""
    x = np.random.default_rng(0).standard_normal(evals.size)
    est = 0.0
    for _ in range(_POWER_ITERS):
        x /= np.linalg.norm(x)
        x = Q.T @ _symv(1.0, Kt, Q @ x, lower=0) - evals * x
        est = float(np.linalg.norm(x))
        if est == 0.0:
            break
    return est


class Kernel(Linearization):
    """Gauss-Newton kernel at a frozen point P0, eigendecomposed once (float32, then
    float64 if a step size needs it; see ``F32_MARGIN``).

    ``Kt = Q diag(lam) Q^T`` (:func:`kernel_matrix`), eigenvalues ascending;
    ``decompositions`` counts the eigendecompositions (1, or 2 after a float64 redo).
    """

    def __init__(self, prob, P0):
        super().__init__(prob, P0)
        self._Kt = kernel_matrix(prob, self.P0)
        evals, Q = scipy.linalg.eigh(self._Kt.astype(np.float32), lower=False,
                                     overwrite_a=True, check_finite=False, driver="evd")
        self.evals, self.Q = evals.astype(np.float64), Q.astype(np.float64)
        np.maximum(self.evals, 0.0, out=self.evals)  # Kt is PSD; clip rounding
        self.eig_error = _eig_error(self._Kt, self.Q, self.evals)
        self.decompositions = 1

    def prepare(self, c):
        """Make the decomposition accurate enough for stage solves with shift ``c``."""
        if self.eig_error > F32_MARGIN * c:
            self.evals, self.Q = scipy.linalg.eigh(self._Kt, lower=False, overwrite_a=True,
                                                   check_finite=False, driver="evr")
            np.maximum(self.evals, 0.0, out=self.evals)
            self.eig_error = 0.0
            self._Kt = None
            self.decompositions += 1

    def solve(self, b, c, c_keep=None):
        """Solve ``(c I + J0^T W^(1/2) Q_k Q_k^T W^(1/2) J0) u = b`` by Woodbury, c > 0.

        ``Q_k``: the kernel's eigenvectors with eigenvalue >= ``W_KEEP * c_keep``
        (``c_keep = 1 / (h gamma)``, default c; see ``W_KEEP``); with all of
        them the matrix is ``J0^T W J0``.
        """
        rho = self._to_samples(b)
        k = int(np.searchsorted(self.evals, W_KEEP * (c if c_keep is None else c_keep)))
        Qk = self.Q[:, k:]
        z = Qk @ ((Qk.T @ rho) / (c + self.evals[k:]))
        return (b - self._from_samples(z, 1.0)) / c


def kernel_limit(prob, P):
    """The kernel limit map of the linearised flow at P.

    Returns ``jump(r) = -J^T W^(1/2) Kt^+ W^(1/2) r`` (params (T + 1, 2, D)) for
    residual lists r.  ``Kt`` is factored by Cholesky; when it is numerically
    singular (a task with fewer rows than its rank allows, e.g. n_t > D kept
    uncompressed) the pseudo-inverse is taken through its eigenvalues with
    cutoff ``10 N eps lam_max``.
    """
    lin = Linearization(prob, P)
    Kt = kernel_matrix(prob, lin.P0)
    scale = float(np.trace(Kt))  # >= lam_max
    fac = None
    try:
        fac = scipy.linalg.cho_factor(Kt, lower=False, check_finite=False)
        if np.min(np.diag(fac[0])) ** 2 <= scale * prob.N * np.finfo(float).eps * 10.0:
            fac = None  # a pivot at rounding level: numerically singular
    except np.linalg.LinAlgError:
        pass
    if fac is not None:
        def solve(rho):
            return scipy.linalg.cho_solve(fac, rho, check_finite=False)
    else:
        evals, Q = scipy.linalg.eigh(Kt, lower=False, overwrite_a=True,
                                     check_finite=False, driver="evr")
        cut = max(evals[-1], 0.0) * prob.N * np.finfo(float).eps * 10.0
        inv = np.where(evals > cut, 1.0 / np.where(evals > cut, evals, 1.0), 0.0)

        def solve(rho):
            return Q @ ((Q.T @ rho) * inv)

    def jump(r):
        rho = np.concatenate([prob.sqw[t] * r[t] for t in range(prob.T)])
        return lin._from_samples(solve(rho), -1.0)
    return jump


def spectral_radius(prob, P, v0=None, iters=20):
    """Largest eigenvalue of the Gauss-Newton Hessian ``J^T W J`` at P (power iteration).

    Iterates on the N x N kernel ``W^(1/2) J J^T W^(1/2)``, which has the same
    nonzero eigenvalues.  Stops after ``iters`` iterations or once the estimate
    moves by less than 1% (a warm start from the last check's vector usually
    does after a few).  Returns ``(rho, v)`` with the last iterate for warm starts.
    """
    rng = np.random.default_rng(0)
    v = rng.standard_normal(prob.N) if v0 is None else v0
    v = v / np.linalg.norm(v)
    lin = Linearization(prob, P)
    rho = 0.0
    for _ in range(iters):
        w = lin._to_samples(lin._from_samples(v, 1.0))
        rho, rho_old = float(np.linalg.norm(w)), rho
        if rho == 0.0:
            return 0.0, v
        v = w / rho
        if abs(rho - rho_old) <= 1e-2 * rho:
            break
    return rho, v
