"""The alpha -> 0 limit of the single-task flow: Pesme & Flammarion's saddle-to-saddle path.

For the scalar initialisation ``alpha`` (``A = B = alpha^2``) the flow's dual
variable ``z = (4/n) X^T p`` obeys ``dz/dt = -2 g``,
``g = grad L(beta) = (2/n) X^T (X beta - y)``. In the rescaled variables

    q = z / (2 ln(1/alpha)),     tau = t / ln(1/alpha)

``dq/dtau = -g``, and as ``alpha -> 0`` the predictor ``beta = 2 alpha^2 sinh(z)``
is ``0`` on every coordinate with ``|q_i| < 1``. Pesme & Flammarion (2023) show
the rescaled trajectory converges to a piecewise-constant path: ``beta`` sits
at a saddle of ``L`` (the least-squares fit on the current face of the l1 ball)
while ``q`` moves linearly, and jumps when some ``q_i`` reaches ``+-1``:

    q <- start (default 0), tau <- 0, beta <- argmin L on the face of q
    while grad L(beta) != 0:
        Delta <- inf{rho > 0: q_i - rho g_i in {-1, +1} for some i with g_i != 0}
        tau <- tau + Delta;  q <- q - Delta g
        beta <- argmin L(beta) s.t. beta_i = 0 if |q_i| < 1,
                                   sign(beta_i) in {0, q_i} if |q_i| = 1

The last ``beta`` is the minimum-l1 interpolant (when ``y`` is in the range
of ``X``; otherwise a least-squares solution). See docs/penalties.md.
"""
import warnings
from dataclasses import dataclass

import numpy as np

from featreuse.errors import ConvergenceWarning, InputError, SolverError
from featreuse.validation import as_float_array, check_data, check_scalar

__all__ = ["SaddlePath", "saddle_path", "flow_in_rescaled_time", "dual_in_rescaled_time"]


@dataclass
class SaddlePath:
    """Breakpoints of the alpha -> 0 saddle-to-saddle path.

    Attributes
    ----------
    times : ndarray (m,)
        Rescaled times ``tau_k = t_k / ln(1/alpha)`` of the jumps; ``times[0] = 0``.
    betas : ndarray (m, D)
        ``betas[k]`` is the saddle occupied on ``[tau_k, tau_{k+1})``;
        ``betas[0]`` is the start (``0`` unless ``start`` has entries at ``+-1``),
        ``betas[-1]`` the end point (the minimum-l1 interpolant from ``q = 0``).
    duals : ndarray (m, D)
        Rescaled dual ``q(tau_k)`` right after each jump, entries in ``[-1, 1]``.
    gradients : ndarray (m, D)
        ``grad L(betas[k]) = (2/n) X^T (X betas[k] - y)``; ``q`` moves with
        velocity ``-gradients[k]`` on ``[tau_k, tau_{k+1})``.
    losses : ndarray (m,)
        ``L(betas[k]) = (1/n) ||X betas[k] - y||^2``.
    converged : bool
        The final gradient is below ``tol`` (relative to ``||grad L(0)||_inf``).
    """

    times: np.ndarray
    betas: np.ndarray
    duals: np.ndarray
    gradients: np.ndarray
    losses: np.ndarray
    converged: bool = True

    @property
    def n_breakpoints(self):
        """Number of jumps (``len(times) - 1``)."""
        return len(self.times) - 1


