"""The result of fitting the shared-module model (WZR section 2) with the solvers.

The model (docs/wzr.md): task ``i`` predicts ``g(X_i B) A_i`` with a shared module
``B`` (D, r) and a head ``A_i`` (r,); here ``g`` is the identity and the training
objective is ``sum_i alpha_i ||X_i B A_i - y_i||^2`` (sums of squares, not means).
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class SharedModuleFit:
    """A fitted linear shared-module model.

    The model is unchanged by ``B -> B S``, ``A_i -> S^{-1} A_i`` (S invertible); the
    returned ``B`` has orthonormal columns (QR of the fitted module) and the heads
    are expressed in that basis.

    Attributes
    ----------
    B : ndarray, shape (D, r)
        Shared module, orthonormal columns spanning the fitted module's range.
    heads : ndarray, shape (k, r)
        Row ``i`` is task i's head ``A_i``.
    predictors : ndarray, shape (D, k)
        Column ``i`` is task i's linear predictor ``B A_i``.
    objective : float
        ``sum_i alpha_i ||X_i B A_i - y_i||^2`` at the returned point.
    task_losses : ndarray, shape (k,)
        Unweighted ``||X_i B A_i - y_i||^2`` of each task.
    weights : ndarray, shape (k,)
        Task weights ``alpha_i`` used.
    method : str
        ``"closed_form"`` (Prop. 3), ``"single_task"`` or ``"als"``.
    iterations : int
        ALS sweeps of the returned start (0 for closed forms).
    converged : bool
        Whether the returned start met the ALS tolerance (True for closed forms).
    start_objectives : ndarray, shape (starts,)
        Final objective of every ALS start (empty for closed forms).
    """

    B: np.ndarray
    heads: np.ndarray
    predictors: np.ndarray
    objective: float
    task_losses: np.ndarray
    weights: np.ndarray
    method: str
    iterations: int = 0
    converged: bool = True
    start_objectives: np.ndarray = None

    def __post_init__(self):
        if self.start_objectives is None:
            self.start_objectives = np.zeros(0)


def fit_from_module(Xs, ys, B, heads, weights, method, iterations=0, converged=True,
                    start_objectives=None):
    """Package a module and heads as a :class:`SharedModuleFit` (orthonormal ``B``, exact losses).

    Parameters
    ----------
    Xs, ys : lists of ndarrays, shapes (n_i, D) and (n_i,)
        Checked task data.
    B : ndarray, shape (D, r)
    heads : ndarray, shape (k, r)
    weights : ndarray, shape (k,)
    method : str
    """
    Q, T = np.linalg.qr(B)
    heads = np.asarray(heads, dtype=float) @ T.T  # B A_i = Q (T A_i)
    predictors = Q @ heads.T
    losses = np.array([float(np.sum((X @ w - y) ** 2))
                       for X, y, w in zip(Xs, ys, predictors.T)])
    return SharedModuleFit(B=Q, heads=heads, predictors=predictors,
                           objective=float(np.dot(weights, losses)), task_losses=losses,
                           weights=np.asarray(weights, dtype=float).copy(), method=method,
                           iterations=int(iterations), converged=bool(converged),
                           start_objectives=start_objectives)
