"""Gradient flow of the multi-task diagonal network, integrated with error control.

The flow (docs/multi_flow.md) is

    d theta / dt = -grad [ sum_t omega_t ||X_t beta_t - y_t||^2 + lambda ||theta||^2 ],

with ``theta = params`` of shape (T + 1, 2, D) (``params[0] = (w+, w-)`` shared,
``params[1 + t] = (v+^t, v-^t)``) and ``beta_t = w+ * v+^t - w- * v-^t``.
There is no closed form for T >= 2.  The flow is stiff: coordinates whose
weights stay near the initial scale alpha move at rates ~ alpha^2 while the
large coordinates relax at rates O(1).

Method
------
While the flow is not stiff (early saddle-to-saddle phase) it is integrated
with scipy's explicit DOP853; once DOP853 becomes stability-limited and the
stiff method's expected step is competitive, the integrator switches to
a 4-stage Rosenbrock-W method of order 3 with an embedded order-2 estimate
(ROS34PW2, Rang & Angermann 2005) in its transformed (Hairer-Wanner IV.7)
form.  A W-method keeps its order for any matrix ``A`` in the stage equations;
we take ``A = -(J0^T W J0 + 2 lambda I)``: the Gauss-Newton part of the
Hessian at a frozen point ``theta0`` (J is the Jacobian of the N predictions,
``W = diag(2 omega)``).  It omits the curvature term of the predictions, which
is of the size of the gradient ``g_t = 2 omega_t X_t^T r_t`` and never stiff.
Every stage equation is solved exactly with the Woodbury identity from one
symmetric eigendecomposition of the N x N kernel ``W^(1/2) J0 J0^T W^(1/2)``,
so that any step size reuses it; with ``lambda = 0`` only the kernel's
eigen-directions that are stiff at the step size enter (``_W_KEEP``).  The
kernel is refreshed when a step with a stale kernel is rejected.  Tasks with
``n_t >= D`` enter through their triangular factor (``_tall_factor``).

For ``lambda = 0`` the end point (``times=None``) is polished by the kernel
limit of the linearised flow, ``theta - J^T (J J^T)^+ r`` (docs/multi_flow.md,
"tail jump"), with an error estimate; for ``lambda > 0`` by damped Newton on
``L + lambda ||theta||^2`` ("Newton polish").
"""
from dataclasses import dataclass, field
import time
import warnings

import numpy as np
import scipy.integrate
import scipy.linalg
from scipy.linalg.blas import dsymv as _symv, dsyrk as _syrk, dtrmv as _trmv
from scipy.linalg.lapack import dlauum as _lauum, dpotrf as _potrf
from numba import njit

from .diagonal import beta_multi, multi_init
from featreuse.errors import ConvergenceWarning, InputError, InputTypeError, SolverError
from featreuse.validation import as_float_array, check_positive_array, check_scalar, check_task_list

__all__ = ["MultiFlowResult", "multi_flow"]


@dataclass
class MultiFlowResult:
    """Outcome of :func:`multi_flow`.

    Attributes
    ----------
    params : ndarray (T + 1, 2, D)
        Parameters at the end (``times=None``) or at ``times[-1]``.
    loss : float
        Weighted data loss ``sum_t omega_t ||X_t beta_t - y_t||^2`` at ``params``
        (without the weight-decay term).
    steps : int
        Accepted integrator steps.
    converged : bool
        ``times=None``: the end criterion ``tol`` was met (see
        :func:`multi_flow`); with ``lambda > 0`` it is checked after the
        Newton polish. False, with a ConvergenceWarning, when the integrator
        stopped first, and when (``lambda = 0``) the labels cannot be fitted to
        ``tol``: the flow then ends at the least-squares fit.
        With ``times``: every requested time was reached.
    times : ndarray (m,) or None
        The requested flow times (None when ``times=None``).
    trajectory : ndarray (m, D, T) or None
        ``beta`` at ``times``; column ``t`` of ``trajectory[i]`` is task ``t``'s
        predictor at ``times[i]``.
    info : dict
        ``final_time`` (flow time reached), ``explicit_steps`` and
        ``explicit_time`` (DOP853 steps and the time of the switch to the
        stiff method), ``rejected`` (rejected stiff steps),
        ``rhs_evals``, ``kernel_builds`` (N x N kernel + eigendecomposition),
        ``linear_solves`` (Woodbury stage solves), ``grad_norm`` (2-norm of the
        gradient of ``L + lambda ||theta||^2`` at the end), ``wall_s``,
        ``wall_kernel_s`` (seconds spent building kernels), and for the tail
        jump ``jump`` (bool, applied), ``jump_size`` (relative change of
        ``beta``), ``jump_error`` (estimated relative error of ``beta`` after
        the jump), ``loss_before_jump``; for the Newton polish (``lambda > 0``)
        ``newton_steps`` and ``grad_norm_before_polish``; for ``times=None``
        and ``lambda = 0``, ``least_squares_loss`` (the infimum of the loss,
        ``sum_t omega_t ||(I - P_t) y_t||^2`` with P_t the projection on
        range(X_t); at rounding level when every task can be interpolated).
    """

    params: np.ndarray
    loss: float
    steps: int
    converged: bool
    times: np.ndarray = None
    trajectory: np.ndarray = None
    info: dict = field(default_factory=dict)


