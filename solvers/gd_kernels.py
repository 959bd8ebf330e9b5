"""Numba kernels of LL's full-batch gradient descent on diagonal networks.

Both kernels run a batch of R runs that share the data: each step costs one
product ``X @ B`` and one ``X^T @ Rsd`` for the whole batch (BLAS), so a sweep
over seeds, init scales or rescalings makes one pass over X per step, not one
per run. Per run, the algorithm is LL's loop:

    loss = (1/n) ||X beta - y||^2
    if loss < tol: stop
    if loss > diverge_at or loss is NaN: restart from the init with lr / 10
    theta <- theta - lr * grad(loss)

Status codes per run: 1 converged, 2 stopped at max_steps, 3 diverged more
than max_restarts times.

With at least as many samples as coordinates (n >= D) the single-task kernel
works with the Gram matrix instead (:func:`gd_single`): one product
``(X^T X) @ B`` per step instead of two passes over X, the gradient
``(2/n)(X^T X beta - X^T y)`` and the loss
``(beta . (X^T X beta) - 2 (X^T y) . beta + y . y) / n``.  That loss cancels
(terms of order ``y . y / n`` for a loss near tol), so wherever it is within a
rounding bound of tol the exact loss ``||X beta - y||^2 / n`` decides the stop.
"""
import numpy as np
from numba import njit

CONVERGED, MAX_STEPS, DIVERGED = 1, 2, 3
_EPS = np.finfo(np.float64).eps


def gd_single(X, y, init, lr0, tol, max_steps, readout_only, max_restarts, diverge_at):
    """:func:`gd_single_kernel` on (X, y), through the Gram matrix when n >= D.

    Same arguments and returns as :func:`gd_single_kernel` without its Gram ones.
    """
    n, D = X.shape
    if n >= D:
        G = X.T @ X
        c = X.T @ y
        gmax = float(np.max(np.sum(np.abs(G), axis=0)))
        return gd_single_kernel(X, y, init, lr0, tol, max_steps, readout_only, max_restarts,
                                diverge_at, True, G, c, float(y @ y), gmax)
    empty = np.empty((0, 0))
    return gd_single_kernel(X, y, init, lr0, tol, max_steps, readout_only, max_restarts,
                            diverge_at, False, empty, np.empty(0), 0.0, 0.0)


@njit(cache=True)
def gd_single_kernel(X, y, init, lr0, tol, max_steps, readout_only, max_restarts, diverge_at,
                     gram, G_xx, c_xy, yy, gmax):
    """GD on single-task diagonal nets.

    X (n, D) C-contiguous, y (n,), init (R, 4, D) rows w+, v+, w-, v-, lr0 (R,).
    ``gram``: use ``G_xx = X^T X`` (D, D), ``c_xy = X^T y`` (D,), ``yy = y . y``
    and ``gmax`` (largest column sum of ``|G_xx|``, for the rounding bound of
    the loss) instead of two passes over X per step (see :func:`gd_single`).
    Returns params (R, 4, D), loss (R,), steps (R,), restarts (R,), lr (R,), status (R,).
    """
    n, D = X.shape
    R = init.shape[0]
    params = init.copy()
    lr = lr0.copy()
    steps = np.zeros(R, np.int64)
    restarts = np.zeros(R, np.int64)
    status = np.zeros(R, np.int64)
    loss = np.full(R, np.nan)
    XT = X.T
    active = np.arange(R)
    m = R
    scale = 2.0 / n
    while m > 0:
        B = np.empty((D, m))
        for j in range(m):
            b = active[j]
            for d in range(D):
                B[d, j] = params[b, 0, d] * params[b, 1, d] - params[b, 2, d] * params[b, 3, d]
        if gram:
            G = G_xx @ B  # becomes X^T (X beta - y) below
            for j in range(m):
                b = active[j]
                s = 0.0
                b1 = 0.0
                binf = 0.0
                cb = 0.0
                for d in range(D):
                    s += B[d, j] * (G[d, j] - 2.0 * c_xy[d])
                    b1 += abs(B[d, j])
                    binf = max(binf, abs(B[d, j]))
                    cb += abs(c_xy[d] * B[d, j])
                    G[d, j] -= c_xy[d]
                lb = (s + yy) / n
                # rounding bound of the cancelling sum (dot products of length D)
                margin = (D + 2) * _EPS * (b1 * binf * gmax + 2.0 * cb + yy) / n
                if lb < tol + margin:  # near the stop: the exact loss decides
                    beta = np.ascontiguousarray(B[:, j])
                    r = X @ beta - y
                    lb = (r @ r) / n
                loss[b] = lb
        else:
            Rsd = X @ B
            for j in range(m):
                b = active[j]
                s = 0.0
                for i in range(n):
                    Rsd[i, j] -= y[i]
                    s += Rsd[i, j] * Rsd[i, j]
                loss[b] = s / n
            G = XT @ Rsd
        keep = 0
        for j in range(m):
            b = active[j]
            lb = loss[b]
            if lb < tol:
                status[b] = CONVERGED
                continue
            if not (lb <= diverge_at):  # also catches NaN
                if restarts[b] >= max_restarts:
                    status[b] = DIVERGED
                    continue
                restarts[b] += 1
                lr[b] /= 10.0
                steps[b] = 0
                params[b] = init[b]
                active[keep] = b
                keep += 1
                continue
            if steps[b] >= max_steps:
                status[b] = MAX_STEPS
                continue
            eta = lr[b]
            for d in range(D):
                g = scale * G[d, j]
                wp, vp, wm, vm = params[b, 0, d], params[b, 1, d], params[b, 2, d], params[b, 3, d]
                params[b, 1, d] = vp - eta * g * wp
                params[b, 3, d] = vm + eta * g * wm
                if not readout_only:
                    params[b, 0, d] = wp - eta * g * vp
                    params[b, 2, d] = wm + eta * g * vm
            steps[b] += 1
            active[keep] = b
            keep += 1
        m = keep
    return params, loss, steps, restarts, lr, status


