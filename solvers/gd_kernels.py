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
"""
import numpy as np
from numba import njit

CONVERGED, MAX_STEPS, DIVERGED = 1, 2, 3


@njit(cache=True)
def gd_single_kernel(X, y, init, lr0, tol, max_steps, readout_only, max_restarts, diverge_at):
    """GD on single-task diagonal nets.

    X (n, D) C-contiguous, y (n,), init (R, 4, D) rows w+, v+, w-, v-, lr0 (R,).
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
def gd_multi_kernel(X, y, offsets, omega, init, lr0, weight_decay, tol, max_steps,
                    max_restarts, diverge_at):
    """GD on multi-task diagonal nets with a shared first layer.

    X (N, D): the tasks' samples stacked, task t in rows offsets[t]:offsets[t+1];
    y (N,); omega (T,) per-sample weights; init (R, T + 1, 2, D); lr0 (R,).
    Loss = sum_t omega_t ||X_t beta_t - y_t||^2 (+ weight_decay ||theta||^2).
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
                loss[b] += omega[t] * s
            G[t] = (2.0 * omega[t]) * (Xt.T @ Rsd)
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