# ROS34PW2 (Rang & Angermann, BIT 45 (2005) 761), Hairer convention:
# k_i = h f(y + sum_j alpha_ij k_j) + h A sum_j gamma_ij k_j, y1 = y + sum_i b_i k_i.
_GAMMA = 4.3586652150845900e-01
_ALPHA = np.array([
    [0.0, 0.0, 0.0, 0.0],
    [8.7173304301691801e-01, 0.0, 0.0, 0.0],
    [8.4457060015369423e-01, -1.1299064236484185e-01, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0]])
_GAMMA_MAT = np.array([
    [_GAMMA, 0.0, 0.0, 0.0],
    [-8.7173304301691801e-01, _GAMMA, 0.0, 0.0],
    [-9.0338057013044082e-01, 5.4180672388095326e-02, _GAMMA, 0.0],
    [2.4212380706095346e-01, -1.2232505839045147e+00, 5.4526025533510214e-01, _GAMMA]])
_B = np.array([2.4212380706095346e-01, -1.2232505839045147e+00,
               1.5452602553351023e+00, 4.3586652150845900e-01])
_BHAT = np.array([3.7810903145819369e-01, -9.6042292212423178e-02,
                  5.0000000000000000e-01, 2.1793326075422950e-01])
# Transformed form (Hairer & Wanner, Solving ODEs II, IV.7 (7.3)), u_i = sum_j gamma_ij k_j:
# (1/(h gamma) - A) u_i = f(y + sum_j a_ij u_j) + sum_j (c_ij / h) u_j,  y1 = y + sum_j m_j u_j.
_GINV = np.linalg.inv(_GAMMA_MAT)
_A_T = _ALPHA @ _GINV
_C_T = np.diag(1.0 / np.diag(_GAMMA_MAT)) - _GINV
_M = _B @ _GINV
_M_ERR = (_B - _BHAT) @ _GINV
_ORDER_EST = 3  # the error estimate is O(h^3) (embedded order 2)


@njit(cache=True)
def _betas(P, out):
    """out[t, d] = w+_d v+^t_d - w-_d v-^t_d for params P (T + 1, 2, D)."""
    T = P.shape[0] - 1
    for t in range(T):
        for d in range(P.shape[2]):
            out[t, d] = P[0, 0, d] * P[1 + t, 0, d] - P[0, 1, d] * P[1 + t, 1, d]


@njit(cache=True)
def _dbetas(P, U, out):
    """Directional derivative of the betas at P along U, (T, D)."""
    T = P.shape[0] - 1
    for t in range(T):
        for d in range(P.shape[2]):
            out[t, d] = (P[1 + t, 0, d] * U[0, 0, d] - P[1 + t, 1, d] * U[0, 1, d]
                         + P[0, 0, d] * U[1 + t, 0, d] - P[0, 1, d] * U[1 + t, 1, d])


@njit(cache=True)
def _pullback(P, G, scale, lam, out):
    """out = scale * (d beta / d theta)^T G - 2 lam P, with G (T, D) a gradient in beta.

    With ``scale = -1`` and ``G[t] = g_t`` this is the flow's right-hand side
    ``-grad(L + lam ||theta||^2)``.
    """
    T = P.shape[0] - 1
    for d in range(P.shape[2]):
        sp = 0.0
        sm = 0.0
        for t in range(T):
            sp += G[t, d] * P[1 + t, 0, d]
            sm += G[t, d] * P[1 + t, 1, d]
            out[1 + t, 0, d] = scale * G[t, d] * P[0, 0, d] - 2.0 * lam * P[1 + t, 0, d]
            out[1 + t, 1, d] = -scale * G[t, d] * P[0, 1, d] - 2.0 * lam * P[1 + t, 1, d]
        out[0, 0, d] = scale * sp - 2.0 * lam * P[0, 0, d]
        out[0, 1, d] = -scale * sm - 2.0 * lam * P[0, 1, d]


@njit(cache=True)
def _kernel_weights(P, out):
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


