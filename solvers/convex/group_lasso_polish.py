"""Newton polish of a multi-task group-lasso solution on its support.

The group lasso ``sum_t omega_t ||X_t b_t - y_t||^2 + lam ||B||_{1,2}``
(:func:`featreuse.solvers.convex.group_lasso`) is solved by an interior-point method
whose minimiser is accurate to about 1e-6 only: a relative duality gap of
~1e-11 leaves flat directions loose. On the support of the solution the
objective is smooth, and damped Newton there reaches machine precision.
"""
import numpy as np

from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar, check_task_list

#: Rows with ``||B_d|| <= SUPPORT_RTOL * max_d ||B_d||`` are taken to be off the support.
SUPPORT_RTOL = 1e-7


def polish_group_lasso(Xs, ys, B, lam, sample_weights, max_iter=50):
    """Newton polish of a group-lasso solution on its support.

    On the support S (rows with ``||B_d|| > SUPPORT_RTOL max_d ||B_d||``) the
    objective ``sum_t omega_t ||X_t b_t - y_t||^2 + lam sum_{d in S} ||b_d||``
    is smooth; damped Newton minimises it. The polished point (rows off S set
    to 0) is kept only if the rows off S still satisfy the subgradient
    condition ``||g_d|| <= lam`` (g the data gradient, to a relative 1e-9) and
    the objective on S did not rise; otherwise ``B`` is returned unchanged.

    Parameters
    ----------
    Xs : list of T array_like (n_t, D)
    ys : list of T array_like (n_t,)
    B : array_like (D, T)
        Solution to polish (e.g. :func:`featreuse.solvers.convex.group_lasso`'s ``beta``),
        one column per task.
    lam : float
        Group penalty ``> 0`` (``2 lambda`` for weight decay lambda).
    sample_weights : array_like (T,)
        Per-sample weights ``omega_t > 0`` (not per-task weights: for per-task
        weights lambda_t, ``omega_t = lambda_t / n_t``).
    max_iter : int
        Newton iterations allowed (>= 0).

    Returns
    -------
    B : ndarray (D, T)
        The polished point, or a copy of ``B`` when the polish was not kept.
    polished : bool
        Whether the polish was kept.

    Raises
    ------
    InputError, InputTypeError
        Malformed arguments (the message names the argument).
    """
    Xs, ys = check_task_list(Xs, ys)
    T, D = len(Xs), Xs[0].shape[1]
    B = as_float_array(B, "B", ndim=2)
    if B.shape != (D, T):
        raise InputError(f"B must have shape ({D}, {T}) (one column per task), got {B.shape}")
    check_scalar(lam, "lam", low=0.0)
    omega = as_float_array(sample_weights, "sample_weights", ndim=1)
    if omega.shape != (T,):
        raise InputError(f"sample_weights must have shape ({T},), got {omega.shape}")
    if np.any(omega <= 0):
        raise InputError("sample_weights must be > 0 everywhere (per-sample weights omega_t)")
    check_scalar(max_iter, "max_iter", low=0, low_inclusive=True, integer=True)
    lam = float(lam)

    norms = np.sqrt(np.sum(B * B, axis=1))
    S = np.flatnonzero(norms > SUPPORT_RTOL * max(float(norms.max()), 1e-300))
    if S.size == 0:
        return B.copy(), False
    m = S.size
    XS = [X[:, S] for X in Xs]
    # Hessian of the data term in the variables b (m, T), stacked task by task
    H_data = np.zeros((m * T, m * T))
    for t in range(T):
        H_data[t * m:(t + 1) * m, t * m:(t + 1) * m] = 2.0 * omega[t] * (XS[t].T @ XS[t])

    def f_grad(b):  # objective on S, its gradient (m, T) and the row norms (m,)
        r = [XS[t] @ b[:, t] - ys[t] for t in range(T)]
        nb = np.sqrt(np.sum(b * b, axis=1))
        f = sum(omega[t] * float(r[t] @ r[t]) for t in range(T)) + lam * float(nb.sum())
        g = np.stack([2.0 * omega[t] * (XS[t].T @ r[t]) for t in range(T)], axis=1)
        return f, g + lam * b / nb[:, None], nb

    b = B[S].copy()
    f, g, nb = f_grad(b)
    f0 = f
    for _ in range(max_iter):
        H = H_data.copy()
        for i in range(m):  # Hessian of lam ||b_i||: lam (I / ||b_i|| - b_i b_i^T / ||b_i||^3)
            blk = lam * (np.eye(T) / nb[i] - np.outer(b[i], b[i]) / nb[i] ** 3)
            idx = i + m * np.arange(T)
            H[np.ix_(idx, idx)] += blk
        gv = g.T.reshape(-1)
        try:
            step = -np.linalg.solve(H, gv)
        except np.linalg.LinAlgError:
            break
        step = step.reshape(T, m).T
        t_ls, accepted = 1.0, False
        for _ in range(40):  # backtracking: accept a lower objective or a smaller gradient
            b_new = b + t_ls * step
            f_new, g_new, nb_new = f_grad(b_new)
            if np.all(nb_new > 0) and (f_new <= f or np.linalg.norm(g_new) < np.linalg.norm(g)):
                accepted = True
                break
            t_ls *= 0.5
        if not accepted:
            break
        stalled = np.linalg.norm(g_new) >= 0.5 * np.linalg.norm(g)
        b, f, g, nb = b_new, f_new, g_new, nb_new
        if stalled and np.linalg.norm(g) <= 1e-12 * max(1.0, lam * np.sqrt(m)):
            break
    out = np.zeros_like(B)
    out[S] = b
    # subgradient condition on the rows left at zero
    G = np.stack([2.0 * omega[t] * (Xs[t].T @ (Xs[t] @ out[:, t] - ys[t])) for t in range(T)],
                 axis=1)
    off = np.setdiff1d(np.arange(D), S)
    if off.size and np.max(np.sqrt(np.sum(G[off] ** 2, axis=1))) > lam * (1 + 1e-9):
        return B.copy(), False
    if f > f0 * (1 + 1e-12):
        return B.copy(), False
    return out, True
