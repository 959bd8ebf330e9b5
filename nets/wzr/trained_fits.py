"""Outcomes of training the shared-module model (WZR) in torch: dataclasses of numpy arrays."""
from dataclasses import dataclass

import numpy as np


@dataclass
class SharedModuleNetFit:
    """A shared-module model ``g(X_i B) A_i`` trained by gradient methods.

    ``B`` and the heads are returned as trained (no change of basis): for ReLU only
    positive rescalings of B's columns leave the model unchanged.

    Attributes
    ----------
    B : ndarray, shape (D, r)
        Shared module.
    heads : ndarray, shape (k, r)
        Row i is task i's head ``A_i``.
    activation : str
        ``"linear"`` or ``"relu"``.
    objective : float
        ``sum_i alpha_i ||g(X_i B) A_i - y_i||^2`` of the returned start.
    task_losses : ndarray, shape (k,)
        Unweighted ``||g(X_i B) A_i - y_i||^2``.
    weights : ndarray, shape (k,)
        Task weights ``alpha_i``.
    steps : int
        L-BFGS iterations of the returned start.
    converged : bool
        Whether the returned start stopped before ``max_iter``.
    start_objectives : ndarray, shape (starts,)
        Final objective of every start.
    """

    B: np.ndarray
    heads: np.ndarray
    activation: str
    objective: float
    task_losses: np.ndarray
    weights: np.ndarray
    steps: int
    converged: bool
    start_objectives: np.ndarray


@dataclass
class AlignmentFit:
    """WZR Algorithm 1: per-task alignment modules ``R_i`` in front of a fixed shared module.

    Task i predicts ``g(X_i R_i B) A_i``; ``Z_i = X_i R_i`` are its aligned inputs.

    Attributes
    ----------
    R : ndarray, shape (k, D, D)
        Alignment modules (initialised to the identity).
    heads : ndarray, shape (k, r)
        Heads trained with them.
    B : ndarray, shape (D, r)
        The fixed shared module.
    activation : str
    objective_before : float
        ``sum_i alpha_i ||g(X_i B) A_i - y_i||^2`` at the start (``R_i = I``, initial heads).
    objective : float
        The same with the trained ``R_i`` and heads.
    task_losses : ndarray, shape (k,)
        Unweighted per-task losses after alignment.
    weights : ndarray, shape (k,)
    steps : int
        L-BFGS iterations.
    converged : bool
        Whether L-BFGS stopped before ``max_iter``.
    """

    R: np.ndarray
    heads: np.ndarray
    B: np.ndarray
    activation: str
    objective_before: float
    objective: float
    task_losses: np.ndarray
    weights: np.ndarray
    steps: int
    converged: bool

    def aligned_inputs(self, Xs):
        """``Z_i = X_i R_i`` for a list of k input matrices (n_i, D)."""
        return [np.asarray(X, dtype=float) @ R for X, R in zip(Xs, self.R)]