def _tall_factor(X):
    """``(R, G)`` for a task with ``n >= D``: ``G = X^T X`` and its Cholesky factor R.

    A task with at least as many samples as coordinates enters the flow only
    through ``X^T X`` and ``X^T y``, so it can be replaced by the upper
    triangular R (D, D) with ``R^T R = X^T X`` and targets ``z = R^{-T} X^T y``
    (``= Q^T y`` for ``X = QR``) exactly: the residuals become ``Q^T r`` and the
    loss drops the constant ``||(I - QQ^T) y||^2``.  Products with the
    triangle read half a D x D matrix (BLAS trmv) instead of an n x D one.
    Both arrays are Fortran-ordered with the upper triangle filled (G's lower
    triangle is not).  Returns None for n < D or a numerically rank-deficient X.
    """
    n, D = X.shape
    if n < D:
        return None
    G = _syrk(1.0, np.asfortranarray(X), trans=1)
    R, info = _potrf(G, lower=0, clean=1)
    if info != 0:
        return None
    diag = np.abs(np.diag(R))
    if diag.min() <= n * np.finfo(float).eps * diag.max():
        return None
    return R, G


class _Problem:
    """Data of one multi-task flow: residuals, right-hand side and Jacobian products.

    Tasks with ``n_t >= D`` (full column rank) are replaced by their triangular
    factor (:func:`_tall_factor`); ``sizes``, ``offsets`` and ``N`` count the
    rows actually used, ``loss_offset`` is the part of the loss no parameter
    can change.
    """

    def __init__(self, Xs, ys, omega, lam):
        self.T, self.D = len(Xs), Xs[0].shape[1]
        self.omega = omega
        self.sqw = np.sqrt(2.0 * omega)  # W^(1/2), per task
        self.lam = lam
        # per task: the matrix used (X or R), its targets, and for a factored
        # task X^T X (upper triangle) and X^T y, the gradient in one symmetric
        # pass (None otherwise)
        self.mats, self.targets, self.grams, self.shifts = [], [], [], []
        self.loss_offset = 0.0
        # per factored task: ||(I - QQ^T) y|| (None for the others)
        self.out_of_range = []
        for X, y, w in zip(Xs, ys, omega):
            factors = _tall_factor(X)
            if factors is None:
                self.mats.append(X)
                self.targets.append(y)
                self.grams.append(None)
                self.shifts.append(None)
                self.out_of_range.append(None)
                continue
            R, G = factors
            Xty = X.T @ y
            z = scipy.linalg.solve_triangular(R, Xty, trans="T", check_finite=False)
            beta_ls = scipy.linalg.solve_triangular(R, z, check_finite=False)
            r_perp = X @ beta_ls - y
            self.loss_offset += w * float(r_perp @ r_perp)
            self.out_of_range.append(float(np.linalg.norm(r_perp)))
            self.mats.append(R)
            self.targets.append(z)
            self.grams.append(G)
            self.shifts.append(Xty)
        self.sizes = [M.shape[0] for M in self.mats]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.N = int(self.offsets[-1])
        self.B = np.empty((self.T, self.D))
        self.G = np.empty((self.T, self.D))
        self.rhs_evals = 0

    def least_squares_loss(self):
        """Infimum of the data loss, ``sum_t omega_t ||(I - P_t) y_t||^2`` (P_t: onto range(X_t)).

        Returns ``(loss, parts)``, ``parts`` (T,) the terms of the sum. Factored
        tasks have theirs already; the others take one least-squares solve
        (LAPACK gelsy).
        """
        parts = np.empty(self.T)
        for t in range(self.T):
            dist = self.out_of_range[t]
            if dist is None:
                M, y = self.mats[t], self.targets[t]
                sol = scipy.linalg.lstsq(M, y, lapack_driver="gelsy", check_finite=False)[0]
                dist = float(np.linalg.norm(M @ sol - y))
            parts[t] = self.omega[t] * dist ** 2
        return float(np.sum(parts)), parts

    @property
    def triangular(self):
        """Per task: whether it was replaced by its triangular factor."""
        return [G is not None for G in self.grams]

    def matvec(self, t, b):
        """M_t @ b for task t's matrix (X_t or its triangular factor)."""
        if self.grams[t] is not None:
            return _trmv(self.mats[t], b)
        return self.mats[t] @ b

    def rmatvec(self, t, r):
        """M_t^T @ r."""
        if self.grams[t] is not None:
            return _trmv(self.mats[t], r, trans=1)
        return self.mats[t].T @ r

    def residuals(self, P):
        _betas(P, self.B)
        return [self.matvec(t, self.B[t]) - y for t, y in enumerate(self.targets)]

    def loss(self, P):
        return self.loss_offset + float(sum(w * (r @ r)
                                            for w, r in zip(self.omega, self.residuals(P))))

    def rhs(self, P):
        """Return ``-grad(L + lam ||theta||^2)`` at P (T + 1, 2, D).

        A compressed task's gradient ``2 w R^T (R beta - z)`` is computed as
        ``2 w (R^T R beta - R^T z)`` (BLAS symv, one pass); use
        :meth:`rhs_loss` where the loss is needed too.
        """
        self.rhs_evals += 1
        _betas(P, self.B)
        for t in range(self.T):
            if self.grams[t] is not None:
                g = _symv(1.0, self.grams[t], self.B[t]) - self.shifts[t]
            else:
                g = self.rmatvec(t, self.matvec(t, self.B[t]) - self.targets[t])
            self.G[t] = (2.0 * self.omega[t]) * g
        out = np.empty_like(P)
        _pullback(P, self.G, -1.0, self.lam, out)
        return out

    def rhs_loss(self, P):
        """Return ``(-grad(L + lam ||theta||^2), L)`` at P, both from the residuals."""
        self.rhs_evals += 1
        res = self.residuals(P)
        loss = self.loss_offset
        for t, r in enumerate(res):
            loss += self.omega[t] * (r @ r)
            self.G[t] = (2.0 * self.omega[t]) * self.rmatvec(t, r)
        out = np.empty_like(P)
        _pullback(P, self.G, -1.0, self.lam, out)
        return out, float(loss)