@njit(cache=True)
def gd_multi_kernel(X, y, offsets, sample_weights, init, lr0, weight_decay, tol, max_steps,
                    max_restarts, diverge_at):
    """GD on multi-task diagonal nets with a shared first layer.

    X (N, D): the tasks' samples stacked, task t in rows offsets[t]:offsets[t+1];
    y (N,); sample_weights (T,) the per-sample weights omega_t; init (R, T + 1, 2, D);
    lr0 (R,). Loss = sum_t omega_t ||X_t beta_t - y_t||^2 (+ weight_decay ||theta||^2).
    Stop: data loss < tol when weight_decay == 0, else squared gradient norm < tol.
    Returns params, loss (data term), steps, restarts, lr, status as the single kernel.
    """
    N, D = X.shape
    T = offsets.shape[0] - 1
    R = init.shape[0]
    params = init.copy()
    lr = lr0.copy()
    steps = np.zeros(R, np.int64)
    restarts = np.zeros(R, np.int64)
    status = np.zeros(R, np.int64)
    loss = np.full(R, np.nan)
    active = np.arange(R)
    m = R
    lam2 = 2.0 * weight_decay
    while m > 0:
        G = np.empty((T, D, m))  # G[t, d, j] = (d/d beta_t loss)_d
        for j in range(m):
            loss[active[j]] = 0.0
        for t in range(T):
            Xt = X[offsets[t]:offsets[t + 1]]
            B = np.empty((D, m))
            for j in range(m):
                b = active[j]
                for d in range(D):
                    B[d, j] = params[b, 0, 0, d] * params[b, 1 + t, 0, d] \
                        - params[b, 0, 1, d] * params[b, 1 + t, 1, d]
            Rsd = Xt @ B
            for j in range(m):
                b = active[j]
                s = 0.0
                for i in range(Rsd.shape[0]):
                    Rsd[i, j] -= y[offsets[t] + i]
                    s += Rsd[i, j] * Rsd[i, j]
                loss[b] += sample_weights[t] * s
            G[t] = (2.0 * sample_weights[t]) * (Xt.T @ Rsd)
        keep = 0
        for j in range(m):
            b = active[j]
            lb = loss[b]
            if weight_decay == 0.0 and lb < tol:
                status[b] = CONVERGED
                continue
            if not (lb <= diverge_at):
                if restarts[b] >= max_restarts:
                    status[b] = DIVERGED
                    continue
                restarts[b] += 1
                lr[b] /= 10.0
                steps[b] = 0
                params[b] = init[b]
                active[keep] = b
                keep += 1
                continue
            # gradients
            gw = np.zeros((2, D))
            gv = np.empty((T, 2, D))
            for d in range(D):
                wp, wm = params[b, 0, 0, d], params[b, 0, 1, d]
                acc_p = lam2 * wp
                acc_m = lam2 * wm
                for t in range(T):
                    g = G[t, d, j]
                    vp, vm = params[b, 1 + t, 0, d], params[b, 1 + t, 1, d]
                    acc_p += g * vp
                    acc_m -= g * vm
                    gv[t, 0, d] = g * wp + lam2 * vp
                    gv[t, 1, d] = -g * wm + lam2 * vm
                gw[0, d] = acc_p
                gw[1, d] = acc_m
            if weight_decay > 0.0:
                gn = 0.0
                for d in range(D):
                    gn += gw[0, d] ** 2 + gw[1, d] ** 2
                    for t in range(T):
                        gn += gv[t, 0, d] ** 2 + gv[t, 1, d] ** 2
                if gn < tol:
                    status[b] = CONVERGED
                    continue
            if steps[b] >= max_steps:
                status[b] = MAX_STEPS
                continue
            eta = lr[b]
            for d in range(D):
                params[b, 0, 0, d] -= eta * gw[0, d]
                params[b, 0, 1, d] -= eta * gw[1, d]
                for t in range(T):
                    params[b, 1 + t, 0, d] -= eta * gv[t, 0, d]
                    params[b, 1 + t, 1, d] -= eta * gv[t, 1, d]
            steps[b] += 1
            active[keep] = b
            keep += 1
        m = keep
    return params, loss, steps, restarts, lr, status
