"""The data of one multi-task flow: the parameterisation ``beta(theta)`` and the loss.

``theta = params`` (T + 1, 2, D): ``params[0] = (w+, w-)`` shared, ``params[1 + t] =
(v+^t, v-^t)``, ``beta_t = w+ * v+^t - w- * v-^t``. The numba loops compute the betas,
their directional derivative and the pullback of a gradient in beta to the parameters;
:class:`Problem` holds the tasks (a task with ``n_t >= D`` replaced by its triangular
factor, :func:`tall_factor`) and evaluates residuals, the loss and the flow's
right-hand side ``-grad(L + lambda ||theta||^2)``.
"""
import numpy as np
import scipy.linalg
from scipy.linalg.blas import dsymv as _symv, dsyrk as _syrk, dtrmv as _trmv
from scipy.linalg.lapack import dpotrf as _potrf
from numba import njit


@njit(cache=True)
def betas(P, out):
    """out[t, d] = w+_d v+^t_d - w-_d v-^t_d for params P (T + 1, 2, D)."""
    T = P.shape[0] - 1
    for t in range(T):
        for d in range(P.shape[2]):
            out[t, d] = P[0, 0, d] * P[1 + t, 0, d] - P[0, 1, d] * P[1 + t, 1, d]


@njit(cache=True)
def dbetas(P, U, out):
    """Directional derivative of the betas at P along U, (T, D)."""
    T = P.shape[0] - 1
    for t in range(T):
        for d in range(P.shape[2]):
            out[t, d] = (P[1 + t, 0, d] * U[0, 0, d] - P[1 + t, 1, d] * U[0, 1, d]
                         + P[0, 0, d] * U[1 + t, 0, d] - P[0, 1, d] * U[1 + t, 1, d])


@njit(cache=True)
def pullback(P, G, scale, lam, out):
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


def tall_factor(X):
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


class Problem:
    """Data of one multi-task flow: residuals, right-hand side and Jacobian products.

    Tasks with ``n_t >= D`` (full column rank) are replaced by their triangular
    factor (:func:`tall_factor`); ``sizes``, ``offsets`` and ``N`` count the
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
            factors = tall_factor(X)
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
        betas(P, self.B)
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
        betas(P, self.B)
        for t in range(self.T):
            if self.grams[t] is not None:
                g = _symv(1.0, self.grams[t], self.B[t]) - self.shifts[t]
            else:
                g = self.rmatvec(t, self.matvec(t, self.B[t]) - self.targets[t])
            self.G[t] = (2.0 * self.omega[t]) * g
        out = np.empty_like(P)
        pullback(P, self.G, -1.0, self.lam, out)
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
        pullback(P, self.G, -1.0, self.lam, out)
        return out, float(loss)