class _Linearization:
    """Products with the prediction Jacobian J at a point P0 (no matrix is formed)."""

    def __init__(self, prob, P0):
        self.prob = prob
        self.P0 = P0.copy()
        self._db = np.empty((prob.T, prob.D))
        self._q = np.empty((prob.T, prob.D))

    def _to_samples(self, U):
        """rho = W^(1/2) J0 U, stacked over tasks (N,)."""
        prob = self.prob
        _dbetas(self.P0, U, self._db)
        return np.concatenate([prob.sqw[t] * prob.matvec(t, self._db[t]) for t in range(prob.T)])

    def _from_samples(self, z, scale):
        """scale * J0^T W^(1/2) z as params (T + 1, 2, D)."""
        prob = self.prob
        for t in range(prob.T):
            zt = z[prob.offsets[t]:prob.offsets[t + 1]]
            self._q[t] = prob.rmatvec(t, prob.sqw[t] * zt)
        out = np.empty_like(self.P0)
        _pullback(self.P0, self._q, scale, 0.0, out)
        return out


def _kernel_matrix(prob, P0):
    """The N x N Gauss-Newton kernel ``Kt = W^(1/2) J0 J0^T W^(1/2)`` at P0, upper triangle.

    Blocks ``sqrt(2 w_t 2 w_s) M_t diag(k_ts) M_s^T`` with ``M_t`` the task's
    matrix (X_t or its triangular factor) and ``k_ts`` from :func:`_kernel_weights`.
    Only the upper triangle is filled (diagonal blocks from BLAS syrk, or LAPACK
    lauum for a triangular factor; ``k_tt >= 0``); read it with ``lower=False``.
    """
    T, N, o = prob.T, prob.N, prob.offsets
    k = np.empty((T, T, prob.D))
    _kernel_weights(P0, k)
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
# >= _W_KEEP / (h gamma).  A dropped direction changes the exact solve by a
# relative lam_i / (c + lam_i) < _W_KEEP; dropping it means using the
# truncated kernel as the W-method's matrix, which keeps the method's order
# (any matrix does) and treats that direction explicitly with
# h * lam_i < _W_KEEP / gamma = 0.23, well inside the explicit stability region.
# On the paper problem this keeps 25% of the directions on average
# (docs/multi_flow.md).  With weight decay nothing is dropped: at a
# weight-decayed equilibrium the gradient does not vanish, the curvature the
# W-matrix omits is O(lambda), and truncated solves stalled the steps (the
# certification's mtl_wd problem: 60,000 steps without reaching stationarity
# against 4,263 with every direction).
_W_KEEP = 0.1


class _Kernel(_Linearization):
    """Gauss-Newton kernel at a frozen point P0, eigendecomposed once.

    ``Kt = Q diag(lam) Q^T`` (:func:`_kernel_matrix`), eigenvalues ascending.
    """

    def __init__(self, prob, P0):
        super().__init__(prob, P0)
        self.evals, self.Q = scipy.linalg.eigh(_kernel_matrix(prob, self.P0), lower=False,
                                               overwrite_a=True, check_finite=False, driver="evr")
        np.maximum(self.evals, 0.0, out=self.evals)  # Kt is PSD; clip rounding

    def solve(self, b, c, c_keep=None):
        """Solve ``(c I + J0^T W^(1/2) Q_k Q_k^T W^(1/2) J0) u = b`` by Woodbury, c > 0.

        ``Q_k``: the kernel's eigenvectors with eigenvalue >= ``_W_KEEP * c_keep``
        (``c_keep = 1 / (h gamma)``, default c; see ``_W_KEEP``); with all of
        them the matrix is ``J0^T W J0``.
        """
        rho = self._to_samples(b)
        k = int(np.searchsorted(self.evals, _W_KEEP * (c if c_keep is None else c_keep)))
        Qk = self.Q[:, k:]
        z = Qk @ ((Qk.T @ rho) / (c + self.evals[k:]))
        return (b - self._from_samples(z, 1.0)) / c


