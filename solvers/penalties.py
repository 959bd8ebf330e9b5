"""Implicit-regularisation penalties of diagonal networks (single task, MTL, PT+FT).

All functions are vectorised numpy. Conventions follow ``docs/theory.md`` and
``docs/penalties.md``: a single-task diagonal network started at flow constants
``A, B`` (see :func:`featreuse.solvers.diagonal.log_AB`) converges to the interpolant
minimising the entropy penalty (P-ent)

    sum_d  kappa_d q(beta_d / kappa_d) - delta_d beta_d,
    kappa = sqrt(A B),  delta = ln(A / B) / 2,
    q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z / 2).

Per-feature penalties (MTL conditional, PT+FT, ReLU finetuning) take the
main-task coefficient ``beta`` and the auxiliary-task coefficient ``beta_aux``
and broadcast like numpy ufuncs; with ``reduce=True`` (the default) they are
summed over the last axis (the feature axis D).
"""
import numbers

import numpy as np

from .diagonal import finetune_init, log_AB, single_init
from featreuse.errors import InputError, InputTypeError, SolverError
from featreuse.validation import as_float_array, as_real_array, check_scalar, check_task_list

__all__ = [
    "q", "q_prime", "Q_alpha", "entropy_terms", "entropy_penalty", "l1", "l12",
    "mtl_weight_decay_objective", "balanced_params", "ptft_penalty", "ptft_ideal_penalty",
    "mtl_conditional_penalty", "relu_ft_penalty", "l_order", "feature_dependence",
]

# Beyond this value of ln|beta / kappa| the entropy term is evaluated in log
# form, which never forms beta / kappa (it may overflow for tiny kappa).
_LOG_RATIO_SWITCH = 20.0


# ----------------------------------------------------------------------------
# the scalar potential q
# ----------------------------------------------------------------------------
def q(z):
    """Hyperbolic-entropy potential ``q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z / 2)``.

    Evaluated as ``z arcsinh(z/2) - z^2 / (2 + sqrt(4 + z^2))``, which is
    algebraically equal but has no cancellation for small ``|z|`` (where
    ``q(z) = z^2/4 - z^4/192 + ...``) and no overflow of ``z^2`` for huge ``|z|``
    (where ``q(z) = |z| ln|z| - |z| + 2 + O(ln|z| / |z|)``).

    Parameters
    ----------
    z : array_like
        Any shape, dimensionless.

    Returns
    -------
    ndarray or float
        ``q(z)`` (same shape), ``>= 0``, even, convex, ``q(0) = 0``.
    """
    out = _q(_real_array(z, "z"))
    return out[()] if out.ndim == 0 else out


def _q(z):
    """Unvalidated :func:`q` for internal use (accepts empty arrays)."""
    a = np.abs(z)
    return a * np.arcsinh(a / 2.0) - a * (a / (2.0 + np.hypot(2.0, a)))


def q_prime(z):
    """Derivative ``q'(z) = arcsinh(z / 2)`` (same shape as ``z``)."""
    z = _real_array(z, "z")
    out = np.arcsinh(z / 2.0)
    return out[()] if out.ndim == 0 else out


def Q_alpha(beta, alpha):
    """Woodworth et al.'s penalty ``Q_alpha(beta) = alpha^2 sum_d q(beta_d / alpha^2)``.

    It is (P-ent) for the scalar initialisation ``alpha`` (``A = B = alpha^2``).
    Computed in log scale, so ``alpha**2`` may underflow.

    Parameters
    ----------
    beta : array_like (..., D)
        Predictor(s); the sum runs over the last axis.
    alpha : float
        Initialisation scale, ``alpha >= 0``; ``alpha = 0`` gives ``0`` at
        ``beta = 0`` and ``inf`` elsewhere.

    Returns
    -------
    float or ndarray (...)
    """
    beta = as_float_array(beta, "beta")
    check_scalar(alpha, "alpha", low=0.0, low_inclusive=True)
    with np.errstate(divide="ignore"):
        log_k = 2.0 * np.log(float(alpha))
    terms = entropy_terms(beta, log_k, log_k)
    return _reduce(terms, True)


