"""What :func:`featreuse.solvers.multi_flow.multi_flow` returns."""
from dataclasses import dataclass, field

import numpy as np


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
        ``kernel_float64`` (kernels decomposed again in float64 for a small shift),
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