def _kernel_limit(prob, P):
    """The kernel limit map of the linearised flow at P.

    Returns ``jump(r) = -J^T W^(1/2) Kt^+ W^(1/2) r`` (params (T + 1, 2, D)) for
    residual lists r.  ``Kt`` is factored by Cholesky; when it is numerically
    singular (a task with fewer rows than its rank allows, e.g. n_t > D kept
    uncompressed) the pseudo-inverse is taken through its eigenvalues with
    cutoff ``10 N eps lam_max``.
    """
    lin = _Linearization(prob, P)
    Kt = _kernel_matrix(prob, lin.P0)
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


_ATOL_SCALE = 0.1  # default atol = _ATOL_SCALE * rtol
# Least-squares end: L < L_ls (1 + _LS_RTOL) + tol, the slack covering the
# rounding of L when L_ls is large.
_LS_RTOL = 1e-12
_STIFF_SWITCH = 2.0  # leave DOP853 once h * rho exceeds this (its real stability limit is ~6)
_STIFF_CHECK_EVERY = 10  # DOP853 steps between spectral-radius estimates
_SWITCH_RATIO = 0.3  # measured on the paper problem (docs/multi_flow.md)
_MAX_LIMITED_CHECKS = 15  # switch at the latest after this many stability-limited checks


def _spectral_radius(prob, P, v0=None, iters=20):
    """Largest eigenvalue of the Gauss-Newton Hessian ``J^T W J`` at P (power iteration).

    Iterates on the N x N kernel ``W^(1/2) J J^T W^(1/2)``, which has the same
    nonzero eigenvalues.  Stops after ``iters`` iterations or once the estimate
    moves by less than 1% (a warm start from the last check's vector usually
    does after a few).  Returns ``(rho, v)`` with the last iterate for warm starts.
    """
    rng = np.random.default_rng(0)
    v = rng.standard_normal(prob.N) if v0 is None else v0
    v = v / np.linalg.norm(v)
    lin = _Linearization(prob, P)
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


def _explicit_phase(prob, P, t_end, times, traj, rtol, atol, max_steps, done_loss, bar, info):
    """Integrate with DOP853 while the flow is not stiff.

    Returns ``(t, P, h, steps, attempts, next_i)``: the time and parameters
    reached, DOP853's last step size, its step count (used as attempts) and
    the index of the next requested time not yet recorded.
    """
    shape = P.shape

    def fun(_t, y):
        return prob.rhs(y.reshape(shape)).ravel()

    solver = scipy.integrate.DOP853(fun, 0.0, P.ravel().copy(), t_end, rtol=rtol, atol=atol)
    next_i, steps, v, limited = 0, 0, None, 0
    h = solver.h_abs if hasattr(solver, "h_abs") else 1e-3
    if times is not None:
        while next_i < times.size and times[next_i] <= 0.0:
            traj[next_i] = beta_multi(P)
            next_i += 1
    t = 0.0
    while solver.status == "running" and steps < max_steps:
        if times is not None and next_i == times.size:
            break
        t_old = solver.t
        msg = solver.step()
        if solver.status == "failed":
            raise SolverError(f"DOP853 failed at flow time {t_old:.4g}", msg)
        steps += 1
        t = solver.t
        h = solver.step_size
        P = solver.y.reshape(shape).copy()
        if times is not None and next_i < times.size and times[next_i] <= t:
            dense = solver.dense_output()
            while next_i < times.size and times[next_i] <= t:
                traj[next_i] = beta_multi(dense(times[next_i]).reshape(shape))
                next_i += 1
        if bar is not None:
            bar.update(1)
        if done_loss is not None and prob.loss(P) < done_loss:
            break
        if steps % _STIFF_CHECK_EVERY == 0:
            rho, v = _spectral_radius(prob, P, v)
            if h * rho > _STIFF_SWITCH:
                # Stability-limited.  The order-3 W-method's step is about
                # rtol^(1/3) times the loss time scale L / ||grad L||^2
                # (measured, docs/multi_flow.md); switch once it beats DOP853's,
                # or once DOP853 has stayed stability-limited for long.
                limited += 1
                F, loss = prob.rhs_loss(P)
                gg = float(np.sum(F * F))
                if (gg == 0.0 or rtol ** (1.0 / 3.0) * loss / gg > _SWITCH_RATIO * h
                        or limited >= _MAX_LIMITED_CHECKS):
                    break
    info["explicit_steps"] = steps
    info["explicit_time"] = t
    return t, P, h, steps, steps, next_i


def _check_times(times):
    if times is None:
        return None
    arr = as_float_array(times, "times", ndim=1)
    if np.any(arr < 0):
        raise InputError("times must be >= 0")
    if np.any(np.diff(arr) <= 0):
        raise InputError("times must be strictly increasing")
    return arr