# ----------------------------------------------------------------------------
# single-task entropy penalty (P-ent)
# ----------------------------------------------------------------------------
def entropy_terms(beta, log_A, log_B):
    """Per-coordinate (P-ent) terms ``kappa q(beta / kappa) - delta beta``.

    ``kappa = sqrt(A B) = exp((log_A + log_B) / 2)`` and
    ``delta = (log_A - log_B) / 2``. The term ``phi(beta)`` is the convex
    potential with ``phi(0) = 0`` and ``phi'(beta) = z`` where
    ``beta = A exp(z) - B exp(-z)``: the flow's dual variable.

    Degenerate coordinates (``kappa = 0``) are the sign-constrained limits:

    * ``A = 0 < B``: ``beta = -B exp(-z) <= 0`` and
      ``phi(beta) = |beta| ln(|beta| / B) - |beta|`` for ``beta <= 0``,
      ``+inf`` for ``beta > 0``;
    * ``B = 0 < A``: the mirror image, ``phi(beta) = beta ln(beta / A) - beta``
      for ``beta >= 0``;
    * ``A = B = 0``: the coordinate never moves, ``phi = 0`` at ``0``, else ``+inf``.

    These are the ``kappa -> 0`` limits of the general term (with the
    non-vanishing constant held fixed).

    Parameters
    ----------
    beta : array_like
        Coefficients; broadcast against ``log_A`` and ``log_B``.
    log_A, log_B : array_like
        Natural logs of the flow constants (``-inf`` allowed, ``+inf`` not).

    Returns
    -------
    ndarray
        Broadcast shape; ``+inf`` outside the domain.
    """
    beta = as_float_array(beta, "beta")
    log_A = _log_array(log_A, "log_A")
    log_B = _log_array(log_B, "log_B")
    beta, log_A, log_B = np.broadcast_arrays(beta, log_A, log_B)
    out = np.empty(beta.shape)
    finite = np.isfinite(log_A) & np.isfinite(log_B)
    b, la, lb = beta[finite], log_A[finite], log_B[finite]
    log_k = 0.5 * (la + lb)
    delta = 0.5 * (la - lb)
    ab = np.abs(b)
    with np.errstate(divide="ignore"):
        log_ratio = np.log(ab) - log_k
    # kappa itself must be representable for the direct form (not underflow)
    direct = (log_ratio < _LOG_RATIO_SWITCH) & (log_k > -700.0)
    vals = np.zeros(b.shape)
    # moderate |beta| / kappa: kappa q(beta / kappa) with the stable q
    k = np.exp(log_k[direct])
    vals[direct] = k * _q(b[direct] / k)
    # huge |beta| / kappa: kappa q(beta/kappa) = |beta| (arcsinh(|beta|/2kappa))
    #   - beta^2 / (2 kappa + sqrt(4 kappa^2 + beta^2)), with the arcsinh written
    #   as ln((|beta| + sqrt(4 kappa^2 + beta^2)) / 2) - ln kappa
    big = ~direct & (b != 0.0)
    if np.any(big):
        bb, lk = ab[big], log_k[big]
        k = np.exp(lk)  # may underflow to 0: harmless below
        h = np.hypot(2.0 * k, bb)
        vals[big] = bb * (np.log(0.5 * (bb + h)) - lk) - bb * (bb / (2.0 * k + h))
    out[finite] = vals - delta * b
    # degenerate coordinates (kappa = 0): sign-constrained limits
    if not np.all(finite):
        deg = ~finite
        b, la, lb = beta[deg], log_A[deg], log_B[deg]
        vals = np.full(b.shape, np.inf)
        vals[b == 0.0] = 0.0
        ab = np.abs(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            neg = (b < 0) & np.isfinite(lb)  # A = 0: beta <= 0 allowed
            vals[neg] = ab[neg] * (np.log(ab[neg]) - lb[neg]) - ab[neg]
            pos = (b > 0) & np.isfinite(la)  # B = 0: beta >= 0 allowed
            vals[pos] = ab[pos] * (np.log(ab[pos]) - la[pos]) - ab[pos]
        out[deg] = vals
    return out


def entropy_penalty(beta, init, reduce=True):
    """(P-ent) objective of a single-task diagonal network started at ``init``.

    ``sum_d kappa_d q(beta_d / kappa_d) - delta_d beta_d`` with
    ``kappa = sqrt(A B)`` and ``delta = ln(A/B) / 2``, ``A, B`` the flow
    constants of ``init`` (:func:`featreuse.solvers.diagonal.log_AB`). The exact flow
    from ``init`` converges to the interpolant minimising it (docs/theory.md).
    Coordinates with ``kappa = 0`` use the sign-constrained limit described in
    :func:`entropy_terms`.

    Parameters
    ----------
    beta : array_like (..., D)
        Predictor(s).
    init : float or array_like (4, D)
        Scalar ``alpha >= 0`` (all four vectors equal ``alpha``, giving
        ``Q_alpha``) or explicit ``w+, v+, w-, v-``.
    reduce : bool
        Sum over the last axis (default) or return the (..., D) terms.

    Returns
    -------
    float or ndarray
        Penalty value(s); ``+inf`` outside the reachable sign pattern.
    """
    beta = as_float_array(beta, "beta")
    if beta.ndim == 0:
        raise InputError("beta must have a feature axis (shape (..., D)), got a scalar")
    params = single_init(init, beta.shape[-1], name="init")
    log_A, log_B = log_AB(params)
    return _reduce(entropy_terms(beta, log_A, log_B), reduce)


# ----------------------------------------------------------------------------
# norms
# ----------------------------------------------------------------------------
def l1(beta):
    """``||beta||_1`` summed over the last axis: array (..., D) -> (...)."""
    beta = as_float_array(beta, "beta")
    return _reduce(np.abs(beta), True)


def l12(B):
    """Group norm ``||B||_{1,2} = sum_d ||B_{d,:}||_2`` of ``B`` (D, T) (or (..., D, T)).

    Rows are features, columns tasks (MTL with weight decay penalises
    ``2 lambda ||B||_{1,2}``).
    """
    B = as_float_array(B, "B")
    if B.ndim < 2:
        raise InputError(f"B must have shape (..., D, T), got {B.shape}")
    out = np.sum(np.sqrt(np.sum(B * B, axis=-1)), axis=-1)
    return out[()] if out.ndim == 0 else out


def mtl_weight_decay_objective(B, Xs, ys, weight_decay, sample_weights):
    """``sum_t omega_t ||X_t beta_t - y_t||^2 + 2 lambda ||B||_{1,2}``.

    The smallest weight-decayed multi-task loss
    ``sum_t omega_t ||X_t beta_t - y_t||^2 + lambda ||theta||^2`` over the
    parameters theta that realise the predictors ``B``: per feature,
    ``min w^2 + ||v||^2`` over ``w v = b`` is ``2 ||b||`` (the balanced
    factorisation), whichever sign pathway carries each entry.

    Parameters
    ----------
    B : array_like (D, T)
        Predictors, one column per task.
    Xs, ys : lists of T array_like (n_t, D), (n_t,)
    weight_decay : float
        lambda >= 0.
    sample_weights : array_like (T,)
        Per-sample weights omega_t >= 0 (for per-task weights lambda_t of the
        task MSEs, ``omega_t = lambda_t / n_t``).

    Returns
    -------
    float
    """
    Xs, ys = check_task_list(Xs, ys)
    T, D = len(Xs), Xs[0].shape[1]
    B = as_float_array(B, "B", ndim=2)
    if B.shape != (D, T):
        raise InputError(f"B must have shape ({D}, {T}) (one column per task), got {B.shape}")
    check_scalar(weight_decay, "weight_decay", low=0.0, low_inclusive=True)
    omega = as_float_array(sample_weights, "sample_weights", ndim=1)
    if omega.shape != (T,) or np.any(omega < 0):
        raise InputError(f"sample_weights must be {T} per-sample weights >= 0, got {omega}")
    data = sum(omega[t] * float(np.sum((X @ B[:, t] - y) ** 2))
               for t, (X, y) in enumerate(zip(Xs, ys)))
    return data + 2.0 * float(weight_decay) * float(l12(B))


# ----------------------------------------------------------------------------
# MTL and PT+FT penalties
# ----------------------------------------------------------------------------
def mtl_conditional_penalty(beta, beta_aux, reduce=True):
    """MTL penalty on the main task given the auxiliary task (LL).

    ``sum_d sqrt(beta_d^2 + beta_aux,d^2) - |beta_aux,d|``: the increase of
    ``||[beta_aux, beta]||_{1,2}`` over ``||beta_aux||_1``. Jointly
    1-homogeneous in ``(beta, beta_aux)``.

    Parameters
    ----------
    beta, beta_aux : array_like (..., D)
        Main- and auxiliary-task coefficients (broadcast).
    reduce : bool
        Sum over the last axis (default) or return per-feature terms.
    """
    beta = as_float_array(beta, "beta")
    beta_aux = as_float_array(beta_aux, "beta_aux")
    _check_broadcast(beta, beta_aux)
    a = np.abs(beta_aux)
    r = np.hypot(beta, a)
    # r - |a| = beta^2 / (r + |a|) without cancellation when beta << a
    terms = np.where(r > 0, beta * beta / np.where(r > 0, r + a, 1.0), 0.0)
    return _reduce(terms, reduce)


def balanced_params(beta_aux):
    """Pretrained parameters (4, ...) in the small-initialisation limit.

    A single-task network trained from ``alpha -> 0`` ends balanced:
    ``w+ = v+ = sqrt(max(beta_aux, 0))`` and ``w- = v- = sqrt(max(-beta_aux, 0))``.

    Parameters
    ----------
    beta_aux : array_like (...)
        Pretrained (auxiliary-task) predictor.

    Returns
    -------
    ndarray (4, ...)
        Rows ``w+, v+, w-, v-``.
    """
    beta_aux = as_float_array(beta_aux, "beta_aux")
    p = np.sqrt(np.maximum(beta_aux, 0.0))
    m = np.sqrt(np.maximum(-beta_aux, 0.0))
    return np.stack([p, p, m, m])


def ptft_penalty(beta, pretrained_params, rescale=1.0, readout_init=1e-3, reduce=True,
                 relative=False):
    """Exact PT+FT penalty: (P-ent) of the finetuning initialisation.

    The finetuning network starts at :func:`featreuse.solvers.diagonal.finetune_init`
    (first layer times ``rescale`` = s, readouts reset to ``readout_init`` = c),
    so its exact flow minimises :func:`entropy_penalty` with that init.

    Each term ``phi_d`` is minimal at the initial predictor
    ``beta0_d = A_d - B_d`` (``= s c (w+ - w-)`` here), where it is negative
    when ``delta_d != 0``. ``relative=True`` returns ``phi_d(beta) - phi_d(beta0_d)``
    instead: the Bregman divergence from the initial predictor, ``>= 0`` and
    ``0`` at ``beta0`` (same minimisers, since it only shifts by a constant).

    Parameters
    ----------
    beta : array_like (..., D)
        Main-task predictor(s).
    pretrained_params : array_like (4, D)
        Pretrained ``w+, v+, w-, v-`` (e.g. ``SingleResult.params`` or
        :func:`balanced_params`).
    rescale : float
        s > 0.
    readout_init : float
        c >= 0.
    reduce : bool
        Sum over the last axis (default) or return per-feature terms.
    relative : bool
        Subtract the value at the initial predictor (see above).
    """
    beta = as_float_array(beta, "beta")
    init = finetune_init(pretrained_params, rescale, readout_init, name="pretrained_params")
    if beta.ndim == 0 or beta.shape[-1] != init.shape[1]:
        raise InputError(
            f"beta must have shape (..., {init.shape[1]}) to match pretrained_params, "
            f"got {beta.shape}")
    log_A, log_B = log_AB(init)
    terms = entropy_terms(beta, log_A, log_B)
    if relative:
        terms = terms - _value_at_init(log_A, log_B)
    return _reduce(terms, reduce)


def _value_at_init(log_A, log_B):
    """phi(beta0) at the initial predictor beta0 = A - B (0 where A or B is 0)."""
    finite = np.isfinite(log_A) & np.isfinite(log_B)
    la, lb = np.where(finite, log_A, 0.0), np.where(finite, log_B, 0.0)
    beta0 = np.where(finite, np.exp(la) - np.exp(lb), 0.0)
    return np.where(finite, entropy_terms(beta0, la, lb), 0.0)


def _ptft_balanced_terms(beta, beta_aux, rescale, readout_init, relative=True):
    """Per-feature exact PT+FT terms from balanced pretrained params (broadcast)."""
    beta, beta_aux = np.broadcast_arrays(beta, beta_aux)
    init = balanced_params(beta_aux)
    init[0] *= rescale
    init[2] *= rescale
    init[1] = readout_init
    init[3] = readout_init
    log_A, log_B = log_AB(init)
    terms = entropy_terms(beta, log_A, log_B)
    if relative:
        terms = terms - _value_at_init(log_A, log_B)
    return terms


def ptft_ideal_penalty(beta, beta_aux, rescale=1.0, readout_init=1e-3, reduce=True):
    """LL's idealised PT+FT penalty ``sum_d k_d q(beta_d / k_d)``, ``k_d = s^2 |beta_aux,d| + c^2``.

    ``s`` = ``rescale``, ``c`` = ``readout_init``. For ``c = 0`` it is jointly
    1-homogeneous in ``(beta, beta_aux)`` (``k`` scales like ``beta_aux`` and
    ``beta / k`` is invariant), so ℓ-order + feature dependence = 1 exactly;
    ``c > 0`` breaks this. Features with ``k = 0`` are frozen (``0`` at
    ``beta = 0``, ``inf`` elsewhere). See docs/penalties.md for how it compares
    with the exact :func:`ptft_penalty`.
    """
    beta = as_float_array(beta, "beta")
    beta_aux = as_float_array(beta_aux, "beta_aux")
    _check_broadcast(beta, beta_aux)
    check_scalar(rescale, "rescale", low=0.0)
    check_scalar(readout_init, "readout_init", low=0.0, low_inclusive=True)
    k = rescale ** 2 * np.abs(beta_aux) + readout_init ** 2
    with np.errstate(divide="ignore"):
        log_k = np.log(k)
    return _reduce(entropy_terms(beta, log_k, log_k), reduce)


# ----------------------------------------------------------------------------
# ReLU finetuning penalty
# ----------------------------------------------------------------------------
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
    _check_broadcast(beta, beta_aux, theta)
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
    out = _reduce(R, reduce)
    if return_norm:
        return out, m_best.reshape(shape)
    return out


# ----------------------------------------------------------------------------
# l-order and feature dependence
# ----------------------------------------------------------------------------
_NAMED = ("mtl", "ptft", "ptft_ideal", "relu_ft")


def l_order(penalty, beta, beta_aux, step=1e-3, **params):
    """ℓ-order ``d ln R / d ln|beta|`` of a per-feature penalty ``R(beta, beta_aux)``.

    Parameters
    ----------
    penalty : str or callable
        ``"mtl"`` (:func:`mtl_conditional_penalty`, analytic:
        ``1 + |a| / sqrt(beta^2 + a^2)``), ``"ptft_ideal"``
        (:func:`ptft_ideal_penalty`, analytic: ``u q'(u) / q(u)``,
        ``u = beta / k``), ``"ptft"`` (exact PT+FT from
        :func:`balanced_params`, relative to its initial predictor, see
        :func:`ptft_penalty`) and ``"relu_ft"`` (:func:`relu_ft_penalty`,
        needs ``theta``), or a callable ``R(beta, beta_aux) -> ndarray``
        acting elementwise. The last two and callables use central
        differences of ``ln R`` in ``ln|beta|`` with one Richardson
        extrapolation (error ``O(step^4)``).
    beta, beta_aux : array_like
        Broadcast together; ``R`` must be positive and finite there.
    step : float
        Log-space step of the finite differences.
    **params
        ``rescale``, ``readout_init``, ``theta`` for the named penalties.

    Returns
    -------
    ndarray
        Same (broadcast) shape as ``beta`` and ``beta_aux``.
    """
    return _log_derivative(penalty, beta, beta_aux, step, params, wrt="beta")


def feature_dependence(penalty, beta, beta_aux, step=1e-3, **params):
    """Feature dependence ``d ln R / d ln|beta_aux|`` of a per-feature penalty.

    Same arguments as :func:`l_order`. Analytic for ``"mtl"``
    (``-|a| / sqrt(beta^2 + a^2)``) and ``"ptft_ideal"``
    (``(s^2|a| / k)(1 - order)``); finite differences otherwise. For jointly
    1-homogeneous penalties Euler's identity gives order + dependence = 1.
    """
    return _log_derivative(penalty, beta, beta_aux, step, params, wrt="beta_aux")


def _log_derivative(penalty, beta, beta_aux, step, params, wrt):
    beta = as_float_array(beta, "beta")
    beta_aux = as_float_array(beta_aux, "beta_aux")
    _check_broadcast(beta, beta_aux)
    check_scalar(step, "step", low=0.0, high=0.5)
    if isinstance(penalty, str):
        if penalty not in _NAMED:
            raise InputError(
                f"penalty must be one of {list(_NAMED)} or a callable, got {penalty!r}")
        allowed = {"mtl": set(), "ptft_ideal": {"rescale", "readout_init"},
                   "ptft": {"rescale", "readout_init"},
                   "relu_ft": {"theta", "readout_init"}}[penalty]
        extra = set(params) - allowed
        if extra:
            raise InputError(f"unexpected parameters {sorted(extra)} for penalty {penalty!r}")
        if penalty == "mtl":
            return _mtl_log_derivative(beta, beta_aux, wrt)
        if penalty == "ptft_ideal":
            return _ptft_ideal_log_derivative(beta, beta_aux, wrt,
                                              params.get("rescale", 1.0),
                                              params.get("readout_init", 1e-3))
        if penalty == "ptft":
            s = check_scalar(params.get("rescale", 1.0), "rescale", low=0.0)
            c = check_scalar(params.get("readout_init", 1e-3), "readout_init", low=0.0,
                             low_inclusive=True)

            def func(b, a):
                return _ptft_balanced_terms(b, a, s, c)
        else:
            if "theta" not in params:
                raise InputError("penalty 'relu_ft' needs theta=")
            theta, c = params["theta"], params.get("readout_init", 1e-3)

            def func(b, a):
                return relu_ft_penalty(b, a, theta, c, reduce=False)
    elif callable(penalty):
        if params:
            raise InputError("keyword parameters are only for named penalties")
        func = penalty
    else:
        raise InputTypeError(f"penalty must be a name or a callable, got {type(penalty).__name__}")

    def log_r(h):
        if wrt == "beta":
            val = func(beta * np.exp(h), beta_aux)
        else:
            val = func(beta, beta_aux * np.exp(h))
        return np.log(np.asarray(val, dtype=np.float64))

    def central(h):
        return (log_r(h) - log_r(-h)) / (2.0 * h)

    with np.errstate(divide="ignore", invalid="ignore"):
        out = (4.0 * central(step / 2.0) - central(step)) / 3.0
    return out[()] if out.ndim == 0 else out


def _mtl_log_derivative(beta, beta_aux, wrt):
    a = np.abs(beta_aux)
    r = np.hypot(beta, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(r > 0, a / r, np.nan)
    out = 1.0 + frac if wrt == "beta" else -frac
    return out[()] if out.ndim == 0 else out


def _ptft_ideal_log_derivative(beta, beta_aux, wrt, rescale, readout_init):
    check_scalar(rescale, "rescale", low=0.0)
    check_scalar(readout_init, "readout_init", low=0.0, low_inclusive=True)
    ks = rescale ** 2 * np.abs(beta_aux)
    k = ks + readout_init ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        u = beta / k
        qu = q(u)
        # u q'(u) / q(u); -> 2 as u -> 0 (q ~ u^2/4): use the series there
        small = np.abs(u) < 1e-4
        order = np.where(small, 2.0 - u * u / 24.0, u * q_prime(u) / np.where(small, 1.0, qu))
        if wrt == "beta":
            out = order
        else:
            out = np.where(k > 0, ks / np.where(k > 0, k, 1.0), np.nan) * (1.0 - order)
    out = np.asarray(out, dtype=np.float64)
    return out[()] if out.ndim == 0 else out


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def _real_array(z, name):
    if isinstance(z, numbers.Number) and not isinstance(z, numbers.Real):
        raise InputTypeError(f"{name} must be real, got {type(z).__name__}")
    return as_float_array(z, name)


def _log_array(v, name):
    arr = as_real_array(v, name)
    if np.any(np.isnan(arr)) or np.any(arr == np.inf):
        raise InputError(f"{name} must be finite or -inf (log of a value >= 0)")
    return arr


def _check_broadcast(*arrays):
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise InputError(
            "shapes do not broadcast: " + ", ".join(str(a.shape) for a in arrays)) from None


def _reduce(terms, reduce):
    out = np.sum(terms, axis=-1) if (reduce and terms.ndim > 0) else terms
    out = np.asarray(out)
    return out[()] if out.ndim == 0 else out
