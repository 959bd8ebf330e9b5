"""Result objects returned by the trainers: plain dataclasses of numpy arrays."""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class SingleResult:
    """Outcome of training a single-task diagonal network.

    Attributes
    ----------
    beta : ndarray (D,)
        Predictor ``w+ * v+ - w- * v-``.
    params : ndarray (4, D)
        Rows ``w+, v+, w-, v-``.
    loss : float
        Training MSE ``(1/n) ||X beta - y||^2`` at the end.
    steps : int
        GD: updates taken (after the last restart). Flow: Newton iterations
        (end) or accepted ODE steps (trajectory).
    converged : bool
        The training loss reached ``tol`` (the same meaning for both methods).
        GD: the loss fell below ``tol`` before ``max_steps``. Flow: the end
        (t = inf) has loss below ``tol``; it does not when y is not in the
        range of X (the flow then ends at the least-squares fit, e.g. noisy
        labels with n > D; ``info["interpolates"]`` is False) or when Newton
        stopped above ``flow_tol``. Each False end is announced by a
        :class:`~featreuse.errors.ConvergenceWarning`. A flow trajectory that
        ends at a finite time is converged when it reached that time.
    method : str
        ``"gd"`` or ``"flow"``.
    init : ndarray (4, D)
        The initial parameters.
    train : str
        ``"all"`` or ``"readout"`` (first layer frozen).
    lr : float or None
        GD learning rate in force at the end (after restarts); None for flow.
    restarts : int
        Number of divergence restarts (GD).
    times : ndarray (m,) or None
        Flow times of the recorded trajectory (``np.inf`` for the end).
    trajectory : ndarray (m, D) or None
        ``beta`` at ``times`` when a trajectory was requested.
    wall_s : float
        Wall-clock seconds spent.
    """

    beta: np.ndarray
    params: np.ndarray
    loss: float
    steps: int
    converged: bool
    method: str
    init: np.ndarray
    train: str = "all"
    lr: float = None
    restarts: int = 0
    times: np.ndarray = None
    trajectory: np.ndarray = None
    wall_s: float = 0.0
    info: dict = field(default_factory=dict)


@dataclass
class MultiResult:
    """Outcome of training a multi-task diagonal network.

    Attributes
    ----------
    beta : ndarray (D, T)
        Column ``t`` is task ``t``'s predictor ``w+ * v+^t - w- * v-^t``.
    params : ndarray (T + 1, 2, D)
        ``params[0] = (w+, w-)`` is the shared first layer;
        ``params[1 + t] = (v+^t, v-^t)`` is task ``t``'s readout.
    loss : float
        Weighted training loss ``sum_t omega_t ||X_t beta_t - y_t||^2`` (the
        data term, without weight decay), ``omega = sample_weights``.
    steps : int
        GD updates, or integrator steps (flow).
    converged : bool
        The end met ``tol`` (data loss below ``tol`` without weight decay,
        squared gradient norm below ``tol`` with it), for both methods; a
        ConvergenceWarning says why when it did not. With ``times``: every
        requested time was reached.
    method : str
    init : ndarray (T + 1, 2, D)
    weight_decay : float
        lambda in ``L + lambda ||theta||^2``.
    sample_weights : ndarray (T,)
        Per-sample weight ``omega_t`` of task ``t``'s squared errors (LL:
        ``1/N``). Not the per-task weights ``task_weights`` lambda_t of
        :func:`featreuse.solvers.train_multi`: ``omega_t = lambda_t / n_t``, so
        ``task_weights=sample_weights * ns`` reproduces the run.
    lr, restarts, times, trajectory, wall_s, info : as in :class:`SingleResult`
        (``trajectory`` has shape (m, D, T)).
    """

    beta: np.ndarray
    params: np.ndarray
    loss: float
    steps: int
    converged: bool
    method: str
    init: np.ndarray
    weight_decay: float = 0.0
    sample_weights: np.ndarray = None
    lr: float = None
    restarts: int = 0
    times: np.ndarray = None
    trajectory: np.ndarray = None
    wall_s: float = 0.0
    info: dict = field(default_factory=dict)
