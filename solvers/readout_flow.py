"""Exact flow when only the readouts train (first layer frozen): the kernel regime.

With ``w+, w-`` fixed, ``d beta/dt = -W g`` with ``W = w+^2 + w-^2`` and
``g = (2/n) X^T (X beta - y)``. Writing ``beta = beta0 + (2/n) W X^T p``,

    dp/dt = r0 - K p,   K = (2/n) X diag(W) X^T,   r0 = y - X beta0,

a linear ODE solved exactly by the eigendecomposition of K. Its end is the
interpolant (or least-squares fit) closest to beta0 in the norm
``sum_d (beta_d - beta0_d)^2 / W_d`` (docs/theory.md).
"""
import numpy as np


def readout_flow(X, y, init, times=None):
    """Readout-only flow from ``init`` (4, D) at ``times`` (m,), ``np.inf`` allowed.

    Returns ``(params (m, 4, D), loss (m,))``; ``times=None`` means ``[np.inf]``.
    """
    n = X.shape[0]
    times = np.array([np.inf]) if times is None else np.asarray(times, dtype=float)
    wp, vp, wm, vm = init
    W = wp ** 2 + wm ** 2
    beta0 = wp * vp - wm * vm
    r0 = y - X @ beta0
    K = (2.0 / n) * (X * W) @ X.T
    lam, E = np.linalg.eigh(K)
    tiny = lam.max() * n * np.finfo(float).eps if lam.max() > 0 else 0.0
    c = E.T @ r0
    out, losses = [], []
    for t in times:
        # p = sum_i (1 - e^{-lam_i t}) / lam_i c_i e_i on the modes with lam_i > 0;
        # modes with lam_i = 0 never move beta.
        coef = np.zeros_like(lam)
        pos = lam > tiny
        if np.isinf(t):
            coef[pos] = c[pos] / lam[pos]
        else:
            coef[pos] = -np.expm1(-lam[pos] * t) / lam[pos] * c[pos]
        G = (2.0 / n) * (X.T @ (E @ coef))  # = -integral of g
        params = np.stack([wp, vp + wp * G, wm, vm - wm * G])
        beta = params[0] * params[1] - params[2] * params[3]
        out.append(params)
        losses.append(float(np.mean((X @ beta - y) ** 2)))
    return np.stack(out), np.array(losses)