def _rel_beta_change(P, dP):
    B = beta_multi(P)
    nb = np.linalg.norm(B)
    return float(np.linalg.norm(beta_multi(P + dP) - B) / max(nb, np.finfo(float).tiny))


def multi_flow(Xs, ys, init, sample_weights, weight_decay=0.0, times=None, tol=1e-10,
               rtol=1e-8, max_time=None, max_steps=100_000, progress=False, atol=None):
    """Integrate the gradient flow of a multi-task diagonal linear network.

    Parameters
    ----------
    Xs : list of T ndarrays (n_t, D)
        Inputs of each task, rows are samples.
    ys : list of T ndarrays (n_t,)
        Targets of each task.
    init : float or ndarray (T + 1, 2, D)
        Initial parameters; a scalar alpha sets every weight to alpha.
        ``init[0] = (w+, w-)`` is the shared layer, ``init[1 + t] = (v+^t, v-^t)``.
    sample_weights : array_like (T,)
        Per-sample weights ``omega_t >= 0`` of the loss
        ``L = sum_t omega_t ||X_t beta_t - y_t||^2`` (LL: ``omega_t = 1/N``;
        per-task weights lambda_t of a loss ``sum_t lambda_t MSE_t`` give
        ``omega_t = lambda_t / n_t``, :func:`featreuse.solvers.train.sample_weights_of`).
    weight_decay : float, default 0
        ``lambda >= 0``; the flow descends ``L + lambda ||theta||^2``.
    times : None or array_like (m,)
        None: integrate to the end.  Otherwise strictly increasing flow times
        ``>= 0`` (time in units where the flow is ``d theta/dt = -grad``, so that
        GD with learning rate ``eta`` after ``k`` steps approximates time
        ``eta k``); ``beta`` is recorded at each of them.
    tol : float, default 1e-10
        End criterion for ``times=None``: with ``lambda = 0`` the data loss
        ``L < tol``; with ``lambda > 0`` the squared gradient norm
        ``||grad(L + lambda ||theta||^2)||_2^2 < tol`` (the rate at which the
        flow still decreases its objective). With ``lambda = 0`` and a
        least-squares loss ``L_ls >= tol`` (some ``y_t`` outside range(X_t)),
        ``L < tol`` is out of reach: the flow ends at ``L < L_ls + tol``, the
        least-squares fit, with ``converged=False`` and a warning.
    rtol : float, default 1e-8
        Relative local error tolerance per step (root-mean-square over the
        weights of ``|error| / (atol + rtol |weight|)``).
    max_time : float or None
        Largest flow time to integrate to (``times=None`` only); reaching it
        before ``tol`` warns and returns ``converged=False``.
    max_steps : int, default 100000
        Largest number of step attempts.
    progress : bool, default False
        Show a tqdm progress bar of the steps.
    atol : float or None
        Absolute local error tolerance per weight; None means ``0.1 * rtol``
        (weights below 0.1 are controlled in absolute terms; see
        docs/multi_flow.md for its effect on the end point).

    Returns
    -------
    MultiFlowResult

    Raises
    ------
    InputError, InputTypeError
        Malformed arguments (the message names the argument).

    Warns
    -----
    ConvergenceWarning
        ``max_steps`` or ``max_time`` reached before the end criterion, or the
        end is a least-squares fit whose loss is not below ``tol``.

    Notes
    -----
    See docs/multi_flow.md for the method, its error control and the tail jump.
    """
    wall0 = time.perf_counter()
    Xs, ys = check_task_list(Xs, ys)
    T, D = len(Xs), Xs[0].shape[1]
    P = multi_init(init, D, T)
    omega = check_positive_array(sample_weights, "sample_weights")
    if omega.shape != (T,):
        raise InputError(f"sample_weights must have shape ({T},), got {omega.shape}")
    lam = float(check_scalar(weight_decay, "weight_decay", low=0.0, low_inclusive=True))
    times = _check_times(times)
    tol = float(check_scalar(tol, "tol", low=0.0))
    rtol = float(check_scalar(rtol, "rtol", low=0.0))
    if max_time is not None:
        max_time = float(check_scalar(max_time, "max_time", low=0.0))
    max_steps = check_scalar(max_steps, "max_steps", low=1, low_inclusive=True, integer=True)
    if not isinstance(progress, (bool, np.bool_)):
        raise InputTypeError(f"progress must be a bool, got {type(progress).__name__}")

    prob = _Problem(Xs, ys, omega, lam)
    if atol is None:
        atol = _ATOL_SCALE * rtol
    else:
        atol = float(check_scalar(atol, "atol", low=0.0))
    info = dict(rejected=0, kernel_builds=0, linear_solves=0, wall_kernel_s=0.0,
                jump=False, jump_size=0.0, jump_error=np.nan, loss_before_jump=np.nan)

    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(desc="multi_flow", unit="step")

    traj = None
    if times is not None:
        traj = np.empty((times.size, D, T))
        t_end = float(times[-1])
    else:
        t_end = np.inf if max_time is None else max_time

    # Without weight decay the end criterion is L < tol, unless some y_t lies
    # outside range(X_t) with a least-squares loss L_ls >= tol: the flow then
    # tends to the least-squares fit, and it ends once L < L_ls + tol
    # (converged=False: the loss cannot reach tol).
    end_loss, least_squares = tol, False
    if times is None and lam == 0.0:
        ls_loss, ls_parts = prob.least_squares_loss()
        info["least_squares_loss"] = ls_loss
        least_squares = ls_loss >= tol
        if least_squares:
            end_loss = ls_loss * (1.0 + _LS_RTOL) + tol

    t = 0.0
    F, loss = prob.rhs_loss(P)
    steps, attempts, converged = 0, 0, False

    def done():
        if times is not None:
            return False
        if lam == 0.0:
            return loss < end_loss
        return float(np.sum(F * F)) < tol

    # Phase 1 (non-stiff): explicit DOP853 while its steps stay well inside its
    # stability region, i.e. h * rho < _STIFF_SWITCH with rho the largest
    # eigenvalue of the Gauss-Newton Hessian J^T W J.
    t, P, h, n1, a1, next_i = _explicit_phase(prob, P, t_end, times, traj, rtol, atol,
                                              max_steps, done_loss=(end_loss if times is None
                                                                    and lam == 0.0 else None),
                                              bar=bar, info=info)
    steps, attempts = n1, a1
    info["wall_explicit_s"] = time.perf_counter() - wall0
    F, loss = prob.rhs_loss(P)
    kern, kern_age = None, 0
    u = [None] * 4
    while True:
        while times is not None and next_i < times.size and times[next_i] <= t:
            traj[next_i] = beta_multi(P)
            next_i += 1
        if times is not None and next_i == times.size:
            converged = True
            break
        if done():
            converged = True
            break
        if t >= t_end or attempts >= max_steps:
            break
        if kern is None:
            tk = time.perf_counter()
            kern, kern_age = _Kernel(prob, P), 0
            info["kernel_builds"] += 1
            info["wall_kernel_s"] += time.perf_counter() - tk
        h_try = h
        target = times[next_i] if times is not None else t_end
        last = t + h_try >= target
        if last:
            h_try = target - t
        c = 1.0 / (h_try * _GAMMA) + 2.0 * lam
        attempts += 1
        for i in range(4):
            if i == 0:
                Fi = F
            else:
                Yi = P.copy()
                for j in range(i):
                    if _A_T[i, j] != 0.0:
                        Yi += _A_T[i, j] * u[j]
                Fi = prob.rhs(Yi)
            b = Fi.copy()
            for j in range(i):
                b += (_C_T[i, j] / h_try) * u[j]
            u[i] = kern.solve(b, c, c if lam == 0.0 else 0.0)
            info["linear_solves"] += 1
        P1 = P + _M[0] * u[0] + _M[1] * u[1] + _M[2] * u[2] + _M[3] * u[3]
        E = _M_ERR[0] * u[0] + _M_ERR[1] * u[1] + _M_ERR[2] * u[2] + _M_ERR[3] * u[3]
        sc = atol + rtol * np.maximum(np.abs(P), np.abs(P1))
        err = float(np.sqrt(np.mean((E / sc) ** 2))) if np.all(np.isfinite(P1)) else np.inf
        if err <= 1.0:
            t = target if last else t + h_try
            P = P1
            F, loss = prob.rhs_loss(P)
            steps += 1
            kern_age += 1
            fac = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err ** (-1.0 / _ORDER_EST)))
            if not last:
                h = h_try * fac
            elif fac < 1.0:
                h = min(h, h_try * fac)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(t=f"{t:.3g}", loss=f"{loss:.3g}", refresh=False)
        else:
            info["rejected"] += 1
            if kern_age > 0:
                kern = None  # retry with the Jacobian at the current point
            else:
                h = h_try * max(0.2, 0.9 * err ** (-1.0 / _ORDER_EST)) if np.isfinite(err) \
                    else h_try * 0.2
    if bar is not None:
        bar.close()

    info["final_time"] = t
    why = "max_steps" if attempts >= max_steps else "max_time"
    if times is None and lam > 0.0 and (converged or why == "max_steps"):
        # Newton from where the integrator stopped; it may meet tol the
        # integrator could not (the flow's approach to these points can be a
        # power law, docs/multi_flow.md).
        P, loss, F = _newton_polish(prob, P, loss, F, info)
        converged = converged or float(np.sum(F * F)) < tol
    if times is None and not converged:
        warnings.warn(f"multi_flow stopped at {why} (flow time {t:.4g}, loss {loss:.3g}) before "
                      f"tol={tol:g}", ConvergenceWarning, stacklevel=2)

    if times is None and lam == 0.0 and converged:
        P, loss, F = _tail_jump(prob, P, loss, F, info)
        if least_squares:
            converged = False  # the end is the least-squares fit, with loss >= tol
            names = " and ".join(f"ys[{t}] is not in the range of Xs[{t}]"
                                 for t in range(T) if ls_parts[t] >= tol / T)
            warnings.warn(f"multi_flow: {names}, so the flow ends at the least-squares fit; its "
                          f"train loss {loss:.3g} is not below tol={tol:g}", ConvergenceWarning,
                          stacklevel=2)

    info["grad_norm"] = float(np.linalg.norm(F))
    info["rhs_evals"] = prob.rhs_evals
    info["wall_s"] = time.perf_counter() - wall0
    return MultiFlowResult(params=P, loss=float(loss), steps=steps, converged=converged,
                           times=times, trajectory=traj, info=info)


