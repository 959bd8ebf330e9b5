"""The per-unit ReLU finetuning penalty (LL's single-hidden-unit picture)."""
import numpy as np

from featreuse.errors import InputError, SolverError
from featreuse.validation import as_float_array, check_scalar
from .checks import check_broadcast, reduce_terms


def relu_ft_penalty(beta, beta_aux, theta, readout_init=1e-3, reduce=True, return_norm=False):
    """Per-unit ReLU finetuning penalty (LL, single hidden unit picture).

    A pretrained unit has input-weight norm ``m0 = sqrt(|beta_aux|)`` (balanced
    network); finetuning resets its readout to ``v0`` = ``readout_init`` and
    must reach output weight ``beta`` with a unit whose direction makes cosine
    ``theta`` with the pretrained one. The squared parameter distance is

        R(beta) = min_{m > 0} (beta / m - v0)^2 + m^2 + m0^2 - 2 m m0 theta.

    For ``beta != 0`` the minimiser is a positive root of the stationarity
    quartic ``m^4 - m0 theta m^3 + v0 beta m - beta^2 = 0``; all roots are
    found at once from batched companion-matrix eigenvalues, ``R`` is
    evaluated at the positive real parts of all of them (each a feasible
    ``m``, so the minimum over them is exact once the true minimiser is among
    them) and the best is polished by Newton steps on ``R'(m) = 0``. For
    ``beta = 0`` the infimum is ``v0^2 + m0^2 (1 - max(theta, 0)^2)``, at
    ``m = m0 max(theta, 0)``.

    Parameters
    ----------
    beta, beta_aux : array_like (..., D)
        Main-task output weight and pretrained unit magnitude (broadcast).
    theta : float or array_like
        Cosine similarity in ``[-1, 1]`` (broadcast).
    readout_init : float
        ``v0 >= 0``.
    reduce : bool
        Sum over the last axis (default) or return per-unit values.
    return_norm : bool
        Also return the minimising norm ``m`` (per unit, never reduced).

    Returns
    -------
    R : float or ndarray
    m : ndarray, only if ``return_norm``
    """
    beta = as_float_array(beta, "beta")
    beta_aux = as_float_array(beta_aux, "beta_aux")
    theta = as_float_array(theta, "theta")
    if np.any(np.abs(theta) > 1.0):
        raise InputError("theta must be a cosine in [-1, 1]")
    check_scalar(readout_init, "readout_init", low=0.0, low_inclusive=True)
    check_broadcast(beta, beta_aux, theta)
    beta, beta_aux, theta = np.broadcast_arrays(beta, beta_aux, theta)
    shape = beta.shape
    b = beta.ravel()
    m0 = np.sqrt(np.abs(beta_aux)).ravel()
    th = theta.ravel()
    v0 = float(readout_init)

    R = np.empty(b.shape)
    m_best = np.empty(b.shape)
    zero = b == 0.0
    tz = np.maximum(th[zero], 0.0)
    m_best[zero] = m0[zero] * tz
    R[zero] = v0 ** 2 + m0[zero] ** 2 * (1.0 - tz ** 2)

    nz = ~zero
    if np.any(nz):
        bb, mm, tt = b[nz], m0[nz], th[nz]
        # monic quartic m^4 + c3 m^3 + c2 m^2 + c1 m + c0 and its companion matrix
        c3, c2, c1, c0 = -mm * tt, np.zeros_like(bb), v0 * bb, -bb * bb
        comp = np.zeros((bb.size, 4, 4))
        comp[:, 1, 0] = comp[:, 2, 1] = comp[:, 3, 2] = 1.0
        comp[:, 0, 3], comp[:, 1, 3], comp[:, 2, 3], comp[:, 3, 3] = -c0, -c1, -c2, -c3
        roots = np.linalg.eigvals(comp).real  # (N, 4)
        cand = np.where(roots > 0, roots, np.nan)

        def cost(m, b=bb, m0=mm, t=tt):
            return (b / m - v0) ** 2 + m * m + m0 * m0 - 2.0 * m * m0 * t

        vals = cost(cand, bb[:, None], mm[:, None], tt[:, None])
        vals = np.where(np.isnan(vals), np.inf, vals)
        idx = np.argmin(vals, axis=1)
        m = cand[np.arange(bb.size), idx]
        if np.any(np.isnan(m)):  # cannot happen in exact arithmetic (R -> inf at 0 and inf)
            raise SolverError("relu_ft_penalty: no positive root of the stationarity quartic",
                              status=f"{int(np.sum(np.isnan(m)))} units")
        # Newton polish on R'(m)/2 = -(beta/m - v0) beta/m^2 + m - m0 theta
        for _ in range(3):
            g = -(bb / m - v0) * bb / m ** 2 + m - mm * tt
            h = (bb / m ** 2) ** 2 + 2.0 * (bb / m - v0) * bb / m ** 3 + 1.0
            step = np.where(h > 0, g / np.where(h > 0, h, 1.0), 0.0)
            m_new = m - step
            ok = (m_new > 0) & (cost(m_new) <= cost(m))
            m = np.where(ok, m_new, m)
        m_best[nz] = m
        R[nz] = cost(m)
    R = R.reshape(shape)
    out = reduce_terms(R, reduce)
    if return_norm:
        return out, m_best.reshape(shape)
    return out
