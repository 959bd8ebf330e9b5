"""The two integrators of the flow: explicit DOP853 while it is not stiff, then the
Rosenbrock-W method ROS34PW2 (order 3, embedded order 2).

:func:`rosenbrock_step` is one step of ROS34PW2 for any ODE ``y' = f(y)`` given ``f`` and
a solver of its stage equations ``(c I - A) u = b`` (a W-method keeps its order for any
matrix ``A``; the flow takes the Gauss-Newton kernel). :func:`explicit_phase` runs scipy's
DOP853 on the flow until it is stability-limited (docs/multi_flow.md).
"""
import numpy as np
import scipy.integrate

from featreuse.errors import SolverError
from ..diagonal import beta_multi
from .gauss_newton import spectral_radius

# ROS34PW2 (Rang & Angermann, BIT 45 (2005) 761), Hairer convention:
# k_i = h f(y + sum_j alpha_ij k_j) + h A sum_j gamma_ij k_j, y1 = y + sum_i b_i k_i.
GAMMA = 4.3586652150845900e-01
ALPHA = np.array([
    [0.0, 0.0, 0.0, 0.0],
    [8.7173304301691801e-01, 0.0, 0.0, 0.0],
    [8.4457060015369423e-01, -1.1299064236484185e-01, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0]])
GAMMA_MAT = np.array([
    [GAMMA, 0.0, 0.0, 0.0],
    [-8.7173304301691801e-01, GAMMA, 0.0, 0.0],
    [-9.0338057013044082e-01, 5.4180672388095326e-02, GAMMA, 0.0],
    [2.4212380706095346e-01, -1.2232505839045147e+00, 5.4526025533510214e-01, GAMMA]])
B = np.array([2.4212380706095346e-01, -1.2232505839045147e+00,
              1.5452602553351023e+00, 4.3586652150845900e-01])
BHAT = np.array([3.7810903145819369e-01, -9.6042292212423178e-02,
                 5.0000000000000000e-01, 2.1793326075422950e-01])
# Transformed form (Hairer & Wanner, Solving ODEs II, IV.7 (7.3)), u_i = sum_j gamma_ij k_j:
# (1/(h gamma) - A) u_i = f(y + sum_j a_ij u_j) + sum_j (c_ij / h) u_j,  y1 = y + sum_j m_j u_j.
GINV = np.linalg.inv(GAMMA_MAT)
A_T = ALPHA @ GINV
C_T = np.diag(1.0 / np.diag(GAMMA_MAT)) - GINV
M = B @ GINV
M_ERR = (B - BHAT) @ GINV
ORDER_EST = 3  # the error estimate is O(h^3) (embedded order 2)

_STIFF_SWITCH = 2.0  # leave DOP853 once h * rho exceeds this (its real stability limit is ~6)
_STIFF_CHECK_EVERY = 10  # DOP853 steps between spectral-radius estimates
_SWITCH_RATIO = 0.3  # measured on the paper problem (docs/multi_flow.md)
_MAX_LIMITED_CHECKS = 15  # switch at the latest after this many stability-limited checks


def rosenbrock_step(rhs, solve, y, f0, h):
    """One step of ROS34PW2 (Rang & Angermann 2005) in transformed form from ``y``.

    Parameters
    ----------
    rhs : callable
        ``rhs(y) -> y'`` (arrays of ``y``'s shape).
    solve : callable
        ``solve(b, c) -> u`` with ``(c I - A) u = b``, ``A`` the W-method's matrix (the
        Jacobian of ``rhs``, or any approximation of it: the order does not depend on it).
        Called with ``c = 1 / (h GAMMA)``, four times.
    y : ndarray
        The state.
    f0 : ndarray
        ``rhs(y)`` (the caller usually has it).
    h : float
        The step size.

    Returns
    -------
    y1 : ndarray
        The order-3 solution at ``t + h``.
    error : ndarray
        The embedded error estimate ``y1 - y1_hat`` (``y1_hat`` of order 2): O(h^3).
    """
    c = 1.0 / (h * GAMMA)
    u = [None] * 4
    for i in range(4):
        if i == 0:
            Fi = f0
        else:
            Yi = y.copy()
            for j in range(i):
                if A_T[i, j] != 0.0:
                    Yi += A_T[i, j] * u[j]
            Fi = rhs(Yi)
        b = Fi.copy()
        for j in range(i):
            b += (C_T[i, j] / h) * u[j]
        u[i] = solve(b, c)
    y1 = y + M[0] * u[0] + M[1] * u[1] + M[2] * u[2] + M[3] * u[3]
    error = M_ERR[0] * u[0] + M_ERR[1] * u[1] + M_ERR[2] * u[2] + M_ERR[3] * u[3]
    return y1, error


def explicit_phase(prob, P, t_end, times, traj, rtol, atol, max_steps, done_loss, bar, info):
    """Integrate with DOP853 while the flow is not stiff.

    Returns ``(t, P, h, steps, attempts, next_i)``: the time and parameters
    reached, DOP853's last step size, its step count (used as attempts) and
    the index of the next requested time not yet recorded.
    """
    shape = P.shape

    def fun(_t, y):
        return prob.rhs(y.reshape(shape)).ravel()

    solver = scipy.integrate.DOP853(fun, 0.0, P.ravel().copy(), t_end, rtol=rtol, atol=atol)
    next_i, steps, v, limited = 0, 0, None, 0
    h = solver.h_abs if hasattr(solver, "h_abs") else 1e-3
    if times is not None:
        while next_i < times.size and times[next_i] <= 0.0:
            traj[next_i] = beta_multi(P)
            next_i += 1
    t = 0.0
    while solver.status == "running" and steps < max_steps:
        if times is not None and next_i == times.size:
            break
        t_old = solver.t
        msg = solver.step()
        if solver.status == "failed":
            raise SolverError(f"DOP853 failed at flow time {t_old:.4g}", msg)
        steps += 1
        t = solver.t
        h = solver.step_size
        P = solver.y.reshape(shape).copy()
        if times is not None and next_i < times.size and times[next_i] <= t:
            dense = solver.dense_output()
            while next_i < times.size and times[next_i] <= t:
                traj[next_i] = beta_multi(dense(times[next_i]).reshape(shape))
                next_i += 1
        if bar is not None:
            bar.update(1)
        if done_loss is not None and prob.loss(P) < done_loss:
            break
        if steps % _STIFF_CHECK_EVERY == 0:
            rho, v = spectral_radius(prob, P, v)
            if h * rho > _STIFF_SWITCH:
                # Stability-limited.  The order-3 W-method's step is about
                # rtol^(1/3) times the loss time scale L / ||grad L||^2
                # (measured, docs/multi_flow.md); switch once it beats DOP853's,
                # or once DOP853 has stayed stability-limited for long.
                limited += 1
                F, loss = prob.rhs_loss(P)
                gg = float(np.sum(F * F))
                if (gg == 0.0 or rtol ** (1.0 / 3.0) * loss / gg > _SWITCH_RATIO * h
                        or limited >= _MAX_LIMITED_CHECKS):
                    break
    info["explicit_steps"] = steps
    info["explicit_time"] = t
    return t, P, h, steps, steps, next_i