def _tail_jump(prob, P, loss, F, info):
    """Polish the end with the kernel limit of the linearised flow (lambda = 0).

    Linearising the flow at P, ``r' = -J W J^T r`` so that the parameters
    still move by ``-J^T W int r = -J^T (J J^T)^+ r`` (docs/multi_flow.md).
    The error of this second-order-accurate jump is estimated by the size of
    the same jump taken again from its end point (a Newton correction).
    """
    info["loss_before_jump"] = loss
    tk = time.perf_counter()
    jump = _kernel_limit(prob, P)
    info["kernel_builds"] += 1
    info["wall_kernel_s"] += time.perf_counter() - tk
    dP = jump(prob.residuals(P))
    P1 = P + dP
    F1, loss1 = prob.rhs_loss(P1)
    if not np.isfinite(loss1) or loss1 > loss:
        return P, loss, F
    dP2 = jump(prob.residuals(P1))
    info["jump"] = True
    info["jump_size"] = _rel_beta_change(P, dP)
    info["jump_error"] = _rel_beta_change(P1, dP2)
    return P1, loss1, F1


_NEWTON_MAX_ITER = 20


def _newton_polish(prob, P, loss, F, info):
    """Polish a weight-decayed end (lambda > 0) by Newton on ``L + lambda ||theta||^2``.

    The flow stops once ``||grad||^2 < tol``; near a strict local minimum the
    remaining error is ``~ ||grad|| / lambda_min(H)``, which is loose for small
    lambda.  Newton steps ``H s = -grad`` (MINRES with the exact
    Hessian-vector product ``J^T W J v + C v + 2 lambda v``, where ``C v`` is
    :func:`_pullback` of v with the data gradient, the bilinear curvature of
    ``beta``) are taken while they lower the gradient norm.  H is singular or
    nearly so at these points (for an active coordinate the unused sign's pair
    sits where ``2 lambda = ||g_d||``, the group lasso's KKT boundary), hence
    MINRES rather than conjugate gradients.  ``info`` gets ``newton_steps``
    and ``grad_norm_before_polish``.
    """
    from scipy.sparse.linalg import LinearOperator, minres
    info["grad_norm_before_polish"] = float(np.linalg.norm(F))
    info["newton_steps"] = 0
    shape, n = P.shape, P.size
    for _ in range(_NEWTON_MAX_ITER):
        lin = _Linearization(prob, P)
        g = prob.G.copy()  # data gradient in beta at P (set by rhs_loss)
        fn = float(np.linalg.norm(F))

        def hess(v):  # Hessian of L + lambda ||theta||^2 at P, times v
            V = v.reshape(shape)
            cv = np.empty_like(V)
            _pullback(V, g, 1.0, -prob.lam, cv)  # C v + 2 lambda v
            return (lin._from_samples(lin._to_samples(V), 1.0) + cv).ravel()

        # Levenberg-Marquardt: H + mu I, from a plain Newton step upwards, the
        # first shift that lowers the gradient norm is taken.
        accepted = False
        for mu in (0.0, fn, 1e2 * fn, 1e4 * fn):
            op = LinearOperator((n, n), matvec=lambda v, mu=mu: hess(v) + mu * v, dtype=float)
            step, _ = minres(op, F.ravel(), rtol=1e-12, maxiter=10 * n)
            P1 = P + step.reshape(shape)  # F = -grad, so H step = F is the Newton step
            F1, loss1 = prob.rhs_loss(P1)
            if np.all(np.isfinite(F1)) and np.linalg.norm(F1) < fn:
                accepted = True
                break
        if not accepted:
            break
        P, loss, F = P1, loss1, F1
        info["newton_steps"] += 1
    return P, loss, F