def saddle_path(X, y, start=None, tol=1e-12, max_steps=None):
    """Pesme & Flammarion's saddle-to-saddle path (the alpha -> 0 flow).

    Parameters
    ----------
    X : array_like (n, D)
        Design matrix, rows are samples.
    y : array_like (n,)
        Targets.
    start : array_like (D,), optional
        Initial rescaled dual ``q(0)`` with entries in ``[-1, 1]`` (default 0).
        For PT+FT (Declèves et al.) use ``sign(beta_aux)`` on the pretrained
        support. Entries equal to ``+-1`` are active from the start.
    tol : float
        Stop when ``||grad L(beta)||_inf <= tol * max(||grad L(0)||_inf, tiny)``.
        Also the tolerance for ``|q_i| = 1`` and for ``g_i = 0``.
    max_steps : int, optional
        Maximum number of jumps (default ``10 * D + 10``); hitting it emits a
        :class:`~featreuse.errors.ConvergenceWarning`.

    Returns
    -------
    SaddlePath

    Raises
    ------
    InputError
        Bad shapes, ``start`` outside ``[-1, 1]`` or bad ``tol``.
    SolverError
        A step found no coordinate to activate although the gradient is not 0.
    """
    X, y = check_data(X, y)
    n, D = X.shape
    check_scalar(tol, "tol", low=0.0, high=1e-2)
    if max_steps is None:
        max_steps = 10 * D + 10
    check_scalar(max_steps, "max_steps", low=1, low_inclusive=True, integer=True)
    if start is None:
        qv = np.zeros(D)
    else:
        qv = as_float_array(start, "start", ndim=1).copy()
        if qv.shape != (D,):
            raise InputError(f"start must have shape ({D},), got {qv.shape}")
        if np.any(np.abs(qv) > 1.0 + tol):
            raise InputError("start must have entries in [-1, 1]")
        qv = np.clip(qv, -1.0, 1.0)

    def grad(beta):
        return (2.0 / n) * (X.T @ (X @ beta - y))

    g0 = grad(np.zeros(D))
    g_scale = max(np.max(np.abs(g0)), np.finfo(float).tiny)
    g_tol = tol * g_scale

    beta = _face_least_squares(X, y, qv, tol)
    g = grad(beta)
    tau = 0.0
    times, betas, duals, grads, losses = [0.0], [beta], [qv.copy()], [g], [_loss(X, y, beta)]
    converged = bool(np.max(np.abs(g)) <= g_tol)
    steps = 0
    while not converged:
        if steps >= max_steps:
            warnings.warn(f"saddle_path stopped after max_steps={max_steps} jumps with "
                          f"||grad||_inf = {np.max(np.abs(g)):.3e}", ConvergenceWarning,
                          stacklevel=2)
            break
        moving = np.abs(g) > g_tol
        # time for q_i to reach the boundary it is moving towards
        target = -np.sign(g)
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(moving, (qv - target) / g, np.inf)
        # coordinates already on the boundary they move towards have rho ~ 0;
        # on the face minimiser the KKT conditions forbid that (up to tol)
        rho = np.where(rho > tol, rho, np.inf)
        i = int(np.argmin(rho))
        delta = rho[i]
        if not np.isfinite(delta):
            raise SolverError("saddle_path: nonzero gradient but no coordinate can activate",
                              status=f"||grad||_inf={np.max(np.abs(g)):.3e}")
        tau += delta
        qv = qv - delta * g
        qv[i] = target[i]
        # snap coordinates that reached the boundary together with i
        on = np.abs(np.abs(qv) - 1.0) <= tol
        qv[on] = np.sign(qv[on])
        qv = np.clip(qv, -1.0, 1.0)
        beta = _face_least_squares(X, y, qv, tol)
        g = grad(beta)
        times.append(tau)
        betas.append(beta)
        duals.append(qv.copy())
        grads.append(g)
        losses.append(_loss(X, y, beta))
        steps += 1
        converged = bool(np.max(np.abs(g)) <= g_tol)
    return SaddlePath(times=np.array(times), betas=np.array(betas), duals=np.array(duals),
                      gradients=np.array(grads), losses=np.array(losses), converged=converged)


def flow_in_rescaled_time(path, tau):
    """Predictor of the alpha -> 0 flow at rescaled time(s) ``tau``.

    In the limit the rescaled trajectory ``beta(tau ln(1/alpha))`` is
    piecewise constant: it equals ``path.betas[k]`` on ``[tau_k, tau_{k+1})``
    and jumps at each breakpoint (at finite alpha the jump takes flow time
    O(1), i.e. rescaled time O(1/ln(1/alpha))). Right-continuous convention:
    at ``tau = tau_k`` the new saddle ``betas[k]`` is returned.

    Parameters
    ----------
    path : SaddlePath
    tau : float or array_like (k,)
        Rescaled times ``>= 0``.

    Returns
    -------
    ndarray (D,) or (k, D)
    """
    if not isinstance(path, SaddlePath):
        raise InputError(f"path must be a SaddlePath, got {type(path).__name__}")
    tau_arr = as_float_array(tau, "tau")
    if np.any(tau_arr < 0):
        raise InputError("tau must be >= 0")
    k = np.searchsorted(path.times, tau_arr, side="right") - 1
    return path.betas[k]


def dual_in_rescaled_time(path, tau):
    """Rescaled dual ``q(tau)``: piecewise linear, ``q_k - (tau - tau_k) grad L(beta_k)``.

    Same arguments and shapes as :func:`flow_in_rescaled_time`; after the last
    breakpoint ``q`` keeps moving with the final (zero up to tol) gradient.
    """
    if not isinstance(path, SaddlePath):
        raise InputError(f"path must be a SaddlePath, got {type(path).__name__}")
    tau_arr = as_float_array(tau, "tau")
    if np.any(tau_arr < 0):
        raise InputError("tau must be >= 0")
    k = np.searchsorted(path.times, tau_arr, side="right") - 1
    return path.duals[k] - (tau_arr - path.times[k])[..., None] * path.gradients[k]


def _face_least_squares(X, y, qv, tol):
    """argmin ||X beta - y|| with beta_i = 0 where |q_i| < 1, sign(beta_i) in {0, q_i} else.

    Substituting ``beta_i = q_i u_i`` with ``u_i >= 0`` turns it into NNLS on
    the sign-flipped active columns.
    """
    beta = np.zeros(X.shape[1])
    active = np.flatnonzero(np.abs(qv) >= 1.0 - tol)
    if active.size == 0:
        return beta
    from scipy.optimize import nnls  # imported here: scipy.optimize takes 0.5 s to import
    signs = np.sign(qv[active])
    A = X[:, active] * signs
    u, _ = nnls(A, y, maxiter=max(50 * active.size, 1000))
    beta[active] = signs * u
    return beta


def _loss(X, y, beta):
    r = X @ beta - y
    return float(r @ r) / X.shape[0]
