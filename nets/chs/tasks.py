"""CHS's multi-task data model: binary tasks that see the input only through ``M^T x``.

Inputs are ``x ~ N(0, I_d)``. ``M`` (d, r) has orthonormal columns (a
uniformly random r-dimensional subspace of R^d unless one is passed in). Task
t has a unit direction ``v_t`` in R^r and the label

    y_t(x) = sign(<v_t, M^T x>) = sign(<M v_t, x>)       (sign(0) = +1, a null event),

so every task is a halfspace through the origin whose normal lies in col(M).
The directions are i.i.d. uniform on the sphere S^{r-1}. Which tasks, which
input law and which label function are our reconstruction of CHS
(arXiv 2307.06887); docs/chs.md says what is reconstructed.

Random streams (the ``CHS_*`` numbers of :mod:`featreuse.nets.seeding`): ``M`` depends on
``(seed, d, r)``; the directions depend on ``(seed, r)`` only, so the tasks of T are the first
T tasks of any larger T, and every ``d`` of a seed shares them.
"""
from dataclasses import dataclass

import numpy as np

from ..seeding import CHS_PROBE_TASK, CHS_SUBSPACE, CHS_TASKS, stream
from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar

#: largest entry of ``|M^T M - I|`` accepted for an orthonormal M
ORTHONORMAL_TOL = 1e-8


@dataclass(frozen=True)
class ChsTasks:
    """T binary tasks on a shared r-dimensional subspace of R^d.

    Attributes
    ----------
    M : ndarray (d, r)
        Orthonormal basis of the subspace (``M^T M = I_r``).
    V : ndarray (T, r)
        Unit task directions ``v_t`` in subspace coordinates.
    """

    M: np.ndarray
    V: np.ndarray

    @property
    def d(self):
        """Input dimension."""
        return self.M.shape[0]

    @property
    def r(self):
        """Dimension of the shared subspace."""
        return self.M.shape[1]

    @property
    def tasks(self):
        """Number of tasks T."""
        return self.V.shape[0]

    @property
    def normals(self):
        """Task normals ``u_t = M v_t`` in input space, ndarray (d, T) of unit columns."""
        return self.M @ self.V.T

    def labels(self, X):
        """Labels in {-1, +1} of every task.

        Parameters
        ----------
        X : array_like (n, d), (1, n, d) or (T, n, d)
            Inputs shared by every task (2-D, or a leading axis of 1), or
            task t's own inputs ``X[t]``.

        Returns
        -------
        ndarray (T, n)
            ``Y[t, i] = sign(<u_t, x_i>)`` (of ``X[t, i]`` for per-task inputs).
        """
        X = as_float_array(X, "X")
        if X.ndim == 2:
            X = X[None]
        if X.ndim != 3 or X.shape[0] not in (1, self.tasks) or X.shape[2] != self.d:
            raise InputError(f"X must have shape (n, {self.d}), (1, n, {self.d}) or "
                             f"({self.tasks}, n, {self.d}), got {X.shape}")
        return halfspace_labels(X, self.normals)


def halfspace_labels(X, normals):
    """``sign(<u_t, x>)`` in {-1, +1} (sign(0) = +1) of inputs X (T or 1, n, d), normals (d, T).

    No checks (see :meth:`ChsTasks.labels`); returns ndarray (T, n).
    """
    if X.shape[0] == 1:
        Z = (X[0] @ normals).T
    else:
        Z = np.einsum("tnd,dt->tn", X, normals)
    return np.where(Z >= 0, 1.0, -1.0)


def check_orthonormal(M, name="M"):
    """Return ``M`` (d, r) as float64 after checking ``M^T M = I_r``.

    Raises
    ------
    InputError
        Not 2-D, more columns than rows, or ``max |M^T M - I| > ORTHONORMAL_TOL``.
    """
    M = as_float_array(M, name, ndim=2)
    d, r = M.shape
    if r > d:
        raise InputError(f"{name} must have at most as many columns as rows (r <= d), "
                         f"got shape {M.shape}")
    err = float(np.max(np.abs(M.T @ M - np.eye(r))))
    if err > ORTHONORMAL_TOL:
        raise InputError(f"{name} must have orthonormal columns: max |{name}^T {name} - I| = "
                         f"{err:.3g} > {ORTHONORMAL_TOL:g}")
    return M


def random_subspace(seed, d, r):
    """A uniformly random orthonormal basis M (d, r) of ``seed``.

    The Q factor of a Gaussian (d, r) matrix with the signs of R's diagonal
    moved into it is uniform (Haar) on the Stiefel manifold.
    """
    d = check_scalar(d, "d", low=1, low_inclusive=True, integer=True)
    r = check_scalar(r, "r", low=1, low_inclusive=True, integer=True)
    if r > d:
        raise InputError(f"r must be <= d (a subspace of R^d), got r = {r} > d = {d}")
    q, R = np.linalg.qr(stream(seed, CHS_SUBSPACE).standard_normal((d, r)))
    return q * np.sign(np.diag(R))


def unit_directions(rng, count, r):
    """``count`` i.i.d. uniform unit vectors of R^r, ndarray (count, r), drawn row by row."""
    V = rng.standard_normal((count, r))
    return V / np.linalg.norm(V, axis=1, keepdims=True)


def make_chs_tasks(seed, tasks, d=None, r=None, M=None):
    """Draw T tasks on a shared subspace.

    Parameters
    ----------
    seed : int >= 0
    tasks : int >= 1
        Number of tasks T.
    d, r : int, optional
        Input and subspace dimensions (``1 <= r <= d``); required unless ``M`` is given.
    M : array_like (d, r), optional
        An orthonormal basis to use instead of a random one (``d`` and ``r``,
        if given, must match its shape).

    Returns
    -------
    ChsTasks

    Raises
    ------
    InputError, InputTypeError
        ``tasks < 1``, ``r > d``, a missing size, or a non-orthonormal ``M``.
    """
    tasks = check_scalar(tasks, "tasks", low=1, low_inclusive=True, integer=True)
    if M is None:
        if d is None or r is None:
            raise InputError("d and r must be given when M is not")
        M = random_subspace(seed, d, r)
    else:
        M = check_orthonormal(M, "M")
        for name, value, size in (("d", d, M.shape[0]), ("r", r, M.shape[1])):
            if value is not None and value != size:
                raise InputError(f"{name} = {value} does not match M of shape {M.shape}")
    V = unit_directions(stream(seed, CHS_TASKS), tasks, M.shape[1])
    return ChsTasks(M=M, V=V)


def probe_task(seed, M):
    """The unseen task of the downstream probe: one direction from its own stream.

    Parameters
    ----------
    seed : int >= 0
    M : array_like (d, r)
        Orthonormal basis of the training tasks' subspace.

    Returns
    -------
    ChsTasks
        One task on the same subspace, independent of the training tasks.
    """
    M = check_orthonormal(M, "M")
    return ChsTasks(M=M, V=unit_directions(stream(seed, CHS_PROBE_TASK), 1, M.shape[1]))
