"""The end of the flow, polished: the tail jump (lambda = 0) and Newton (lambda > 0).

For ``lambda = 0`` the end point is moved by the kernel limit of the linearised flow,
``theta - J^T (J J^T)^+ r``, with an error estimate; for ``lambda > 0`` damped Newton on
``L + lambda ||theta||^2`` (docs/multi_flow.md, "tail jump" and "Newton polish").
"""
import time

import numpy as np

from ..diagonal import beta_multi
from .gauss_newton import Linearization, kernel_limit
from .problem import pullback


def rel_beta_change(P, dP):
    B = beta_multi(P)
    nb = np.linalg.norm(B)
    return float(np.linalg.norm(beta_multi(P + dP) - B) / max(nb, np.finfo(float).tiny))


def tail_jump(prob, P, loss, F, info):
    """Polish the end with the kernel limit of the linearised flow (lambda = 0).

    Linearising the flow at P, ``r' = -J W J^T r`` so that the parameters
    still move by ``-J^T W int r = -J^T (J J^T)^+ r`` (docs/multi_flow.md).
    The error of this second-order-accurate jump is estimated by the size of
    the same jump taken again from its end point (a Newton correction).
    """
    info["loss_before_jump"] = loss
    tk = time.perf_counter()
    jump = kernel_limit(prob, P)
    info["kernel_builds"] += 1
    info["wall_kernel_s"] += time.perf_counter() - tk
    dP = jump(prob.residuals(P))
    P1 = P + dP
    F1, loss1 = prob.rhs_loss(P1)
    if not np.isfinite(loss1) or loss1 > loss:
        return P, loss, F
    dP2 = jump(prob.residuals(P1))
    info["jump"] = True
    info["jump_size"] = rel_beta_change(P, dP)
    info["jump_error"] = rel_beta_change(P1, dP2)
    return P1, loss1, F1


NEWTON_MAX_ITER = 20


def newton_polish(prob, P, loss, F, info):
    """Polish a weight-decayed end (lambda > 0) by Newton on ``L + lambda ||theta||^2``.

    The flow stops once ``||grad||^2 < tol``; near a strict local minimum the
    remaining error is ``~ ||grad|| / lambda_min(H)``, which is loose for small
    lambda.  Newton steps ``H s = -grad`` (MINRES with the exact
    Hessian-vector product ``J^T W J v + C v + 2 lambda v``, where ``C v`` is
    :func:`pullback` of v with the data gradient, the bilinear curvature of
    ``beta``) are taken while they lower the gradient norm.  H is singular or
    nearly so at these points (for an active coordinate the unused sign's pair
    sits where ``2 lambda = ||g_d||``, the group lasso's KKT boundary), hence
    MINRES rather than conjugate gradients.  ``info`` gets ``newton_steps``
    and ``grad_norm_before_polish``.
    """
    from scipy.sparse.linalg import LinearOperator, minres
    info["grad_norm_before_polish"] = float(np.linalg.norm(F))
    info["newton_steps"] = 0
    shape, n = P.shape, P.size
    for _ in range(NEWTON_MAX_ITER):
        lin = Linearization(prob, P)
        g = prob.G.copy()  # data gradient in beta at P (set by rhs_loss)
        fn = float(np.linalg.norm(F))

        def hess(v):  # Hessian of L + lambda ||theta||^2 at P, times v
            V = v.reshape(shape)
            cv = np.empty_like(V)
            pullback(V, g, 1.0, -prob.lam, cv)  # C v + 2 lambda v
            return (lin._from_samples(lin._to_samples(V), 1.0) + cv).ravel()

        # Levenberg-Marquardt: H + mu I, from a plain Newton step upwards, the
        # first shift that lowers the gradient norm is taken.
        accepted = False
        for mu in (0.0, fn, 1e2 * fn, 1e4 * fn):
            op = LinearOperator((n, n), matvec=lambda v, mu=mu: hess(v) + mu * v, dtype=float)
            step, _ = minres(op, F.ravel(), rtol=1e-12, maxiter=10 * n)
            P1 = P + step.reshape(shape)  # F = -grad, so H step = F is the Newton step
            F1, loss1 = prob.rhs_loss(P1)
            if np.all(np.isfinite(F1)) and np.linalg.norm(F1) < fn:
                accepted = True
                break
        if not accepted:
            break
        P, loss, F = P1, loss1, F1
        info["newton_steps"] += 1
    return P, loss, F
