"""Outcomes of ReLU training runs: plain dataclasses of numpy arrays."""
from dataclasses import dataclass

import numpy as np


@dataclass
class ReluResult:
    """Outcome of one network's run.

    Attributes
    ----------
    W : ndarray (K, D)
        Final hidden weights.
    a : ndarray (T, K)
        Final readout.
    loss : float
        Last training loss: the mean of the last epoch's minibatch losses
        (SGD), or the last full-batch loss (GD). NaN if the run failed.
    epochs : int
        Epochs (GD: loss evaluations) of the last attempt (after restarts).
    steps : int
        Parameter updates of the last attempt.
    converged : bool
        The loss fell below ``tol``.
    stopped_at_max : bool
        The run reached ``max_epochs`` without converging.
    failed : bool
        The run still diverged after all restarts (stacked trainer only;
        :func:`featreuse.nets.train_one` raises ``DivergenceError`` instead).
    restarts : int
        Divergence restarts taken.
    lr : float
        Learning rate of the last attempt.
    wall_s : float
        Seconds from the start of training until this run stopped.
    """

    W: np.ndarray
    a: np.ndarray
    loss: float
    epochs: int
    steps: int
    converged: bool
    stopped_at_max: bool
    failed: bool
    restarts: int
    lr: float
    wall_s: float


@dataclass
class StackedResult:
    """Outcomes of M runs trained together; arrays are indexed by run.

    Attributes
    ----------
    W : ndarray (M, K, D)
    a : ndarray (M, T_max, K)
        Readouts; rows ``n_tasks[m]:`` of run ``m`` are zero padding.
    n_tasks : ndarray (M,) of int
    loss, lr, wall_s : ndarray (M,) of float
    epochs, steps, restarts : ndarray (M,) of int
    converged, stopped_at_max, failed : ndarray (M,) of bool
        See :class:`ReluResult`.
    total_wall_s : float
        Seconds for the whole stack.
    loss_history : list of ndarray (epochs[m],) or None
        Each epoch's loss of run m's last attempt, when requested.
    epoch_equivalents : ndarray (M,) of float or None
        The flow trainer's cost in full-batch gradient evaluations (None: SGD, whose
        cost is its ``epochs``).
    flow_time : ndarray (M,) of float or None
        The flow trainer's integrated time (``lr`` per SGD step).
    """

    W: np.ndarray
    a: np.ndarray
    n_tasks: np.ndarray
    loss: np.ndarray
    epochs: np.ndarray
    steps: np.ndarray
    converged: np.ndarray
    stopped_at_max: np.ndarray
    failed: np.ndarray
    restarts: np.ndarray
    lr: np.ndarray
    wall_s: np.ndarray
    total_wall_s: float
    loss_history: list = None
    epoch_equivalents: np.ndarray = None
    flow_time: np.ndarray = None

    def __len__(self):
        return self.W.shape[0]

    def network(self, m):
        """Return run ``m`` as a :class:`ReluResult`."""
        return ReluResult(W=self.W[m].copy(), a=self.a[m, :self.n_tasks[m]].copy(),
                          loss=float(self.loss[m]), epochs=int(self.epochs[m]),
                          steps=int(self.steps[m]), converged=bool(self.converged[m]),
                          stopped_at_max=bool(self.stopped_at_max[m]),
                          failed=bool(self.failed[m]), restarts=int(self.restarts[m]),
                          lr=float(self.lr[m]), wall_s=float(self.wall_s[m]))
