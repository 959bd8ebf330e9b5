"""The hyperbolic-entropy potential q and the single-task entropy penalty (P-ent).

A single-task diagonal network started at flow constants ``A, B`` (see
:func:`featreuse.solvers.diagonal.log_AB`) converges to the interpolant minimising

    sum_d  kappa_d q(beta_d / kappa_d) - delta_d beta_d,
    kappa = sqrt(A B),  delta = ln(A / B) / 2,
    q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z / 2).
"""
import numpy as np

from ..diagonal import log_AB, single_init
from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar
from .checks import log_array, real_array, reduce_terms

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
    out = _q(real_array(z, "z"))
    return out[()] if out.ndim == 0 else out


def _q(z):
    """Unvalidated :func:`q` for internal use (accepts empty arrays)."""
    a = np.abs(z)
    return a * np.arcsinh(a / 2.0) - a * (a / (2.0 + np.hypot(2.0, a)))


def q_prime(z):
    """Derivative ``q'(z) = arcsinh(z / 2)`` (same shape as ``z``)."""
    z = real_array(z, "z")
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
    return reduce_terms(terms, True)


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
    log_A = log_array(log_A, "log_A")
    log_B = log_array(log_B, "log_B")
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
    return reduce_terms(entropy_terms(beta, log_A, log_B), reduce)
