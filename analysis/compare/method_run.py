"""What one call of a method returns: its predictor, whether it converged, and its path."""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Path:
    """Iterates of an iterative method, sampled along its run.

    Attributes
    ----------
    step : ndarray (m,)
        GD step of each sample (NaN for the flow).
    flow_time : ndarray (m,)
        Training time ``t`` of each sample: the flow's time, or ``lr * step``
        for GD (the flow time GD approximates).
    wall_s : ndarray (m,)
        Seconds since the call started when the sample was taken (NaN for the
        flow, whose end is one Newton solve and whose path is computed apart).
    beta : ndarray (m, D) or (m, D, T)
        The predictor at each sample.
    """

    step: np.ndarray
    flow_time: np.ndarray
    wall_s: np.ndarray
    beta: np.ndarray


@dataclass
class MethodRun:
    """Outcome of one call of a method.

    Attributes
    ----------
    beta : ndarray (D,) or (D, T)
        The method's answer.
    converged : bool
        The method met its own stopping criterion (trainers: train loss or
        squared gradient norm below ``tol``; convex solvers: solved optimal).
    steps : int or None
        GD steps, Newton iterations, integrator steps or solver iterations;
        None when the solver does not say.
    certificate : float
        The solver's own optimality certificate (duality gap or KKT residual),
        NaN when it has none.
    timed_out : bool
        The call stopped at its deadline; ``beta`` is where it got to.
    path : Path or None
        Sampled iterates (iterative methods, when asked for).
    info : dict
        Extras (learning rate after restarts, solver tolerance, ...).
    """

    beta: np.ndarray
    converged: bool
    steps: int = None
    certificate: float = float("nan")
    timed_out: bool = False
    path: Path = None
    info: dict = field(default_factory=dict)
