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
        GD: loss fell below ``tol``. Flow: Newton met its tolerance.
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
        data term, without weight decay).
    steps : int
        GD updates, or integrator steps (flow).
    converged : bool
    method : str
    init : ndarray (T + 1, 2, D)
    weight_decay : float
        lambda in ``L + lambda ||theta||^2``.
    task_weights : ndarray (T,)
        Per-sample weight ``omega_t`` of each task's squared errors.
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
    task_weights: np.ndarray = None
    lr: float = None
    restarts: int = 0
    times: np.ndarray = None
    trajectory: np.ndarray = None
    wall_s: float = 0.0
    info: dict = field(default_factory=dict)
